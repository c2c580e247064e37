"""Reading back a workbook kehu wrote (db.transfer.xlsx_stream) at about the CSV module's
speed, streamed: its sheet XML has only the few forms of cell that writer makes, so a page of
rows is turned into separated text by a few passes over the bytes in C (as the csv module
works) rather than cell by cell in Python, which is what makes a general reader 10 to 50
times slower than a CSV (openpyxl, python-calamine).

A workbook is taken as kehu's by its docProps/app.xml; one saved again by Excel or
LibreOffice says so there and is read by the general reader (db.transfer.tabular). A page
holding markup the writer never makes is refused as damaged rather than misread.

Cells come as text, as the same rows' CSV holds them: numbers as written ("50000.00"), dates
and times (cells of a date style) as ISO text, an empty cell as "".
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from typing import Iterator
from xml.sax.saxutils import unescape

from isal import isal_zlib

from db.transfer.xlsx_stream import APPLICATION, DATE_STYLE, DATETIME_STYLE, EPOCH, EPOCH_ORDINAL, MAIN, RELS

CHUNK = 1 << 22
# Separators no XML text can hold (control characters XML 1.0 refuses).
CELL, ROW, DATE, DATETIME = "\x00", "\x01", "\x02", "\x03"
MARKS = (DATE, DATETIME)
# Each form of markup the writer makes, and what it becomes; order matters (longest first).
# A text following a text comes first: the commonest, it shrinks the page most for the others.
FORMS = ((b'</t></is></c><c t="inlineStr"><is><t>', b"\x00"), (b"</t></is></c>", b""),
         (b'<c t="inlineStr"><is><t xml:space="preserve">', b"\x00"), (b'<c t="inlineStr"><is><t>', b"\x00"), (b"<c><v>", b"\x00"), (b'<c s="%d"><v>' % DATE_STYLE, b"\x00\x02"),
         (b'<c s="%d"><v>' % DATETIME_STYLE, b"\x00\x03"), (b"</v></c>", b""), (b"<c/>", b"\x00"), (b'<c t="b"><v>', b"\x00"),
         (b"</row><row>", b"\x01"), (b"<row>", b""), (b"</row>", b"\x01"))
ENTITIES = {"&quot;": '"', "&apos;": "'"}
SHEET = re.compile(r'<sheet name="([^"]*)" sheetId="\d+" r:id="(rId\d+)"/>')
LINK = re.compile(r'<Relationship Id="(rId\d+)" Type="[^"]*/worksheet" Target="([^"]+)"/>')


class Damaged(Exception):
    """A part of the workbook that is not what kehu's writer makes."""


def own_sheets(zf: zipfile.ZipFile) -> dict[str, str] | None:
    """{title: part} of a workbook kehu wrote, in order; None for any other workbook."""
    try:
        app = zf.read("docProps/app.xml").decode()
        if f"<Application>{APPLICATION}</Application>" not in app:
            return None
        book = zf.read("xl/workbook.xml").decode()
        links = dict(LINK.findall(zf.read("xl/_rels/workbook.xml.rels").decode()))
    except (KeyError, UnicodeDecodeError):
        return None
    return {unescape(name, ENTITIES): "xl/" + links[rid] for name, rid in SHEET.findall(book) if rid in links}


def sheet_rows(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[int, tuple]]:
    """(line, cells) of each row of the sheet `part`, a page of rows at a time."""
    line = 0
    days: dict[str, str] = {}
    for page in _pages(zf, part):
        for number, row in enumerate(_cells(page), line + 1):
            line = number
            cells = row.split(CELL)
            for mark in MARKS:
                at = row.find(mark)
                while at >= 0:
                    i = row.count(CELL, 0, at)
                    cells[i] = _date(cells[i], days)
                    at = row.find(mark, at + 1)
            yield number, tuple(cells[1:])


def _pages(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The sheet's rows, whole rows a page, from <sheetData> to its end."""
    with zf.open(part) as f:
        if f._compress_type == zipfile.ZIP_DEFLATED:  # ISA-L's inflate: twice zlib's speed
            f._decompressor = isal_zlib.decompressobj(-15)
        data = f.read(CHUNK)
        start = data.find(b"<sheetData>")
        if start < 0:
            if b"<sheetData/>" in data:
                return
            raise Damaged("no sheetData")
        data = data[start + len(b"<sheetData>"):]
        while True:
            more = f.read(CHUNK)
            end = data.find(b"</sheetData>")
            if end >= 0:
                if data[:end]:
                    yield data[:end]
                return
            if not more:
                raise Damaged("the sheet ends before its rows do")
            cut = data.rfind(b"</row>") + len(b"</row>")
            if cut >= len(b"</row>"):
                yield data[:cut]
                data = data[cut:]
            data += more


def _cells(page: bytes) -> list[str]:
    """The page's rows as text: each cell after a CELL, a date's or a time's value marked."""
    for form, text in FORMS:
        page = page.replace(form, text)
    if b"<" in page:
        at = page.find(b"<")
        raise Damaged(f"unexpected markup {page[at:at + 40]!r}")
    text = page.decode()
    if "&" in text:
        text = unescape(text, ENTITIES)
    return text.split(ROW)[:-1]


def _date(cell: str, days: dict[str, str]) -> str:
    """A date (DATE) or a time (DATETIME) as a CSV holds it, from its Excel serial day;
    `days` keeps the dates met (an archive has a few thousand days)."""
    day, _, fraction = cell[1:].partition(".")
    if (date := days.get(day)) is None:
        date = days[day] = dt.date.fromordinal(EPOCH_ORDINAL + int(day)).isoformat()
    if cell[0] == DATE:
        return date
    # To the second: the serial's last digits are the float's noise.
    minutes, seconds = divmod(round(float("0." + (fraction or "0")) * 86_400), 60)
    hours, minutes = divmod(minutes, 60)
    if hours == 24:  # a time rounded up to midnight: the next day's
        return str(EPOCH + dt.timedelta(days=int(day) + 1))
    return f"{date} {hours:02d}:{minutes:02d}:{seconds:02d}"
