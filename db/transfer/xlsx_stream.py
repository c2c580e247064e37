"""A workbook written as a stream: SpreadsheetML (ECMA-376, the .xlsx format) made here, each
sheet's XML deflated into the zip as its rows come, so memory stays flat however many rows.

Why not a library: openpyxl's write-only mode writes about 1,000 customer rows a second and
xlsxwriter's constant-memory mode about 3,500, both building every cell as a Python object;
rustpy-xlsxwriter is fast but holds the whole sheet. A customer export is rows of four kinds
of cells, so the format needed is small:

- text as inline strings (t="inlineStr"): no shared-string table to hold until the end, and
  a code stays text with its leading zeros; a text starting with "=" is text, not a formula;
- numbers as numbers; dates and times as Excel serial days with a date format (styles 1, 2);
- an empty cell as <c/>: cells carry no reference (optional in the format), so the empty one
  keeps its place;
- the header row frozen and the columns' widths set.

Rows come either as Python values (Sheet.rows) or, on the fast path, as XML made by the
database itself (Sheet.lines, export_sql.xml_line), a page of rows in one bytes value."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

from isal import isal_zlib

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
APPLICATION = "kehu"  # in docProps/app.xml: how db.transfer.xlsx_read knows its own files
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# ISA-L's level 1: smaller than zlib's level 1 at four times its speed (100,000 customers'
# sheet: 230 MB/s against zlib's 53, on a loaded machine).
LEVEL = 1
DATE_STYLE, DATETIME_STYLE = 1, 2
EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug folded in after March 1900)
EPOCH_ORDINAL = EPOCH.toordinal()
# The control characters XML 1.0 cannot hold; such a character is written escaped (\x1b),
# as a visible text, rather than fail the export.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
ILLEGAL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# SQL-made pages (export_sql.xml_line): rows joined by this byte, the markup's "<" and ">"
# written as these two, bytes no UTF-8 text holds.
ROW_END = b"\xfe"
CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13))
# One pass makes the markup and flags a control character as 0xF7 (rows joined by ROW_END
# are each wrapped in <row> by the format itself, so ROW_END is dropped in the same pass).
FLAG = b"\xf7"
MARKUP = bytes.maketrans(b"\xf5\xf6" + CONTROL, b"<>" + FLAG * len(CONTROL))
# A value printf made empty (NULL or ""), and the empty cell it is written as.
EMPTY_CELLS = (b'<c t="inlineStr"><is><t></t></is></c>', b"<c><v></v></c>", b'<c s="1"><v></v></c>',
               b'<c s="2"><v></v></c>')
TEXT_START, TEXT_END = b"<is><t> ", b" </t></is>"

STYLES = (
    HEAD + f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


def text_cell(value: str) -> str:
    if not value:
        return "<c/>"
    if "&" in value or "<" in value or ">" in value:
        value = escape(value)
    if not value.isprintable():  # line breaks (kept) and control characters (escaped)
        value = ILLEGAL.sub(lambda m: ascii(m.group())[1:-1], value)
    if value[0].isspace() or value[-1].isspace():
        return f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def _number(value) -> str:
    return f"<c><v>{value!r}</v></c>"


def _date(value: dt.date) -> str:
    return f'<c s="{DATE_STYLE}"><v>{value.toordinal() - EPOCH_ORDINAL}</v></c>'


def _datetime(value: dt.datetime) -> str:
    delta = value.replace(tzinfo=None) - EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return f'<c s="{DATETIME_STYLE}"><v>{serial!r}</v></c>'


CELLS = {str: text_cell, int: _number, float: _number, dt.date: _date, dt.datetime: _datetime,
         bool: lambda v: f'<c t="b"><v>{int(v)}</v></c>', Decimal: lambda v: f"<c><v>{v}</v></c>"}


def _preserve_spaces(page: bytes) -> bytes:
    """The page with the texts that start or end with a space marked xml:space="preserve"
    (else a reader may drop the space): rare, found by byte."""
    at = [page.find(TEXT_START), page.find(TEXT_END)]
    if at == [-1, -1]:
        return page
    cells = page.split(b"<is><t>")
    for i in range(1, len(cells)):
        cell = cells[i]
        if cell[:1] == b" " or cell[cell.find(b"</t>") - 1:cell.find(b"</t>")] == b" ":
            cells[i] = b' xml:space="preserve">' + cell
        else:
            cells[i] = b">" + cell
    return b"<is><t".join(cells)


class Sheet:
    """One worksheet, streamed into the workbook's zip: start, rows or lines, finish."""

    def __init__(self, book: "Book", title: str, number: int):
        self.book, self.title, self.number = book, title, number
        self.out = None
        self.finished = False

    @property
    def part(self) -> str:
        return f"xl/worksheets/sheet{self.number}.xml"

    def start(self, widths: list[float]) -> None:
        """Open the sheet's part: the frozen header row and the columns' widths come first."""
        self.out = self.book.open_part(self.part)
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(widths, 1))
        self._write(HEAD + f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetViews>'
                    '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                    'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
                    '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                    + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")

    def rows(self, rows: Iterable) -> None:
        """Rows of Python values (str, numbers, dates, None)."""
        make = CELLS.get
        out = []
        for row in rows:
            cells = []
            for value in row:
                if value is None:
                    cells.append("<c/>")
                elif (to := make(type(value))) is not None:
                    cells.append(to(value))
                else:
                    cells.append(text_cell(str(value)))
            out.append(f'<row>{"".join(cells)}</row>')
        self._write("".join(out))

    def lines(self, page: bytes) -> None:
        """A page of rows made by the database (export_sql.xml_line), joined by ROW_END: its
        values' text escaped and its markup made, each a pass over the whole page in C."""
        made = page.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
        made = made.translate(MARKUP, ROW_END)
        if FLAG in made:  # a control character: escaped first, the page made again
            page = ILLEGAL_BYTES.sub(lambda m: b"\\x%02x" % m.group()[0], page)
            made = page.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
            made = made.translate(MARKUP, ROW_END)
        for empty in EMPTY_CELLS:
            made = made.replace(empty, b"<c/>")
        self.out.write(_preserve_spaces(made))

    def _write(self, text: str) -> None:
        self.out.write(text.encode())

    def finish(self) -> None:
        if self.out is None:
            self.start([])
        self._write("</sheetData></worksheet>")
        self.out.close()
        self.out = None
        self.finished = True


class Book:
    """A workbook written to `path` sheet after sheet (one part of the zip open at a time);
    the workbook's own parts, which list the sheets, are written by close."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL)
        self.sheets: list[Sheet] = []

    def sheet(self, title: str) -> Sheet:
        if self.sheets:
            self._finish(self.sheets[-1])
        sheet = Sheet(self, title, len(self.sheets) + 1)
        self.sheets.append(sheet)
        return sheet

    def open_part(self, name: str):
        info = zipfile.ZipInfo(name, dt.datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        part = self.zip.open(info, "w")
        # ISA-L's deflate, four times zlib's speed at its size (zlib at level 1 took as long
        # as the rest of the export): the same raw deflate stream zipfile's own would be.
        part._compressor = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, -15)
        return part

    def _finish(self, sheet: Sheet) -> None:
        if not sheet.finished:
            sheet.finish()

    def close(self) -> None:
        if self.sheets:
            self._finish(self.sheets[-1])
        sheets = self.sheets
        overrides = "".join(
            f'<Override PartName="/{s.part}" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>' for s in sheets)
        self.zip.writestr("[Content_Types].xml", HEAD + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f'{overrides}</Types>'))
        self.zip.writestr("_rels/.rels", HEAD + (
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
            'Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            '</Relationships>'))
        self.zip.writestr("docProps/app.xml", HEAD + (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Application>{APPLICATION}</Application></Properties>"))
        entries = "".join(f'<sheet name="{escape(s.title, {chr(34): "&quot;"})}" sheetId="{s.number}" '
                          f'r:id="rId{s.number}"/>' for s in sheets)
        self.zip.writestr("xl/workbook.xml", HEAD + (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{entries}</sheets></workbook>"))
        links = "".join(f'<Relationship Id="rId{s.number}" Type="{RELS}/worksheet" '
                        f'Target="worksheets/sheet{s.number}.xml"/>' for s in sheets)
        self.zip.writestr("xl/_rels/workbook.xml.rels", HEAD + (
            f'<Relationships xmlns="{PACKAGE_RELS}">{links}<Relationship Id="rId{len(sheets) + 1}" '
            f'Type="{RELS}/styles" Target="styles.xml"/></Relationships>'))
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.close()

    def abandon(self) -> None:
        """Close the file without finishing it (the caller removes it)."""
        for sheet in self.sheets:
            if sheet.out is not None:
                try:
                    sheet.out.close()
                except (OSError, ValueError):
                    pass
        try:
            self.zip.close()
        except (OSError, ValueError):
            pass
