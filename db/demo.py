"""The demo archive: `build` loads fixtures/ into a fresh store; `generate` composes a large one.

Both fill an empty store in one transaction with bulk inserts (never one save per row), then
rebuild the locate index once. `kehu --demo` calls `build` before it opens the app, so it must
stay well under a second and a half; `generate` makes 1,000,000 customers for benchmarks.
"""
from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
from decimal import Decimal
from pathlib import Path

from db import demo_parts as parts
from db import search
from db.coding import CodingScheme
from db.errors import RuleError
from db.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Membership, Sale
from db.store import Store, open_store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Who and when the demo's classes were set up (fixed, so the demo reads the same every time).
SETUP_BY = "demo"
SETUP_AT = dt.datetime(2015, 1, 1, 9, 0)
# The demo's stories are told relative to this day (see fixtures/generate.py).
DEMO_TODAY = dt.date(2026, 11, 23)
# Bound parameters per INSERT statement: under SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMS = 30_000

CUSTOMER_COLUMNS = [
    "code", "name", "short_name", "mnemonic", "class_code", "region", "industry", "tax_id",
    "currency", "legal_person", "bank", "bank_account", "address", "postcode", "phone", "fax",
    "mobile", "email", "contact", "ship_address", "department", "salesperson", "credit_grade",
    "credit_limit", "credit_days", "discount_rate", "payment_terms", "dev_date", "stop_date",
    "mgmt_type", "problem", "remark", "created_by", "created_at", "modified_by", "modified_at",
]


def _rows(name: str, folder: Path) -> list[dict[str, str]]:
    # utf-8-sig: a file saved again from a spreadsheet starts with a byte-order mark.
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _hundredths(text: str) -> int:
    """"1234.50" (yuan, or per cent) -> 123450 (fen, or hundredths of a per cent), exactly."""
    return int(Decimal(text or "0").scaleb(2).to_integral_value())


def _insert(model, columns: list[str], rows) -> None:
    """insert_many in chunks that stay under the database's bound-parameter limit."""
    fields = [model._meta.fields[c] for c in columns]
    size = max(1, MAX_PARAMS // len(columns))
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, size)):
        model.insert_many(chunk, fields=fields).execute()


def _fresh(path) -> Store:
    """Open (creating) the store at `path`; refuse one that already holds customers."""
    store = open_store(str(path))
    if Customer.select().exists() or CustomerClass.select().exists():
        store.close()
        raise RuleError("demo.not_empty", path=str(path))
    return store


def load_classification(folder: Path = FIXTURES) -> dict[str, Dimension]:
    """Dimensions and their classes from dimensions.csv and classes.csv.

    Level and leaf flag come from the codes themselves, so a person editing the fixture only
    writes codes and names; a code that does not fit its scheme is refused with the same
    message a person typing it would get."""
    dims: dict[str, Dimension] = {}
    for position, row in enumerate(_rows("dimensions.csv", folder)):
        values = dict(name_zh=row["name_zh"], name_en=row["name_en"], scheme=row["scheme"],
                      criteria="\n".join(row["criteria"].split("|")), position=position)
        CodingScheme.parse(row["scheme"])
        dim = Dimension.get_or_none(Dimension.code == row["code"])
        if dim is None:
            dim = Dimension.create(code=row["code"], **values)
        else:
            Dimension.update(**values).where(Dimension.id == dim.id).execute()
        dims[row["code"]] = dim
    by_dim: dict[str, list[dict[str, str]]] = {}
    for row in _rows("classes.csv", folder):
        by_dim.setdefault(row["dimension"], []).append(row)
    rows = []
    for dim_code, classes in by_dim.items():
        if dim_code not in dims:
            raise RuleError("dimension.unknown", dimension=dim_code)
        scheme = CodingScheme.parse(dims[dim_code].scheme)
        codes = {r["code"] for r in classes}
        parents = {scheme.parent_of(c) for c in codes}
        for r in sorted(classes, key=lambda r: r["code"]):
            code = r["code"]
            level = scheme.level_of(code)
            parent = scheme.parent_of(code) if level else None
            if level is None or (parent is not None and parent not in codes):
                scheme.check_code(code, parent)  # raises the message saying what is expected
                raise RuleError("class.parent_missing", field="code", parent=parent)
            rows.append((dims[dim_code].id, code, r["name"], level, code not in parents,
                         r.get("remark", ""), 1, SETUP_BY, SETUP_AT))
    _insert(CustomerClass, ["dimension", "code", "name", "level", "is_leaf", "remark", "version",
                            "created_by", "created_at"], rows)
    return dims


def _leaves(dim: Dimension) -> set[str]:
    query = CustomerClass.select(CustomerClass.code).where(
        CustomerClass.dimension == dim.id, CustomerClass.is_leaf == True)  # noqa: E712
    return {code for (code,) in query.tuples()}


def build(path, folder: Path = FIXTURES) -> Store:
    """Create the demo archive at `path` from the CSV files in `folder`; return the open store."""
    store = _fresh(path)
    try:
        with store.writing():
            dims = load_classification(folder)
            main_leaves = _leaves(dims[MAIN_DIMENSION])
            customers = []
            for r in _rows("customers.csv", folder):
                if r["class_code"] not in main_leaves:
                    raise RuleError("demo.not_leaf", code=r["code"], class_code=r["class_code"])
                customers.append((
                    *(r[c] for c in CUSTOMER_COLUMNS[:23]),
                    _hundredths(r["credit_limit"]), int(r["credit_days"] or 0),
                    _hundredths(r["discount_rate"]), r["payment_terms"], r["dev_date"] or None,
                    r["stop_date"] or None, r["mgmt_type"], r["problem"] == "1", r["remark"],
                    r["created_by"], r["created_at"] or SETUP_AT, r["modified_by"],
                    r["modified_at"] or None, 1))
            _insert(Customer, CUSTOMER_COLUMNS + ["version"], customers)
            ids = dict(Customer.select(Customer.code, Customer.id).tuples())
            leaves = {code: _leaves(dim) for code, dim in dims.items()}
            members = []
            for r in _rows("memberships.csv", folder):
                if r["class_code"] not in leaves[r["dimension"]]:
                    raise RuleError("demo.not_leaf", code=r["customer_code"], class_code=r["class_code"])
                members.append((ids[r["customer_code"]], dims[r["dimension"]].id, r["class_code"],
                                r["customer_code"]))
            _insert(Membership, ["customer", "dimension", "class_code", "customer_code"], members)
            _insert(Sale, ["customer", "date", "doc_no", "amount", "cost"],
                    ((ids[r["customer_code"]], r["date"], r["doc_no"], _hundredths(r["amount"]),
                      _hundredths(r["cost"])) for r in _rows("sales.csv", folder)))
            search.rebuild()
    except BaseException:
        store.close()
        raise
    return store
