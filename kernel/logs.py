"""No secret or personal data from a URL in any log line.

GeoReport clients can only send their `api_key` in the query string, and an old link or bookmark
can still carry a phone number (`/operator/search?q=`) or appeal text (`/operator/suggest?text=`).
Pages no longer put them in URLs; this is the safety net: the values of SENSITIVE parameters are
masked in every log record of the process when it is created (app, werkzeug's request log, RQ,
gunicorn), and gunicorn's access log is written by GunicornLogger (scripts/run.sh), whose
fields (request line, query, referer, headers) are masked before the line is formatted.
"""
import logging
import re

from gunicorn.glogging import Logger

SENSITIVE = ("api_key", "access_token", "token", "password", "secret", "q", "text", "phone")
MASK = "[REDACTED]"
# name=value in a URL or a bare query string, also percent-encoded inside another value (next=%2F…%3Fq%3D…).
_PARAMETER = re.compile(
    r"((?:^|[?&;]|%3F|%26)(?:{})(?:=|%3D))(?:(?!%26)[^&;\s\"'])*".format("|".join(SENSITIVE)), re.IGNORECASE)
# Access-log atoms (gunicorn's names) that carry credentials whole.
SECRET_ATOMS = {"{authorization}i", "{cookie}i", "{http_authorization}e", "{http_cookie}e"}


def redact(text: str) -> str:
    return _PARAMETER.sub(lambda match: match.group(1) + MASK, text)


def _redacting(factory):
    def make_record(*args, **kwargs):
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call; logging reports it when the record is emitted
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return record

    make_record.redacts = True
    return make_record


def install() -> None:
    """Mask SENSITIVE parameters in every log record of this process (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts", False):
        logging.setLogRecordFactory(_redacting(factory))


class GunicornLogger(Logger):
    """gunicorn's logger (`--logger-class kernel.logs.GunicornLogger`) with the access log's fields masked:
    SENSITIVE parameters in the request line, query, referer, headers and environ; credentials whole."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: MASK if key in SECRET_ATOMS else redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()}
