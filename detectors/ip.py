"""IP addresses (entity ``IP_ADDRESS``): IPv4 and IPv6 in their textual forms.

Accepted: dotted quads without leading zeros, IPv6 full and compressed, IPv4-mapped
(``::ffff:192.0.2.1``), zones (``fe80::1%eth0``), CIDR prefixes (``192.168.1.0/24``), ports
(``192.0.2.1:8080``, ``[2001:db8::1]:443``, ``::ffff:192.0.2.1:21``, ``2001:db8::9:60333``), the
``[IPv6:…]`` of mail headers. Pieces of longer dotted numbers (the OID ``1.3.6.1.4.1.311``) or of
colon-hex runs (SSH key fingerprints) are not addresses; MAC addresses and clock times never match the
pattern. A bare dotted quad may be a version number: without context it scores low, and after a product
token (``Chrome/120.0.0.0``), in a file name or after "version" it is no address.

An IPv4-mapped IPv6 address is its IPv4 host: ``::ffff:192.0.2.1`` is ``192.0.2.1`` in value and hash,
so a host counts once whichever way a log writes it (``detail`` says it was written mapped).

>>> validate('::ffff:192.0.2.1'), validate('[::ffff:192.0.2.1]:21')
('192.0.2.1', '192.0.2.1')

>>> validate('[2001:DB8::1]:443')
'2001:db8::1'
>>> validate('192.0.2.1:8080')
'192.0.2.1'
>>> validate('192.168.1.0/24')
'192.168.1.0/24'
>>> validate('fe80::1%eth0')
'fe80::1%eth0'
>>> validate('256.1.1.1')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: not an IPv4 address: Octet 256 (> 255) not permitted in '256.1.1.1'
>>> validate('1.3.6.1.4.1.311')
Traceback (most recent call last):
    ...
detectors.base.InvalidValue: 7 dotted numbers; an IPv4 address has 4
>>> mask('192.168.10.23'), mask('2001:db8:85a3::8a2e:370:7334')
('192.168.*.*', '2001:db8:*')
"""

from __future__ import annotations

import functools
import ipaddress
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import INVALID, VALID, HaravaRecognizer, InvalidValue

_PORTED = re.compile(r"(.*\d+\.\d+\.\d+\.\d+):\d{1,5}|(.*:.*):\d{5}")


def _strip(value: str) -> tuple[str, str]:
    """Split off brackets, port and prefix length: (address, '/prefix' or '')."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
        value = value[5:] if value[:5].lower() == "ipv6:" else value
    elif ported := _PORTED.fullmatch(value):  # IPv4 (or IPv4-mapped) with a port, IPv6 with a 5-digit one
        value = ported.group(1) or ported.group(2)
    address, slash, prefix = value.partition("/")
    return address, slash + prefix


@functools.lru_cache(maxsize=65536)
def validate(value: str) -> str:
    """Return the canonical address (with its /prefix, if written) or raise :class:`InvalidValue`."""
    address, prefix = _strip(value)
    if ":" in address:
        try:
            parsed: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.IPv6Address(address)
        except ValueError as exc:
            raise InvalidValue(f"not an IPv6 address: {exc}") from None
        if parsed.is_unspecified:
            raise InvalidValue("the unspecified address :: names no host")
        if parsed.ipv4_mapped is not None:
            # The host a log writes as ::ffff:192.0.2.1 is the IPv4 host 192.0.2.1: one value, one hash.
            return f"::ffff:{parsed.ipv4_mapped}{prefix}" if prefix else str(parsed.ipv4_mapped)
    else:
        parts = address.split(".")
        if len(parts) != 4:
            raise InvalidValue(f"{len(parts)} dotted numbers; an IPv4 address has 4")
        try:
            parsed = ipaddress.IPv4Address(address)
        except ValueError as exc:
            raise InvalidValue(f"not an IPv4 address: {exc}") from None
        if parsed.is_unspecified or address == "255.255.255.255":
            raise InvalidValue(f"{address} names no host (the unspecified or the broadcast address)")
    if prefix:
        bits = prefix[1:]
        if not bits.isdigit() or int(bits) > parsed.max_prefixlen:
            raise InvalidValue(f"invalid prefix length {prefix}")
    return f"{parsed}{prefix}"


def compact(value: str) -> str:
    return validate(value)


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidValue:
        return False
    return True


def format(value: str) -> str:
    return compact(value)


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_IPV4_EXACT = rf"^{_IPV4}(?:/(?:3[0-2]|[0-2]?\d)|:\d{{1,5}})?$"
_V6_PARTS = (
    r"^(?:\[(?:[Ii][Pp][Vv]6:)?(?P<b>[0-9A-Fa-f:.]+)(?:%[^\]]*)?\](?::\d{1,5})?"
    r"|(?P<a>[0-9A-Fa-f:.]+)(?:%[0-9A-Za-z_.\-]*)?(?:/(?P<prefix>\d{1,3}))?)$"
)


def _is_v4(texts: pa.Array) -> np.ndarray:
    return pc.match_substring_regex(texts, r"^\d{1,3}\.").to_numpy(zero_copy_only=False)


def _np(array: pa.Array) -> np.ndarray:
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def _valid_v6(texts: pa.Array) -> np.ndarray:
    """The rules of RFC 4291's text form, counted with Arrow kernels instead of parsed one by one."""
    parts = pc.extract_regex(texts, _V6_PARTS)
    core = pc.coalesce(pc.if_else(pc.equal(parts.field("b"), ""), None, parts.field("b")), parts.field("a"))
    v4_tail = pc.extract_regex(core, r"(?:^|:)(?P<v4>[0-9.]+)$").field("v4")
    has_v4 = _np(pc.match_substring(v4_tail, "."))
    v4_ok = _np(pc.match_substring_regex(v4_tail, f"^{_IPV4}$"))
    # An IPv4 tail is four digit runs standing for two groups.
    groups = pc.count_substring_regex(core, "[0-9A-Fa-f]+").to_numpy(zero_copy_only=False) - 2 * has_v4
    doubles = pc.count_substring(core, "::").to_numpy(zero_copy_only=False)
    broken = _np(pc.match_substring_regex(core, r":::|^:[^:]|[^:]:$|[0-9A-Fa-f]{5,}"))
    zero = _np(pc.match_substring_regex(core, r"^[0:]+$"))
    prefix = pc.fill_null(
        pc.cast(pc.if_else(pc.equal(parts.field("prefix"), ""), "0", parts.field("prefix")), pa.int64()), 0
    )
    right_size = np.where(doubles == 0, groups == 8, (doubles == 1) & (groups <= 7))
    parsed = _np(pc.is_valid(core))
    return parsed & right_size & ~broken & ~zero & (~has_v4 | v4_ok) & (prefix.to_numpy(zero_copy_only=False) <= 128)


_NO_HOST = r"^(?:0\.0\.0\.0|255\.255\.255\.255)(?:$|[/:])"


def valid_array(texts: pa.Array) -> np.ndarray:
    """IPv4 decided by one exact RE2 pattern; IPv6 by counting groups and double colons."""
    v4 = _is_v4(texts)
    valid = _np(pc.match_substring_regex(texts, _IPV4_EXACT)) & ~_np(pc.match_substring_regex(texts, _NO_HOST))
    others = np.flatnonzero(~v4)
    if len(others):
        v6 = texts.take(pa.array(others))
        v6 = pc.replace_substring_regex(v6, r"(\d+\.\d+\.\d+\.\d+):\d{1,5}$", r"\1")
        valid[others] = _valid_v6(pc.replace_substring_regex(v6, r"^([^\[][^\]]*):\d{5}$", r"\1"))
    return np.where(valid, VALID, INVALID).astype(np.int8)


def detail_array(texts: pa.Array) -> pa.Array | None:
    """The port a log wrote with the address, and whether an IPv4 host was written IPv4-mapped;
    neither is part of the value."""
    has_port = _np(pc.match_substring_regex(texts, r"(?:\]|\d\.\d{1,3}):\d{1,5}$|[0-9A-Fa-f]:\d{5}$"))
    mapped = _np(pc.match_substring_regex(texts, r"(?i)^\[?(?:0{0,4}:){1,6}ffff:\d+\.\d+\.\d+\.\d+(?:[\]:]|$)"))
    if not mapped.any() and not has_port.any():
        return None
    ports = pc.extract_regex(texts, r":(?P<port>\d{1,5})$").field("port").to_pylist()
    notes = [
        "; ".join(n for n in ("written IPv4-mapped" if m else "", f"port {p}" if h else "") if n) or None
        for m, h, p in zip(mapped.tolist(), has_port.tolist(), ports, strict=True)
    ]
    return pa.array(notes, pa.large_string())


def compact_array(texts: pa.Array) -> pa.Array:
    v4 = _is_v4(texts)
    stripped = pc.replace_substring_regex(texts, r":\d+$", "")
    if v4.all():
        return stripped
    rest = np.flatnonzero(~v4)  # IPv6, bracketed, mapped: canonical forms by the ipaddress module
    canonical = pa.array([compact(t) for t in texts.take(pa.array(rest)).to_pylist()], pa.large_string())
    positions = np.full(len(texts), -1, np.int64)
    positions[rest] = np.arange(len(rest))
    others = canonical.take(pa.array(positions, mask=positions < 0))
    return pc.if_else(v4, stripped, others)


def mask_array(texts: pa.Array) -> pa.Array:
    """Keep the network part a reader needs to place the address (first two octets / groups)."""
    v4 = pc.replace_substring_regex(texts, r"^(\d+\.\d+)\..*$", r"\1.*.*")
    v6 = pc.utf8_lower(
        pc.replace_substring_regex(texts, r"^\[?(?:[Ii][Pp][Vv]6:)?([0-9A-Fa-f]*):([0-9A-Fa-f]*).*$", r"\1:\2:*")
    )
    return pc.if_else(_is_v4(texts), v4, v6)


def mask(value: str) -> str:
    return mask_array(pa.array([value.strip()], pa.large_string()))[0].as_py()


_H = "[0-9A-Fa-f]{1,4}"
#: The last group may run to five characters: "2001:db8::9:60333" is an address and a port (Apache 2.4
#: writes its clients so), which the validator tells apart, no hexadecimal group having five digits.
_H_LAST = "[0-9A-Fa-f]{1,5}"
_V4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_V6 = (
    rf"(?:(?:{_H}:){{7}}{_H_LAST}|(?:{_H}:){{6}}{_V4}"
    rf"|(?:{_H}(?::{_H}){{0,6}})?::(?:(?:{_H}:){{0,5}}{_V4}|(?:{_H}:){{0,6}}{_H_LAST})?)"
    r"(?:%[0-9A-Za-z_.\-]+)?"
)


class IpRecognizer(HaravaRecognizer):
    ENTITY = "IP_ADDRESS"
    NAME = "ip"
    CATEGORY = "ip_osoite"
    COLUMN_HINTS = r"ip|ip_?addr\w*|ip_?osoite|client_?ip|remote_?addr\w*|source_?ip"
    PRIORITY = 40
    # Never a piece of a longer dotted or colon-separated run: "1.2.3.4.5", "2001:db8::1::2".
    # ...nor the tail of a colon-hex run such as an SSH key fingerprint ("…:f7:14:79:89:3f:65:84:7c:30").
    # A version number is four dotted numbers too: after a product token ("Chrome/120.0.0.0", a word
    # with a lower-case letter; squid's "HIER_DIRECT/192.0.2.70" and OpenVPN's "aino.virtanen/192.0.2.7"
    # are addresses), in a file name ("harava-4.12.0.1.tar.gz") or after a word saying so
    # ("?ver=6.3.2.1", "Version: 4.12.0.1").
    REJECT_BEFORE = (
        r"[0-9]\.$|(?:[0-9A-Fa-f]{2}:){2,}$|(?:^|[\s(;,+\x22'])[A-Za-z0-9\-]*[a-z][A-Za-z0-9\-]*/$|[A-Za-z][\-_]$"
        r"|(?i:\bver|\bversi\w*|\brelease|\bbuild|\bv)[ =:\x22']{0,3}$"
    )
    REJECT_AFTER = r"^\.[0-9A-Za-z]|^:[0-9A-Fa-f:]"
    # The key itself, not the object holding it: "app.version" but not "build.runner_ip".
    REJECT_LABEL = r"(?i)(?:^|[^a-z])(?:version|versio|ver|build|release)[^a-z.\[\]]*$"
    PATTERNS = [
        # Greedy over dotted runs so that an OID is one (invalid) candidate, never a piece of it.
        ("ipv4", r"\b\d{1,3}(?:\.\d{1,3}){3,}(?:/\d{1,2}|:\d{1,5})?\b", 0.5),
        # "[IPv6:2001:db8::1]" is how Received headers and postfix write an IPv6 client.
        ("ipv6_bracketed", rf"\[(?:[Ii][Pp][Vv]6:)?{_V6}\](?::\d{{1,5}})?", 0.7),
        # An FTP server's "::ffff:198.51.100.194:21": a mapped address with its port, unbracketed.
        ("ipv4_mapped_port", rf"::[Ff]{{4}}:{_V4}:\d{{1,5}}\b", 0.7),
        ("ipv6", rf"{_V6}(?:/\d{{1,3}})?", 0.7),
    ]
    CONTEXT = [
        "ip",
        "ip-osoit",
        "ipv4",
        "ipv6",
        "osoite",
        "address",
        "adress",
        "host",
        "client",
        "remote",
        "src",
        "dst",
        "from",
    ]
