"""Planning a customer import: every cell cleaned by its field's rule, the archive's rules a chunk at a time."""
from __future__ import annotations

from typing import Iterable

from db.archive import classes as class_rules, region_classes, scope
from db.archive.customers import mnemonic_after, mnemonic_of
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, Customer, Dimension, Membership
from db.values import fields as fields_meta, regions
from db.values.columns import COLUMNS, DIMENSION_PREFIX, SHEETS
from db.transfer.tabular import open_table
from db.transfer.importer.customer_rules import (REQUIRED, class_map, class_problem, clean_column,
                                                 personal_tax_ids, refuse_classes, refuse_early_stops,
                                                 refuse_heads, refuse_missing, refuse_repeated)
from db.transfer.importer.duplicates import WATCHED, Entry, Marker
from db.transfer.importer.kinds import dimension_titles
from db.transfer.importer.seen_codes import SeenCodes
from db.transfer.importer.common import (ImportPlan, PlannedRow, Problem, cell_text, chunks,
                                         new_plan)


class CustomerPlanner:
    """Customers: each cell cleaned by its field's own rule (db.values.fields), the rules that need
    the archive (code unique, class a leaf) checked for a whole chunk at once."""

    def __init__(self, path, blank_clears: bool = False):
        self.blank_clears = blank_clears
        self.main = class_rules.dimension(MAIN_DIMENSION)
        self.scheme = class_rules.scheme_of(self.main)
        self.classes = class_map(self.main)
        self.dims = {d.code: d for d in Dimension.select().where(
            Dimension.code != MAIN_DIMENSION, Dimension.derived == False)}  # noqa: E712
        self.table = open_table(path, COLUMNS["customers"], sheet_names=SHEETS["customers"],
                                extra_columns=dimension_titles(self.dims.values()))
        if "code" not in self.table.fields:
            raise RuleError("import.missing_columns", columns="code")
        self.plan = new_plan(self.table, "customers", MAIN_DIMENSION, COLUMNS["customers"])
        # Columns kehu writes but never reads back (建档人, 变更日期...) are reported as ignored.
        importable = {c.field for c in COLUMNS["customers"] if c.importable}
        dropped = [f for f in self.table.fields
                   if f not in importable and not f.startswith(DIMENSION_PREFIX)]
        for f in dropped:
            self.plan.extra.append(self.plan.headers.pop(f))
        self.fields = [f for f in self.table.fields if f not in dropped]
        self.keep = [i for i, f in enumerate(self.table.fields) if f not in dropped]
        # 所属地区 and 所属地区码 are written together (db.values.regions.reconcile): a file
        # with one of them gets the other as a column of its own, made from it, after the file's.
        self.region_of_file = [f for f in ("region", "region_code") if f in self.fields]
        self.made = [f for f in ("region", "region_code") if self.region_of_file and f not in self.fields]
        self.fields += self.made
        # U8's 所属地区码 is its own 地区分类 class code (01 华北), not a GB/T 2260 one: such a
        # cell puts the customer in that class of the region dimension (a column made for it
        # when the file has no 地区分类 column), not refused as a bad national code.
        region_dim = self.dims.get(region_classes.DIMENSION) if "region_code" in self.region_of_file else None
        self.region_field = DIMENSION_PREFIX + region_classes.DIMENSION if region_dim else None
        self.region_made = bool(region_dim) and self.region_field not in self.fields
        if self.region_made:
            self.fields.append(self.region_field)
        self.plan.fields = list(self.fields)
        self.kinds = [fields_meta.BY_KEY[f].kind if f in fields_meta.BY_KEY else "text"
                      for f in self.fields]
        self.dim_fields = {f: f[len(DIMENSION_PREFIX):] for f in self.fields if f.startswith(DIMENSION_PREFIX)}
        self.field_meta = [None if f in self.dim_fields else fields_meta.BY_KEY[f] for f in self.fields]
        self.dim_classes = {code: (class_rules.scheme_of(self.dims[code]), class_map(self.dims[code]))
                            for code in self.dim_fields.values()}
        self.seen = SeenCodes()
        self.memo: list[dict] = [{} for _ in self.fields]
        self.class_problems: dict[tuple, RuleError | None] = {}
        self.missing_required = [f for f in REQUIRED if f not in self.plan.headers]
        self.code_at = self.fields.index("code")
        # An add's cells: the file's fields, then the mnemonic when the file has no column for it.
        self.plan.add_fields = self.fields + ([] if "mnemonic" in self.fields else ["mnemonic"])
        self.mnemonic_at = self.plan.add_fields.index("mnemonic")
        self.short_at = self.fields.index("short_name") if "short_name" in self.fields else None
        # 个人消费者: the classes whose customers' 税号 is a 身份证 number (checked per row).
        self.personal = tuple(class_rules.personal_codes())
        # Into an empty archive every row is an add: no chunk needs to look for its codes.
        self.archive_empty = not Customer.select().exists()
        self.olds: dict = {}  # the chunk's customers of the archive by code (_chunk)
        self.heads_named = False  # a row of the file names a 总公司编码 (refuse_heads reads the plan again)
        # The chunk's new and changed rows, for the duplicate marks (the plan's own are spooled).
        self.chunk_adds: list[tuple] = []
        self.chunk_updates: list[PlannedRow] = []

    def run(self) -> ImportPlan:
        plan, marker = self.plan, Marker(archive=not self.archive_empty)
        try:
            for chunk in chunks(self.table.rows()):
                self.chunk_adds, self.chunk_updates = [], []
                self._chunk(chunk)
                marker.feed(self._entries(self.chunk_adds, self.chunk_updates))
        finally:
            self.seen.close()
        marker.close()
        if self.heads_named:  # (no row names a head: no row can be refused for one)
            refuse_heads(plan)
        refused = set(plan.rejected_lines)
        plan.duplicates = [m for m in marker.marks if m.line not in refused]
        plan.duplicate_count = marker.count - (len(marker.marks) - len(plan.duplicates))
        return plan

    def _entries(self, adds: list[tuple], updates: list[PlannedRow]) -> list[Entry]:
        """The chunk's planned rows as the duplicate marks read them: every new customer
        (line, code, cells), and the updates that change a name, tax id or number (as the
        card's check)."""
        at = {f: i for i, f in enumerate(self.plan.add_fields)}
        picks = [at.get(f) for f in ("name", "tax_id", "phone", "mobile", "mnemonic")]
        entries = [Entry(line, code, *(_text(cells[i]) if i is not None else "" for i in picks))
                   for line, code, cells in adds]
        for row in updates:
            if any(f in row.changes for f in WATCHED):
                old = self.olds.get(row.code) or {}
                values = {**old, **row.values}
                entries.append(Entry(row.line, row.code, *(_text(values.get(f)) for f in
                                                            ("name", "tax_id", "phone", "mobile", "mnemonic"))))
        return entries

    def _existing(self, codes: list[str]) -> tuple[dict, dict]:
        if self.archive_empty:
            return {}, {}
        wanted = {"id", "code", "version", "short_name", "mnemonic", "dev_date", "class_code", *WATCHED,
                  *(f for f in self.fields if not f.startswith(DIMENSION_PREFIX))}
        found = {r["code"]: r for r in Customer.select(*(getattr(Customer, f) for f in wanted))
                 .where(Customer.code.in_(codes)).dicts()}
        members = {}
        if self.dim_fields and found:
            query = (Membership.select(Membership.customer_code, Dimension.code.alias("dim"),
                                       Membership.class_code)
                     .join(Dimension).where(Membership.customer_code.in_(list(found))).dicts())
            for m in query:
                members[(m["customer_code"], m["dim"])] = m["class_code"]
        return found, members

    def _chunk(self, chunk):
        plan, fields, headers = self.plan, self.fields, self.plan.headers
        lines = [line for line, _ in chunk]
        columns = list(zip(*(cells for _, cells in chunk)))
        cleaned = []
        refused: dict[int, list[tuple[str, RuleError]]] = {}  # row index -> (field, why)
        for at, position in enumerate(self.keep):
            values, bad = clean_column(self.field_meta[at], self.kinds[at], self.memo[at], columns[position])
            cleaned.append(values)
            for i, exc in bad.items():
                refused.setdefault(i, []).append((fields[at], exc))
        raw_codes = columns[self.keep[self.code_at]]
        # A refused code is looked up as written, so the row still reads as an add or update.
        codes = [c if type(c) is str else cell_text(raw_codes[i]) for i, c in enumerate(cleaned[self.code_at])]
        existing, members = self._existing([c for c in codes if c])
        self.olds = existing
        olds = [existing.get(c) for c in codes] if existing else [None] * len(codes)
        if existing and not self.blank_clears:
            _keep_blank_required(refused, olds)
        if self.personal and "tax_id" in fields:
            at = fields.index("tax_id")
            kept = [old["class_code"] if old else "" for old in olds]
            typed = cleaned[fields.index("class_code")] if "class_code" in fields else kept
            personal_tax_ids(columns[self.keep[at]], cleaned[at], [c or k for c, k in zip(typed, kept)],
                             self.personal, refused)
        classes_of = self._region_classes(columns, cleaned, refused, olds) if self.region_field else None
        if self.region_of_file:
            self._regions(chunk, cleaned, olds)
        if classes_of is not None:
            at = fields.index(self.region_field)
            if self.region_made:
                cleaned.append([""] * len(chunk))
            column = cleaned[at]
            for i, klass in classes_of.items():
                if not column[i]:  # the file's own 地区分类 cell, when filled, says it
                    column[i] = klass
        if "head_office" in fields and not self.heads_named:
            self.heads_named = any(h is not None for h in cleaned[fields.index("head_office")])
        self._row_rules(lines, cleaned, olds, refused)
        if not refused and not existing:
            # The common chunk of a first import: every row a new customer, all of them
            # valid; their rows are made by C-level maps instead of the loop below.
            self._add(lines, codes, zip(*cleaned))
            return
        for i, (line, row, old) in enumerate(zip(lines, zip(*cleaned), olds)):
            if i in refused:
                plan.rejected.extend(Problem(line, headers.get(fld, ""), fld, exc.key, dict(exc.values))
                                     for fld, exc in refused[i])
                continue
            if old is None:
                self._add([line], [codes[i]], [row])
                continue
            values = dict(zip(fields, row))
            if not self.blank_clears:
                # An empty cell keeps the stored value; clearing is the import's explicit choice.
                cells = chunk[i][1]
                for at, position in enumerate(self.keep):
                    if at != self.code_at and _is_blank(cells[position]):
                        del values[fields[at]]
                if self.region_made and not values[self.region_field]:
                    del values[self.region_field]  # no class in the file: the stored one stays
                if self.region_of_file and ("region" in values or "region_code" in values):
                    values.update(region=row[fields.index("region")],
                                  region_code=row[fields.index("region_code")])
            self._update(line, codes[i], values, old, members)

    def _region_classes(self, columns, cleaned: list[list], refused: dict, olds: list) -> dict[int, str]:
        """{row index: class} of the rows whose 所属地区码 is no national code but a class code
        of 地区分类 (U8's 地区分类 class, 01 华北): the cell's refusal taken back, its code
        left as stored (or empty, for the text to give), the class returned for the row."""
        found: dict[int, str] = {}
        at = self.fields.index("region_code")
        known = self.dim_classes[region_classes.DIMENSION][1]
        raws = columns[self.keep[at]]
        for i in [i for i, why in refused.items() if any(f == "region_code" for f, _ in why)]:
            raw = raws[i] if type(raws[i]) is str else cell_text(raws[i])
            if raw.strip() not in known:
                continue
            refused[i] = [(f, exc) for f, exc in refused[i] if f != "region_code"]
            if not refused[i]:
                del refused[i]
            cleaned[at][i] = olds[i]["region_code"] if olds[i] else ""
            found[i] = raw.strip()
        return found

    def _regions(self, chunk, cleaned: list[list], olds: list[dict | None]) -> None:
        """Each row's 所属地区 and its code as the card saves them, the made column added: a
        blank cell of an update keeps the stored value (unless blanks clear), a refused cell
        is left to its refusal. New rows repeat a few places: reconciled once per pair."""
        if self.made:
            cleaned.append([""] * len(chunk))
        at_text, at_code = self.fields.index("region"), self.fields.index("region_code")
        texts, codes = list(cleaned[at_text]), list(cleaned[at_code])
        positions = {f: self.keep[self.fields.index(f)] for f in self.region_of_file}
        memo: dict[tuple, tuple[str, str]] = {}
        for i, old in enumerate(olds):
            pair = [texts[i], codes[i]]
            if any(isinstance(v, RuleError) for v in pair):
                continue
            stored = (old["region"], old["region_code"]) if old else ("", "")
            for n, fld in enumerate(("region", "region_code")):
                if fld in self.made or (old is not None and not self.blank_clears
                                        and _is_blank(chunk[i][1][positions[fld]])):
                    pair[n] = stored[n]
            key = (*pair, *stored)
            if key not in memo:
                memo[key] = regions.reconcile(*key)
            texts[i], codes[i] = memo[key]
        cleaned[at_text], cleaned[at_code] = texts, codes

    def _update(self, line: int, code: str, values: dict, old: dict, members: dict) -> None:
        """A customer of the archive: an update of the fields whose values differ (a
        dimension column against its membership), or one more unchanged row."""
        changes = {}
        for fld, new in values.items():
            if fld.startswith(DIMENSION_PREFIX):
                before = members.get((code, self.dim_fields[fld]), "")
            else:
                before = old[fld]
            if before != new and not (before is None and new == ""):
                changes[fld] = (before, new)
        if "short_name" in changes or "mnemonic" in changes:
            # The card's rule: a generated mnemonic follows a changed short name, an emptied one is generated.
            values["mnemonic"] = mnemonic_after(old["mnemonic"], old["short_name"],
                                                values.get("mnemonic", old["mnemonic"]),
                                                values["short_name"] if "short_name" in changes else None)
            changes.pop("mnemonic", None)
            if values["mnemonic"] != old["mnemonic"]:
                changes["mnemonic"] = (old["mnemonic"], values["mnemonic"])
        if changes:
            row = PlannedRow(line, code, values, changes, version=old["version"])
            self.plan.updates.append(row)
            self.chunk_updates.append(row)
        else:
            self.plan.unchanged += 1

    def _add(self, lines: list[int], codes: list[str], rows: Iterable[tuple]) -> None:
        """New customers into the plan, their cells in `add_fields` order, an empty or
        absent mnemonic generated as the card does on save (a row refused for a missing
        short name never comes here)."""
        m, short, fields = self.mnemonic_at, self.short_at, self.plan.add_fields
        if m == len(self.fields):  # no mnemonic column
            rows = [row + (mnemonic_of(row[short]),) for row in rows]
        else:
            rows = [row if row[m] else row[:m] + (mnemonic_of(row[short]),) + row[m + 1:]
                    for row in rows]
        rows = rows if isinstance(rows, list) else list(rows)
        self.plan.adds.extend_cells(lines, codes, rows, fields)
        self.chunk_adds.extend(zip(lines, codes, rows))

    def _class_problem(self, dim: str | None, code: str) -> RuleError | None:
        """class_problem of a class code in the main dimension (dim None) or another,
        remembered: a file names a handful of classes over and over."""
        key = (dim, code)
        if key not in self.class_problems:
            if dim is None:
                self.class_problems[key] = class_problem(
                    self.scheme, self.classes, code, "class_code", fields_meta.BY_KEY["class_code"].label)
            else:
                scheme, known = self.dim_classes[dim]
                self.class_problems[key] = class_problem(
                    scheme, known, code, DIMENSION_PREFIX + dim, self.dims[dim].name_zh)
        return self.class_problems[key]

    def _row_rules(self, lines: list[int], cleaned: list[list], olds: list[dict | None],
                   refused: dict[int, list]) -> None:
        """The rules of a row beyond its cells, for a whole chunk, a rule at a time (each
        row's problems stay in the order: cells, required columns, a code met before in the
        file, classes that hold customers, the stop date after the development date). A
        refused cell (a RuleError in `cleaned`) is not checked again."""
        def refuse(i: int, fld: str, exc: RuleError):
            refused.setdefault(i, []).append((fld, exc))

        fields = self.fields
        refuse_missing(self.missing_required, olds, refuse)
        refuse_repeated(cleaned[self.code_at], lines, self.seen, refuse)
        checked = [("class_code", None)] if "class_code" in fields else []
        for fld, dim in (*checked, *self.dim_fields.items()):
            refuse_classes(cleaned[fields.index(fld)], fld,
                           lambda code, dim=dim: self._class_problem(dim, code), refuse)
        for i, fld, exc in scope.refusals(fields, cleaned, olds, not self.blank_clears):  # the operator's data permission
            refuse(i, fld, exc)
        if "stop_date" in fields:
            devs = cleaned[fields.index("dev_date")] if "dev_date" in fields else None
            refuse_early_stops(cleaned[fields.index("stop_date")], devs, olds, refuse,
                               keep_blank=not self.blank_clears)


def _keep_blank_required(refused: dict[int, list], olds: list[dict | None]) -> None:
    """An update row's empty required cell keeps the stored value: not a refusal."""
    for i in [i for i in refused if olds[i] is not None]:
        kept = [(fld, exc) for fld, exc in refused[i] if exc.key != "customer.required"]
        if kept:
            refused[i] = kept
        else:
            del refused[i]


def _text(value) -> str:
    return value if type(value) is str else ("" if value is None else str(value))


def _is_blank(cell) -> bool:
    """A cell with nothing in it (None from a workbook, blanks from a CSV)."""
    return cell is None or (type(cell) is str and not cell.strip())
