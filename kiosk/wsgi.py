"""The WSGI application of an installed kiosk: `kiosk serve` runs gunicorn on `kiosk.wsgi:app`."""
from kiosk import create_app

app = create_app()
