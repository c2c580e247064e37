"""Reading a table from a `.csv` or `.xlsx` file, one row at a time.

The format is told by the file's first bytes, not its name: an `.xlsx` is a zip archive, a
CSV is text. CSV encodings are detected over the whole file before the first row is read
(UTF-8, with or without BOM, strictly; else GB18030, a superset of GBK, which is what
Chinese Excel writes), so a bad byte on row 90,000 cannot surface after rows were used.
Rows are streamed: an `.xlsx` kehu wrote through db.transfer.xlsx_read (at about a CSV's
speed), any other through openpyxl's read-only mode, a CSV through the csv module, so a
100,000-row file is never held in memory as cells.

Headers are matched to fields through `db.values.columns` (Chinese, English and U8 titles); the
table reports the headers it does not know and the required fields it lacks, and yields
each row as a tuple of raw cell values in `fields` order (str from CSV; str, int, float,
datetime or None from Excel). Converting values is the importer's job.

A workbook cell holding a formula Excel never computed (a file written by a program, not saved
in Excel) has no value to read: it is read as empty, and the table lists it in `unsaved`
(line, header) so the import can say which cells those were.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import operator
import zipfile
import zlib
from xml.etree.ElementTree import ParseError
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from db.core.errors import RuleError
from db.transfer import xlsx_read
from db.values.columns import Column, normalize

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
CHUNK = 1 << 20
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class Table:
    """A table's header, matched to fields, and the way to stream its rows."""

    path: Path
    format: str  # "csv" or "xlsx"
    encoding: str  # the CSV encoding detected ("" for xlsx)
    sheet: str  # the xlsx sheet read ("" for csv)
    headers: list[str]
    fields: list[str]  # the field of each matched column, in file order
    positions: list[int]  # the column index of each of `fields`
    extra: list[str] = field(default_factory=list)  # headers matched to no field
    missing: list[str] = field(default_factory=list)  # required fields with no column
    header_line: int = 1
    _open_rows: object = None
    # (line, header) of each cell of a matched column that holds a formula with no saved
    # value, filled as rows() reads them (each row once, in file order).
    unsaved: list[tuple[int, str]] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(line number, the matched cells in `fields` order), skipping blank rows."""
        positions = self.positions
        width = max(positions, default=-1) + 1
        # A CSV row longer than the header with something in its extra fields: its cells
        # have moved (an unquoted comma), and read by position they would land in the
        # wrong columns. (A workbook's row has no such shape: its cells sit in columns.)
        titles = len(self.headers) if self.format == "csv" else None
        # One C-level call per row for picking the cells and one for the blank test: a
        # 100,000-row file is read in about the time the csv module takes.
        pick = operator.itemgetter(*positions)
        single = len(positions) == 1  # itemgetter of one index gives the cell, not a tuple
        workbook = self.format == "xlsx"
        self.unsaved.clear()
        for line, cells in self._open_rows():
            if titles is not None and len(cells) > titles and "".join(cells[titles:]).strip():
                raise RuleError("tabular.too_many_fields", path=str(self.path), line=line,
                                fields=len(cells), titles=titles)
            if len(cells) < width:
                cells = tuple(cells) + (None,) * (width - len(cells))
            values = (pick(cells),) if single else pick(cells)
            first = values[0]
            # A row whose first cell holds text is not blank: nearly every row, tested
            # without joining all its cells.
            if (type(first) is str and first and not first.isspace()) or not _blank(values):
                if workbook and UNSAVED in values:
                    values = self._unsaved(line, values)
                yield line, values

    def _unsaved(self, line: int, values: tuple) -> tuple:
        """The row with its unsaved formulas read as empty, each noted in `unsaved`."""
        for position, value in zip(self.positions, values):
            if value is UNSAVED:
                self.unsaved.append((line, self.headers[position]))
        return tuple(None if v is UNSAVED else v for v in values)


class _Unsaved:
    """The value of a workbook cell whose formula has no saved result."""

    def __repr__(self) -> str:
        return "UNSAVED"


UNSAVED = _Unsaved()


def _blank(cells) -> bool:
    """Nothing in the cells but blanks."""
    try:
        return not "".join(cells).strip()
    except TypeError:  # spreadsheet cells: numbers, dates, None
        return all(v is None or v is UNSAVED or (isinstance(v, str) and not v.strip()) for v in cells)


def _sniff(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(4096)
    except IsADirectoryError:
        raise RuleError("tabular.not_file", path=str(path)) from None
    except FileNotFoundError:
        raise RuleError("tabular.missing", path=str(path)) from None
    except OSError as exc:
        raise RuleError("tabular.cannot_read", path=str(path), reason=exc.strerror or str(exc)) from None


def _utf16_without_bom(head: bytes) -> bool:
    """ASCII text written as UTF-16: every other byte of its start is NUL."""
    sample = head[:200]
    return len(sample) >= 4 and (sample[1::2].count(0) > 0.9 * len(sample[1::2])
                                 or sample[0::2].count(0) > 0.9 * len(sample[0::2]))


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the file's text decodes strictly as UTF-8, else gb18030; a NUL byte is
    refused naming where it is, other bytes GB18030 refuses as not a spreadsheet.

    Reading stops at the first megabyte holding non-ASCII bytes that decode as UTF-8: GBK
    text passing for UTF-8 over a megabyte is not a real risk, and a UTF-8 file does not
    pay for being decoded twice. A bad byte further on is reported by the rows' reader."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            with open(path, "rb") as f:
                read = lines = 0
                while chunk := f.read(CHUNK):
                    if (at := chunk.find(b"\x00")) >= 0:
                        raise RuleError("tabular.nul_byte", path=str(path), offset=read + at + 1,
                                        line=lines + chunk.count(b"\n", 0, at) + 1)
                    read += len(chunk)
                    lines += chunk.count(b"\n")
                    decoder.decode(chunk)
                    if encoding == "utf-8-sig" and not chunk.isascii():
                        return encoding
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise RuleError("tabular.not_spreadsheet", path=str(path))


def _opened(path: Path, sheet_names: tuple[str, ...]):
    """(opener of the rows, format, encoding, sheet) of the file at `path`, told by its bytes."""
    head = _sniff(path)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise RuleError("tabular.empty", path=str(path))
    if head.startswith(ZIP_MAGIC):
        return _xlsx_rows(path, sheet_names)
    if head.startswith(OLE_MAGIC):
        raise RuleError("tabular.xls", path=str(path))
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        # Named a workbook but holding text: a CSV saved under the wrong name, or junk.
        raise RuleError("tabular.not_spreadsheet", path=str(path))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        # Excel's "Unicode text": readable, but not what kehu reads; saying so beats "binary".
        raise RuleError("tabular.utf16", path=str(path))
    encoding = detect_encoding(path)
    return _csv_rows(path, encoding), "csv", encoding, ""


def _header(path: Path, opener) -> tuple[int, list[str]]:
    """(line, titles) of the header: the first row with something in it."""
    reader = opener()
    first = next((row for row in reader if not _blank(row[1])), None)
    reader.close()
    if first is None:
        raise RuleError("tabular.empty", path=str(path))
    header_line, header_cells = first
    return header_line, ["" if c is None or c is UNSAVED else str(c).strip() for c in header_cells]


def header_of(path: str | Path, *, sheet_names: tuple[str, ...] = ()) -> list[str]:
    """The titles of the file's header row (of the sheet open_table would read)."""
    path = Path(path)
    opener = _opened(path, sheet_names)[0]
    return _header(path, opener)[1]


def matched(headers: list[str], columns: list[Column],
            extra_columns: dict[str, str] | None = None) -> tuple[list[str], list[int], list[str]]:
    """(fields, their positions, the titles matched to none) of a header row: each title
    taken by the first column one of whose names it is, a field once."""
    known = {}
    for column in columns:
        for name in column.names():
            known.setdefault(normalize(name), column.field)
    for name, fld in (extra_columns or {}).items():
        known.setdefault(normalize(name), fld)
    fields, positions, extra, seen = [], [], [], set()
    for index, header in enumerate(headers):
        fld = known.get(normalize(header))
        if fld is None or fld in seen:
            if header:
                extra.append(header)
            continue
        seen.add(fld)
        fields.append(fld)
        positions.append(index)
    return fields, positions, extra


def open_table(path: str | Path, columns: list[Column], *, sheet_names: tuple[str, ...] = (),
               extra_columns: dict[str, str] | None = None) -> Table:
    """Open `path` and match its header row to `columns`.

    `sheet_names`: in a workbook, the first sheet whose name is one of these is read (else
    the first sheet). `extra_columns` maps more normalized headers to field names (for
    example a dimension's name to "dim:<code>"), for columns known only at run time.
    """
    path = Path(path)
    opener, fmt, encoding, sheet = _opened(path, sheet_names)
    header_line, headers = _header(path, opener)
    fields, positions, extra = matched(headers, columns, extra_columns)
    missing = [c.field for c in columns if c.required and c.field not in fields]
    if not fields:
        # Not one header is known: most likely not a table of this kind at all.
        raise RuleError("tabular.no_known_columns", path=str(path), headers=", ".join(h for h in headers if h)[:200])

    def data_rows():
        rows = iter(opener())
        for line, cells in rows:
            if line == header_line:
                break
        yield from rows

    return Table(path, fmt, encoding, sheet, headers, fields, positions, extra, missing,
                 header_line, data_rows)


def _csv_rows(path: Path, encoding: str):
    def rows():
        with open(path, encoding=encoding, newline="") as f:
            # A record is named by its first line: a quoted cell may run over several.
            first = 1
            try:
                sample = f.readline()  # a first line cut inside a character fails here
                delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
                f.seek(0)
                reader = csv.reader(f, delimiter=delimiter)
                for cells in reader:
                    yield first, cells
                    first = reader.line_num + 1
            except csv.Error as exc:
                raise RuleError("tabular.csv_error", path=str(path), line=first,
                                reason=str(exc)) from None
            except UnicodeDecodeError:  # past the part detect_encoding read
                raise RuleError("tabular.bad_text", path=str(path), line=_first_bad_line(path)) from None
    return rows


def _first_bad_line(path: Path) -> int:
    """The line of a UTF-8 file's first byte that is not UTF-8 (the reader's own error
    comes up to a buffer's length early)."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _xlsx_rows(path: Path, sheet_names: tuple[str, ...]):
    own = _own_rows(path, sheet_names)
    if own is not None:
        return own
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except ParseError as exc:
        raise _damaged(path, exc) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise RuleError("tabular.not_spreadsheet", path=str(path)) from None
    wanted = {normalize(n) for n in sheet_names}
    sheet = next((ws for ws in book.worksheets if normalize(ws.title) in wanted), None)
    if sheet is None:
        if not book.worksheets:
            raise RuleError("tabular.empty", path=str(path))
        sheet = book.worksheets[0]
    title = sheet.title

    def rows():
        try:
            ws = load_workbook(path, read_only=True, data_only=True)[title]
            try:
                yield from _sheet_rows(ws)
            finally:
                ws.parent.close()
        except (ParseError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise _damaged(path, exc) from None

    book.close()
    return rows, "xlsx", "", title


def _own_rows(path: Path, sheet_names: tuple[str, ...]):
    """The opener of a workbook kehu wrote (xlsx_read), None for any other."""
    try:
        with zipfile.ZipFile(path) as zf:
            sheets = xlsx_read.own_sheets(zf)
    except (zipfile.BadZipFile, OSError):
        return None
    if not sheets:
        return None
    wanted = {normalize(n) for n in sheet_names}
    title = next((t for t in sheets if normalize(t) in wanted), next(iter(sheets)))

    def rows():
        try:
            yield from xlsx_read.sheet_rows(path, sheets[title])
        except (xlsx_read.Damaged, zipfile.BadZipFile, EOFError, zlib.error, KeyError,
                UnicodeDecodeError, ValueError) as exc:
            raise _damaged(path, exc) from None

    return rows, "xlsx", "", title


def _sheet_rows(ws):
    """(row number, its values) of a read-only sheet, as iter_rows(values_only=True) gives
    them, but with UNSAVED for a formula with no saved result (iter_rows gives None, the
    same as an empty cell). Rows the sheet does not hold are left out: they are blank.

    openpyxl's own sheet parser reads the cells, told (by overriding parse_cell) to keep
    that one distinction its data_only mode drops."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            # A formula whose result is an empty text is saved as t="str" with an empty value.
            if (cell["value"] is None and element.get("t") != "str"
                    and element.find(FORMULA_TAG) is not None):
                cell["value"] = UNSAVED
            return cell

    book = ws.parent
    with ws._get_source() as src:
        parser = Parser(src, ws._shared_strings, data_only=True, epoch=book.epoch,
                        date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            if not cells:
                continue
            values = [None] * max(c["column"] for c in cells)
            for c in cells:
                values[c["column"] - 1] = c["value"]
            yield number, tuple(values)


def _damaged(path: Path, exc: Exception) -> RuleError:
    """A zip that opens as a workbook but whose parts cannot be read (damaged XML, a bad CRC)."""
    return RuleError("tabular.damaged", path=str(path), reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in for dates after March 1900).
EXCEL_EPOCH = dt.date(1899, 12, 30)


def excel_serial_date(value: float) -> dt.date | None:
    """A date from an Excel serial number (45000 -> 2023-03-15), None when out of range."""
    if not 1 <= value < 2958466:  # 9999-12-31
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(value))
