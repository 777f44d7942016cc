"""Accuracy on files written the way other programs and people write them: the labelled corpus in
``tests/corpus/realistic`` (server logs, a mailing-list archive, contact pages, invoice footers, a
privacy statement, e-invoice addresses — all fictional), and a second one kept apart from the tuning of
the detectors, ``tests/corpus/heldout`` (nginx, IIS, Exchange, postfix, squid, OpenVPN, Windows events,
Outlook and vCard contacts, a CRM export, bank records). ``python -m bench.accuracy`` prints the same
scores beside Presidio's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.accuracy import Run, harava_run, load_truth, lookalike_hits, score, truth_problems

CORPUS = Path(__file__).parent / "corpus" / "realistic"
HELD_OUT = Path(__file__).parent / "corpus" / "heldout"
F1_AT_LEAST = 0.98
HELD_OUT_F1_AT_LEAST = 0.95
#: Look-alikes no phone number may come from: a scanner that reads log fields as phone numbers floods
#: the reader with them.
NEVER_PHONES = {"timestamp", "pid", "duration", "operator-code", "ovt", "version", "port", "amount", "uptime"}


@pytest.fixture(scope="module")
def truth():
    return load_truth(CORPUS)


@pytest.fixture(scope="module")
def run() -> Run:
    return harava_run(CORPUS)


def test_the_truth_matches_its_files(truth):
    assert truth_problems(truth, CORPUS) == []
    assert len(truth.expected) >= 400 and len(truth.lookalikes) >= 350


def test_every_file_is_read_in_full(run):
    assert run.unread == []


@pytest.mark.parametrize("entity", ["PHONE_NUMBER", "EMAIL_ADDRESS", "IP_ADDRESS"])
def test_every_entity_holds_up(truth, run, entity):
    result = score(truth, run.findings)[entity]
    misses = sorted(k for k in truth.expected - run.keys if k[1] == entity)
    wrong = sorted(k for k in run.keys - truth.expected if k[1] == entity)
    assert result.f1 >= F1_AT_LEAST, f"F1 {result.f1:.3f}; missed {misses}; wrongly reported {wrong}"


@pytest.mark.parametrize("entity", ["FI_PERSONAL_IDENTITY_CODE", "FI_BUSINESS_ID"])
def test_identity_codes_and_business_ids_stay_exact(truth, run, entity):
    result = score(truth, run.findings)[entity]
    assert (result.fp, result.fn) == (0, 0)


def test_no_phone_number_in_a_log_field_or_a_code(truth, run):
    hits = lookalike_hits(truth, CORPUS, run.findings)
    phones = [
        (h.lookalike.file, h.lookalike.text, h.lookalike.why) for h in hits if h.lookalike.entity == "PHONE_NUMBER"
    ]
    assert phones == []
    assert {la.why for la in truth.lookalikes if la.entity == "PHONE_NUMBER"} & NEVER_PHONES


@pytest.fixture(scope="module")
def held_out():
    return load_truth(HELD_OUT), harava_run(HELD_OUT)


def test_the_held_out_truth_matches_its_files(held_out):
    truth, _ = held_out
    assert truth_problems(truth, HELD_OUT) == []


@pytest.mark.parametrize(
    "entity", ["FI_PERSONAL_IDENTITY_CODE", "FI_BUSINESS_ID", "PHONE_NUMBER", "EMAIL_ADDRESS", "IP_ADDRESS"]
)
def test_every_entity_holds_up_on_files_it_was_not_tuned_on(held_out, entity):
    truth, run = held_out
    assert run.unread == []
    assert score(truth, run.findings)[entity].f1 >= HELD_OUT_F1_AT_LEAST
