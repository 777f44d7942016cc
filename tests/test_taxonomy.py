"""One place per entity: the detectors declare their category and column hints; the taxonomy only words.

If a test here fails after adding a detector, the detector names a category no statement term maps to:
add the category (its Finnish, Swedish and English terms) to ``scanner/registers/taxonomy.py``.
"""

from __future__ import annotations

import re

import pytest
from presidio_analyzer import Pattern, PatternRecognizer

import scanner.registers.taxonomy as taxonomy
from detectors import (
    BUILTIN,
    DetectorLoadError,
    _as_recognizers,
    category_of,
    column_hint_of,
    entities_by_category,
    load_detectors,
    presidio_recognizers,
)
from scanner.registers.taxonomy import BY_KEY, CATEGORIES, known_entities, resolved, uncategorised_notes


def plain(entity: str, name: str, **attributes: object) -> PatternRecognizer:
    """A plain Presidio recognizer (as a plug-in would be), with optional Harava class attributes."""
    cls = type(f"{name.title()}Recognizer", (PatternRecognizer,), dict(attributes))
    return cls(entity, name=name, patterns=[Pattern(name, r"\bX\d{4}\b", 0.5)])


@pytest.mark.parametrize("detector", BUILTIN, ids=lambda d: d.NAME)
def test_every_builtin_detector_names_a_category_the_statement_vocabulary_knows(detector):
    assert detector.CATEGORY in BY_KEY, (
        f"{detector.__name__}.CATEGORY = {detector.CATEGORY!r} is not a category of scanner/registers/taxonomy.py: "
        "no privacy statement could ever declare it"
    )
    assert category_of(detector(supported_language="fi")) == detector.CATEGORY


@pytest.mark.parametrize("detector", BUILTIN, ids=lambda d: d.NAME)
def test_every_builtin_detector_has_column_hints_and_context(detector):
    assert detector.COLUMN_HINTS and re.compile(detector.COLUMN_HINTS)
    assert detector.CONTEXT


def test_the_taxonomy_holds_no_entity_names():
    assert all(c.entities == () and c.may_cover == () for c in CATEGORIES)
    for category in CATEGORIES:
        assert all(key in BY_KEY for key in category.covers), category.key
        assert bool(category.covers) == category.umbrella


def test_category_entities_derive_from_the_detectors():
    builtin = presidio_recognizers()
    by_category = {c.key: c for c in resolved(entities_by_category(builtin))}
    for category in by_category.values():
        expected = tuple(r.ENTITY for r in builtin if category.key == r.CATEGORY)
        assert category.entities == expected, category.key
    assert by_category["henkilotunnus"].entities == ("FI_PERSONAL_IDENTITY_CODE",)
    assert by_category["nimi"].entities == ("PERSON",)
    assert by_category["laskutustiedot"].entities == ()  # recognised in statements, no detector yet
    assert by_category["yhteystiedot"].may_cover == ("PHONE_NUMBER", "EMAIL_ADDRESS")
    assert known_entities(entities_by_category(builtin)) == {r.ENTITY for r in builtin}


def test_default_mapping_is_the_builtins_and_installed_plugins():
    assert taxonomy.default_mapping() == entities_by_category(load_detectors())
    assert {"FI_PERSONAL_IDENTITY_CODE", "IP_ADDRESS"} <= taxonomy.known_entities()


def test_a_plugin_category_extends_a_category_and_an_umbrella():
    bankgiro = plain("SE_BANKGIRO", "bankgiro", CATEGORY="pankkitili")
    sms = plain("SMS_SENDER", "sms", CATEGORY="puhelinnumero")
    mapping = entities_by_category([*load_detectors(entry_points=False), bankgiro, sms])
    assert mapping["pankkitili"] == ("IBAN_CODE", "SE_BANKGIRO")
    assert mapping["puhelinnumero"] == ("PHONE_NUMBER", "SMS_SENDER")
    by_key = {c.key: c for c in resolved(mapping)}
    assert by_key["yhteystiedot"].may_cover == ("PHONE_NUMBER", "SMS_SENDER", "EMAIL_ADDRESS")
    assert by_key["maksutiedot"].may_cover == ("IBAN_CODE", "SE_BANKGIRO", "CREDIT_CARD")
    assert [c.key for c, _, _ in taxonomy.categories_in("asiakkaan tilinumero", resolved(mapping))] == ["pankkitili"]
    assert taxonomy.categories_in("asiakkaan tilinumero", resolved(mapping))[0][0].entities == (
        "IBAN_CODE",
        "SE_BANKGIRO",
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("pankkiyhteystiedot", "pankkitili"),
        ("asiakkaan tilinumero hyvityksiä varten", "pankkitili"),
        ("IBAN-tilinumeron", "pankkitili"),
        ("maksu- ja tilitiedot", "pankkitili"),
        ("pankkiyhteyden tiedot", "pankkitili"),
        ("kontonummer för löneutbetalning", "pankkitili"),
        ("bankkontonummer", "pankkitili"),
        ("bank account numbers", "pankkitili"),
        ("luottokorttitiedot", "maksukortti"),
        ("maksukortin numero", "maksukortti"),
        ("kortinnumero", "maksukortti"),
        ("betalkortsuppgifter", "maksukortti"),
        ("kreditkortsnummer", "maksukortti"),
        ("payment card details", "maksukortti"),
        ("credit card numbers", "maksukortti"),
        ("cardholder data", "maksukortti"),
        ("maksutiedot", "maksutiedot"),
        ("betalningsuppgifter", "maksutiedot"),
        ("payment information", "maksutiedot"),
    ],
)
def test_bank_and_card_vocabulary(text, key):
    assert [c.key for c, _, _ in taxonomy.categories_in(text)] == [key]


def test_payment_data_is_an_umbrella_over_bank_accounts_and_cards():
    by_key = {c.key: c for c in resolved(entities_by_category(presidio_recognizers()))}
    assert by_key["pankkitili"].entities == ("IBAN_CODE",)
    assert by_key["maksukortti"].entities == ("CREDIT_CARD",)
    assert by_key["maksutiedot"].umbrella and by_key["maksutiedot"].entities == ()
    assert by_key["maksutiedot"].may_cover == ("IBAN_CODE", "CREDIT_CARD")
    # a bank connection's details are no umbrella of contact details
    assert [c.key for c, _, _ in taxonomy.categories_in("pankkiyhteystiedot")] == ["pankkitili"]


def test_notes_for_detectors_no_statement_can_declare():
    builtin = load_detectors(entry_points=False)
    assert uncategorised_notes(builtin) == []
    plate = plain("FI_VEHICLE_PLATE", "plate")
    loyalty = plain("LOYALTY_CARD", "kanta_asiakas", CATEGORY="kanta_asiakkuus")
    notes = uncategorised_notes([*builtin, plate, loyalty])
    assert notes[0] == (
        "detector plate (entity FI_VEHICLE_PLATE) declares no register category: "
        "it counts as declared only where a register's `declare` lists FI_VEHICLE_PLATE"
    )
    assert notes[1].startswith(
        "detector kanta_asiakas (entity LOYALTY_CARD) declares register category 'kanta_asiakkuus'"
    )
    assert notes[1].endswith("it counts as declared only where a register's `declare` lists LOYALTY_CARD")
    assert len(notes) == 2


@pytest.mark.parametrize(
    ("column", "entity"),
    [
        ("asiakas_hetu", "FI_PERSONAL_IDENTITY_CODE"),
        ("HENKILOTUNNUS", "FI_PERSONAL_IDENTITY_CODE"),
        ("personnummer", "FI_PERSONAL_IDENTITY_CODE"),
        ("Sahkoposti", "EMAIL_ADDRESS"),
        ("work_email", "EMAIL_ADDRESS"),
        ("gsm", "PHONE_NUMBER"),
        ("puhelinnumero_2", "PHONE_NUMBER"),
        ("ytunnus", "FI_BUSINESS_ID"),
        ("alv_nro", "FI_BUSINESS_ID"),
        ("client_ip", "IP_ADDRESS"),
        ("remote_addr", "IP_ADDRESS"),
        ("iban", "IBAN_CODE"),
        ("asiakas_tilinumero", "IBAN_CODE"),
        ("bank_account", "IBAN_CODE"),
        ("kontonummer", "IBAN_CODE"),
        ("tili_puhelin", "PHONE_NUMBER"),  # the first detector whose hints fit
        ("card_number", "CREDIT_CARD"),
        ("CreditCard", "CREDIT_CARD"),
        ("luottokortti", "CREDIT_CARD"),
        ("description", None),
        ("hetull", None),  # a hint names whole parts of a name
        ("shipping", None),
        ("cardinality", None),
        ("user_account", None),  # an account of a user, not at a bank
        ("tilitoimisto", None),
    ],
)
def test_column_hints(column, entity):
    assert column_hint_of(column, presidio_recognizers()) == entity


def test_column_hints_of_a_plugin_and_the_first_that_fits_wins():
    plate = plain("FI_VEHICLE_PLATE", "plate", COLUMN_HINTS=r"rekisterinumero|rek_?nro|rekkari|tili")
    recognizers = [*presidio_recognizers(), plate]
    assert column_hint_of("auto_rekisterinumero", recognizers) == "FI_VEHICLE_PLATE"
    assert column_hint_of("REKNRO", recognizers) == "FI_VEHICLE_PLATE"
    assert column_hint_of("tili", recognizers) == "IBAN_CODE"  # built-ins come first
    assert column_hint_of("rekkarit", recognizers) is None
    assert column_hint_of("rekkari", presidio_recognizers()) is None


def test_a_plugin_with_unusable_declarations_fails_at_load_time():
    with pytest.raises(DetectorLoadError, match=r"entry point bad.*COLUMN_HINTS is not a valid regular expression"):
        _as_recognizers(plain("X_ID", "bad", COLUMN_HINTS="tili("), "entry point bad")
    with pytest.raises(DetectorLoadError, match="CATEGORY must be a string"):
        _as_recognizers(plain("X_ID", "bad", CATEGORY=("maksutiedot",)), "entry point bad")
