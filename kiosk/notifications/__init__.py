"""Notifications (DESIGN.md: "Notices go out through an outbox"): what the kiosk tells people
outside its pages, written to an outbox in the same transaction as the change that causes it
(`models`, `outbox`), and sent afterwards by a worker (`worker`), at least once, each message with
its idempotency key, over the channels organisers configure (`channels`: WeCom group robots, SMS,
e-mail). A request never waits for a channel. Its pages are one blueprint under /notifications."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
