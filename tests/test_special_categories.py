"""The special-category keyword detectors (health, trade-union membership, religion, ethnic origin, criminal
records, turvakielto): a word counts as a label or a cell of its own, or beside a companion word of its
category — never as one stray word in prose. CSV exports, an HR e-mail with a sick-leave form, a payroll
export with union dues, look-alikes (book titles, addresses, domains), a plain Presidio analyzer, the command
line and the register check. All people and files are fictional."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
import regex

from bench.accuracy import harava_run, load_truth, lookalike_hits, score
from detectors import special_categories as special
from detectors.base import context_regex
from detectors.special_categories import CATEGORIES, RECOGNIZERS, HealthDataRecognizer
from tests.test_cli import run
from tests.test_presidio import plain_analyzer
from tests.test_realistic import CORPUS

ENTITIES = {k.entity for k in CATEGORIES}
HEALTH, UNION, RELIGION, ETHNIC, CRIMINAL, TURVAKIELTO = (k.entity for k in CATEGORIES)


def keywords(engine, *lines: str, labels=None) -> list[tuple[str, str]]:
    """(entity, canonical keyword) of every special-category hit, in order."""
    hits = engine.scan(pa.array(list(lines), pa.large_string()), labels=labels)
    return [
        (a.entity, special.compact(t)) for a, t in zip(hits.adapter, hits.text, strict=True) if a.entity in ENTITIES
    ]


# --- structured: a label or a cell ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Diagnoosi: astma", (HEALTH, "diagnoosi")),
        ("DIAGNOOSI: astma", (HEALTH, "diagnoosi")),
        ("Sairausloman alkamispäivä: 9.2.2026", (HEALTH, "sairausloma")),
        ('{"uskontokunta": "ev.-lut."}', (RELIGION, "uskontokunta")),
        ("Ammattiliitto: PAM", (UNION, "ammattiliitto")),
        ("Rikosrekisteriote tarkastettu: kyllä", (CRIMINAL, "rikosrekisteri")),
        ("Turvakielto: kyllä", (TURVAKIELTO, "turvakielto")),
        ("Spärrmarkering: ja", (TURVAKIELTO, "spärrmarkering")),
        ("Sjukskrivning: 3 dagar", (HEALTH, "sjukskrivning")),
        ("Trade union: Unite", (UNION, "trade union")),
        ("Etninen tausta: ei kerätty", (ETHNIC, "etninen alkuperä")),
        ("religion=none", (RELIGION, "religion")),
    ],
)
def test_a_label_with_a_value_after_it(engine, line, expected):
    assert keywords(engine, line) == [expected]


@pytest.mark.parametrize(
    "header",
    [
        "diagnoosi;pvm;nimi",  # the first column
        "pvm;diagnoosi;nimi",
        "pvm;nimi;diagnoosi",  # the last
        "pvm\tdiagnoosi\tnimi",
        "pvm,diagnoosi,nimi",
        "pvm,nimi,diagnoosi",
        '"pvm","diagnoosi","nimi"',
        "| pvm | Diagnoosi | nimi |",
    ],
)
def test_a_column_named_so(engine, header):
    assert keywords(engine, header + "\n") == [(HEALTH, "diagnoosi")]  # a file's lines keep their line end


def test_a_csv_file_with_a_diagnosis_column(engine, tmp_path: Path):
    (tmp_path / "kaynnit.csv").write_text(
        "pvm;työntekijä;käyntisyy;diagnoosi;sairausloma\n03.02.2026;Aino Virtanen;selkä;M54.5;5 pv\n", "utf-8"
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    found = [(r["entity"], r["value"], r["location"]["field"]) for r in rows if r["entity"] == HEALTH]
    # the header's cells name the columns
    assert found == [(HEALTH, "diagnoosi", "diagnoosi"), (HEALTH, "sairausloma", "sairausloma")]
    assert next(r["detail"] for r in rows if r["entity"] == HEALTH) == "diagnoosi — terveystiedot (GDPR art. 9)"
    assert ("FI_DIAGNOSIS_CODE", "M5*.*") in {(r["entity"], r["value"]) for r in rows}


def test_a_cell_that_goes_on_is_prose_unless_a_companion_stands_by(engine):
    assert keywords(engine, "1001;Raskaus ja synnytys -opas;19,90") == []  # a book in a product list
    assert keywords(engine, "2026-02-03;Sairausloma 3 pv, lääkärin määräys;Aino") == [(HEALTH, "sairausloma")]


def test_a_payroll_export_with_union_dues(engine, tmp_path: Path):
    (tmp_path / "palkat.csv").write_text(
        "hlönro;nimi;bruttopalkka;ennakonpidätys;ay-jäsenmaksu;nettopalkka\n"
        "10231;Hilkka Laaksonen;3120,00;624,00;46,80;2449,20\n"
        "10244;Pekka Rautio;2890,50;520,29;0,00;2370,21\n",
        "utf-8",
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--entities", UNION, "--no-progress")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(r["value"], r["detail"]) for r in rows] == [
        ("ay-jäsenmaksu", "ay-jäsenmaksu — ammattiliiton jäsenyys (GDPR art. 9)")
    ]


def test_a_database_column_named_for_a_special_category_is_a_finding_where_it_holds_data(tmp_path: Path):
    import sqlite3

    database = tmp_path / "jasenrekisteri.db"
    with sqlite3.connect(database) as connection:
        connection.executescript(
            "CREATE TABLE jasenet (id INTEGER PRIMARY KEY, nimi TEXT, ammattiliitto TEXT, uskonto TEXT,"
            " terveys_tiedot TEXT, viimeisin_diagnoosi TEXT, lisatieto TEXT);"
            "INSERT INTO jasenet VALUES (1, 'Aino Virtanen', 'JHL', NULL, NULL, NULL, 'ei'),"
            " (2, 'Eino Mäkelä', 'Pro', NULL, NULL, 'J06.9', NULL);"
        )
    code, out, err = run("scan", f"sqlite:///{database}", "--format", "jsonl", "--no-progress")
    assert code == 0, err
    found = {(r["entity"], json.dumps(r["location"]), r["value"]) for r in map(json.loads, out.splitlines())}
    named = {(entity, location, value) for entity, location, value in found if '"row"' not in location}
    # one finding per column, not per row; "uskonto" and the other empty column say nothing; a keyword must be
    # the name's last word ("viimeisin diagnoosi"), not glued to another ("terveys_tiedot" is no keyword)
    assert named == {
        (UNION, '{"table": "jasenet", "column": "ammattiliitto"}', "ammattiliitto"),
        (HEALTH, '{"table": "jasenet", "column": "viimeisin_diagnoosi"}', "diagnoosi"),
    }


def test_an_hr_mail_with_a_sick_leave_form(tmp_path: Path):
    (tmp_path / "ilmoitus.eml").write_text(
        "From: Eeva Niemelä <eeva.niemela@example.fi>\nTo: HR <hr@example.fi>\nSubject: Sairauslomailmoitus\n"
        "Date: Mon, 9 Feb 2026 07:42:13 +0200\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        "Hei, lomake alla.\n\nSairausloman alkamispäivä: 9.2.2026\nTodistuksen antaja: työterveyslääkäri\n"
        "Diagnoosi (vapaaehtoinen): J11.1\n",
        "utf-8",
    )
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    rows = [json.loads(line) for line in out.splitlines()]
    health = [(r["value"], r["detail"].split(" — ")[0]) for r in rows if r["entity"] == HEALTH]
    # the subject is the header's whole value; the form's labels; "Diagnoosi (…)" is no label, but a
    # companion ("lääkäri") stands in the line above
    assert health == [
        ("Sairauslomailmoitus", "sairausloma"),
        ("Sairausloman alkamispäivä: ***", "sairausloma"),
        ("Diagnoosi", "diagnoosi"),
    ]
    assert "9.2.2026" not in out and code == 0


# --- density: a word beside a companion -------------------------------------------------------------


def test_a_companion_in_the_line_the_line_above_or_the_label(engine):
    assert keywords(engine, "Lääkäri kirjoitti sairausloman viikoksi.") == [(HEALTH, "sairausloma")]
    assert keywords(engine, "Työterveys soitti tänään.", "Raskaus etenee hyvin.") == [(HEALTH, "raskaus")]
    assert keywords(engine, "sairausloma 3 pv", labels="potilas;huomio") == [(HEALTH, "sairausloma")]
    assert keywords(engine, "Ammattiliiton maksu pidätetään palkasta.") == [(UNION, "ammattiliitto")]
    assert keywords(engine, "Hänet tuomittiin, ja rikosrekisteri päivittyi.") == [(CRIMINAL, "rikosrekisteri")]


def test_a_companion_is_never_part_of_a_keyword():
    """Otherwise a keyword would be its own context and count alone ("lääkäri" in "lääkärintodistus")."""
    endings = ("", "n", "a", "ssa", "lla", "sta", "t", "en", "ote", "tiedot", "todistus", "maksu", "jäsenyys")
    for keywords_ in CATEGORIES:
        near = regex.compile(context_regex(keywords_.companions))
        for stem, word in keywords_.stems.items():
            for form in (word, *(stem + e for e in endings)):
                assert not near.search(form), (keywords_.entity, form, near.search(form))


# --- what is not -----------------------------------------------------------------------------------


NOVEL = """Kolmas luku

Aune keitti kahvia ja ajatteli isäänsä, joka oli aikanaan ollut ammattiliiton aktiivi ja puhunut
kokouksista kuin muut puhuivat kalastuksesta.

Veli mainitsi ohimennen, että naapurin tytöllä oli raskaus jo pitkällä.

Yhdessä kirjeessä äiti kirjoitti, ettei uskonto ollut koskaan ollut heidän talossaan puheenaihe.

Lehtileikkeessä kerrottiin kauppiaasta, jonka rikosrekisteri oli yllättänyt koko pitäjän.

Hän mietti etnistä taustaansa vasta aikuisena. Diagnoosin hän sai keväällä.
"""


def test_stray_words_in_prose_are_not_reported(engine):
    assert keywords(engine, *NOVEL.splitlines()) == []


@pytest.mark.parametrize(
    "line",
    [
        "Ota yhteyttä: rikosrekisteri@example.fi",  # an address: the e-mail detector's
        "Tilaa ote osoitteesta https://www.rikosrekisteri.example/tilaus",
        "1003;Ammattiliiton historia 1907–2007;Kirjat;24,00",
        "Kirja;Raskaus ja synnytys -opas;19,90",
        'Sana "diagnoosi" tulee kreikasta.',  # a quoted word is no label
        "Epädiagnoosi on keksitty sana.",  # inside a word
        "Hän sairasti, mutta sairausloma ei tullut kysymykseen.",
    ],
)
def test_look_alikes(engine, line):
    assert keywords(engine, line) == []


def test_an_email_address_that_begins_with_a_keyword_stays_an_address(engine):
    hits = engine.scan(pa.array(["Lähetä: rikosrekisteri@example.fi"], pa.large_string()))
    assert [(a.entity, t) for a, t in zip(hits.adapter, hits.text, strict=True)] == [
        ("EMAIL_ADDRESS", "rikosrekisteri@example.fi")
    ]


# --- values, masks, details ---------------------------------------------------------------------------


def test_one_keyword_written_many_ways_is_one_value():
    recognizer = HealthDataRecognizer()
    texts = pa.array(
        ["Diagnoosi:", "diagnoosi;", "diagnoosi\n", '"diagnoosi":', "diagnoosin", "DIAGNOOSIT"], pa.large_string()
    )
    assert set(recognizer.compact_array(texts).to_pylist()) == {"diagnoosi"}
    assert recognizer.mask_array(texts).to_pylist()[:4] == [
        "Diagnoosi: ***",
        "diagnoosi",
        "diagnoosi",
        "diagnoosi: ***",
    ]
    assert recognizer.mask_array(texts).to_pylist()[4] == "diagnoosin"


def test_each_recognizer_declares_its_category():
    declared = {cls.ENTITY: (cls.CATEGORY, cls.SPECIAL) for cls in RECOGNIZERS}
    assert declared == {
        HEALTH: ("terveystiedot", "GDPR art. 9"),
        UNION: ("ammattiliitto", "GDPR art. 9"),
        RELIGION: ("uskonto", "GDPR art. 9"),
        ETHNIC: ("etninen_alkupera", "GDPR art. 9"),
        CRIMINAL: ("rikostiedot", "GDPR art. 10"),
        TURVAKIELTO: ("turvakielto", "turvakielto"),
    }
    from scanner.registers.taxonomy import BY_KEY

    assert all(BY_KEY[key].special == provision for key, provision in declared.values())


def test_in_a_plain_presidio_analyzer():
    analyzer = plain_analyzer()
    text = "Diagnoosi: astma\nAmmattiliitto: PAM\nHän mietti uskontoa."
    found = {
        (r.entity_type, text[r.start : r.end])
        for r in analyzer.analyze(text, language="fi")
        if r.entity_type in ENTITIES
    }
    assert found == {(HEALTH, "Diagnoosi:"), (UNION, "Ammattiliitto:")}
    assert [r for r in analyzer.analyze(NOVEL, language="fi") if r.entity_type in ENTITIES] == []
    dense = analyzer.analyze("Lääkäri kirjoitti sairausloman.", language="fi")
    assert [(r.entity_type, r.start, r.end) for r in dense if r.entity_type in ENTITIES] == [(HEALTH, 18, 30)]


def test_precision_and_recall_on_the_labelled_corpus():
    truth, result = load_truth(CORPUS), harava_run(CORPUS)
    scores = score(truth, result.findings)
    for entity in sorted(ENTITIES):
        wrong = sorted(k for k in result.keys - truth.expected if k[1] == entity)
        missed = sorted(k for k in truth.expected - result.keys if k[1] == entity)
        assert scores[entity].precision >= 0.95 and scores[entity].recall >= 0.95, (entity, wrong, missed)
    assert [
        h.lookalike.text for h in lookalike_hits(truth, CORPUS, result.findings) if h.lookalike.entity in ENTITIES
    ] == []


# --- registers -------------------------------------------------------------------------------------

STATEMENT = """Tietosuojaseloste – {name}

1. Rekisterin nimi

{name}

2. Rekisterin tietosisältö

{content}

3. Tietojen säilytysaika

Tiedot säilytetään kuusi vuotta.
"""


def test_check_lists_undeclared_special_data_first(tmp_path: Path):
    share = tmp_path / "share"
    share.mkdir()
    (share / "kaynnit.csv").write_text("pvm;nimi;diagnoosi\n03.02.2026;Aino Virtanen;J45.0\n", "utf-8")
    (share / "palkat.csv").write_text("nimi;ay-jäsenmaksu;sähköposti\nAino;46,80;aino@example.fi\n", "utf-8")
    statements = {
        "tyoterveys": "Tallennamme työntekijän nimen, terveystiedot ja ammattiliiton jäsenyyden. Terveystietoja "
        "käsitellään työterveyshuoltolain nojalla.",
        "palkat": "Tallennamme työntekijän nimen ja sähköpostiosoitteen.",
    }
    config = ""
    for name, content in statements.items():
        (tmp_path / f"{name}.txt").write_text(STATEMENT.format(name=f"{name}rekisteri", content=content), "utf-8")
        config += f'[[registers]]\nname = "{name}"\nstatement = "{name}.txt"\nsources = ["share"]\n\n'
    (tmp_path / "harava.toml").write_text(config, "utf-8")
    code, out, err = run("check", "--config", str(tmp_path / "harava.toml"), "--format", "json", "--no-progress")
    assert code == 1, err
    verdicts = {r["name"]: r for r in json.loads(out)["registers"]}
    health = verdicts["tyoterveys"]
    assert {"FI_DIAGNOSIS_CODE", HEALTH, UNION} <= set(health["declared"])
    assert not {u["entity"] for u in health["undeclared"]} & {"FI_DIAGNOSIS_CODE", HEALTH, UNION}
    payroll = [(u["entity"], u["special"]) for u in verdicts["palkat"]["undeclared"]]
    specials = [p for p in payroll if p[1]]
    assert payroll[: len(specials)] == specials  # special data first
    assert {("FI_DIAGNOSIS_CODE", "GDPR art. 9"), (HEALTH, "GDPR art. 9"), (UNION, "GDPR art. 9")} <= set(specials)


def test_a_comma_or_a_line_end_closes_a_cell_only_after_a_delimiter(engine):
    assert keywords(engine, "Hän sai diagnoosin, joka yllätti.\n") == []  # prose: the word alone, no companion
    assert keywords(engine, "Lääkäri kertoi diagnoosin, joka yllätti.\n") == [(HEALTH, "diagnoosi")]
    assert keywords(engine, "Aamulla hän ajatteli raskautta ja sairauslomaa\n") == []  # a line ending in prose
    assert keywords(engine, "diagnoosi,pvm,nimi\n") == [(HEALTH, "diagnoosi")]  # the first column
    assert keywords(engine, "pvm;diagnoosi;sairausloma\n") == [(HEALTH, "diagnoosi"), (HEALTH, "sairausloma")]
