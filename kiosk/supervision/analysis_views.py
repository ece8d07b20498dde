"""(being written)"""
from kiosk.supervision import (
    bp,  # noqa: F401
    parking_views,  # noqa: F401  (parking's steps join the blueprint too)
)
