"""The IBAN detector: the forms an IBAN is written in, the old domestic account number, the look-alikes
that share its shape, and generated values (property tests). Every account here is made up: random
account numbers with check digits computed here, or the textbook example ``FI21 1234 5600 0007 85``."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import iban
from detectors.base import UNDECIDED, VALID
from detectors.iban import REGISTRY, IbanRecognizer, check_digits
from scanner.engine import Engine
from tests.conftest import find
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS, HELD_OUT

IBAN = "IBAN_CODE"
PHONE = "PHONE_NUMBER"


def make_iban(country: str, bban: str, grouped: bool = True) -> str:
    """An IBAN with correct check digits for a made-up account number."""
    compact = f"{country}{check_digits(country, bban)}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4)) if grouped else compact


def old_form(group: str, number: str) -> str:
    """A made-up old domestic account number ``NNNNNN-N…`` with its Luhn check digit appended."""
    head, tail = (group + number[0], number[1:]) if group[0] in "45" else (group, number)
    body = head + tail.rjust(13 - len(head), "0")
    total = sum(
        (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d for i, d in enumerate(map(int, reversed(body)))
    )
    return f"{group}-{number}{(10 - total % 10) % 10}"


TEXTBOOK = "FI21 1234 5600 0007 85"
EXAMPLES = {
    "FI": make_iban("FI", "71450012345602"),
    "AX": make_iban("AX", "66012300456789"),
    "SE": make_iban("SE", "91200000098765432101"),
    "DE": make_iban("DE", "500105175423098712"),
    "NL": make_iban("NL", "ESIM0123456789"),
    "GB": make_iban("GB", "ESIM40051234567890"),
    "FR": make_iban("FR", "30006000010012345678912"),
    "MT": make_iban("MT", "ESIM011000012345ESIMERKKI10"),
    "NO": make_iban("NO", "86011234567"),
    "BE": make_iban("BE", "001234567890"),
    "CH": make_iban("CH", "00762ESIMERKKI012"),
}


# --- what is found -----------------------------------------------------------------------------


@pytest.mark.parametrize("country", sorted(EXAMPLES))
def test_ibans_of_the_sepa_countries_in_groups_and_solid(engine, country):
    grouped = EXAMPLES[country]
    solid = grouped.replace(" ", "")
    assert iban.is_valid(grouped) and iban.is_valid(solid)
    assert find(engine, f"Tilille {grouped} ennen eräpäivää.") == [(IBAN, grouped)]
    assert find(engine, f"iban;{solid};EUR") == [(IBAN, solid)]


def test_the_textbook_example_and_its_old_form_are_one_account(engine):
    assert iban.validate("123456-785") == iban.validate(TEXTBOOK) == "FI2112345600000785"
    assert find(engine, "Tilinumero: 123456-785") == [(IBAN, "123456-785")]
    assert find(engine, f"Uusi tilinumero {TEXTBOOK}") == [(IBAN, TEXTBOOK)]
    texts = pa.array([TEXTBOOK, TEXTBOOK.replace(" ", ""), "123456-785"], pa.large_string())
    assert set(IbanRecognizer().compact_array(texts).to_pylist()) == {"FI2112345600000785"}


def test_one_account_written_three_ways_has_one_value_hash(tmp_path):
    (tmp_path / "tilit.txt").write_text(
        f"Maksu tilille {TEXTBOOK}.\nIBAN FI2112345600000785\nVanha tilinumero 123456-785\n", "utf-8"
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["entity"], r["value"]) for r in rows] == [
        (IBAN, "FI** **** **** **07 85"),
        (IBAN, "FI************0785"),
        (IBAN, "12****-*85"),
    ]
    assert len({r["value_hash"] for r in rows}) == 1
    assert rows[2]["detail"] == iban.OLD_FORM


@pytest.mark.parametrize(
    ("group", "number"),
    [("123456", "78"), ("800012", "70101"), ("423456", "7"), ("570001", "2345678"), ("312345", "12345")],
)
def test_old_domestic_account_numbers_beside_an_account_word(engine, group, number):
    written = old_form(group, number)
    assert iban.is_valid(written)
    for line in (f"Tilinumero {written}", f"Maksetaan tilille {written}", f"Kontonummer: {written}"):
        assert find(engine, line) == [(IBAN, written)]
    assert find(engine, "Pankkiyhteys", written) == [(IBAN, written)]  # the line above
    assert find(engine, f"tilausnumero {written}") == []  # the shape alone: an order, a case, a customer
    assert find(engine, written) == []
    hits = engine.scan(pa.array([written], pa.large_string()), hint=IBAN)  # a column named tilinumero
    assert list(hits.text) == [written]


def test_an_iban_group_after_the_account_is_not_part_of_it(engine):
    belgian = EXAMPLES["BE"]  # 16 characters: four full groups
    assert find(engine, f"{belgian} 2024 maksettu") == [(IBAN, belgian)]
    assert find(engine, f"{belgian.replace(' ', '')} EUR") == [(IBAN, belgian.replace(" ", ""))]


def test_mask_keeps_the_country_and_the_last_four():
    assert iban.mask(EXAMPLES["DE"]) == f"DE** **** **** **** **{EXAMPLES['DE'][-5:]}"
    assert iban.mask("FI2112345600000785") == "FI************0785"
    written = old_form("570001", "234567")
    assert iban.mask(written) == f"57****-{'*' * 5}{written[-2:]}"


def test_context_words_raise_the_score(engine):
    def score(*lines: str) -> float:
        return engine.scan(pa.array(list(lines), pa.large_string())).score[-1]

    assert score(f"x {TEXTBOOK}") == 0.8
    assert score(f"IBAN {TEXTBOOK}") == score("Saajan tilinumero", TEXTBOOK) == 1.0


# --- what is not ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("FI22 1234 5600 0007 85", "check digits are 22, expected 21"),
        ("FI21 1234 5600 0007 8", "has 18 characters, not 17"),
        ("RF18 5390 0754 7034", "RF is no country"),
        ("US64 SVBK US6S 3300 9673 86", "US is no country"),
        ("DE12 ABCD 0000 1234 5678 90", "not of its registered form"),
        ("123456-784", "account check digit is 4, expected 5"),
        ("023456-785", "not of the form"),
    ],
)
def test_invalid_ibans_say_why(engine, value, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        iban.validate(value)
    assert [t for e, t in find(engine, f"Tilinumero {value}") if e == IBAN] == []


@pytest.mark.parametrize(
    "text",
    [
        "Viite RF18 5390 0754 7034",  # an RF creditor reference: mod 97 holds, RF is no country
        "RF471234567890123456",
        "Tuote SE12 ABCD 3456 7890 EUR",  # a product code shaped like an IBAN
        "sarjanumero AB12 3456 7890 1234",
        "ALV SE556677889901",  # a Swedish VAT number
        "ALV FI20774740",  # a Finnish one: a business ID
        "viitenumero 12345 67890 12345 67894",
        "viite 1234561",
        "verkkolaskuosoite 003712345671",  # an OVT code
        "tilausnumero 00000000000000000000012345",
        "tili 20231011-143252",  # a time stamp, not the old form
        "tilinumero 131052-3085",  # six digits, hyphen, four: an identity code's shape
        "tilinumero 12-123456-785-2",  # a part of a longer hyphenated run
        "fi21 1234 5600 0007 85",  # lower case
    ],
)
def test_look_alikes_are_no_ibans(engine, text):
    assert [t for e, t in find(engine, text) if e == IBAN] == []


def test_no_phone_number_inside_an_iban_valid_or_not(engine):
    bban = "04012345678901"
    valid = make_iban("FI", bban)
    wrong = valid[:2] + f"{(int(valid[2:4]) + 1) % 100:02d}" + valid[4:]
    assert find(engine, f"tili {valid}, puh. 040 123 4567") == [(IBAN, valid), (PHONE, "040 123 4567")]
    assert find(engine, f"tili {wrong}") == []  # the IBAN's span, not a phone number's
    assert find(engine, "tili FI49 5000 9420 0287 30") == [(IBAN, "FI49 5000 9420 0287 30")]


def test_none_inside_an_iban_when_only_phone_numbers_are_asked_for():
    from detectors import load_detectors

    engine = Engine([d.recognizer for d in load_detectors(entry_points=False)], entities=["PHONE_NUMBER"])
    assert find(engine, "tili FI55 0401 2345 6789 01 ja 040 123 4567") == [(PHONE, "040 123 4567")]


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = f"Tilinumero {TEXTBOOK}, vanha 123456-785; väärä FI22 1234 5600 0007 85."
    found = {(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")}
    assert found == {(IBAN, TEXTBOOK), (IBAN, "123456-785")}
    assert analyzer.analyze("Tilaus 123456-785 toimitettu.", language="fi") == []


@pytest.mark.parametrize("corpus", [CORPUS, HELD_OUT], ids=["realistic", "heldout"])
def test_precision_and_recall_on_the_labelled_corpora(corpus):
    truth, run = load_truth(corpus), harava_run(corpus)
    result = score(truth, run.findings)[IBAN]
    wrong = sorted(k for k in run.keys - truth.expected if k[1] == IBAN)
    missed = sorted(k for k in truth.expected - run.keys if k[1] == IBAN)
    assert result.precision >= 0.95 and result.recall >= 0.95, f"wrongly reported {wrong}; missed {missed}"
    assert [h.lookalike.text for h in lookalike_hits(truth, corpus, run.findings) if h.lookalike.entity == IBAN] == []


# --- property tests: generated valid IBANs are found, corrupted ones are not ---------------------

_CLASSES = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "c": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _bban_spec(pattern: str) -> list[tuple[str, int]]:
    """The registry's BBAN regex as (character class, count) runs."""
    spec = []
    for klass, count in re.findall(r"(\\d|\[A-Z\]|\[A-Z0-9\])(?:\{(\d+)\})?", pattern):
        spec.append(({"\\d": "n", "[A-Z]": "a", "[A-Z0-9]": "c"}[klass], int(count or 1)))
    return spec


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(sorted(REGISTRY)))
    bban = "".join(
        draw(st.text(_CLASSES[klass], min_size=count, max_size=count))
        for klass, count in _bban_spec(REGISTRY[country][1])
    )
    return make_iban(country, bban, grouped=draw(st.booleans()))


surroundings = st.sampled_from(["{} ", "IBAN: {}.", "asiakas;{};x", "({})", "- {}\n", "maksetaan tilille {}, kiitos"])


def test_the_generator_follows_the_registry():
    for country, (length, pattern) in REGISTRY.items():
        assert sum(count for _, count in _bban_spec(pattern)) == length - 4, country


@settings(max_examples=300, deadline=None)
@given(value=ibans(), around=surroundings)
def test_generated_ibans_are_found(engine, value, around):
    assert find(engine, around.format(value)) == [(IBAN, value)]


@settings(max_examples=300, deadline=None)
@given(value=ibans(), around=surroundings, data=st.data())
def test_an_iban_with_one_character_changed_is_never_found(engine, value, around, data):
    positions = [i for i, c in enumerate(value) if c != " " and i >= 2]
    at = data.draw(st.sampled_from(positions))
    pool = _CLASSES["n"] if value[at].isdigit() else _CLASSES["a"]
    changed = value[:at] + data.draw(st.sampled_from([c for c in pool if c != value[at]])) + value[at + 1 :]
    assert find(engine, around.format(changed)) == []  # mod 97 catches every single substitution


@st.composite
def old_forms(draw: st.DrawFn) -> str:
    group = str(draw(st.integers(1, 8))) + draw(st.text(_CLASSES["n"], min_size=5, max_size=5))
    length = draw(st.sampled_from([1, 2, 4, 5, 6, 7]))  # plus the check digit: never four digits
    return old_form(group, draw(st.text(_CLASSES["n"], min_size=length, max_size=length)))


@settings(max_examples=200, deadline=None)
@given(value=old_forms(), wrong=st.integers(1, 9))
def test_generated_old_forms_are_found_beside_an_account_word_and_corrupted_ones_not(engine, value, wrong):
    assert find(engine, f"Tilinumero: {value}") == [(IBAN, value)]
    assert find(engine, f"Tilausnumero: {value}") == []
    corrupted = value[:-1] + str((int(value[-1]) + wrong) % 10)
    assert find(engine, f"Tilinumero: {corrupted}") == []


# --- the whole-array functions agree with the per-value ones ----------------------------------------

_SHAPES = st.one_of(
    ibans(),
    old_forms(),
    st.from_regex(r"[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"(FI|AX|DE|SE|RF)[0-9]{2}( ?[0-9]{4}){3,5}( ?[0-9]{2})?", fullmatch=True),
    st.from_regex(r"[1-8][0-9]{5}-([0-9]{2,3}|[0-9]{5,8})", fullmatch=True),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_SHAPES, min_size=1, max_size=20))
def test_the_array_functions_agree_with_the_per_value_ones(values):
    recognizer = IbanRecognizer()
    verdicts = iban.valid_array(pa.array(values, pa.large_string()))
    for value, verdict in zip(values, verdicts.tolist(), strict=True):
        if verdict == UNDECIDED:  # longer than its country's IBANs: a valid one may end a group earlier
            assert len(value.replace(" ", "")) > REGISTRY[value[:2]][0], value
            for start, end in recognizer.spans(value):
                assert start == 0 and value[end] == " " and iban.is_valid(value[:end]), value
        assert (verdict == VALID) == iban.is_valid(value), value
    valid = [v for v in values if iban.is_valid(v)]
    if valid:
        texts = pa.array(valid, pa.large_string())
        assert recognizer.compact_array(texts).to_pylist() == [iban.validate(v) for v in valid]
        for value, masked in zip(valid, recognizer.mask_array(texts).to_pylist(), strict=True):
            assert len(masked) == len(value) and masked[:2] == value[:2] and masked[-2:] == value[-2:]
            assert masked.count("*") >= len(value.replace(" ", "").replace("-", "")) // 2, (value, masked)
