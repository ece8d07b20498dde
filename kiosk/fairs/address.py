"""The address a fair's posters print, and the fair-bound links built on it.

A poster is printed days before the fair and read by phones in the hall; an address those phones
cannot reach (the default 127.0.0.1, or 0.0.0.0 that a server listens on but nobody can visit) makes
every poster useless, and nobody finds out until the first company scans. So the fair's page says
which address will be printed and how far it reaches; the fair may override the server's default.

A booth's link names its fair by the fair's id: /b/3/B07. The id is short to type, unique, never
reused and never edited, so a printed poster cannot break or start pointing elsewhere; a slug would
need a new unique name the organiser chooses, and renaming it would strand the posters already hung.
"""
import enum
import ipaddress
import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from kiosk.core.refusals import Refused
from kiosk.fairs.models import Booth, Fair

#: the width of Fair.public_base_url
BASE_URL_MAX = 200
#: a host name or IPv4 address: letters (a Chinese domain too), digits, hyphens and dots
HOST = re.compile(r"[^\W_]([\w-]*[^\W_])?(\.[^\W_]([\w-]*[^\W_])?)*\.?")

MESSAGES = {
    "scheme": _l("网址应以 http:// 或 https:// 开头"),
    "host": _l("网址缺少主机名或 IP 地址"),
    "path": _l("只填写协议、主机名和端口，如 https://jizhi.example.gov.cn，不要带路径或参数"),
    "port": _l("端口号无效"),
    "too_long": _l("网址过长"),
}


class AddressRefused(Refused):
    MESSAGES = MESSAGES


class Reach(enum.Enum):
    """How far a printed address reaches: who can open the posters' links."""
    #: only this machine (127.x, ::1, localhost): no phone can open it
    loopback = "loopback"
    #: 0.0.0.0 or ::, an address a server listens on, never one anyone visits
    unspecified = "unspecified"
    #: a private, link-local or local-name address: only phones on the venue's own network
    lan = "lan"
    #: any other host name or address
    public = "public"

    @property
    def unreachable(self) -> bool:
        """No phone in the hall can open a link at this address."""
        return self in (Reach.loopback, Reach.unspecified)

    @property
    def local_only(self) -> bool:
        return self is Reach.lan


def normalise_base_url(text: str | None) -> str | None:
    """An http(s) address with no path, query or fragment, without its trailing slash; None when
    empty (the server's default applies). Refuses anything else, with a code."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > BASE_URL_MAX:
        raise AddressRefused("too_long")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise AddressRefused("port") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise AddressRefused("scheme")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise AddressRefused("host")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in text or "#" in text:
        raise AddressRefused("path")
    host = parts.hostname  # lower-cased by urlsplit
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise AddressRefused("host") from None
        host = f"[{host}]"
    elif not HOST.fullmatch(host):
        raise AddressRefused("host")
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def base_url(fair: Fair) -> str:
    """What this fair's posters print: its own address, else the server's PUBLIC_BASE_URL."""
    return fair.public_base_url or current_app.config["PUBLIC_BASE_URL"]


def booth_url(booth: Booth) -> str:
    """The booth's fair-bound link: it files into this fair whatever else is open."""
    return f"{base_url(booth.fair)}/b/{booth.fair_id}/{booth.code}"


def fair_url(fair: Fair) -> str:
    """The fair-wide poster's link, where the company picks the booth."""
    return f"{base_url(fair)}/f/{fair.id}"


def reach(url: str) -> Reach:
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return Reach.loopback
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # A name: one without a dot, or under .local / .lan, resolves only on the venue's network.
        if "." not in host or host.endswith((".local", ".lan", ".internal", ".home.arpa")):
            return Reach.lan
        return Reach.public
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return Reach.loopback
    if address.is_unspecified:
        return Reach.unspecified
    if address.is_private or address.is_link_local:
        return Reach.lan
    return Reach.public
