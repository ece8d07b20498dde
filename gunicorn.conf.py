"""gunicorn's settings in a checkout (`gunicorn -c gunicorn.conf.py wsgi:app`): the kiosk's own,
the same that `kiosk serve` uses (kiosk/gunicorn_conf.py)."""
from kiosk.gunicorn_conf import *  # noqa: F403
