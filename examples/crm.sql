-- The fictional CRM database of Esimerkki Palvelut Oy (examples/crm.db is built from this file:
-- python -c "import sqlite3; sqlite3.connect('examples/crm.db').executescript(open('examples/crm.sql').read())").
-- Every person, number and address here is made up.
CREATE TABLE asiakkaat (
    id INTEGER PRIMARY KEY,
    nimi TEXT NOT NULL,
    hetu TEXT,
    puhelin TEXT,
    sahkoposti TEXT,
    asiakas_alkaen TEXT,
    saldo INTEGER
);
INSERT INTO asiakkaat VALUES (1, 'Aino Mäkinen', '131171Y906T', '040 370 9137', 'aino.makinen@example.fi', '2024-03-01', 120);
INSERT INTO asiakkaat VALUES (2, 'Väinö Järvinen', '040639V974W', '+358 50 223 4302', 'vaino.j@example.fi', '2025-01-15', 0);
INSERT INTO asiakkaat VALUES (3, 'Siiri Koskinen', NULL, '045 242 01 98', NULL, '2025-06-30', 35);

CREATE TABLE tukipyynnot (
    id INTEGER PRIMARY KEY,
    asiakas_id INTEGER REFERENCES asiakkaat(id),
    viesti TEXT,
    lahetetty_osoitteesta TEXT,
    lisatiedot TEXT
);
INSERT INTO tukipyynnot VALUES (1, 1, 'Laskussa on väärä osoite, soittakaa numeroon 040 370 9137.', '10.30.105.128',
    '{"kanava": "verkkolomake", "selain": "Firefox"}');
INSERT INTO tukipyynnot VALUES (2, 2, 'Salasana ei toimi.', '2001:db8:7cfa::14f5',
    '{"kanava": "sähköposti", "vastaus_osoitteeseen": "vaino.j@example.fi"}');
