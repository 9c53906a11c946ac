"""WSGI entry point: `gunicorn wsgi:app`."""
import sys

from app import create_app
from kernel.settings import ConfigError

try:
    app = create_app()
except ConfigError as error:
    sys.exit(str(error))  # the message alone, on stderr, exit status 1: no traceback to dig through
