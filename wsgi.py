"""WSGI entry point: `gunicorn wsgi:app`."""
import sys

from app import create_app
from kernel.settings import ConfigError

# A gthread worker's threads take turns on the GIL every 5 ms by default: the thread whose
# transaction holds the city's appeal counter waits that long for its next statement while
# another thread parses a request, and every intake transaction of the city waits behind it.
# At 0.5 ms single appeals were accepted 8-13 % faster with the dispatch workers running
# (docs/performance.md, "Intake with workers running").
sys.setswitchinterval(0.0005)

try:
    app = create_app()
except ConfigError as error:
    sys.exit(str(error))  # the message alone, on stderr, exit status 1: no traceback to dig through
