"""Planning a sales import: documents matched to their customer by code and to the archive by number."""
from __future__ import annotations

from db.core.errors import RuleError
from db.archive import approval
from db.core.models import MAIN_DIMENSION, Customer, Sale
from db.values.columns import COLUMNS, SHEETS, by_field
from db.transfer.tabular import open_table
from db.transfer.importer.common import ImportPlan, PlannedRow, Problem, chunks, convert, new_plan
from db.transfer.importer.seen_codes import SeenCodes

def plan_sales(path) -> ImportPlan:
    """Sales matched to their customer by code; a document already in the archive (same
    customer, same number) is updated when its date or amounts differ."""
    table = open_table(path, COLUMNS["sales"], sheet_names=SHEETS["sales"])
    result = new_plan(table, "sales", MAIN_DIMENSION, COLUMNS["sales"])
    if result.missing:
        raise RuleError("import.missing_columns", columns=", ".join(result.missing))
    columns, headers = by_field("sales"), result.headers
    seen = SeenCodes()  # customer and document number -> the first line naming them (bounded memory)
    memo: dict = {}
    try:
        for chunk in chunks(table.rows()):
            _chunk(result, chunk, table.fields, columns, headers, seen, memo)
    finally:
        seen.close()
    return result


def _chunk(result: ImportPlan, chunk, fields, columns, headers, seen: SeenCodes, memo: dict) -> None:
    """A chunk of the file's rows into the plan, its customers and documents read in one query each."""
    converted = []
    for line, cells in chunk:
        problems: list[Problem] = []
        values = convert(columns, fields, cells, line, headers, problems, memo)
        converted.append((line, values, problems))
    codes = list({v.get("customer") for _, v, _ in converted if v.get("customer")})
    ids = dict(Customer.select(Customer.code, Customer.id).where(Customer.code.in_(codes)).tuples())
    pending = approval.pending_codes(ids)  # new customers not approved yet take no sales
    docs = {(r["customer"], r["doc_no"]): r for r in Sale.select(
        Sale.customer, Sale.doc_no, Sale.date, Sale.amount, Sale.cost)
        .where(Sale.customer.in_(list(ids.values()))).dicts()} if ids else {}
    keys = {f"{v['customer']}\x1f{v['doc_no']}" for _, v, _ in converted if v.get("customer") and v.get("doc_no")}
    earlier, new = seen.earlier(keys), {}
    for line, values, problems in converted:
        code, doc = values.get("customer", ""), values.get("doc_no", "")
        for fld in ("customer", "doc_no"):
            if fld in values and not values[fld]:
                problems.append(Problem(line, headers[fld], fld, "import.required", {"field_name": fld}))
        if values.get("date") is None and "date" in values and not any(p.field == "date" for p in problems):
            problems.append(Problem(line, headers["date"], "date", "import.required", {"field_name": "date"}))
        if code and code not in ids:
            problems.append(Problem(line, headers["customer"], "customer", "import.customer_unknown", {"code": code}))
        elif code in pending:
            problems.append(Problem(line, headers["customer"], "customer", "request.pending_customer", {"code": code}))
        if code and doc:
            key = f"{code}\x1f{doc}"
            first = earlier.get(key) or new.setdefault(key, line)
            if first != line:
                problems.append(Problem(line, headers["doc_no"], "doc_no", "import.duplicate_doc",
                                        {"doc_no": doc, "first_line": first}))
        if problems:
            result.rejected.extend(problems)
            continue
        values.setdefault("cost", 0)
        old = docs.get((ids[code], doc))
        if old is None:
            result.adds.append(PlannedRow(line, code, values))
            continue
        changes = {f: (old[f], values[f]) for f in ("date", "amount", "cost") if old[f] != values[f]}
        if changes:
            result.updates.append(PlannedRow(line, code, values, changes))
        else:
            result.unchanged += 1
    seen.add(list(new.items()))


