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
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import unescape

from isal import isal_zlib

from db.transfer.xlsx_stream import APPLICATION, DATE_STYLE, DATETIME_STYLE, EPOCH, EPOCH_ORDINAL, MAIN, RELS

CHUNK = 1 << 22
# Separators no XML text can hold (control characters XML 1.0 refuses).
CELL, ROW, DATE, DATETIME = "\x00", "\x01", "\x02", "\x03"
DATES = re.compile(rb"[\x02\x03][0-9.]+")
# A sheet larger than this (compressed) is read with a second process (_worker).
PARALLEL_SIZE = 2 << 20
# Each form of markup the writer makes, and what it becomes; order matters (longest first).
# A text following a text comes first: the commonest, it shrinks the page most for the others.
FORMS = ((b'</t></is></c><c t="inlineStr"><is><t>', b"\x00"), (b"</t></is></c>", b""),
         (b'<c t="inlineStr"><is><t xml:space="preserve">', b"\x00"), (b'<c t="inlineStr"><is><t>', b"\x00"), (b"<c><v>", b"\x00"), (b'<c s="%d"><v>' % DATE_STYLE, b"\x00\x02"),
         (b'<c s="%d"><v>' % DATETIME_STYLE, b"\x00\x03"), (b"</v></c>", b""), (b"<c/>", b"\x00"), (b'<c t="b"><v>', b"\x00"),
         (b"</row><row>", b"\x01"), (b"<row>", b""), (b"</row>", b"\x01"))
ENTITIES = {"&quot;": '"', "&apos;": "'"}  # besides &amp; &lt; &gt; (sheet names)
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


def sheet_rows(path, part: str) -> Iterator[tuple[int, tuple]]:
    """(line, cells) of each row of the sheet `part` of the workbook at `path`, a page of
    rows at a time; a large sheet's pages are made by a process of its own (_worker) while
    this one hands out the rows before them."""
    with zipfile.ZipFile(path) as zf:
        big = zf.getinfo(part).compress_size > PARALLEL_SIZE
        texts = _from_worker(path, part) if big else _texts(zf, part)
        line = 0
        for text in texts:
            for line, row in enumerate(text.decode().split(ROW)[:-1], line + 1):
                yield line, tuple(row.split(CELL))


def _texts(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The sheet's rows as separated text, a page at a time: each row ended by ROW, its
    cells separated by CELL, dates and times as ISO text (as a CSV holds them)."""
    days: dict[str, str] = {}

    def date(match) -> bytes:
        return _date(match.group().decode(), days).encode()

    for page in _pages(zf, part):
        page = _cells(page)
        if b"\x02" in page or b"\x03" in page:
            page = DATES.sub(date, page)
        # A cell's CELL is its start: the first of a row's needs none.
        page = page.replace(b"\x01\x00", b"\x01")
        yield page[1:] if page[:1] == b"\x00" else page


def _worker(path: str, part: str, out) -> None:
    """Write the pages of a large sheet (_texts) to `out` as frames: a kind byte (P: a page,
    E: the error that stopped them, D: done) and the length of what follows."""
    try:
        with zipfile.ZipFile(path) as zf:
            for text in _texts(zf, part):
                out.write(b"P" + struct.pack("<Q", len(text)) + text)
        out.write(b"D" + struct.pack("<Q", 0))
    except Exception as exc:  # noqa: BLE001 (handed to the reader, which raises it)
        why = f"{type(exc).__name__}: {exc}".encode()
        out.write(b"E" + struct.pack("<Q", len(why)) + why)
    out.flush()


def _from_worker(path, part: str) -> Iterator[bytes]:
    """The pages of _texts made by a process of its own (python -m db.transfer.xlsx_read),
    read from its output as it makes them."""
    root = str(Path(__file__).resolve().parents[2])  # where the db package is
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "db.transfer.xlsx_read", str(path), part],
                               stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    try:
        while True:
            head = process.stdout.read(9)
            if len(head) < 9:
                raise Damaged("the reader stopped")
            size = struct.unpack("<Q", head[1:])[0]
            body = process.stdout.read(size)
            if head[:1] == b"D":
                return
            if head[:1] == b"E" or len(body) < size:
                raise Damaged(body.decode(errors="replace") or "the reader stopped")
            yield body
    finally:
        process.stdout.close()
        if process.poll() is None:  # the reader stopped early (an error, or the header read)
            process.kill()
        process.wait()


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


def _cells(page: bytes) -> bytes:
    """The page's rows as text: each cell after a CELL, a date's or a time's value marked,
    each row ended by ROW."""
    for form, text in FORMS:
        page = page.replace(form, text)
    if b"<" in page:
        at = page.find(b"<")
        raise Damaged(f"unexpected markup {page[at:at + 40]!r}")
    if b"&" in page:  # the escapes xlsx_stream writes, "&" last
        page = page.replace(b"&lt;", b"<").replace(b"&gt;", b">").replace(b"&amp;", b"&")
    return page


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


if __name__ == "__main__":  # the second process of a large sheet's read (_from_worker)
    _worker(sys.argv[1], sys.argv[2], sys.stdout.buffer)
