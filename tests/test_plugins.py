"""A third-party detector with a register category works end to end with no edit inside Harava.

The plug-in (a birth-date recognizer, a plain Presidio ``PatternRecognizer`` for an entity Harava has no
detector of, declared under a category statements already name) is written into a temporary folder
together with its ``dist-info``, so ``importlib.metadata`` finds its entry point when that folder is on
``PYTHONPATH``; the CLI then runs in a subprocess, as an installed plug-in would. The same registers
declare bank account numbers, which the built-in IBAN detector finds: both kinds of detector are
compared with the statements alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from presidio_analyzer import Pattern, PatternRecognizer

from detectors import entities_by_category, load_detectors
from detectors.iban import check_digits
from scanner.registers.statement import parse_statement
from tests.test_cli import ROOT

PLUGIN = r'''
"""A birth-date detector, declared the way any plug-in declares its register category."""

import datetime

from presidio_analyzer import Pattern, PatternRecognizer


class BirthDate(PatternRecognizer):
    CATEGORY = "syntymaaika"
    COLUMN_HINTS = r"syntymaaika|syntymapaiva|birth_?date|dob"

    def __init__(self):
        super().__init__(
            "BIRTH_DATE",
            name="birth_date",
            supported_language="fi",
            patterns=[Pattern("dmy", r"\b\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}\b", 0.4)],
            context=["syntynyt", "syntymäaika"],
        )

    def validate_result(self, pattern_text):
        day, month, year = (int(part) for part in pattern_text.split("."))
        try:
            datetime.date(year, month, day)
        except ValueError:
            return False
        return True


class LicencePlate(PatternRecognizer):
    """No CATEGORY: no statement can declare it, only a register's `declare`."""

    def __init__(self):
        super().__init__(
            "FI_VEHICLE_PLATE", name="plate", patterns=[Pattern("plate", r"\b[A-Z]{2,3}-\d{1,3}\b", 0.4)]
        )
'''

ENTRY_POINTS = (
    "[harava.detectors]\nbirth_date = harava_test_plugin:BirthDate\nplate = harava_test_plugin:LicencePlate\n"
)

BILLING = """Tietosuojaseloste – Kuvitteellinen Puusepänliike Oy:n laskutusrekisteri

Laadittu 3.2.2026.

1. Rekisterinpitäjä

Kuvitteellinen Puusepänliike Oy
Höyläämötie 7, 00990 Esimerkkilä
asiakaspalvelu@example.fi

2. Rekisterin nimi

Puusepänliikkeen laskutusrekisteri

3. Rekisterin tietosisältö

Rekisterissä käsitellään seuraavia asiakasta koskevia tietoja:

- asiakkaan nimi ja syntymäaika laskulla maksamisen luottopäätöstä varten
- asiakkaan tilinumero mahdollisia hyvityksiä varten
- tiedot avoimista ja maksetuista laskuista

4. Tietojen säilytysaika

Tiedot säilytetään kirjanpitolain mukaisesti kymmenen vuotta.
"""

NEWSLETTER = """Tietosuojaseloste – Kuvitteellisen Puusepänliikkeen uutiskirje

1. Rekisterin nimi

Uutiskirjeen tilaajarekisteri

2. Rekisterin tietosisältö

Tallennamme tilaajan nimen ja sähköpostiosoitteen uutiskirjeen lähettämistä varten.

3. Tietojen säilytysaika

Tiedot poistetaan, kun tilaaja peruu tilauksensa.
"""

CONFIG = """[[registers]]
name = "Laskutusrekisteri"
statement = "statements/laskutus.txt"
sources = ["share"]

[[registers]]
name = "Uutiskirjerekisteri"
statement = "statements/uutiskirje.txt"
sources = ["share"]
"""


def fi_iban(bban: str) -> str:
    """A Finnish IBAN with correct check digits for a 14-digit BBAN, printed in groups of four."""
    compact = f"FI{check_digits('FI', bban)}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# The textbook example account (bank code 123456), not anybody's.
IBAN = fi_iban("12345600000785")
WRONG_CHECK = "FI22" + IBAN[4:]


def test_the_synthetic_iban_is_the_textbook_example():
    assert IBAN == "FI21 1234 5600 0007 85"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    (site / "harava_test_plugin").mkdir()
    (site / "harava_test_plugin" / "__init__.py").write_text(PLUGIN, "utf-8")
    dist = site / "harava_test_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: harava-test-plugin\nVersion: 0.1\n", "utf-8")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS, "utf-8")
    return site


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two registers' statements and one share with a payment file."""
    root = tmp_path_factory.mktemp("company")
    (root / "statements").mkdir()
    (root / "statements" / "laskutus.txt").write_text(BILLING, "utf-8")
    (root / "statements" / "uutiskirje.txt").write_text(NEWSLETTER, "utf-8")
    (root / "share").mkdir()
    (root / "share" / "hyvitys.txt").write_text(
        f"Hyvitys palautetusta tuolista maksetaan tilille {IBAN}, asiakas syntynyt 14.3.1985.\n"
        f"Virheellinen tilinumero {WRONG_CHECK} ja syntymäaika 30.2.1985 korjattu asiakkaan pyynnöstä.\n",
        "utf-8",
    )
    (root / "harava.toml").write_text(CONFIG, "utf-8")
    return root


def harava(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{ROOT}")
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_detectors_lists_the_plugin_with_its_category(site, company):
    listed = harava(site, company, "detectors")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:] if line.strip()}
    assert rows["birth_date"].split()[:3] == ["birth_date", "BIRTH_DATE", "syntymaaika"]
    assert "entry point birth_date (harava_test_plugin:BirthDate)" in rows["birth_date"]
    assert rows["hetu"].split()[:3] == ["hetu", "FI_PERSONAL_IDENTITY_CODE", "henkilotunnus"]
    assert rows["iban"].split()[:3] == ["iban", "IBAN_CODE", "pankkitili"]


def test_installed_plugins_shape_the_default_mapping_and_the_notes(site, company):
    script = (
        "import json\n"
        "from detectors import load_detectors\n"
        "from scanner.registers.taxonomy import default_mapping, uncategorised_notes\n"
        "print(json.dumps({'mapping': default_mapping(), 'notes': uncategorised_notes(load_detectors())}))\n"
    )
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{ROOT}")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=company, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["mapping"]["syntymaaika"] == ["BIRTH_DATE"]
    assert result["mapping"]["pankkitili"] == ["IBAN_CODE"]
    assert result["notes"] == [
        "detector plate (entity FI_VEHICLE_PLATE) declares no register category: "
        "it counts as declared only where a register's `declare` lists FI_VEHICLE_PLATE"
    ]


def test_register_parse_maps_the_categories_to_the_plugin_and_the_builtin_entity(site, company):
    parsed = harava(site, company, "register", "parse", "statements/laskutus.txt", "statements/uutiskirje.txt")
    assert parsed.returncode == 0, parsed.stderr
    billing, newsletter = json.loads(parsed.stdout)
    assert billing["statement"] == "statements/laskutus.txt"
    assert billing["register"] == "Puusepänliikkeen laskutusrekisteri"
    declared = {item["category"]: item for item in billing["declared"]}
    assert set(declared) == {"nimi", "syntymaaika", "pankkitili"}
    assert declared["syntymaaika"]["entities"] == ["BIRTH_DATE"]
    assert declared["syntymaaika"]["line"] == 19
    assert declared["pankkitili"]["entities"] == ["IBAN_CODE"]
    assert declared["pankkitili"]["evidence"] == "asiakkaan tilinumero mahdollisia hyvityksiä varten"
    assert declared["pankkitili"]["line"] == 20
    assert declared["nimi"]["entities"] == ["PERSON"]
    assert {item["category"] for item in newsletter["declared"]} == {"nimi", "sahkopostiosoite"}


def test_check_finds_the_plugin_entity_declared_in_one_register_and_undeclared_in_another(site, company):
    checked = harava(site, company, "check", "--config", "harava.toml", "--format", "json", "--no-progress")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["errors"] == []
    verdicts = {r["name"]: r for r in report["registers"]}
    billing, newsletter = verdicts["Laskutusrekisteri"], verdicts["Uutiskirjerekisteri"]
    # the IBAN with a wrong check number and the 30th of February are neither
    assert billing["found"] == {"BIRTH_DATE": 1, "IBAN_CODE": 1}
    assert {"BIRTH_DATE", "IBAN_CODE"} <= set(billing["declared"]) and billing["undeclared"] == []
    assert newsletter["declared"] == ["EMAIL_ADDRESS", "PERSON"]
    assert sorted(u["entity"] for u in newsletter["undeclared"]) == ["BIRTH_DATE", "IBAN_CODE"]
    for undeclared in newsletter["undeclared"]:
        example = undeclared["examples"][0]
        assert example["source"] == "share/hyvitys.txt" and example["location"]["line"] == 1
    assert IBAN not in checked.stdout and "14.3.1985" not in checked.stdout  # masked


def test_parse_statement_takes_the_runs_mapping(company):
    birth = type("BirthDate", (PatternRecognizer,), {"CATEGORY": "syntymaaika"})(
        "BIRTH_DATE", name="birth_date", patterns=[Pattern("dmy", r"\b\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}\b", 0.4)]
    )
    builtin = load_detectors(entry_points=False)
    path = company / "statements" / "laskutus.txt"
    with_plugin = parse_statement(path, "laskutus.txt", mapping=entities_by_category([*builtin, birth]))
    assert with_plugin.declared_entities == {"BIRTH_DATE", "IBAN_CODE", "PERSON"}
    assert with_plugin.as_dict()["declared"][1]["entities"] == ["BIRTH_DATE"]
    without = parse_statement(path, "laskutus.txt", mapping=entities_by_category(builtin))
    assert without.declared_entities == {"IBAN_CODE", "PERSON"}
    # still read and reported
    assert [e.category.key for e in without.declared] == ["nimi", "syntymaaika", "pankkitili"]
