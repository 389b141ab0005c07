"""The address guard: which addresses a request may be sent to.

A link in an article must never make us talk to our own machine or network
(SSRF). Checking the host *name* is not enough: a public name can resolve to
127.0.0.1, and `127.1`, `2130706433` or `[::ffff:127.0.0.1]` are loopback in
disguise. So the host is resolved once, every address returned is checked,
and the connection is made to the checked address (see `fetch`), on every hop.

The DNS lookup is a plain callable so that tests can swap in a stub and no real
lookup ever happens under cassettes.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable

from .errors import FetchError
from .models import Status

# (host, port) -> [(family, ip string)], in the order to try them.
Lookup = Callable[[str, int], list[tuple[int, str]]]

# Not globally routable, beyond what `ipaddress.is_global` already says.
_EXTRA_BLOCKED = (
    ipaddress.ip_network("0.0.0.0/8"),
    ipaddress.ip_network("100.64.0.0/10"),    # carrier-grade NAT
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("198.18.0.0/15"),    # benchmarking
    ipaddress.ip_network("64:ff9b:1::/48"),   # local-use NAT64
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

# Names that resolve for as long as DNS works at all. When one of them is "unknown" too, an
# "unknown name" answer means the resolver is cut off (a sandbox, a plane), not that a host is gone:
# without this check a machine with no network would mark every link dead.
CANARY_NAMES = ("example.com", "iana.org")
CANARY_TTL = 60.0

# Reasons of a failed name lookup: nothing was sent to the host, so it is no host to be polite to.
LOOKUP_FAILURES = frozenset({"nxdomain", "dns_error", "dns_timeout", "dns_unavailable", "no_network"})
# Reasons that say the network, not the link, failed: the canary found no name resolving
# (`dns_unavailable`), or the run already knew that and did not try (`no_network`).
NETWORK_MISSING = frozenset({"dns_unavailable", "no_network"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(FetchError):
    """The policy refused to connect: the address is not a public one."""

    def __init__(self, url: str, detail: str):
        super().__init__(url, Status.REFUSED, "blocked_address", detail)


def system_lookup(host: str, port: int) -> list[tuple[int, str]]:
    """Every address the system resolver gives for `host`, IPv6 and IPv4, duplicates dropped."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: set[str] = set()
    out: list[tuple[int, str]] = []
    for family, _, _, _, sockaddr in infos:
        ip = str(sockaddr[0])
        if ip not in seen:
            seen.add(ip)
            out.append((int(family), ip))
    return out


def parse_literal(host: str) -> IPAddress | None:
    """The address `host` stands for if it is an IP literal in any spelling the C library accepts.

    `inet_aton` reads the legacy forms (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`),
    which the system resolver would turn into an address without any DNS query.
    """
    h = host.strip().rstrip(".").strip("[]")
    if not h:
        return None
    try:
        return ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        pass
    if all(c in "0123456789abcdefxABCDEFX." for c in h) and h[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            return None
    return None


def _embedded(addr: IPAddress) -> list[IPAddress]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64)."""
    if not isinstance(addr, ipaddress.IPv6Address):
        return []
    out: list[IPAddress] = []
    if addr.ipv4_mapped is not None:
        out.append(addr.ipv4_mapped)
    if addr.sixtofour is not None:
        out.append(addr.sixtofour)
    if addr.teredo is not None:
        out.extend(addr.teredo)
    if addr in _NAT64:
        out.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    # IPv4-compatible (::a.b.c.d, deprecated): still dialled as IPv4 by some stacks
    if int(addr) >> 32 == 0 and int(addr) > 1:
        out.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    return out


def why_blocked(addr: IPAddress) -> str | None:
    """None if `addr` is a public unicast address, else a word saying what it is."""
    if isinstance(addr, ipaddress.IPv6Address) and addr in _NAT64:
        # a DNS64 network's spelling of an IPv4 address: judged by that address alone
        why = why_blocked(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
        return f"{why} (inside {addr})" if why else None
    for inner in _embedded(addr):
        why = why_blocked(inner)
        if why:
            return f"{why} (inside {addr})"
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if addr.is_multicast:
        return "multicast"
    if addr.is_unspecified:
        return "unspecified"
    if any(addr in net for net in _EXTRA_BLOCKED if net.version == addr.version):
        return "not globally routable"
    if addr.is_private:
        return "private"
    if addr.is_reserved or not addr.is_global:
        return "reserved"
    return None


class AddressGuard:
    """Resolves a host once and returns only addresses the policy allows, or raises.

    With `allow_private` the checks are lifted (tests and benchmarks on 127.0.0.1),
    but names are still resolved here, once, so the same code path runs.
    """

    def __init__(self, allow_private: bool = False, lookup: Lookup | None = None):
        self.allow_private = allow_private
        self.lookup = lookup or system_lookup
        self._canary: tuple[float, bool] | None = None
        self._canary_lock = threading.Lock()

    def dns_works(self) -> bool:
        """Whether a name that must exist resolves (asked at most once a minute)."""
        with self._canary_lock:
            if self._canary is not None and time.monotonic() - self._canary[0] < CANARY_TTL:
                return self._canary[1]
            ok = False
            for name in CANARY_NAMES:
                try:
                    ok = bool(self.lookup(name, 443))
                except (OSError, UnicodeError):
                    continue
                if ok:
                    break
            self._canary = (time.monotonic(), ok)
            return ok

    def _no_such_host(self, failure: FetchError) -> FetchError:
        """NXDOMAIN is only a verdict, and a temporary failure only this name's, when DNS answers
        for names that exist."""
        if failure.reason in ("nxdomain", "dns_error") and not self.dns_works():
            return FetchError(failure.url, Status.ERROR, "dns_unavailable",
                              "no name resolves, not even " + CANARY_NAMES[0])
        return failure

    def check_literal(self, url: str, host: str) -> None:
        """Refuse a blocked IP literal before anything else happens (no pool, no connect)."""
        addr = parse_literal(host)
        if addr is not None and not self.allow_private:
            why = why_blocked(addr)
            if why:
                raise BlockedAddress(url, f"{host} is {why}")

    def addresses(self, url: str, host: str, port: int) -> list[tuple[int, str]]:
        """The checked addresses to dial for host:port. Every address must pass, or none is used:
        a name that answers one public and one private address is refused as a whole."""
        addr = parse_literal(host)
        found: list[tuple[int, str]]
        if addr is not None:
            found = [(int(socket.AF_INET6 if addr.version == 6 else socket.AF_INET), str(addr))]
        else:
            try:
                found = self.lookup(host, port)
            except socket.gaierror as e:
                raise self._no_such_host(dns_failure(url, e)) from e
            except UnicodeError as e:
                raise FetchError(url, Status.ERROR, "invalid_url", str(e)) from e
            if not found:
                raise self._no_such_host(FetchError(url, Status.DEAD, "nxdomain", f"{host} has no address"))
        if not self.allow_private:
            for _, ip in found:
                why = why_blocked(ipaddress.ip_address(ip.split("%", 1)[0]))
                if why:
                    raise BlockedAddress(url, f"{host} resolves to {ip} ({why})")
        return found


def dns_failure(url: str, e: socket.gaierror) -> FetchError:
    """NXDOMAIN is a verdict (`dead`); anything else (EAI_AGAIN, no network) is not (`error`)."""
    no_name = {getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, n)}
    if e.errno in no_name:
        return FetchError(url, Status.DEAD, "nxdomain", str(e))
    return FetchError(url, Status.ERROR, "dns_error", str(e))
