"""A job that takes long enough for a test to kill its worker in the middle of it.

A worker started with `flask --app tests.jobs.slow_jobs` (the factory below) knows it."""
import os
import time
from pathlib import Path

from app import create_app  # noqa: F401  (the application `flask --app tests.jobs.slow_jobs` finds)
from jobs.registry import register
from routing.dispatch import dispatch_appeal


@register("dispatch_slowly")
def dispatch_slowly(appeal_id: int) -> None:
    dispatch_appeal(appeal_id)
    Path(os.environ["SLOW_JOB_MARKER"]).touch()  # tells the test the job is half-way
    time.sleep(30)
