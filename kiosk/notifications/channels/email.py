"""E-mail over SMTP (smtplib): STARTTLS, TLS from the first byte, or plain, as organisers set it;
the certificate checked against the system's authorities; a login when a user is set. The message
is UTF-8 plain text; its Message-ID is made from the message's key (`message_id`), so that a
message sent twice can be told for one by whoever receives it (and the tests' fake dedupes by it)."""
import smtplib
import ssl
import urllib.parse
from email.message import EmailMessage
from email.utils import formatdate

from kiosk.notifications.channel_models import ChannelSettings, TlsMode
from kiosk.notifications.channels.common import DeliveryFailed, Undeliverable, scrub, timeout


def message_id(key: str, sender: str) -> str:
    """<key@sender's domain>, the key percent-encoded (dots too) so that any key is a valid id."""
    domain = sender.rpartition("@")[2] or "kiosk.invalid"
    return f"<{urllib.parse.quote(key, safe='').replace('.', '%2E')}@{domain}>"


def tls_context() -> ssl.SSLContext:
    """The server's certificate is checked against the system's authorities, its name too."""
    return ssl.create_default_context()


def compose(settings: ChannelSettings, recipients: list[str], key: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = settings.smtp_sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = message_id(key, settings.smtp_sender)
    mail.set_content(body, charset="utf-8")
    return mail


def send(settings: ChannelSettings, recipients: list[str], key: str, subject: str, body: str) -> None:
    mail = compose(settings, recipients, key, subject, body)
    host, port, seconds = settings.smtp_host, settings.smtp_port, timeout()
    context = tls_context()
    try:
        if settings.smtp_tls is TlsMode.ssl:
            smtp = smtplib.SMTP_SSL(host, port, timeout=seconds, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=seconds)
        with smtp:
            if settings.smtp_tls is TlsMode.starttls:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise Undeliverable(f"SMTP 服务器 {host} 不支持 STARTTLS：请改设加密方式，或换用支持它的端口")
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(mail, from_addr=settings.smtp_sender, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError:
        raise Undeliverable(f"SMTP 服务器 {host} 拒绝了登录：请检查用户名和密码") from None
    except smtplib.SMTPRecipientsRefused as error:
        refused = ", ".join(sorted(error.recipients))
        raise Undeliverable(f"SMTP 服务器 {host} 拒收这些收件人：{refused}") from None
    except smtplib.SMTPResponseException as error:
        said = scrub(f"{error.smtp_code} {_text(error.smtp_error)[:200]}", settings.secrets)
        if 400 <= error.smtp_code < 500:
            raise DeliveryFailed(f"SMTP 服务器 {host} 暂时没有接收（{said}）") from None
        raise Undeliverable(f"SMTP 服务器 {host} 拒收（{said}）") from None
    except ssl.SSLCertVerificationError:
        raise Undeliverable(f"SMTP 服务器 {host} 的证书无法验证") from None
    except TimeoutError:
        raise DeliveryFailed(f"SMTP 服务器 {host} 在 {seconds:g} 秒内没有应答（超时）") from None
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryFailed(f"无法通过 SMTP 服务器 {host}:{port} 发送（{type(error).__name__}）") from None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
