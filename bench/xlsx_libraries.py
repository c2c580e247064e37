"""Excel libraries side by side (issue 21 item 4): the same 100,000 rows of a customer export's
shape (37 columns: codes with leading zeros as text, Chinese names, dates, money and counts as
numbers) written by openpyxl's write-only mode, xlsxwriter's constant-memory mode, PyExcelerate,
rustpy-xlsxwriter and kehu's own streaming writer (db.transfer.xlsx_stream, from Python
values: the export's slower path), and read back by openpyxl's read-only mode, python-calamine
and kehu's own reader (db.transfer.xlsx_read, which reads only the files kehu writes).

Run: .venv/bin/python -m bench.xlsx_libraries [ROWS [RUNS]]   (the libraries not installed
are skipped: pip install xlsxwriter pyexcelerate rustpy-xlsxwriter python-calamine). Each
figure is the best of RUNS runs (default 3), each run in a process of its own, whose peak
resident memory is given (the Rust libraries' memory too, which tracemalloc cannot see)."""
from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROWS = 100_000
HEADER = [f"栏目{i}" for i in range(37)]


def rows(count: int):
    """Rows of a customer export's shape, the same on every call."""
    start = dt.date(2020, 1, 1)
    for i in range(count):
        yield ([f"C{i:06d}", f"北京华联综合超市股份有限公司{i}", f"华联{i}", f"bjhl{i}", f"0200{i % 90:02d}0001",
                "北京", "零售业", "91110105013311094W", "人民币", "张三", "中信银行北京朝阳支行",
                f"62220202{i:08d}", "北京市朝阳区五一路420号", "100054", "010-49770167", "010-49770168",
                "13800138000", "a@b.com.cn", "蒋玉兰", "北京市朝阳区五一路420号", "华北销售部", "孙丽娟",
                "BBB", 20000.5 + i, 15, 3.5, "月结15天", start + dt.timedelta(days=i % 2000), None,
                "一般客户", "否", "老板亲自对接", "陈静", dt.datetime(2026, 6, 28, 16, 16), "周晓燕",
                dt.datetime(2026, 7, 31, 8, 21), "0101"])


def write_openpyxl(path: Path, count: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Customers")
    sheet.append(HEADER)
    for row in rows(count):
        sheet.append(row)
    book.save(path)


def write_xlsxwriter(path: Path, count: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Customers")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, HEADER)
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    for r, row in enumerate(rows(count), 1):
        for c, value in enumerate(row):
            kind = type(value)
            if kind is str:
                write_string(r, c, value)
            elif kind is dt.date:
                write_datetime(r, c, value, day)
            elif kind is dt.datetime:
                write_datetime(r, c, value, stamp)
            elif value is not None:
                write_number(r, c, value)
    book.close()


def write_pyexcelerate(path: Path, count: int) -> None:
    from pyexcelerate import Workbook

    book = Workbook()
    book.new_sheet("Customers", data=[HEADER, *rows(count)])
    book.save(str(path))


def write_rustpy(path: Path, count: int) -> None:
    import rustpy_xlsxwriter as rx

    data = [dict(zip(HEADER, row)) for row in rows(count)]
    rx.write_worksheet(data, str(path), sheet_name="Customers")


def write_kehu(path: Path, count: int) -> None:
    from db.transfer.xlsx_stream import Book

    book = Book(path)
    sheet = book.sheet("Customers")
    sheet.start([12] * len(HEADER))
    sheet.rows([HEADER])
    page = []
    for row in rows(count):
        page.append(row)
        if len(page) == 5000:
            sheet.rows(page)
            page = []
    sheet.rows(page)
    book.close()


def read_kehu(path: Path) -> int:
    import zipfile

    from db.transfer import xlsx_read

    with zipfile.ZipFile(path) as zf:
        part = next(iter(xlsx_read.own_sheets(zf).values()))
    return sum(1 for _ in xlsx_read.sheet_rows(path, part))


def read_openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return n


def read_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    n = sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
    book.close()
    return n


WRITERS = [("openpyxl", "openpyxl", write_openpyxl), ("xlsxwriter", "xlsxwriter", write_xlsxwriter),
           ("pyexcelerate", "pyexcelerate", write_pyexcelerate),
           ("rustpy-xlsxwriter", "rustpy_xlsxwriter", write_rustpy), ("kehu xlsx_stream", "isal", write_kehu)]
READERS = [("openpyxl", "openpyxl", read_openpyxl), ("python-calamine", "python_calamine", read_calamine),
           ("kehu xlsx_read", "isal", read_kehu)]


RUNS = 3


def _one(op: str, name: str, path: str, count: int) -> None:
    """One run in this process: its seconds and peak resident memory, printed."""
    import resource

    fn = dict((n, f) for n, _, f in (WRITERS if op == "write" else READERS))[name]
    began = time.perf_counter()
    fn(Path(path), count) if op == "write" else fn(Path(path))
    print(time.perf_counter() - began, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def best(op: str, name: str, path: Path, count: int) -> tuple[float, int]:
    """(seconds, peak bytes) of the fastest of RUNS runs, each in a new process."""
    import subprocess

    runs = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-m", "bench.xlsx_libraries", "--one", op, name,
                              str(path), str(count)], capture_output=True, text=True, check=True)
        seconds, peak = out.stdout.split()
        runs.append((float(seconds), int(peak)))
    return min(runs)


def main(argv: list[str]) -> int:
    global RUNS
    if argv[:1] == ["--one"]:
        _one(argv[1], argv[2], argv[3], int(argv[4]))
        return 0
    count = int(argv[0]) if argv else ROWS
    RUNS = int(argv[1]) if len(argv) > 1 else RUNS
    with tempfile.TemporaryDirectory(prefix="kehu-xlsx-") as folder:
        written = {}
        for name, module, fn in WRITERS:
            if importlib.util.find_spec(module) is None:
                print(f"write {name:18} not installed")
                continue
            path = Path(folder) / f"{name}.xlsx"
            try:
                seconds, peak = best("write", name, path, count)
            except Exception as exc:  # noqa: BLE001 (a library that cannot do the job is a result)
                print(f"write {name:18} failed: {type(exc).__name__}: {exc}"[:200])
                continue
            print(f"write {name:18} {seconds:7.2f} s  {count / seconds:9,.0f} rows/s  "
                  f"{peak / 1e6:7.0f} MB peak  {path.stat().st_size / 1e6:6.1f} MB file", flush=True)
            written[name] = path
        for name, module, fn in READERS:
            if importlib.util.find_spec(module) is None:
                print(f"read  {name:18} not installed")
                continue
            # kehu's reader reads kehu's files; the others read xlsxwriter's, as Excel would.
            path = written.get("kehu xlsx_stream" if name.startswith("kehu") else "xlsxwriter")
            if path is None:
                path = next(iter(written.values()))
            seconds, peak = best("read", name, path, count)
            print(f"read  {name:18} {seconds:7.2f} s  {count / seconds:9,.0f} rows/s  "
                  f"{peak / 1e6:7.0f} MB peak  ({path.name})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
