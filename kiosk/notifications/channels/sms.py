"""SMS through Alibaba Cloud SMS (阿里云短信服务): its SendSms operation (dysmsapi, version
2017-05-25), signed with Alibaba Cloud's request signature V3 (ACS3-HMAC-SHA256), as its
documentation gives them:

- the operation's parameters (PhoneNumbers, SignName, TemplateCode, TemplateParam as a JSON
  string of string values, OutId) in a form-encoded body, each name and value percent-encoded as
  RFC 3986 says (only A-Z a-z 0-9 - _ . ~ left as they are);
- the headers host, x-acs-action, x-acs-version, x-acs-date (UTC, 2026-12-07T08:00:00Z),
  x-acs-signature-nonce (new for each request), x-acs-content-sha256 (the body's SHA-256, hex) and
  content-type, all signed;
- the canonical request: the method, the path, the canonical query string (here empty), each signed
  header as "name:value\\n" in name order, the signed headers' names joined by ";", and the body's
  hash, one per line; the string to sign "ACS3-HMAC-SHA256\\n" + its SHA-256 in hex; the signature
  HMAC-SHA256 of it with the AccessKey secret, in hex, sent as
  Authorization: ACS3-HMAC-SHA256 Credential=<AccessKey ID>,SignedHeaders=<names>,Signature=<hex>.

Alibaba answers {"Code": "OK", ...} when it took the message. SendSms is not idempotent: the
message's key goes as OutId (which the provider hands back with the delivery receipt, and the
tests' fake dedupes by). Only approved templates and an approved signature (签名) are sent: the
template codes and the signature are the organisers' settings."""
import hashlib
import hmac
import json
import urllib.parse
import uuid
from datetime import UTC, datetime

from kiosk.notifications.channels.common import DeliveryFailed, Undeliverable, host_of, post, scrub

ACTION, VERSION, ALGORITHM = "SendSms", "2017-05-25", "ACS3-HMAC-SHA256"
#: codes that say "not now" rather than "never": flow control, the provider's own failure
TRY_AGAIN = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "Throttling.Api", "isp.SYSTEM_ERROR",
             "ServiceUnavailable", "InternalError"}


def percent(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8, as the signature wants it (a space is %20, * is %2A)."""
    return urllib.parse.quote(str(value), safe="-_.~")


def canonical_query(params: dict) -> str:
    return "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))


def sha256_hex(data: str) -> str:
    return hashlib.sha256(data.encode()).hexdigest()


def signed_request(url: str, access_key_id: str, secret: str, form: dict, now: datetime,
                   nonce: str) -> tuple[dict, str]:
    """The headers (Authorization included) and the body of a signed SendSms POST."""
    body = canonical_query(form)
    split = urllib.parse.urlsplit(url)
    headers = {"host": split.netloc, "x-acs-action": ACTION, "x-acs-version": VERSION,
               "x-acs-date": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "x-acs-signature-nonce": nonce,
               "x-acs-content-sha256": sha256_hex(body), "content-type": "application/x-www-form-urlencoded"}
    names = sorted(headers)
    canonical_request = "\n".join([
        "POST", split.path or "/", canonical_query(dict(urllib.parse.parse_qsl(split.query))),
        "".join(f"{name}:{headers[name].strip()}\n" for name in names), ";".join(names),
        headers["x-acs-content-sha256"]])
    string_to_sign = f"{ALGORITHM}\n{sha256_hex(canonical_request)}"
    signature = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"{ALGORITHM} Credential={access_key_id},SignedHeaders={';'.join(names)},"
                                f"Signature={signature}")
    return headers, body


def send(url: str, access_key_id: str, secret: str, *, mobile: str, sign_name: str, template: str,
         params: dict | None, key: str) -> None:
    form = {"PhoneNumbers": mobile, "SignName": sign_name, "TemplateCode": template, "OutId": key}
    if params:
        form["TemplateParam"] = json.dumps({k: str(v) for k, v in params.items()}, ensure_ascii=False)
    headers, body = signed_request(url, access_key_id, secret, form, datetime.now(UTC), uuid.uuid4().hex)
    answer = post(url, content=body.encode(), headers=headers)
    if answer.status_code >= 500:
        raise DeliveryFailed(f"{host_of(url)} 应答 HTTP {answer.status_code}")
    try:
        reply = answer.json()
        code = str(reply.get("Code", ""))
    except (ValueError, AttributeError):
        raise DeliveryFailed(f"{host_of(url)} 的应答无法识别（HTTP {answer.status_code}）") from None
    if answer.status_code == 200 and code == "OK":
        return
    said = scrub(f"{code}: {str(reply.get('Message', ''))[:200]}", [secret]).replace(mobile, "•••••••••••")
    if code in TRY_AGAIN:
        raise DeliveryFailed(f"短信服务商暂时没有接收（{said}）", retry_after=60)
    raise Undeliverable(f"短信服务商拒绝了这条短信（{said}）")
