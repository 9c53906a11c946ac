"""Where outbound deliveries may go: public addresses only, never this system's own network.

A subscription's URL is checked when it is saved (the host, or every address its name resolves
to, must be public) and again at every delivery, when the connection is made: the name is
resolved once, every address is checked, and the connection goes to a checked address, so a
DNS answer that changes in between (rebinding) cannot send it elsewhere. TLS still verifies
the certificate against the name. Redirects are never followed, and no proxy from the
environment is used.

WEBHOOK_ALLOW_PRIVATE_TARGETS (off by default) turns the address check off, for a closed
network whose receivers have private addresses, and for the test suite's receivers on 127.0.0.1.
"""
import ipaddress
import socket
from functools import cache
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from webhooks.config import setting


class TargetRefused(Exception):
    """The target's address is not a public one; the message is for the admin (Chinese)."""


def _reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "回环地址"
    if ip.is_link_local:
        return "链路本地地址（如云主机元数据服务）"
    if ip.is_private:
        return "内网地址"
    if not ip.is_global or ip.is_multicast:
        return "非公网地址"
    if ip in own_addresses():
        return "本系统自己的地址"
    return None


@cache
def own_addresses() -> frozenset:
    """The addresses this machine's own names resolve to (a public address of the server itself)."""
    found = set()
    for name in {socket.gethostname(), socket.getfqdn()}:
        try:
            found.update(ipaddress.ip_address(info[4][0].split("%")[0]) for info in socket.getaddrinfo(name, None))
        except OSError:
            continue
    return frozenset(found)


def check_address(address: str) -> None:
    reason = _reason(ipaddress.ip_address(address.split("%")[0]))
    if reason:
        raise TargetRefused(f"接收地址指向{reason}（{address}），不允许推送")


def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, each checked; raises TargetRefused if any is not
    public (a name that also points inside is refused whole), socket.gaierror if none."""
    addresses = list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
    if not setting("WEBHOOK_ALLOW_PRIVATE_TARGETS"):
        for address in addresses:
            check_address(address)
    return addresses


def check_url(url: str) -> None:
    """At subscription time. A name that does not resolve now is accepted: the check at
    delivery applies to it as to every other."""
    parts = urlsplit(url)
    try:
        public_addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError, ValueError):
        pass  # unresolvable here and now


class _Checked:
    """A urllib3 connection that connects only to checked addresses of its host."""

    def _new_conn(self):
        host = self._dns_host
        try:
            addresses = public_addresses(host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(host, self, error) from error
        failed = None
        try:
            for address in addresses:
                self._dns_host = address  # urllib3 connects to _dns_host; Host header and SNI use host
                try:
                    return super()._new_conn()
                except (ConnectTimeoutError, NewConnectionError) as error:
                    failed = error
            raise failed
        finally:
            self._dns_host = host


class _CheckedHTTPConnection(_Checked, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_Checked, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


def session() -> requests.Session:
    """A session whose every connection goes to a checked address, with no proxy."""
    checked = requests.Session()
    checked.trust_env = False
    adapter = _CheckedAdapter()
    checked.mount("http://", adapter)
    checked.mount("https://", adapter)
    return checked
