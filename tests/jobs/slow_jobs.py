"""A job that takes long enough for a test to kill its worker in the middle of it."""
import os
import time
from pathlib import Path

from routing.dispatch import dispatch_appeal


def dispatch_slowly(appeal_id: int) -> None:
    dispatch_appeal(appeal_id)
    Path(os.environ["SLOW_JOB_MARKER"]).touch()  # tells the test the job is half-way
    time.sleep(30)
