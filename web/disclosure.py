"""Showing the full complainant data once after a logged disclosure (post/redirect/get), for the
appeal page and the follow-up call page."""
import time

from flask import session

from kernel.db import db
from models import Appeal, User
from workflow.views import appeal_view

DISCLOSED = "disclosed"  # session key: the appeal whose full data the next page view shows
DISCLOSURE_SHOWN = 60  # seconds


def disclose_once(appeal: Appeal, user: User, reason: str) -> None:
    """Log the disclosure of the full complainant data and commit; the next page view shows them."""
    appeal_view(appeal, user, detail=True, disclose_reason=reason)  # appends the disclosure to the log
    db.session.commit()
    session[DISCLOSED] = {"number": appeal.number, "at": time.time()}


def just_disclosed(number: str) -> bool:
    """The page after a disclosure shows the full data once (post/redirect/get): the marker in
    the session holds no personal data, is used up by this view and lasts a minute at most."""
    marker = session.pop(DISCLOSED, None)
    return bool(marker) and marker.get("number") == number and time.time() - marker.get("at", 0) < DISCLOSURE_SHOWN
