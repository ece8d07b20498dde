"""(being written)"""
from kiosk.supervision import bp  # noqa: F401
