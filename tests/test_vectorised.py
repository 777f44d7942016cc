"""The whole-array validators agree with the per-value ones on every candidate shape."""

from __future__ import annotations

import pyarrow as pa
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors import email_address, hetu, ip, phone, ytunnus
from detectors.base import UNDECIDED, VALID
from scanner.keys import value_hash


def candidates(pattern: str, *shapes: str):
    """Strings of the given shapes that the detector's own pattern takes whole."""
    return st.lists(
        st.one_of(*(st.from_regex(shape, fullmatch=True) for shape in shapes)).filter(
            lambda s: regex.fullmatch(pattern, s) is not None
        ),
        min_size=1,
        max_size=20,
    )


def agree(module, values: list[str], decided_only: bool = False) -> None:
    verdicts = module.valid_array(pa.array(values, pa.large_string()))
    for value, verdict in zip(values, verdicts.tolist(), strict=True):
        if verdict == UNDECIDED:
            assert decided_only, value
            continue
        assert (verdict == VALID) == module.is_valid(value), value


@st.composite
def checksummed_codes(draw):
    """Codes with a correct check character but any date and individual number (incl. 000, 001)."""
    digits = f"{draw(st.integers(0, 39)):02d}{draw(st.integers(0, 19)):02d}{draw(st.integers(0, 99)):02d}"
    individual = f"{draw(st.integers(0, 999)):03d}"
    sign = draw(st.sampled_from("+-YXWVUABCDEF"))
    return f"{digits}{sign}{individual}{hetu.check_character(digits + individual)}"


@settings(max_examples=150, deadline=None)
@given(
    candidates(hetu.HetuRecognizer.PATTERNS[0][1], r"[0-3][0-9][01][0-9][0-9]{2}[-+A-FU-Y][0-9]{3}[0-9A-Y]"),
    st.lists(checksummed_codes(), min_size=1, max_size=20),
)
def test_hetu(values, checksummed):
    agree(hetu, values + checksummed)


@settings(max_examples=150, deadline=None)
@given(candidates(r"\d{7}-\d|FI\d{8}", r"[0-9]{7}-[0-9]", r"FI[0-9]{8}"))
def test_ytunnus(values):
    agree(ytunnus, values)


@settings(max_examples=150, deadline=None)
@given(
    candidates(
        "|".join(p for _, p, _ in phone.PhoneRecognizer.PATTERNS),
        r"(\(0[0-9]{1,3}\)|0[0-9]{1,3})([ \-]?[0-9]){4,10}",
        r"(\+|00)358[ \-]?(\(0\)[ \-]?)?[1-9]([ \-]?[0-9]){4,10}",
        r"0[45][0-9] ?[0-9]{3} ?[0-9]{4}",
    )
)
def test_phone(values):
    verdicts = phone.valid_array(pa.array(values, pa.large_string()))
    for value, verdict in zip(values, verdicts.tolist(), strict=True):
        if verdict == VALID:
            assert phone.is_valid(value), value
        else:  # left to the per-value path: never a valid Finnish number written in full
            assert verdict == UNDECIDED
            assert not phone.is_valid(value) or not phone.validate(value).startswith("+358"), value


@settings(max_examples=150, deadline=None)
@given(
    candidates(
        email_address.EmailRecognizer.PATTERNS[0][1],
        r"[a-z0-9._%+\-]{1,12}@[a-z0-9\-]{1,8}(\.[a-z0-9\-]{1,6}){0,2}\.(fi|com|png|example|x-y|-fi)",
        r"[a-zA-Z0-9.\-]{1,70}@[a-z0-9\-.]{1,70}\.fi",
    )
)
def test_email(values):
    agree(email_address, values)


@settings(max_examples=150, deadline=None)
@given(
    candidates(
        "|".join(p for _, p, _ in ip.IpRecognizer.PATTERNS),
        r"[0-9]{1,3}(\.[0-9]{1,3}){3,4}(/[0-9]{1,2}|:[0-9]{1,5})?",
        r"\[?([0-9a-f]{0,4}:){1,8}[0-9a-f]{0,4}(%eth0)?\]?(/[0-9]{1,3})?",
        r"([0-9a-f]{1,4}:){0,5}:?(ffff:)?[0-9]{1,3}(\.[0-9]{1,3}){3}",
    )
)
def test_ip(values):
    agree(ip, values)


def test_findings_hash_is_the_documented_hmac(engine):
    import numpy as np

    from scanner.extract import line_locate
    from scanner.findings import FindingsBuilder

    key = b"k" * 32
    hits = engine.scan(pa.array(["puh. +358 40 123 4567 ja 040-123 4567"]))
    batch = FindingsBuilder(key).build("x", None, hits, line_locate(np.array([1]), np.array([0])))
    hashes = batch.column("value_hash").to_pylist()
    assert hashes[0] == hashes[1] == value_hash(key, "PHONE_NUMBER", "+358401234567")


@pytest.mark.parametrize("key", [b"", b"short", b"k" * 64, b"a much longer key than one sha-256 block " * 3])
def test_hasher_is_hmac_sha256_for_any_key_length(key):
    import hmac

    from scanner.keys import Hasher

    values = ["131052-308T", "ä€", ""]
    assert Hasher(key).hashes("E", values) == [
        hmac.digest(key, f"E\0{v}".encode(), "sha256").hex()[:32] for v in values
    ]
