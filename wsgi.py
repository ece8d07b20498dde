"""The WSGI entry point in a checkout: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from kiosk.wsgi import app  # noqa: F401
