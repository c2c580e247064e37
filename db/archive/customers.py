"""Customer rules (客户档案): validation, add, change, delete, stop and enable.

The card and the import hand in what was typed, field key -> text (a date, a number or a
bool from a spreadsheet cell is accepted too); `validate` turns it into model values or names
the first bad field, `validate_all` names every bad field at once. Every write is one
transaction that also keeps the substring index (db.archive.search) and the history (db.archive.history) in
step, and every change or delete checks the row's version in its WHERE clause, so a save over
a row someone else changed after it was read is refused (ConflictError) instead of lost.
"""
from __future__ import annotations

import datetime as dt

import peewee

from db.core import clock
from db.archive import history, search
from db.values.dates import format_date, parse_date
from db.core.errors import ConflictError, RuleError
from db.values.fields import BY_KEY, EDITABLE, FIELDS
from db.values.mnemonic import initials
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Sale
from db.values.money import format_money, format_percent
from db.core.session import writing

ENTITY = "customer"
NAME_FIELDS = ("name", "short_name")


# ---- reading


def get(code: str) -> Customer | None:
    return Customer.get_or_none(Customer.code == code)


def values_in_use(key: str, limit: int = 500) -> list[str]:
    """The distinct non-empty values of the text field `key` the archive holds, sorted: what
    a filter on it can match (its F2 look-up)."""
    column = getattr(Customer, BY_KEY[key].key)
    query = (Customer.select(column).where(column.is_null(False), column != "")
             .distinct().order_by(column).limit(limit).tuples())
    return [value for (value,) in query]


def is_stopped(customer: Customer, today: dt.date | None = None) -> bool:
    """Stopped from its stop date on: hidden from look-ups on and after that day."""
    return customer.stop_date is not None and customer.stop_date <= (today or clock.today())


def as_form(customer: Customer) -> dict[str, str]:
    """Every field of `customer` as the card shows it (and `validate` reads it back)."""
    return {f.key: _text(f.kind, getattr(customer, f.key)) for f in FIELDS}


def _text(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "date":
        return format_date(value)
    if kind == "money":
        return format_money(value)
    if kind == "percent":
        return format_percent(value)
    if kind == "flag":
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def blank(class_code: str = "") -> dict[str, str]:
    """A new card: defaults (币种 人民币, 管理类型 一般客户), developed today, in `class_code`."""
    values = {f.key: f.default for f in EDITABLE}
    values["class_code"] = class_code
    values["dev_date"] = format_date(clock.today())
    return values


def template_copy(code: str) -> dict[str, str]:
    """复制 (Ctrl+D): a new card filled from customer `code`. The code is cleared (codes are
    unique), the stop date too, and the development date is today: a copy is a new customer."""
    row = get(code)
    if row is None:
        raise ConflictError("conflict.deleted", code=code)
    values = {k: v for k, v in as_form(row).items() if BY_KEY[k].editable}
    values.update(code="", stop_date="", dev_date=format_date(clock.today()))
    return values


# ---- validation


def validate(values: dict, *, existing: Customer | None = None, store_checks: bool = True) -> dict:
    """Clean model values for `values`, or the RuleError of the first bad field in card order.

    A new customer (`existing` None) gets every editable field, defaults where `values` has
    none; a change validates only the fields given. `store_checks=False` leaves out the two
    rules that query the database (code unique, class a leaf), for an import that checks
    them for all rows at once."""
    clean, errors = _check(values, existing, store_checks)
    if errors:
        raise errors[0]
    return clean


def validate_all(values: dict, *, existing: Customer | None = None,
                 store_checks: bool = True) -> list[RuleError]:
    """Every refusal `validate` would raise, one per bad field, in card order."""
    return _check(values, existing, store_checks)[1]


def check_field(key: str, raw, *, existing: Customer | None = None):
    """One field's clean value (for a card checking a field as the user leaves it); the
    cross-field rule (stop date after development date) waits for `validate`."""
    field = _field(key)
    value = field.clean(raw)
    _store_check(field, value, existing)
    return value


def _field(key: str):
    field = BY_KEY.get(key)
    if field is None or not field.editable:
        raise RuleError("customer.unknown_field", field=key, name=key)
    return field


def _check(values: dict, existing: Customer | None, store_checks: bool):
    for key in values:
        if key not in BY_KEY:
            _field(key)  # raises for a key that is no field at all
    fields = [f for f in EDITABLE if existing is None or f.key in values]
    clean: dict = {}
    errors: list[RuleError] = []
    for field in fields:
        try:
            value = field.clean(values.get(field.key))
            if existing is not None and field.key == "code" and value != existing.code:
                raise field.refuse("customer.code_immutable", code=existing.code)
            if store_checks:
                _store_check(field, value, existing)
            if field.key == "stop_date":
                _check_stop(value, clean, existing)
        except RuleError as exc:
            errors.append(exc)
        else:
            clean[field.key] = value
    return clean, errors


def _store_check(field, value, existing: Customer | None) -> None:
    if field.key == "code" and existing is None:
        if Customer.select().where(Customer.code == value).exists():
            raise field.refuse("customer.code_taken", code=value)
    elif field.key == "class_code":
        row = (CustomerClass.select(CustomerClass.is_leaf).join(Dimension)
               .where(Dimension.code == MAIN_DIMENSION, CustomerClass.code == value).first())
        if row is None:
            raise field.refuse("customer.class_unknown", code=value)
        if not row.is_leaf:
            raise field.refuse("customer.class_not_leaf", code=value)


def _check_stop(stop: dt.date | None, clean: dict, existing: Customer | None) -> None:
    if "dev_date" in clean:
        dev = clean["dev_date"]
    else:
        dev = existing.dev_date if existing is not None else None
    if stop is not None and dev is not None and stop < dev:
        raise BY_KEY["stop_date"].refuse("customer.stop_before_dev", stop=format_date(stop),
                                         dev=format_date(dev))


# ---- writing


def create(values: dict) -> Customer:
    """Add a customer; the mnemonic comes from the short name when left empty."""
    with writing():
        clean = validate(values)
        if not clean["mnemonic"]:
            clean["mnemonic"] = _mnemonic_of(clean["short_name"])
        who, at = clock.user(), clock.now()
        try:
            row = Customer.create(**clean, created_by=who, created_at=at, modified_by=who,
                                  modified_at=at, version=1)
        except peewee.IntegrityError:
            # Another session inserted the same code between our check and our insert
            # (PostgreSQL; SQLite's write lock taken at BEGIN rules that out).
            raise BY_KEY["code"].refuse("customer.code_taken", code=clean["code"]) from None
        search.index(row.id, row.name, row.short_name)
        history.record("add", ENTITY, row.code,
                       {k: [None, v] for k, v in clean.items() if v not in ("", None, 0, False)})
    return row


def update(code: str, values: dict, version: int) -> Customer:
    """Change the fields given in `values` of customer `code`, last read at `version`.

    The code never changes. A mnemonic that was generated follows a changed short name; one
    typed by hand is kept; an emptied one is generated again."""
    with writing():
        row = _current(code, version)
        clean = validate(values, existing=row)
        clean.pop("code", None)
        mnemonic = clean.get("mnemonic", row.mnemonic)
        if not mnemonic or ("short_name" in clean and mnemonic == row.mnemonic
                            and row.mnemonic == _mnemonic_of(row.short_name)):
            clean["mnemonic"] = _mnemonic_of(clean.get("short_name", row.short_name))
        changes = {k: [getattr(row, k), v] for k, v in clean.items() if getattr(row, k) != v}
        if not changes:
            return row
        _write(row, version, {k: new for k, (_, new) in changes.items()})
        if any(k in changes for k in NAME_FIELDS):
            search.unindex(row.id, row.name, row.short_name)
            search.index(row.id, clean.get("name", row.name), clean.get("short_name", row.short_name))
        history.record("change", ENTITY, code, changes)
    return get(code)


def delete(code: str, version: int) -> None:
    """Delete a customer no document uses; one with sales records can only be stopped."""
    with writing():
        row = _current(code, version)
        sales = Sale.select().where(Sale.customer == row.id).count()
        if sales:
            raise RuleError("customer.has_sales", code=code, count=sales)
        deleted = Customer.delete().where(Customer.id == row.id, Customer.version == version).execute()
        if deleted != 1:
            raise _conflict(code)
        search.unindex(row.id, row.name, row.short_name)
        history.record("delete", ENTITY, code,
                       {f.key: [v, None] for f in EDITABLE
                        if (v := getattr(row, f.key)) not in ("", None, 0, False)})


def stop(code: str, version: int, on=None) -> Customer:
    """停用: hide the customer from look-ups from `on` (a date or typed text; default today)."""
    with writing():
        row = _current(code, version)
        day = parse_date(on, field="stop_date", label=BY_KEY["stop_date"].label) if on else clock.today()
        _check_stop(day, {}, row)
        if row.stop_date != day:
            _write(row, version, {"stop_date": day})
            history.record("stop", ENTITY, code, {"stop_date": [row.stop_date, day]})
    return get(code)


def enable(code: str, version: int) -> Customer:
    """启用: clear the stop date."""
    with writing():
        row = _current(code, version)
        if row.stop_date is not None:
            _write(row, version, {"stop_date": None})
            history.record("enable", ENTITY, code, {"stop_date": [row.stop_date, None]})
    return get(code)


def _mnemonic_of(short_name: str) -> str:
    return initials(short_name)[: BY_KEY["mnemonic"].max_length]


def _current(code: str, version: int) -> Customer:
    """The row as it is now, refused when it is gone or no longer at `version`."""
    row = get(code)
    if row is None:
        raise ConflictError("conflict.deleted", code=code)
    if row.version != version:
        raise _conflict(code, row)
    return row


def _write(row: Customer, version: int, new: dict) -> None:
    """UPDATE ... WHERE id AND version, stamping who and when. The version in the WHERE clause
    is what stops a lost update on a database whose isolation lets two sessions read the
    same version (PostgreSQL at read committed)."""
    updated = (Customer.update(**new, version=version + 1, modified_by=clock.user(),
                               modified_at=clock.now())
               .where(Customer.id == row.id, Customer.version == version).execute())
    if updated != 1:
        raise _conflict(row.code)


def _conflict(code: str, row: Customer | None = None) -> ConflictError:
    """Who changed the row and when, or that it is gone."""
    row = row or get(code)
    if row is None:
        return ConflictError("conflict.deleted", code=code)
    return ConflictError("conflict.changed", code=code, who=row.modified_by or row.created_by,
                         when=_text("auto", row.modified_at or row.created_at))
