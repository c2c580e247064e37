"""One import of a whole-archive export: a workbook with its sheets (客户档案, 客户分类, 销售, and
the card's sub-records: 联系人, 地址, 银行, 开票信息), or
the folder (or a zip) of the CSV files a CSV `kehu export --all` writes.

Each part is planned and written in dependency order (PARTS: classes before the customers
that sit in them, customers before their sales), all inside one transaction: a part's plan
sees the rows of the parts before it, as the file means. A preview is the same run rolled
back at the end, so it covers every sheet as it would be imported; the import commits it,
or rolls everything back when a part has rejected rows (unless only the valid rows are
wanted) or fails. `kinds` narrows the parts read, never widens them.

A spreadsheet cannot carry what the archive keeps beside the rows (the history, who created
a customer and when): `kehu copy` moves an archive with all of it.
"""
from __future__ import annotations

import contextlib
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION
from db.core.session import writing
from db.transfer import importer
from db.transfer.importer import ImportPlan, ImportResult
from db.transfer.importer import subrecords
from db.transfer.importer.kinds import detect
from db.transfer.tabular import ZIP_MAGIC, header_of
from db.values.columns import SHEETS, normalize


@dataclass(frozen=True)
class Part:
    """A part of a whole-archive export: its kind (an importer kind; its sheet's names are
    columns.SHEETS[kind]) and the suffix of its CSV file (name-classes.csv)."""

    kind: str
    csv_suffix: str


# Dependency order: a part's rows may name those of the parts above it. The card's
# sub-records come after the customers they belong to (whose import makes each customer's
# defaults of the card's copies, which their rows then complete: importer.subrecords).
PARTS: tuple[Part, ...] = (
    Part("classes", "-classes"),
    Part("customers", ""),
    Part("sales", "-sales"),
    Part("contacts", "-contacts"),
    Part("addresses", "-addresses"),
    Part("banks", "-banks"),
    Part("invoices", "-invoices"),
)

PARTS_BY_KIND = {p.kind: p for p in PARTS}


@dataclass
class ArchivePlan:
    path: Path
    plans: list[ImportPlan] = field(default_factory=list)
    results: list[ImportResult] = field(default_factory=list)
    committed: bool = False

    @property
    def rejected(self) -> int:
        return sum(len(p.rejected_lines) for p in self.plans)

    @property
    def writes(self) -> int:
        return sum(p.writes for p in self.plans)


class _Preview(Exception):
    """Raised to roll the run back once every part is planned (a preview writes nothing)."""


def _workbook_sheets(path: Path) -> list[str] | None:
    """The sheet titles of a workbook, None when `path` is a zip of something else."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                return None
    except zipfile.BadZipFile:
        return []  # the table reader words a damaged workbook
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _sheet_parts(sheets: list[str]) -> list[Part]:
    """The parts a workbook's sheet titles name, in PARTS order."""
    titles = {normalize(s) for s in sheets}
    return [p for p in PARTS if titles & {normalize(n) for n in SHEETS[p.kind]}]


def _csv_parts(path: Path, files: list[Path]) -> list[tuple[Part, Path]]:
    """Each CSV's part, told by its titles; two files of one kind are refused."""
    found: dict[str, Path] = {}
    for file in sorted(files):
        try:
            headers = header_of(file)
            kind = subrecords.detect(headers) or detect(file, headers)
        except RuleError:  # not a table of any kind (or unreadable): not a part
            continue
        if kind in found:
            raise RuleError("restore.twice", path=str(path), first=found[kind].name, second=file.name)
        found[kind] = file
    return [(p, found[p.kind]) for p in PARTS if p.kind in found]


def _siblings(path: Path) -> list[tuple[Part, Path]] | None:
    """The files of a CSV `--all` export named by its first (name.csv beside name-classes.csv
    and name-sales.csv); None when no other part's file is beside it."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return None
    beside = [(p, path.with_name(f"{path.stem}{p.csv_suffix}{path.suffix}")) for p in PARTS]
    found = [(p, f) for p, f in beside if f.is_file()]
    return found if len(found) > 1 and (PARTS_BY_KIND["customers"], path) in found else None


@contextlib.contextmanager
def sources(path: str | Path):
    """[(part, file)] of a whole-archive export at `path`; None when it is a single table
    (a CSV with no other part's file beside it, or a workbook with one part's sheet). A zip's CSVs are read from a temporary
    folder, removed after."""
    path = Path(path).expanduser()
    if path.is_dir():
        yield _csv_parts(path, [f for f in path.iterdir() if f.suffix.lower() == ".csv" and f.is_file()]) or None
        return
    try:
        with open(path, "rb") as f:
            zipped = f.read(4) == ZIP_MAGIC
    except OSError:
        zipped = False  # the table reader says why it cannot be read
    if not zipped:
        yield _siblings(path)
        return
    sheets = _workbook_sheets(path)
    if sheets is not None:
        parts = _sheet_parts(sheets)
        yield [(p, path) for p in parts] if len(parts) > 1 else None
        return
    with tempfile.TemporaryDirectory(prefix="kehu-restore-") as folder:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.endswith("/")]
            files = []
            for i, name in enumerate(names):
                target = Path(folder) / str(i) / Path(name).name  # a member's own name kept
                target.parent.mkdir()
                target.write_bytes(archive.read(name))
                files.append(target)
        yield _csv_parts(path, files) or None


def run(found: list[tuple[Part, Path]], path: Path, *, blank_clears: bool = False,
        commit: bool = False, only_valid: bool = False) -> ArchivePlan:
    """Plan (and write, in order) every part of `found`, in one transaction; kept only with
    `commit` when no part has rejected rows (or `only_valid`), else rolled back."""
    result = ArchivePlan(path)
    try:
        with writing():
            for part, file in found:
                plan = importer.plan(file, part.kind, MAIN_DIMENSION, blank_clears=blank_clears)
                result.plans.append(plan)
                if plan.writes:
                    result.results.append(importer.commit(plan, only_valid=True))
            if not commit or (result.rejected and not only_valid):
                raise _Preview
    except _Preview:
        result.results.clear()
        return result
    result.committed = True
    return result


def restore(path: str | Path, *, kinds: tuple[str, ...] = (), blank_clears: bool = False,
            commit: bool = False, only_valid: bool = False) -> ArchivePlan | None:
    """`run` on the whole-archive export at `path`; None when it is a single table."""
    with sources(path) as found:
        found = [(part, file) for part, file in found or () if not kinds or part.kind in kinds]
        if not found:  # not an archive, or none of the kinds asked for is in it
            return None
        return run(found, Path(path), blank_clears=blank_clears, commit=commit,
                   only_valid=only_valid)


def total(result: ArchivePlan) -> ImportResult:
    """The parts' results as one: rows added, updated, skipped, and every part's batch."""
    done = result.results
    return ImportResult(sum(r.added for r in done), sum(r.updated for r in done),
                        sum(r.skipped for r in done), ", ".join(r.batch for r in done))
