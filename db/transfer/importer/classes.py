"""Planning a class import: parents first, each class checked against its dimension's scheme and tree."""
from __future__ import annotations

from db.archive import classes as class_rules
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, CustomerClass, Dimension
from db.values.fields import Field
from db.values.coding import CodingScheme
from db.values.columns import COLUMNS, SHEETS, by_field
from db.transfer.tabular import open_table
from db.transfer.importer.common import ImportPlan, PlannedRow, Problem, convert, new_plan


# The 个人消费者 column's cells: 是 / 否 (yes, no, 1, 0...), as the card's flags read them.
PERSONAL = Field("personal", "basic", "flag")


def plan_classes(path, dimension: str, blank_clears: bool = False) -> ImportPlan:
    """Classes sorted parents first (by code length), each checked against its dimension's
    scheme, against the archive and against the classes before it in the file."""
    table = open_table(path, COLUMNS["classes"], sheet_names=SHEETS["classes"])
    result = new_plan(table, "classes", dimension, COLUMNS["classes"])
    columns, headers = by_field("classes"), result.headers
    if "code" not in table.fields:
        raise RuleError("import.missing_columns", columns="code")
    rows = []
    for line, cells in table.rows():
        problems: list[Problem] = []
        values = convert(columns, table.fields, cells, line, headers, problems)
        values.setdefault("dimension", "")
        values["dimension"] = values["dimension"] or dimension
        if problems:
            result.rejected.extend(problems)
        else:
            rows.append((line, values))
    # Dimensions in the order the file meets them, so those it creates take the positions
    # (the order of the tree's F2, of an export's columns) the file's archive gave them.
    first_line: dict[str, int] = {}
    for line, values in rows:
        first_line.setdefault(values["dimension"], line)
    rows.sort(key=lambda r: (first_line[r[1]["dimension"]], len(r[1]["code"]), r[1]["code"]))
    dims: dict[str, tuple | None] = {}  # code -> _dimension_context
    seen: dict[tuple, int] = {}
    new_children: set[tuple] = set()
    for line, values in rows:
        dim_code, code = values["dimension"], values["code"]

        def reject(fld, key, **vals):
            result.rejected.append(Problem(line, headers.get(fld, ""), fld, key, vals))

        if dim_code not in dims:
            dims[dim_code] = _dimension_context(dim_code, values, result)
        context = dims[dim_code]
        if context is None:
            reject("dimension", "dimension.unknown", dimension=dim_code)
            continue
        scheme, known, children, dim = context
        if dim is not None and dim.derived:
            reject("dimension", "dimension.derived", dimension=dim.name_zh)
            continue
        first = seen.setdefault((dim_code, code), line)
        if first != line:
            reject("code", "import.duplicate_code", code=code, first_line=first)
            continue
        try:
            level = scheme.level_of(code)
            parent = scheme.parent_of(code) if level else None
            if level is None:
                raise RuleError("import.class_not_in_scheme", field="code", label="class.code", code=code,
                                scheme=str(scheme))
            scheme.check_code(code, parent)
            if parent is not None and parent not in known:
                raise RuleError("class.parent_missing", field="code", code=code, parent=parent)
            if (parent is not None and dim is not None and (dim_code, parent) not in new_children
                    and known[parent][2]):
                raise RuleError("class.parent_has_customers", field="code", parent=parent,
                                count=class_rules.customers_under(dim, parent, scoped=False))
            # The classification screen's own rule: a sibling's name, in the archive or earlier in the file.
            names = children.setdefault(parent, {})
            name = class_rules.check_name(dim, parent, values.get("name"),
                                          siblings={n for c, n in names.items() if c != code})
        except RuleError as exc:
            reject(exc.field or "code", exc.key, **exc.values)
            continue
        remark = values.get("remark", "")
        try:
            personal = PERSONAL.clean(values["personal"]) if values.get("personal") else None
        except RuleError as exc:
            reject("personal", exc.key, **exc.values)
            continue
        if personal and dim_code != MAIN_DIMENSION:
            reject("personal", "import.personal_main_only", code=code)
            continue
        if code in known:
            old_name, old_remark, _, version, old_personal = known[code]
            if "remark" not in values or (not remark and not blank_clears):
                remark = values["remark"] = old_remark  # no column, or an empty cell that keeps it
            if personal is None:  # no column, or an empty cell: kept (cleared with blank_clears)
                personal = False if blank_clears and "personal" in values else old_personal
            values["personal"] = personal
            changes = {k: (o, n) for k, o, n in (("name", old_name, name), ("remark", old_remark, remark),
                                                 ("personal", old_personal, personal))
                       if o != n and (k in values or k == "name")}
            if changes:
                result.updates.append(PlannedRow(line, code, values, changes, version=version))
            else:
                result.unchanged += 1
            names[code] = name
        else:
            values["personal"] = bool(personal)
            known[code] = (name, remark, False, 0, values["personal"])
            names[code] = name
            if parent is not None:
                new_children.add((dim_code, parent))
            result.adds.append(PlannedRow(line, code, values))
    # Checked parents first, reported in the file's order (a line's own problems keep theirs).
    result.rejected.sort(key=lambda p: p.line)
    return result


def _dimension_context(dim_code: str, values: dict, result: ImportPlan):
    """(scheme, {code: (name, remark, holds customers, version, personal)}, {parent code (None at level 1):
    {child code: name}}, Dimension or None) of a dimension;
    a dimension missing from the archive is planned for creation when the row names its
    scheme; None when it cannot be."""
    dim = Dimension.get_or_none(Dimension.code == dim_code)
    if dim is None:
        text = values.get("scheme") or ""
        if not text:
            return None
        try:
            scheme = CodingScheme.parse(text)
        except RuleError:
            return None
        name = values.get("dimension_name") or dim_code
        result.new_dimensions.append({"code": dim_code, "name_zh": name,
                                      "name_en": values.get("dimension_name_en") or name,
                                      "scheme": str(scheme)})
        return scheme, {}, {}, None
    holding = class_rules.holding_codes(dim)
    known = {r.code: (r.name, r.remark, r.code in holding, r.version, bool(r.personal))
             for r in CustomerClass.select().where(CustomerClass.dimension == dim.id)}
    scheme = class_rules.scheme_of(dim)
    children: dict[str | None, dict[str, str]] = {}
    for code, (name, *_) in known.items():
        children.setdefault(scheme.parent_of(code), {})[code] = name
    return scheme, known, children, dim


