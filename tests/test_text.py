"""Reading text files: encodings, line and column numbers, long lines, bounded blocks."""

from __future__ import annotations

import io

import pytest

from scanner.extract.text import iter_line_batches


def lines_of(data: bytes, block_size: int = 1 << 20) -> list[tuple[int, int, str]]:
    out = []
    for batch in iter_line_batches(io.BytesIO(data), block_size):
        out += zip(batch.line_no.tolist(), batch.col0.tolist(), batch.lines.to_pylist(), strict=True)
    return out


TEXT = "Nimi: Väinö Hämäläinen\nHetu: 131052-308T\r\nÅke Öberg, smörgås\n"


@pytest.mark.parametrize(
    "codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1"]
)
def test_encodings_decode_to_the_same_text(codec):
    data = TEXT.encode(codec)
    assert "".join(text for _, _, text in lines_of(data)) == TEXT


def test_cp1252_specials_and_stray_bytes_in_utf8():
    # "€" and "–" exist only in cp1252, not latin-1; a UTF-8 file with one stray cp1252 byte keeps its UTF-8.
    assert lines_of("Hinta 5 € – alennus\n".encode("cp1252"))[0][2] == "Hinta 5 € – alennus\n"
    mixed = "Päivä\n".encode() + "Hämeenlinna\n".encode("cp1252")
    assert [t for _, _, t in lines_of(mixed)] == ["Päivä\n", "Hämeenlinna\n"]


def test_line_numbers_continue_across_blocks():
    data = "".join(f"rivi {i}\n" for i in range(1, 2001)).encode()
    got = lines_of(data, block_size=64)
    assert [n for n, _, _ in got] == list(range(1, 2001))
    assert got[1234][2] == "rivi 1235\n"


def test_long_line_is_cut_with_columns_carried_on():
    words = " ".join(f"sana{i:05d}" for i in range(5000)) + "\nloppu\n"
    got = lines_of(words.encode(), block_size=1000)
    first_line = [(col, text) for n, col, text in got if n == 1]
    assert len(first_line) > 10  # the line came in pieces ...
    assert "".join(text for _, text in first_line) == words.split("\n")[0] + "\n"  # ... that lose nothing
    for col, text in first_line:  # ... and each knows its column
        assert words[col : col + len(text)] == text
    assert got[-1][:1] == (2,)


def test_block_never_splits_a_multibyte_character():
    text = "ä" * 5000
    got = lines_of(text.encode(), block_size=101)
    assert "".join(t for _, _, t in got) == text
