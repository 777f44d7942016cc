"""Reading privacy statements: layouts, formats, languages, inflection, negation, and what never counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.registers.documents import StatementError
from scanner.registers.statement import denies, parse_statement
from scanner.registers.taxonomy import categories_in

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "statements"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def declared(path: Path) -> dict[str, int]:
    """Declared category → evidence line."""
    return {e.category.key: e.line for e in parse_statement(path).declared}


NUMBERED = """Tietosuojaseloste

1. Rekisterinpitäjä

Testiyhtiö Oy (Y-tunnus 2345678-0), puh. 09 123 4567, info@example.fi

2. Rekisterin nimi

Testiyhtiön jäsenrekisteri

3. Rekisterin tietosisältö

Rekisteriin tallennetaan:

1. Jäsenen nimi
2. Jäsenen puhelimen numero ja työsähköpostiosoite

Lisäksi rekisterissä voi olla jäsenen henkilötunnuksen loppuosa.

4. Evästeet

Sivusto tallentaa kävijän IP-osoitteen.

5. Tarkastusoikeus

Pyynnön voi lähettää sähköpostitse.
"""


def test_numbered_headings_and_what_does_not_count(tmp_path):
    statement = parse_statement(write(tmp_path, "jasen.txt", NUMBERED))
    assert statement.register == "Testiyhtiön jäsenrekisteri"
    assert {e.category.key: e.line for e in statement.declared} == {
        "nimi": 15,
        "puhelinnumero": 16,
        "sahkopostiosoite": 16,
        "henkilotunnus": 18,
    }
    # the controller's business ID, the cookie section's IP address: mentioned, never declared
    assert {e.category.key: e.section for e in statement.mentioned} == {
        "y_tunnus": "controller",
        "ip_osoite": "cookies",
    }
    assert statement.declared_entities == {"PHONE_NUMBER", "EMAIL_ADDRESS", "FI_PERSONAL_IDENTITY_CODE", "PERSON"}


UNNUMBERED = """Rekisteri- ja tietosuojaseloste

Rekisterin nimi

Kerhon asiakasrekisteri

Rekisterin tietosisältö

Kerhon asiakasrekisteri sisältää mm. seuraavat tiedot:

- Asiakkaan laskutus-, osoite- ja muut yhteystiedot
- Asiakkaan matkapuhelinnumero
 - Asiakkaan IP-osoitetieto

Säännönmukaiset tietolähteet

Tiedot saadaan asiakkaalta puhelimitse ja sähköpostitse, ja YTJ:stä Y-tunnus.
"""


def test_unnumbered_headings_and_a_list_intro_line(tmp_path):
    statement = parse_statement(write(tmp_path, "kerho.txt", UNNUMBERED))
    assert statement.register == "Kerhon asiakasrekisteri"
    assert declared(tmp_path / "kerho.txt") == {
        "laskutustiedot": 11,
        "osoite": 11,
        "yhteystiedot": 11,
        "puhelinnumero": 12,
        "ip_osoite": 13,
    }
    assert [e.category.key for e in statement.mentioned] == ["y_tunnus"]


FIELDS = (
    "Rekisteriseloste\n\n"
    "Rekisterinpitäjä\tKauppa Oy Kuja 1 040 000 0000 myynti@example.fi\n"
    "Rekisterin nimi\tVerkkokaupan asiakasrekisteri\n"
    "Kyseessä olevat henkilötietoryhmät\tNimi, yhteystiedot\n"
    "Rekisterin tietosisältö\t<p>Rekisteri sisältää:</p> <ul>- Henkilön etu- ja sukunimi- Sähköpostiosoite"
    "- Puhelinnumero- IP numero</ul>\n"
    "\n"
    "\t- Tiedot aikaisemmista tilauksista ja hetu\n"
    "Evästeet\t<p>Evästeillä kerätään vierailijan IP-osoite.</p>\n"
)


def test_field_tab_value_rows_with_inline_html(tmp_path):
    statement = parse_statement(write(tmp_path, "kauppa.txt", FIELDS))
    assert statement.register == "Verkkokaupan asiakasrekisteri"
    assert declared(tmp_path / "kauppa.txt") == {
        "nimi": 5,
        "yhteystiedot": 5,
        "sahkopostiosoite": 6,
        "puhelinnumero": 6,
        "ip_osoite": 6,
        "henkilotunnus": 8,
    }
    evidence = {e.category.key: e.text for e in statement.declared}
    assert evidence["ip_osoite"] == "IP numero"  # inline tags gone, list items apart


def test_markdown_swedish_with_negation():
    statement = parse_statement(EXAMPLES / "personalregister.md")
    assert statement.register == "Personalregister"
    assert statement.declared_entities == {"FI_PERSONAL_IDENTITY_CODE", "IBAN_CODE", "PHONE_NUMBER", "PERSON", "ADDRESS"}
    assert [(e.category.key, e.line) for e in statement.negated] == [("sahkopostiosoite", 26)]
    assert [(e.category.key, e.section) for e in statement.mentioned] == [("sahkopostiosoite", "sources")]


def test_html_english_with_negation_and_cookies():
    statement = parse_statement(EXAMPLES / "markkinointirekisteri.html")
    assert statement.register == "Newsletter register"
    assert {e.category.key for e in statement.declared} == {"nimi", "sahkopostiosoite"}
    assert [e.category.key for e in statement.negated] == ["ip_osoite"]
    assert [(e.category.key, e.section) for e in statement.mentioned] == [("ip_osoite", "cookies")]


def test_finnish_example_statement_exactly():
    statement = parse_statement(EXAMPLES / "asiakasrekisteri.txt")
    assert [(e.category.key, e.line) for e in statement.declared] == [
        ("nimi", 29),
        ("osoite", 29),
        ("yhteystiedot", 30),
        ("puhelinnumero", 30),
        ("sahkopostiosoite", 30),
        ("henkilotunnus", 31),
        ("y_tunnus", 32),
        ("laskutustiedot", 33),
    ]
    assert [e.category.key for e in statement.negated] == ["ip_osoite"]
    umbrella = statement.as_dict()["declared"][2]
    assert umbrella["umbrella"] is True and umbrella["may_cover"] == ["PHONE_NUMBER", "EMAIL_ADDRESS"]


def test_docx_with_headings_and_a_table(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Tietosuojaseloste", level=1)
    document.add_heading("Rekisterinpitäjä", level=2)
    document.add_paragraph("Yhdistys ry, sähköposti hallitus@example.fi")
    document.add_heading("Rekisterin tietosisältö", level=2)
    document.add_paragraph("Jäsenistä tallennetaan nimi, kotiosoite ja puhelinnumero.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Henkilötietoryhmät", "henkilötunnus, sähköpostiosoite"
    table.cell(1, 0).text, table.cell(1, 1).text = "Säilytysaika", "Viisi vuotta"
    path = tmp_path / "seloste.docx"
    document.save(str(path))
    statement = parse_statement(path)
    assert statement.declared_entities == {"PHONE_NUMBER", "FI_PERSONAL_IDENTITY_CODE", "EMAIL_ADDRESS", "PERSON", "ADDRESS"}
    assert [(e.category.key, e.section) for e in statement.mentioned] == []  # the controller's e-mail is declared too


def _pdf(lines: list[str], image: bool = False) -> bytes:
    """A one-page PDF with the given lines of text (Helvetica, WinAnsi); with ``image``, the page also draws
    a picture (a 1×1 grey image), as a scanned page does."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = ("BT /F1 11 Tf 50 800 Td 14 TL\n" + "".join(f"({escape(t)}) '\n" for t in lines) + "ET").encode("cp1252")
    pictures = b""
    if image:
        content += b"\nq 500 0 0 700 50 50 cm /Im1 Do Q"
        pictures = b" /XObject << /Im1 6 0 R >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >>"
        + pictures
        + b" >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if image:
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8"
            b" /Length 1 >>\nstream\n\x80\nendstream"
        )
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_pdf_statement(tmp_path):
    path = tmp_path / "seloste.pdf"
    path.write_bytes(
        _pdf(
            [
                "Tietosuojaseloste",
                "",
                "Rekisterin tietosisältö",
                "",
                "Tallennamme asiakkaan nimen, sähköpostiosoitteen ja IP-osoitteen.",
                "",
                "Tietojen säilytysaika",
                "",
                "Kaksi vuotta.",
            ]
        )
    )
    assert {e.category.key for e in parse_statement(path).declared} == {"nimi", "sahkopostiosoite", "ip_osoite"}


def test_unreadable_statements_say_why(tmp_path):
    with pytest.raises(StatementError, match="no such file"):
        parse_statement(tmp_path / "missing.txt")
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    with pytest.raises(StatementError, match="cannot read"):
        parse_statement(tmp_path / "broken.docx")
    (tmp_path / "image.pdf").write_bytes(_pdf([]))
    with pytest.raises(StatementError, match="no text layer"):
        parse_statement(tmp_path / "image.pdf")
    with pytest.raises(StatementError, match="unsupported"):
        parse_statement(write(tmp_path, "notes.rtf", "x"))


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("henkilötunnus, henkilötunnuksen ja henkilötunnukset", ["henkilotunnus"]),
        ("hetu", ["henkilotunnus"]),
        ("puhelinnumero / puhelinnumeron / puhelimen", ["puhelinnumero"]),
        ("matkapuhelinnumero", ["puhelinnumero"]),
        ("nimi, puh., s-posti", ["nimi", "puhelinnumero", "sahkopostiosoite"]),
        ("IP-osoitetieto", ["ip_osoite"]),
        ("työsähköpostiosoite", ["sahkopostiosoite"]),
        ("FO-nummer och e-postadress", ["y_tunnus", "sahkopostiosoite"]),
        ("business ID, phone number and IP addresses", ["y_tunnus", "puhelinnumero", "ip_osoite"]),
        ("puhelimitse tai sähköpostitse", []),  # adverbs: by phone, by e-mail
        ("www-osoite ja puhelut", []),
        ("käyttäjätunnus", []),
    ],
)
def test_taxonomy_terms(text, keys):
    assert [c.key for c, _, _ in categories_in(text)] == keys


@pytest.mark.parametrize(
    "sentence",
    [
        "Emme tallenna IP-osoitteita.",
        "IP-osoitteita ei kerätä.",
        "Tietoja IP-osoitteista ei käsitellä.",
        "Vi samlar inte in IP-adresser.",
        "We do not collect IP addresses.",
        "We never store IP addresses.",
    ],
)
def test_negation(tmp_path, sentence):
    statement = parse_statement(write(tmp_path, "s.txt", f"Rekisterin tietosisältö\n\nNimi.\n{sentence}\n"))
    assert [e.category.key for e in statement.negated] == ["ip_osoite"]
    assert "ip_osoite" not in {e.category.key for e in statement.declared}


def test_not_disclosing_is_not_a_negation(tmp_path):
    text = "Rekisterin tietosisältö\n\nHenkilötunnusta ei luovuteta kolmansille osapuolille.\n"
    assert declared(write(tmp_path, "s.txt", text)) == {"henkilotunnus": 3}


def test_statement_without_content_section(tmp_path):
    statement = parse_statement(
        write(tmp_path, "s.txt", "Tietosuojaseloste\n\nKäsittelemme nimiä ja puhelinnumeroita.\n")
    )
    assert statement.declared == [] and not statement.has_content_section


@pytest.mark.parametrize(
    "sentence",
    [
        "Emme kerää henkilötunnuksia.",
        "Rekisteriin ei tallenneta IP-osoitteita.",
        "Rekisteri ei sisällä asiakkaiden henkilötunnuksia.",
        "Asiakkaiden henkilötunnuksia ei missään vaiheessa tallenneta.",
        "IP-osoitteita ei ole tallennettu rekisteriin.",
        "Henkilötunnuksia ei kerätä eikä luovuteta.",
        "Vi behandlar inte personbeteckningar.",
        "Registret innehåller inga personbeteckningar.",
        "Personbeteckningar behandlas inte.",
        "Vi kommer inte att lagra IP-adresser.",
        "We do not store IP addresses.",
        "We don’t collect IP addresses.",
        "IP addresses are never stored.",
        "No personal identity codes are collected.",
        "The register does not include IP addresses.",
        "We do not, under any circumstances, collect IP addresses.",
    ],
)
def test_denials_in_three_languages(sentence):
    assert denies(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # passing data on, or using it, says nothing against holding it
        "Emme luovuta henkilötunnuksia kolmansille osapuolille.",
        "Emme luovuta emmekä myy tallentamiamme IP-osoitteita.",
        "Emme siirrä henkilötunnuksia EU:n ulkopuolelle.",
        "Emme käytä IP-osoitteita markkinointiin.",
        "Vi lämnar inte ut personbeteckningar.",
        "Vi säljer inte e-postadresser.",
        "We do not sell or share the e-mail addresses we collect.",
        "We do not transfer IP addresses outside the EU.",
        # a negation that restricts how, how long, or on what condition
        "Emme säilytä IP-osoitteita pidempään kuin kuusi kuukautta.",
        "IP-osoitteita ei säilytetä 30 päivää pidempään.",
        "Henkilötunnusta ei kerätä ilman asiakkaan suostumusta.",
        "Henkilötunnuksia ei tallenneta salaamattomina.",
        "Emme koskaan kysy henkilötunnustasi sähköpostitse.",
        "Vi behandlar inte personbeteckningar utan ditt samtycke.",
        "Vi sparar inte IP-adresser längre än nödvändigt.",
        "We do not collect IP addresses except in server logs.",
        "We never ask for your identity code by e-mail.",
        # not a negation of holding at all
        "Henkilötunnus ei ole pakollinen tieto.",
        "Personal identity codes are not required.",
        "We collect not only names but also IP addresses.",
        "Vi sparar en e-postadress för varje kund.",  # "en" is an article in Swedish
        "Tallennamme IP-osoitteen kirjautumisen yhteydessä.",
    ],
)
def test_what_is_not_a_denial(sentence):
    assert not denies(sentence)


def test_a_sentence_that_turns_declares_one_side_and_denies_the_other(tmp_path):
    text = (
        "Rekisterin tietosisältö\n\n"
        "Tallennamme jäsenen nimen ja sähköpostiosoitteen, mutta emme IP-osoitetta.\n"
        "Emme tallenna henkilötunnusta vaan ainoastaan postiosoitteen.\n"
    )
    statement = parse_statement(write(tmp_path, "s.txt", text))
    assert {e.category.key: e.line for e in statement.declared} == {"nimi": 3, "sahkopostiosoite": 3, "osoite": 4}
    assert {e.category.key: e.line for e in statement.negated} == {"ip_osoite": 3, "henkilotunnus": 4}


def test_a_denial_wrapped_onto_the_next_line_still_denies(tmp_path):
    text = "Rekisterin tietosisältö\n\nNimi.\nEmme tallenna asiakasrekisteriin\nasiakkaiden henkilötunnuksia.\n"
    statement = parse_statement(write(tmp_path, "s.txt", text))
    assert [(e.category.key, e.line, e.text) for e in statement.negated] == [
        ("henkilotunnus", 5, "Emme tallenna asiakasrekisteriin asiakkaiden henkilötunnuksia.")
    ]
    assert "henkilotunnus" not in {e.category.key for e in statement.declared}


def test_denials_outside_the_data_content_section(tmp_path):
    """In the purpose section a denial counts; in the cookie and sources sections it is about the website's
    visitors or where data comes from, and stays a mention."""
    text = (
        "1. Käsittelyn tarkoitus\n\nHoidamme jäsenyyksiä. Emme käsittele henkilötunnuksia.\n\n"
        "2. Rekisterin tietosisältö\n\nNimi ja sähköpostiosoite.\n\n"
        "3. Tietolähteet\n\nEmme kerää puhelinnumeroita muista lähteistä.\n\n"
        "4. Evästeet\n\nEvästeillä ei kerätä IP-osoitteita.\n"
    )
    statement = parse_statement(write(tmp_path, "s.txt", text))
    assert [(e.category.key, e.section) for e in statement.negated] == [("henkilotunnus", "purpose")]
    assert {e.category.key: e.section for e in statement.mentioned} == {
        "puhelinnumero": "sources",
        "ip_osoite": "cookies",
    }


@pytest.mark.parametrize("name", ["asiakasrekisteri.txt", "markkinointirekisteri.html", "personalregister.md"])
def test_the_statement_table_lines_up_whatever_a_category_covers(name):
    """A long cell (an umbrella's "may cover …") widens its column instead of pushing its row out."""
    import re

    from scanner.reports import statement_table

    rows = [row for row in statement_table(parse_statement(EXAMPLES / name)).splitlines() if row.startswith("    ")]
    assert rows
    assert len({re.search(r"  line \d", row).start() for row in rows}) == 1
