"""WeCom group robots (企业微信群机器人): a Markdown message POSTed as JSON to the robot's webhook
URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...), as WeCom documents it:
{"msgtype": "markdown", "markdown": {"content": ...}}, the content at most 4,096 bytes of UTF-8.
WeCom answers HTTP 200 with {"errcode": 0, "errmsg": "ok"} when it took the message, and a
non-zero errcode when it did not.

A robot takes about 20 messages a minute. The worker keeps under it: this process counts what it
sent to each robot in the last minute and, at 20, fails the message for now with the seconds to
wait (DeliveryFailed.retry_after), without calling WeCom. Several workers (or processes) share no
count: when together they go over, the robot answers errcode 45009, which is a DeliveryFailed to
try again a minute later, never a failure for good.

The robot takes no idempotency key: the kiosk sends the message's key as an Idempotency-Key
header (which WeCom ignores, and the tests' fake dedupes by)."""
import threading
import time
from collections import deque

from kiosk.notifications.channels.common import DeliveryFailed, Undeliverable, host_of, post, scrub

#: WeCom's limit on a Markdown message's content, in bytes of UTF-8
MAX_BYTES = 4096
#: what a cut message ends with
CUT_NOTE = "\n\n……（内容过长，已截断，全文请在系统中查看）"
#: WeCom's documented limit: 20 messages a minute per robot
PER_MINUTE = 20
#: errcodes worth trying again: the rate limit (45009) and "system busy" (-1)
RATE_LIMITED, BUSY = 45009, -1

_recent: dict[str, deque] = {}
_lock = threading.Lock()


def content(subject: str, body: str) -> str:
    """The Markdown a robot posts: the subject as a heading, then the body, cut to fit."""
    return cut(f"### {subject}\n{body}" if subject else body)


def cut(text: str, limit: int = MAX_BYTES) -> str:
    """The text if it fits in `limit` bytes of UTF-8; else as much as fits with CUT_NOTE after it,
    cut between two characters (never inside one)."""
    if len(text.encode()) <= limit:
        return text
    room = limit - len(CUT_NOTE.encode())
    return text.encode()[:room].decode("utf-8", "ignore") + CUT_NOTE


def hold_to_limit(url: str, now: float | None = None) -> None:
    """Count a message for this robot, or fail it for now when the robot had 20 this minute."""
    now = time.monotonic() if now is None else now
    with _lock:
        sent = _recent.setdefault(url, deque())
        while sent and now - sent[0] >= 60:
            sent.popleft()
        if len(sent) >= PER_MINUTE:
            wait = 60 - (now - sent[0])
            raise DeliveryFailed(f"{host_of(url)} 的群机器人每分钟最多 {PER_MINUTE} 条，{wait:.0f} 秒后再发",
                                 retry_after=wait)
        sent.append(now)


def send(url: str, key: str, subject: str, body: str) -> None:
    hold_to_limit(url)
    answer = post(url, json={"msgtype": "markdown", "markdown": {"content": content(subject, body)}},
                  headers={"Idempotency-Key": key})
    if answer.status_code >= 500:
        raise DeliveryFailed(f"{host_of(url)} 应答 HTTP {answer.status_code}")
    if answer.status_code != 200:
        raise Undeliverable(f"{host_of(url)} 应答 HTTP {answer.status_code}，请检查机器人地址")
    try:
        reply = answer.json()
        errcode = int(reply.get("errcode", -1))
    except (ValueError, TypeError, AttributeError):
        raise DeliveryFailed(f"{host_of(url)} 的应答无法识别") from None
    if errcode == 0:
        return
    said = scrub(f"errcode {errcode}: {str(reply.get('errmsg', ''))[:200]}", [url])
    if errcode == RATE_LIMITED:
        raise DeliveryFailed(f"群机器人发送过于频繁（{said}），稍后再发", retry_after=60)
    if errcode == BUSY:
        raise DeliveryFailed(f"企业微信繁忙（{said}）")
    raise Undeliverable(f"企业微信拒绝了这条消息（{said}）")
