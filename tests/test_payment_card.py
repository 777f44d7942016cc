"""The payment card detector: the groupings card numbers are written in, the card schemes, the look-alikes
(order and reference numbers, Luhn failures, longer digit runs, device ids), generated numbers (property
tests), and registers that declare bank and card details. The numbers are the card schemes' published test
numbers, or made up in the ranges of those test numbers with a Luhn digit computed here."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import payment_card as card
from detectors.base import VALID
from detectors.payment_card import PaymentCardRecognizer, luhn_digit
from tests.conftest import find
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS

CARD = "CREDIT_CARD"

TEST_NUMBERS = {
    "4111 1111 1111 1111": "Visa",
    "4012-8888-8888-1881": "Visa",
    "4222 2222 2222 2": "Visa",  # 13 digits
    "5555 5555 5555 4444": "Mastercard",
    "2223 0031 2200 3222": "Mastercard",  # the 2-series
    "3782 822463 10005": "American Express",  # 4-6-5
    "3714-496353-98431": "American Express",
    "6011 1111 1111 1117": "Discover",
    "3056 930902 5904": "Diners Club",  # 4-6-4
    "3852 0000 0232 37": "Diners Club",
    "3530 1113 3330 0000": "JCB",
    "6200 0000 0000 0005": "UnionPay",
}


def with_check(digits: str) -> str:
    return digits + luhn_digit(digits)


def grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


# --- what is found -----------------------------------------------------------------------------


@pytest.mark.parametrize("written", sorted(TEST_NUMBERS))
def test_card_numbers_in_their_groupings(engine, written):
    assert card.brand(written) == TEST_NUMBERS[written]
    assert find(engine, f"Maksettu {written} / 12 kpl") == [(CARD, written)]


def test_nineteen_digits_and_the_detail_names_the_scheme(engine):
    maestro = grouped(with_check("675900000000000000"))
    assert find(engine, f"Maestro {maestro}") == [(CARD, maestro)]
    hits = engine.scan(pa.array(["Kortti 4111 1111 1111 1111", f"x {maestro}"], pa.large_string()))
    texts = pa.array(list(hits.text), pa.large_string())
    assert PaymentCardRecognizer().detail_array(texts).to_pylist() == ["Visa", "Maestro"]


def test_a_solid_number_counts_beside_a_card_word(engine):
    solid = "4111111111111111"
    assert find(engine, f"Luottokortti: {solid}") == [(CARD, solid)]
    assert find(engine, f"Paid with Visa {solid}") == [(CARD, solid)]
    assert find(engine, "Kortin tiedot", solid) == [(CARD, solid)]  # the line above
    assert find(engine, f"tunniste {solid}") == []  # a digit run of ids, logs and exports
    hits = engine.scan(pa.array([solid], pa.large_string()), hint=CARD)  # a column named card_number
    assert list(hits.text) == [solid]
    hits = engine.scan(pa.array([solid, "5555555555554444"], pa.large_string()), labels="id;card_number")
    assert list(hits.text) == [solid, "5555555555554444"]  # the CSV header


def test_one_card_in_groups_and_solid_is_one_value():
    texts = pa.array(["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111"], pa.large_string())
    assert set(PaymentCardRecognizer().compact_array(texts).to_pylist()) == {"4111111111111111"}


def test_findings_are_masked_as_on_a_receipt(tmp_path: Path):
    (tmp_path / "tilaus.txt").write_text("Asiakas maksoi kortilla 5555 5555 5555 4444.\n", "utf-8")
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert code == 0
    [row] = [json.loads(line) for line in out.splitlines()]
    assert (row["entity"], row["value"], row["detail"]) == (CARD, "5*** **** **** 4444", "Mastercard")
    assert "5555 5555 5555 4444" not in out


def test_context_words_raise_the_score(engine):
    def score(*lines: str) -> float:
        return engine.scan(pa.array(list(lines), pa.large_string())).score[-1]

    assert score("x 4111 1111 1111 1111") == 0.7
    assert score("Luottokortin numero 4111 1111 1111 1111") == score("Card", "4111 1111 1111 1111") == 1.0


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = "Kortti 4111 1111 1111 1111, väärä 4111 1111 1111 1112."
    found = {(r.entity_type, text[r.start : r.end]) for r in analyzer.analyze(text, language="fi")}
    assert found == {(CARD, "4111 1111 1111 1111")}
    assert analyzer.analyze("tunniste 4111111111111111", language="fi") == []
    solid = analyzer.analyze("luottokortti 4111111111111111", language="fi")
    assert [(r.entity_type, r.start, r.end) for r in solid] == [(CARD, 13, 29)]


# --- what is not ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("4111 1111 1111 1112", "Luhn check digit is 2, expected 1"),
        ("1234 5678 9012 3452", "no card scheme issues numbers starting 123456"),
        ("3530 1113 3330 000", "JCB issues no numbers of 15 digits"),
        ("5555 5555 5555 4444 4", "Mastercard issues no numbers of 17 digits"),
        ("4111 1111 1111", "not 13 to 19 digits"),
    ],
)
def test_invalid_numbers_say_why(engine, value, reason):
    with pytest.raises(ValueError, match=reason):
        card.validate(value)
    assert [t for e, t in find(engine, f"Kortti {value}") if e == CARD] == []


IMEI = with_check("35209900176148")  # a phone's IMEI: Luhn too, but 15 digits starting 35 are no card
ICCID = with_check("893580123456789012")  # a SIM card: Luhn, issuer 89 (telecoms)


@pytest.mark.parametrize(
    "text",
    [
        "Tilausnumero 4111 1111 1111 1111 2026",  # a 20-digit order number in groups
        "Tilausnumero 1234 4111 1111 1111 1111",
        "tilaus 41111111111111111111",  # solid, 20 digits
        "kortti 411111111111111111111111",  # any longer run
        "kortti 4111 1111 1111 1112",  # Luhn fails
        "kortti 4111111111111112",
        "viite 4111 1111 1111 1111",  # a payment reference
        "Viitenumero: 4111111111111111",
        "viite 41111 11111 11111 1",  # reference numbers in groups of five
        "verkkolaskuosoite 003712345671 / 0037123456710010",  # OVT codes
        f"Kortin IMEI {IMEI}",
        f"SIM-kortti {ICCID}",
        "puh. +358 40 123 4567 tai +4111111111111111",
        "kortti 1.4111111111111111",  # a decimal
        "Kortti 4111-1111-1111-1111-111-1",
        "timestamp 1697040000000123",  # microseconds since 1970: no scheme starts 16
        "FI21 1234 5600 0007 85",  # an IBAN's account digits
    ],
)
def test_look_alikes_are_no_cards(engine, text):
    assert [t for e, t in find(engine, text) if e == CARD] == []


def test_the_other_detectors_keep_their_values(engine):
    line = "Hetu 131052-308T, Y-tunnus 2077474-0, puh. 040 123 4567, IP 192.0.2.1, kortti 4111 1111 1111 1111"
    assert [e for e, _ in find(engine, line)] == [
        "FI_PERSONAL_IDENTITY_CODE",
        "FI_BUSINESS_ID",
        "PHONE_NUMBER",
        "IP_ADDRESS",
        CARD,
    ]


def test_precision_and_recall_on_the_labelled_corpus():
    truth, run = load_truth(CORPUS), harava_run(CORPUS)
    result = score(truth, run.findings)[CARD]
    wrong = sorted(k for k in run.keys - truth.expected if k[1] == CARD)
    missed = sorted(k for k in truth.expected - run.keys if k[1] == CARD)
    assert result.precision >= 0.95 and result.recall >= 0.95, f"wrongly reported {wrong}; missed {missed}"
    assert [h.lookalike.text for h in lookalike_hits(truth, CORPUS, run.findings) if h.lookalike.entity == CARD] == []


# --- property tests: generated valid numbers are found, corrupted ones are not --------------------

#: Prefixes of the schemes' published test numbers, and the lengths their schemes issue.
TEST_RANGES = [("411111", 16), ("401288", 16), ("555555", 16), ("222300", 16), ("378282", 15), ("601111", 16)]
TEST_RANGES += [("353011", 16), ("620000", 16), ("305693", 14), ("400000", 13), ("675900", 19)]


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    prefix, length = draw(st.sampled_from(TEST_RANGES))
    body = prefix + draw(st.text("0123456789", min_size=length - 7, max_size=length - 7))
    return with_check(body)


def written(number: str, style: int) -> str:
    if style == 0 or len(number) not in (14, 15):
        return [grouped(number), grouped(number).replace(" ", "-"), number][style % 3]
    return f"{number[:4]} {number[4:10]} {number[10:]}"


surroundings = st.sampled_from(["{} ", "Kortti: {}.", "asiakas;{};x", "({})", "- maksukortti {}\n", "card={}"])


@settings(max_examples=300, deadline=None)
@given(number=card_numbers(), style=st.integers(0, 2), around=surroundings)
def test_generated_card_numbers_are_found(engine, number, style, around):
    text = written(number, style)
    assert card.validate(text) == number
    line = around.format(text) if style != 2 else f"Luottokortti {around.format(text)}"  # solid: a card word
    assert find(engine, line) == [(CARD, text)]


@settings(max_examples=300, deadline=None)
@given(number=card_numbers(), style=st.integers(0, 2), around=surroundings, wrong=st.integers(1, 9))
def test_a_wrong_check_digit_is_never_found(engine, number, style, around, wrong):
    corrupted = number[:-1] + str((int(number[-1]) + wrong) % 10)
    assert [t for e, t in find(engine, around.format(written(corrupted, style))) if e == CARD] == []


@settings(max_examples=100, deadline=None)
@given(number=card_numbers(), extra=st.text("0123456789", min_size=1, max_size=4))
def test_never_inside_a_longer_digit_run(engine, number, extra):
    for inside, whole in (
        (number, number + extra),
        (number, extra + number),
        (grouped(number), f"{grouped(number)} {extra}"),
    ):
        found = [t for e, t in find(engine, f"kortti {whole}") if e == CARD]
        assert inside not in found and found in ([], [whole])  # the whole run may be a longer card, never a part


# --- registers: statements declare bank accounts and cards ----------------------------------------

STATEMENT = """Tietosuojaseloste – Esimerkkikaupan {name}

1. Rekisterin nimi

Esimerkkikaupan {name}

2. Rekisterin tietosisältö

{content}

3. Tietojen säilytysaika

Tiedot säilytetään kuusi vuotta.
"""


def test_statements_declare_bank_accounts_and_cards_and_what_was_never_found(tmp_path: Path):
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "palautukset.txt").write_text("Palautus tilille FI21 1234 5600 0007 85 tehty.\n", "utf-8")
    statements = {
        "asiakas": "Tallennamme asiakkaan nimen, pankkiyhteystiedot ja luottokorttitiedot.",
        "maksu": "Tallennamme asiakkaan nimen ja maksutiedot.",
    }
    config = ""
    for name, content in statements.items():
        (tmp_path / f"{name}.txt").write_text(STATEMENT.format(name=f"{name}rekisteri", content=content), "utf-8")
        config += f'[[registers]]\nname = "{name}"\nstatement = "{name}.txt"\nsources = ["share"]\n\n'
    (tmp_path / "harava.toml").write_text(config, "utf-8")
    code, out, err = run("check", "--config", str(tmp_path / "harava.toml"), "--format", "json", "--no-progress")
    assert code == 1, err
    verdicts = {r["name"]: r for r in json.loads(out)["registers"]}
    customers, payments = verdicts["asiakas"], verdicts["maksu"]
    assert customers["declared"] == [CARD, "IBAN_CODE", "PERSON"]  # "nimen": the name
    assert customers["found"] == {"IBAN_CODE": 1} and customers["undeclared"] == []
    assert customers["declared_not_found"] == [CARD, "PERSON"]
    # "maksutiedot" may or may not mean the account and the card: the configuration decides
    assert payments["declared"] == ["PERSON"]
    assert [u["entity"] for u in payments["undeclared"]] == ["IBAN_CODE"]
    assert any("maksutiedot" in note and "IBAN_CODE, CREDIT_CARD" in note for note in payments["notes"])


# --- the whole-array functions agree with the per-value ones ----------------------------------------

_SHAPES = st.one_of(
    card_numbers(),
    card_numbers().map(grouped),
    st.from_regex(r"[2-6][0-9]{12,18}", fullmatch=True),
    st.from_regex(r"[2-6][0-9]{3}([ -][0-9]{4}){2}([ -][0-9]{4}([ -][0-9]{1,3})?|[ -][0-9]{1,3})", fullmatch=True),
    st.from_regex(r"3[0-9]{3}[ -][0-9]{6}[ -][0-9]{4,5}", fullmatch=True),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_SHAPES, min_size=1, max_size=20))
def test_the_array_functions_agree_with_the_per_value_ones(values):
    recognizer = PaymentCardRecognizer()
    texts = pa.array(values, pa.large_string())
    verdicts = card.valid_array(texts)
    assert [v == VALID for v in verdicts.tolist()] == [card.is_valid(v) for v in values]
    valid = [v for v in values if card.is_valid(v)]
    if valid:
        texts = pa.array(valid, pa.large_string())
        assert recognizer.compact_array(texts).to_pylist() == [card.validate(v) for v in valid]
        assert recognizer.detail_array(texts).to_pylist() == [card.brand(v) for v in valid]
        for value, masked in zip(valid, recognizer.mask_array(texts).to_pylist(), strict=True):
            assert len(masked) == len(value) and masked[0] == value[0] and masked[-4:] == value[-4:]
            assert masked.count("*") == len(card.compact(value)) - 5, (value, masked)
