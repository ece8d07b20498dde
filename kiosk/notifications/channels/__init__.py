"""The channels a message travels over (WeCom group robots, SMS through a provider's HTTP API,
e-mail over SMTP), as organisers configure them. The worker calls `send`; the rules that write
messages call `configured` to learn which channels reach an audience."""
from kiosk.notifications.models import Audience, Channel, OutboxMessage


class DeliveryFailed(Exception):
    """The channel did not take the message this time (a timeout, a 5xx, a refused connection):
    the worker tries again later. Its text is shown to organisers: never put a secret in it."""


class Undeliverable(DeliveryFailed):
    """Trying again cannot help (no channel configured any more, no consent, the provider refused
    the template): the message fails at once."""


def configured(audience: Audience, department_id: int | None = None) -> list[Channel]:
    """The channels that reach this audience now (a department's robot and e-mail, the organisers',
    the company's SMS when an SMS provider is set up)."""
    return []


def send(message: OutboxMessage) -> None:
    """Deliver one message over its channel, with its key; raise DeliveryFailed or Undeliverable."""
    raise Undeliverable("no channel is configured")
