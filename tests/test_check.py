"""`harava check` and `harava register parse` end to end, and configuration errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.test_cli import ROOT, run

CONFIG = "examples/harava.toml"


def test_check_examples_flags_exactly_the_planted_undeclared_data():
    code, out, _ = run("check", "--config", CONFIG, "--format", "json", "--no-progress")
    assert code == 1
    report = json.loads(out)
    assert report["errors"] == []
    verdicts = {r["name"]: r for r in report["registers"]}
    assert {name: [u["entity"] for u in r["undeclared"]] for name, r in verdicts.items()} == {
        "Asiakasrekisteri": ["IP_ADDRESS"],
        "Personalregister": ["EMAIL_ADDRESS"],
        "Newsletter register": ["IP_ADDRESS"],
        # special-category data first
        "Vuorosuunnittelurekisteri": ["FI_DIAGNOSIS_CODE", "HEALTH_DATA"],
    }
    customers = verdicts["Asiakasrekisteri"]
    assert customers["declared"] == [
        "ADDRESS",
        "EMAIL_ADDRESS",
        "FI_BUSINESS_ID",
        "FI_PERSONAL_IDENTITY_CODE",
        "PERSON",
        "PHONE_NUMBER",
    ]
    # the share and the SQLite CRM together
    assert customers["found"] == {
        "EMAIL_ADDRESS": 9,
        "FI_BUSINESS_ID": 3,
        "FI_PERSONAL_IDENTITY_CODE": 4,
        "IP_ADDRESS": 4,
        "PERSON": 9,  # the CRM's name column; the CSV export's first-name and surname columns
        "PHONE_NUMBER": 8,
    }
    assert customers["undeclared"][0]["count"] == 4
    assert customers["undeclared"][0]["examples"][0] == {
        "source": "examples/share/Asiakaspalvelu/tukipyynnot.log",
        "member": None,
        "location": {"line": 1, "column": 109},
        "value": "10.30.*.*",
    }
    assert customers["declared_not_found"] == ["ADDRESS"]  # a home municipality is no address
    # the statement does not just omit them: it says the register holds none
    assert customers["contradicted"] == [
        {
            "category": "ip_osoite",
            "label": "IP-osoite",
            "entity": "IP_ADDRESS",
            "count": 4,
            "statement_line": 36,
            "sentence": "Emme tallenna asiakasrekisteriin asiakkaiden IP-osoitteita.",
        }
    ]
    assert {name: [(c["entity"], c["statement_line"]) for c in r["contradicted"]] for name, r in verdicts.items()} == {
        "Asiakasrekisteri": [("IP_ADDRESS", 36)],
        "Personalregister": [("EMAIL_ADDRESS", 26)],
        "Newsletter register": [("IP_ADDRESS", 13)],
        "Vuorosuunnittelurekisteri": [],
    }
    staff = verdicts["Personalregister"]
    assert staff["declared"] == ["ADDRESS", "FI_PERSONAL_IDENTITY_CODE", "IBAN_CODE", "PERSON", "PHONE_NUMBER"]
    assert staff["undeclared"][0]["examples"][0]["value"] == "o***@example.fi"  # masked
    assert verdicts["Newsletter register"]["declared_not_found"] == []
    shifts = verdicts["Vuorosuunnittelurekisteri"]
    assert [(u["entity"], u["count"], u["category"], u["special"]) for u in shifts["undeclared"]] == [
        ("FI_DIAGNOSIS_CODE", 4, "terveystiedot", "GDPR art. 9"),
        ("HEALTH_DATA", 6, "terveystiedot", "GDPR art. 9"),
    ]
    assert shifts["undeclared"][0]["examples"][1]["value"] == "J0*.*"  # masked to the block
    # union membership is declared, but the statement names no basis art. 9(2) allows
    (union,) = shifts["special_declared"]
    assert (union["category"], union["statement_line"], union["basis"]) == ("ammattiliitto", 30, None)
    assert "names no basis" in union["note"]


def test_check_table_and_html(tmp_path):
    code, out, _ = run("check", "--config", CONFIG, "--no-progress")
    assert code == 1
    assert "Asiakasrekisteri  [UNDECLARED DATA, CONTRADICTS ITS STATEMENT]" in out
    # a denial the data contradicts comes first, with the statement's own words
    assert (
        "  CONTRADICTED: IP_ADDRESS 4 (undeclared, and the statement denies it)\n"
        '      statement line 36 says "Emme tallenna asiakasrekisteriin asiakkaiden IP-osoitteita.", '
        "yet 4 IP addresses were found\n"
        "      e.g. examples/share/Asiakaspalvelu/tukipyynnot.log:1:109 (10.30.*.*)\n"
    ) in out
    report = tmp_path / "report.html"
    code, _, _ = run("check", "--config", CONFIG, "--format", "html", "-o", str(report), "--no-progress")
    assert code == 1
    html = report.read_text("utf-8")
    assert html.startswith("<!doctype html>") and "Newsletter register" in html and "192.0.*.*" in html
    assert "192.0.2.44" not in html
    assert "<b>Contradicted: IP_ADDRESS 1</b> — statement line 13 says &quot;We do not collect IP addresses" in html
    assert "no: denied (statement line 13)" in html


def copy_examples(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path / "examples"


def test_exit_0_when_everything_found_is_declared(tmp_path):
    examples = copy_examples(tmp_path)
    (examples / "ok.toml").write_text(
        """[[registers]]
name = "Asiakasrekisteri"
statement = "statements/asiakasrekisteri.txt"
sources = ["share/Asiakaspalvelu"]
declare = ["IP_ADDRESS"]
""",
        "utf-8",
    )
    code, out, _ = run("check", "--config", str(examples / "ok.toml"), "--format", "json", "--no-progress")
    assert code == 0, out
    verdict = json.loads(out)["registers"][0]
    assert verdict["undeclared"] == [] and "IP_ADDRESS" in verdict["declared"]
    # the statement's "yhteystiedot" alone counts for nothing without an [umbrella] decision
    assert any("may cover PHONE_NUMBER, EMAIL_ADDRESS" in note for note in verdict["notes"])


def test_ignore_and_a_source_shared_by_two_registers_is_scanned_once(tmp_path, monkeypatch):
    import scanner.pipeline as pipeline

    examples = copy_examples(tmp_path)
    (examples / "two.toml").write_text(
        """[[registers]]
name = "A"
statement = "statements/asiakasrekisteri.txt"
sources = ["share/Asiakaspalvelu"]
ignore = ["IP_ADDRESS"]

[[registers]]
name = "B"
statement = "statements/markkinointirekisteri.html"
sources = ["share/Asiakaspalvelu/", "share/Markkinointi"]
""",
        "utf-8",
    )
    scanned = []
    real = pipeline._file_items
    monkeypatch.setattr(
        pipeline, "_file_items", lambda target, *a, **k: scanned.append(target) or real(target, *a, **k)
    )
    code, out, _ = run("check", "--config", str(examples / "two.toml"), "--format", "json", "--no-progress")
    assert code == 1
    assert len(scanned) == 2  # share/Asiakaspalvelu once, share/Markkinointi once
    verdicts = {r["name"]: r for r in json.loads(out)["registers"]}
    assert verdicts["A"]["undeclared"] == [] and verdicts["A"]["ignored"] == ["IP_ADDRESS"]
    assert [u["entity"] for u in verdicts["B"]["undeclared"]] == [
        "FI_PERSONAL_IDENTITY_CODE",
        "IP_ADDRESS",
        "PHONE_NUMBER",
    ]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[registers]]\nname = "A"\nstatement = "s.txt"\n', "registers[0]: missing required key 'sources'"),
        (
            '[[registers]]\nname = "A"\nstatement = "s.txt"\nsources = "share"\n',
            ":4: registers[0].sources: must be a list",
        ),
        (
            '[[registers]]\nname = "A"\nstatement = "nope.txt"\nsources = ["share"]\n',
            ":3: registers[0].statement: no such file",
        ),
        (
            '[[registers]]\nname = "A"\nstatement = "s.txt"\nsources = ["nowhere"]\n',
            ":4: registers[0].sources: no such file or folder",
        ),
        (
            '[[registers]]\nname = "A"\nstatement = "s.txt"\nsources = ["share"]\ndeclare = ["IP"]\n',
            ":5: registers[0].declare: unknown entity 'IP'",
        ),
        (
            '[[registers]]\nname = "A"\nstatement = "s.txt"\nsources = ["share"]\n\n[[registers]]\nname = "A"\n'
            'statement = "s.txt"\nsources = ["share"]\n',
            ":7: registers[1].name: register 'A' is defined twice",
        ),
        ('[[registers]]\nname = "A"\nstatment = "s.txt"\n', ":3: registers[0].statment: unknown key"),
        ('[[registers]\nname = "A"\n', "line 1"),
        ("", "no [[registers]] defined"),
    ],
)
def test_config_errors_name_the_key_and_line(tmp_path, toml, message):
    (tmp_path / "share").mkdir()
    (tmp_path / "s.txt").write_text("Rekisterin tietosisältö\n\nNimi.\n", "utf-8")
    config = tmp_path / "harava.toml"
    config.write_text(toml, "utf-8")
    code, _, err = run("check", "--config", str(config), "--no-progress")
    assert code == 2
    assert message in err
    assert str(config) in err


def test_register_parse_json_per_contract():
    code, out, _ = run("register", "parse", "examples/statements/asiakasrekisteri.txt")
    assert code == 0
    [statement] = json.loads(out)
    assert statement["statement"] == "examples/statements/asiakasrekisteri.txt"
    assert statement["register"] == "Esimerkki Palvelut Oy:n asiakasrekisteri"
    first = statement["declared"][5]
    assert {k: first[k] for k in ("category", "entities", "evidence", "line")} == {
        "category": "henkilotunnus",
        "entities": ["FI_PERSONAL_IDENTITY_CODE"],
        "evidence": "henkilötunnus luottopäätöstä varten",
        "line": 31,
    }
    code, out, _ = run("register", "parse", "examples/statements/personalregister.md", "--format", "table")
    assert code == 0 and "personbeteckning" in out and "negated" in out
    assert run("register", "parse", "examples/statements/missing.txt")[0] != 0


DENYING_STATEMENT = """Tietosuojaseloste – Esimerkkiyhdistyksen jäsenrekisteri

1. Rekisterin tietosisältö

Rekisteriin tallennetaan jäsenen nimi ja postiosoite.
Emme kerää jäsenten henkilötunnuksia emmekä
puhelinnumeroita.
Sähköpostiosoitteita emme luovuta kolmansille osapuolille.

2. Evästeet

Evästeillä ei kerätä IP-osoitteita.
"""


def _denying_register(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "seloste.txt").write_text(DENYING_STATEMENT, "utf-8")
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "jasenet.txt").write_text(
        "Jäsen Maija Esimerkki, hetu 131052-308T, puh. 040 123 4567, maija.esimerkki@example.fi\n"
        "Kirjautui osoitteesta 192.0.2.10\n",
        "utf-8",
    )
    config = tmp_path / "harava.toml"
    config.write_text(
        f'[[registers]]\nname = "Jäsenrekisteri"\nstatement = "seloste.txt"\nsources = ["share"]\n{extra}', "utf-8"
    )
    return config


def test_contradicted_only_where_the_statement_denies(tmp_path):
    """Denied categories found are contradicted (with the line they are named on); data passed on is not
    denied, so it stays declared; a denial in the cookie section is about the website, so the IP address
    found is plainly undeclared."""
    config = _denying_register(tmp_path)
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress", "--no-history")
    assert code == 1, err
    [verdict] = json.loads(out)["registers"]
    assert "EMAIL_ADDRESS" in verdict["declared"]  # "emme luovuta" says nothing against holding them
    assert [u["entity"] for u in verdict["undeclared"]] == ["FI_PERSONAL_IDENTITY_CODE", "IP_ADDRESS", "PHONE_NUMBER"]
    assert [(c["entity"], c["category"], c["statement_line"], c["count"]) for c in verdict["contradicted"]] == [
        ("FI_PERSONAL_IDENTITY_CODE", "henkilotunnus", 6, 1),
        ("PHONE_NUMBER", "puhelinnumero", 7, 1),
    ]
    assert verdict["contradicted"][1]["sentence"] == "Emme kerää jäsenten henkilötunnuksia emmekä puhelinnumeroita."

    code, out, _ = run("check", "--config", str(config), "--no-progress", "--no-history")
    lines = out.splitlines()
    assert lines[0] == "Jäsenrekisteri  [UNDECLARED DATA, CONTRADICTS ITS STATEMENT]"
    assert [line.split(":")[0] for line in lines if line.startswith(("  CONTRADICTED:", "  UNDECLARED:"))] == [
        "  CONTRADICTED",
        "  CONTRADICTED",
        "  UNDECLARED",
    ]
    assert "yet 1 personal identity code was found" in out


def test_what_the_configuration_declares_or_ignores_is_not_contradicted(tmp_path):
    config = _denying_register(tmp_path, 'declare = ["PHONE_NUMBER"]\nignore = ["FI_PERSONAL_IDENTITY_CODE"]\n')
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress", "--no-history")
    assert code == 1, err
    [verdict] = json.loads(out)["registers"]
    assert verdict["contradicted"] == [] and [u["entity"] for u in verdict["undeclared"]] == ["IP_ADDRESS"]


def test_special_category_data_comes_first_and_a_declared_one_needs_a_basis(tmp_path):
    code, out, _ = run("check", "--config", CONFIG, "--no-progress")
    assert code == 1
    shifts = out[out.index("Vuorosuunnittelurekisteri  [") :]
    assert shifts.startswith("Vuorosuunnittelurekisteri  [UNDECLARED DATA, UNDECLARED SPECIAL-CATEGORY DATA]")
    assert shifts.index("UNDECLARED: FI_DIAGNOSIS_CODE 4 — SPECIAL CATEGORY (GDPR art. 9)") < shifts.index(
        "UNDECLARED: HEALTH_DATA 6 — SPECIAL CATEGORY (GDPR art. 9)"
    )
    assert "note: the statement declares ammattiliiton jäsenyys (line 30), a special category" in shifts

    # the same register, its statement naming the basis: no note, the line that names it instead
    statement = (ROOT / "examples" / "statements" / "vuorosuunnittelu.txt").read_text("utf-8")
    based = statement.replace(
        "jäsenmaksun perimistä palkasta",
        "jäsenmaksun perimistä palkasta; käsittely perustuu työntekijän nimenomaiseen suostumukseen",
    )
    (tmp_path / "seloste.txt").write_text(based, "utf-8")
    shutil.copytree(ROOT / "examples" / "share" / "Vuorosuunnittelu", tmp_path / "vuorot")
    (tmp_path / "harava.toml").write_text(
        '[[registers]]\nname = "Vuorot"\nstatement = "seloste.txt"\nsources = ["vuorot"]\n', "utf-8"
    )
    code, out, _ = run("check", "--config", str(tmp_path / "harava.toml"), "--format", "json", "--no-progress")
    (verdict,) = json.loads(out)["registers"]
    (union,) = verdict["special_declared"]
    assert union["basis"]["line"] == 30 and "nimenomaiseen suostumukseen" in union["basis"]["text"]
    assert "note" not in union


def test_each_register_has_a_risk_with_its_riskiest_items_and_fail_on_can_ask_for_it(tmp_path):
    share = tmp_path / "share"
    shutil.copytree(ROOT / "examples" / "share" / "Vuorosuunnittelu", share / "vuorot")
    shutil.copy(ROOT / "examples" / "statements" / "vuorosuunnittelu.txt", tmp_path / "seloste.txt")
    (share / "vuorot").chmod(0o755)
    locked = share / "vuorot" / "poissaolot_2026-10.csv"
    locked.chmod(0o600)  # the sick-leave list readable by its owner alone
    (tmp_path / "harava.toml").write_text(
        '[[registers]]\nname = "Vuorot"\nstatement = "seloste.txt"\nsources = ["share"]\n', "utf-8"
    )
    config = str(tmp_path / "harava.toml")
    code, out, _ = run("check", "--config", config, "--format", "json", "--no-progress")
    assert code == 1
    (verdict,) = json.loads(out)["registers"]
    risk = verdict["risk"]
    riskiest = {Path(i["source"]).name: i for i in risk["riskiest"]}
    mail, absences = riskiest["RE_vuoromuutos.eml"], riskiest["poissaolot_2026-10.csv"]
    # the e-mail is readable by everyone, the list is not: the e-mail tops the list despite fewer findings
    assert Path(risk["riskiest"][0]["source"]).name == "RE_vuoromuutos.eml"
    assert "readable by everyone" in mail["reasons"] and "readable by everyone" not in absences["reasons"]
    assert mail["exposure"]["world_readable"] is True and absences["exposure"]["world_readable"] is False
    assert "health data × 2 (GDPR art. 9), undeclared" in mail["reasons"]
    assert risk["score"] == mail["score"] and mail["working"].endswith(f"→ {mail['score']}")
    code, _, err = run("check", "--config", config, "--fail-on", f"risk>={mail['score']}", "--no-progress")
    assert code == 1 and f"an item's risk {mail['score']} ≥ {mail['score']}" in err
    code, _, err = run("check", "--config", config, "--fail-on", f"risk>{mail['score']}", "--no-progress")
    assert code == 0 and "no item's risk reaches" in err
    code, _, err = run("check", "--config", config, "--fail-on", "risk>=101", "--no-progress")
    assert code == 2 and "a score is from 0 to 100" in err


def test_an_sqlite_file_in_a_share_is_judged_by_who_may_read_the_file(tmp_path):
    share = tmp_path / "share"
    share.mkdir(mode=0o755)
    shutil.copy(ROOT / "examples" / "crm.db", share / "crm.db")
    (share / "crm.db").chmod(0o644)
    shutil.copy(ROOT / "examples" / "statements" / "asiakasrekisteri.txt", tmp_path / "seloste.txt")
    (tmp_path / "harava.toml").write_text(
        '[[registers]]\nname = "CRM"\nstatement = "seloste.txt"\nsources = ["share"]\n', "utf-8"
    )
    code, out, _ = run("check", "--config", str(tmp_path / "harava.toml"), "--format", "json", "--no-progress")
    assert code == 1  # the support tickets' IP addresses, which the statement denies
    (verdict,) = json.loads(out)["registers"]
    tables = {i["table"]: i for i in verdict["risk"]["riskiest"]}
    assert "readable by everyone" in tables["asiakkaat"]["reasons"]
    assert tables["asiakkaat"]["exposure"]["file"]["world_readable"] is True
