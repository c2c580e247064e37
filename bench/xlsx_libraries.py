"""Excel libraries side by side (issue 21 item 4): the same 100,000 rows of a customer export's
shape (37 columns: codes with leading zeros as text, Chinese names, dates, money and counts as
numbers) written by openpyxl's write-only mode, xlsxwriter's constant-memory mode, PyExcelerate
and rustpy-xlsxwriter, and read back by openpyxl's read-only mode and python-calamine.

Run: .venv/bin/python -m bench.xlsx_libraries [ROWS [RUNS]]   (the libraries not installed
are skipped: pip install xlsxwriter pyexcelerate rustpy-xlsxwriter python-calamine). Each
figure is the best of RUNS runs (default 3)."""
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
           ("rustpy-xlsxwriter", "rustpy_xlsxwriter", write_rustpy)]
READERS = [("openpyxl", "openpyxl", read_openpyxl), ("python-calamine", "python_calamine", read_calamine)]


RUNS = 3


def best(fn, *args) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - began)
    return min(times)


def main(argv: list[str]) -> int:
    global RUNS
    count = int(argv[0]) if argv else ROWS
    RUNS = int(argv[1]) if len(argv) > 1 else RUNS
    with tempfile.TemporaryDirectory(prefix="kehu-xlsx-") as folder:
        written = None
        for name, module, fn in WRITERS:
            if importlib.util.find_spec(module) is None:
                print(f"write {name:18} not installed")
                continue
            path = Path(folder) / f"{name}.xlsx"
            try:
                seconds = best(fn, path, count)
            except Exception as exc:  # noqa: BLE001 (a library that cannot do the job is a result)
                print(f"write {name:18} failed: {type(exc).__name__}: {exc}"[:200])
                continue
            print(f"write {name:18} {seconds:7.2f} s  {count / seconds:9,.0f} rows/s  "
                  f"{path.stat().st_size / 1e6:6.1f} MB")
            if name == "xlsxwriter" or written is None:
                written = path
        for name, module, fn in READERS:
            if importlib.util.find_spec(module) is None:
                print(f"read  {name:18} not installed")
                continue
            seconds = best(fn, written)
            print(f"read  {name:18} {seconds:7.2f} s  {count / seconds:9,.0f} rows/s  ({written.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
