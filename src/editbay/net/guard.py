"""SSRF guard: decide whether a URL may be fetched, and connect only to the address we checked.

Policy (see docs/execution.md): http/https only; the host is resolved once; every address must be
public — loopback, private, link-local (169.254/16, cloud metadata), multicast, reserved,
unspecified, CGNAT (100.64/10), documentation/benchmark ranges, and IPv6 forms embedding an IPv4
address (mapped, compatible, 6to4, Teredo, NAT64) are judged by that embedded address. Numeric
host spellings (``2130706433``, ``0x7f.1``, ``0177.0.0.1``) are parsed as the IPv4 addresses they
mean. ``allow_private`` (``EDITBAY_ALLOW_PRIVATE_URLS``) additionally permits loopback, private
and CGNAT targets for local testing. The request then goes to the checked IP with the original
``Host`` header and TLS SNI/certificate name, so DNS rebinding cannot swap the address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from editbay.errors import EditbayError, ErrorCode

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_V4_COMPAT = ipaddress.ip_network("::/96")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver returns for ``host`` (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"cannot resolve host {host!r}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _parse_ipv4_part(part: str) -> int:
    if part.lower().startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part, 10)


def parse_ip_host(host: str) -> IPAddress | None:
    """The IP address a URL host denotes (any IPv4 spelling browsers accept), or None for a name.

    Raises INVALID_INPUT for a host that looks numeric but is not a valid address.
    """
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    last = parts[-1].lower()
    looks_numeric = last.isdigit() or (
        last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:])
    )
    if not looks_numeric:
        return None
    try:
        if not 1 <= len(parts) <= 4:
            raise ValueError(host)
        numbers = [_parse_ipv4_part(p) for p in parts]
        *head, tail = numbers
        if any(n > 255 for n in head) or tail >= 256 ** (5 - len(numbers)):
            raise ValueError(host)
        value = tail
        for i, n in enumerate(head):
            value += n << (8 * (3 - i))
        return ipaddress.IPv4Address(value)
    except ValueError as exc:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"invalid IP address {host!r} in URL") from exc


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _V4_COMPAT and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def forbidden_reason(ip: IPAddress, allow_private: bool = False) -> str | None:
    """Why ``ip`` may not be contacted, or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = forbidden_reason(inner, allow_private)
            return f"{reason} (embedded in {ip})" if reason else None
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    local = ip.is_loopback or ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT)
    if local:
        return None if allow_private else "a loopback or private-network address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


@dataclass(frozen=True)
class Target:
    """A URL that passed the guard, with the one address it will be fetched from."""

    url: httpx.URL
    host: str
    ip: str

    def pinned(self) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
        """(URL with the IP as host, Host header, request extensions carrying the TLS name)."""
        default_port = {"http": 80, "https": 443}[self.url.scheme]
        port = self.url.port
        host_header = self.host if port in (None, default_port) else f"{self.host}:{port}"
        if ":" in self.host and not self.host.startswith("["):
            host_header = f"[{self.host}]" if port in (None, default_port) else f"[{self.host}]:{port}"
        extensions: dict[str, Any] = {}
        if self.url.scheme == "https":
            extensions["sni_hostname"] = self.host
        return self.url.copy_with(host=self.ip), {"Host": host_header}, extensions


def check_url(
    url: str | httpx.URL,
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    schemes: tuple[str, ...] = ("http", "https"),
    what: str = "URL",
) -> Target:
    """Validate ``url`` against the policy and resolve it once; raise INVALID_INPUT if refused."""
    try:
        parsed = httpx.URL(str(url))
    except Exception as exc:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"{what} is not a valid URL") from exc
    if parsed.scheme not in schemes:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"{what} must use {' or '.join(schemes)}")
    host = parsed.host
    if not host:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"{what} has no host")
    literal = parse_ip_host(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = [
                ipaddress.ip_address(a.split("%", 1)[0]) for a in (resolver or system_resolver)(host, port)
            ]
        except ValueError as exc:
            raise EditbayError(ErrorCode.INVALID_INPUT, f"cannot resolve host {host!r}") from exc
        if not addresses:
            raise EditbayError(ErrorCode.INVALID_INPUT, f"cannot resolve host {host!r}")
    for ip in addresses:  # every address must pass: a name may not mix public and private answers
        reason = forbidden_reason(ip, allow_private)
        if reason:
            raise EditbayError(
                ErrorCode.INVALID_INPUT,
                f"{what} points to {reason}; refused",
                {"host": host, "reason": reason},
            )
    return Target(url=parsed, host=host if literal is None else str(literal), ip=str(addresses[0]))


def guarded_send(
    client: httpx.Client,
    method: str,
    url: str | httpx.URL,
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    schemes: tuple[str, ...] = ("http", "https"),
    what: str = "URL",
    stream: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request (never following redirects) to the checked address of ``url``."""
    target = check_url(url, allow_private=allow_private, resolver=resolver, schemes=schemes, what=what)
    pinned_url, host_header, extensions = target.pinned()
    headers = {**kwargs.pop("headers", {}), **host_header}
    request = client.build_request(method, pinned_url, headers=headers, extensions=extensions, **kwargs)
    return client.send(request, stream=stream, follow_redirects=False)


def make_client(timeout: float) -> httpx.Client:
    """An HTTP client fit for guarded requests: no proxies from the environment (a proxy would
    connect to the unchecked name), no automatic redirects."""
    return httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False)
