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
import re

import peewee

from db.core import clock
from db.archive import (approval, branches, classes, completeness, dimensions, duplicates, history,
                        region_classes, scope, search, subrecords)
from db.values.dates import format_date, parse_date
from db.core.errors import ConflictError, RuleError
from db.values.fields import BY_KEY, EDITABLE, FIELDS, field_for
from db.values import collation, regions
from db.values.mnemonic import initials
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Sale
from db.values.money import format_money, format_percent
from db.core.session import writing

ENTITY = "customer"
NAME_FIELDS = ("name", "short_name")


# ---- reading


def get(code: str) -> Customer | None:
    """Customer `code`; None also when it lies outside the operator's scope (db.archive.scope)."""
    row = Customer.get_or_none(Customer.code == code)
    return row if row is None or scope.sees(row.id) else None


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
    """A new card: defaults (币种 人民币, 管理类型 一般客户), developed today, in `class_code`,
    with the next free code proposed (next_code)."""
    values = {f.key: f.default for f in EDITABLE}
    values["class_code"] = class_code
    values["code"] = next_code(class_code)
    values["dev_date"] = format_date(clock.today())
    return values


SEQUENCE = re.compile(r"C\d{6}")  # the archive numbers its customers C000001, C000002...
_TRAILING = re.compile(r"(.*?)(\d+)")
TRIES = 100  # codes looked at past the class's last one before giving up (then none)


def next_code(class_code: str = "") -> str:
    """The code a new customer in `class_code` is offered (the card lets it be changed): the
    class's last code plus one when that is free; else, in an archive numbered C + 6 digits,
    the number after its last; else the class's next free one; "" when there is none."""
    last = (Customer.select(Customer.code).where(Customer.class_code == class_code)
            .order_by(Customer.code.desc()).scalar()) if class_code else None
    candidate = _increment(last) if last else None
    if candidate and not _taken(candidate):
        return candidate
    top = Customer.select(Customer.code).order_by(Customer.code.desc()).scalar()
    if top and SEQUENCE.fullmatch(top) and top != "C999999":
        return f"C{int(top[1:]) + 1:06d}"
    for _ in range(TRIES):
        if not candidate:
            break
        if not _taken(candidate):
            return candidate
        candidate = _increment(candidate)
    return ""


def _increment(code: str) -> str | None:
    """`code` with its trailing number one up, as wide (C0099 -> C0100); None without one
    or when it would not fit the code's length."""
    match = _TRAILING.fullmatch(code)
    if match is None:
        return None
    head, digits = match.groups()
    following = f"{head}{int(digits) + 1:0{len(digits)}d}"
    return following if len(following) <= BY_KEY["code"].max_length else None


def _taken(code: str) -> bool:
    return Customer.select().where(Customer.code == code).exists()


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


def validate(values: dict, *, existing: Customer | None = None, store_checks: bool = True,
             leaving: tuple[str, ...] = ()) -> dict:
    """Clean model values for `values`, or the RuleError of the first bad field in card order.

    A new customer (`existing` None) gets every editable field, defaults where `values` has
    none; a change validates only the fields given. `store_checks=False` leaves out the two
    rules that query the database (code unique, class a leaf), for an import that checks
    them for all rows at once. `leaving`: the customers a merge takes into `existing`, whose
    tax id it may keep."""
    clean, errors = _check(values, existing, store_checks, leaving)
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


def _check(values: dict, existing: Customer | None, store_checks: bool, leaving: tuple[str, ...] = ()):
    for key in values:
        if key not in BY_KEY:
            _field(key)  # raises for a key that is no field at all
    # A person's 税号 is a 身份证 number (db.values.fields.PERSONAL_TAX_ID): the class typed, or kept.
    typed_class = values.get("class_code", existing.class_code if existing is not None else "")
    personal = classes.is_personal(str(typed_class or "").strip())
    fields = [field_for(f.key, personal) for f in EDITABLE if existing is None or f.key in values]
    clean: dict = {}
    errors: list[RuleError] = []
    for field in fields:
        try:
            value = field.clean(values.get(field.key))
            if existing is not None and field.key == "code" and value != existing.code:
                raise field.refuse("customer.code_immutable", code=existing.code)
            if store_checks:
                _store_check(field, value, existing)
            # Against the development date typed with it: when that one is refused, not
            # against the stored one it is replacing (its own refusal says what is wrong).
            if field.key == "stop_date" and not any(e.field == "dev_date" for e in errors):
                _check_stop(value, clean, existing)
        except RuleError as exc:
            errors.append(exc)
        else:
            clean[field.key] = value
    if ("region" in clean or "region_code" in clean) and not any(
            e.field in ("region", "region_code") for e in errors):
        _regions(clean, existing)
    if store_checks and clean.get("tax_id"):
        refusal = duplicates.tax_id_refusal(clean["tax_id"], existing,
                                            clean.get("stop_date", existing and existing.stop_date), leaving)
        if refusal is not None:
            errors.append(refusal)
    return clean, errors


def _regions(clean: dict, existing: Customer | None) -> None:
    """所属地区 and its code kept telling one place (db.values.regions.reconcile): a text that
    names one region brings its code, a code picked brings its name."""
    old_text, old_code = (existing.region, existing.region_code) if existing is not None else ("", "")
    clean["region"], clean["region_code"] = regions.reconcile(
        clean.get("region", old_text), clean.get("region_code", old_code), old_text, old_code)


def _store_check(field, value, existing: Customer | None) -> None:
    if field.key == "head_office":
        # Checked when named or changed: a branch keeps a head that was stopped since.
        if existing is None or value != existing.head_office:
            refusal = branches.refusal(existing.code if existing else None, value)
            if refusal is not None:
                raise refusal
    elif field.key == "code" and existing is None:
        if Customer.select().where(Customer.code == value).exists():
            raise field.refuse("customer.code_taken", code=value)
    elif field.key == "class_code":
        row = (CustomerClass.select(CustomerClass.is_leaf).join(Dimension)
               .where(Dimension.code == MAIN_DIMENSION, CustomerClass.code == value).first())
        refusal = class_refusal(field.key, field.label, value, None if row is None else row.is_leaf)
        if refusal is not None:
            raise refusal


def class_refusal(field: str, label: str, code: str, is_leaf: bool | None) -> RuleError | None:
    """Why customers cannot be put in class `code` of a dimension (`is_leaf` None: no such
    class), None when they can: the card's rule, and the import's for every class column."""
    if is_leaf is None:
        return RuleError("customer.class_unknown", field=field, label=label, code=code)
    if not is_leaf:
        return RuleError("customer.class_not_leaf", field=field, label=label, code=code)
    return None


def _check_stop(stop: dt.date | None, clean: dict, existing: Customer | None) -> None:
    if "dev_date" in clean:
        dev = clean["dev_date"]
    else:
        dev = existing.dev_date if existing is not None else None
    if stop is not None and dev is not None and stop < dev:
        raise BY_KEY["stop_date"].refuse("customer.stop_before_dev", stop=format_date(stop),
                                         dev=format_date(dev))


# ---- writing


def create(values: dict, memberships: dict[str, str] | None = None) -> Customer:
    """Add a customer, with its classes in the `memberships` dimensions (dimension code ->
    class code, "" for none); the mnemonic comes from the short name when left empty."""
    with writing():
        clean = validate(values)
        if not clean["mnemonic"]:
            clean["mnemonic"] = mnemonic_of(clean["short_name"])
        scope.check_values(clean, classes_apart=True)  # the classes: check_new below
        placed = dimensions.placements(memberships or {})
        province = region_classes.DIMENSION not in (memberships or {}) and region_classes.placement(
            clean.get("region_code"))
        if province:  # left empty, not emptied: the province's class (region_classes.follow)
            placed[region_classes.DIMENSION] = province
        scope.check_new(clean["class_code"], {d: c for d, (_, c) in placed.items()})
        who, at = clock.user(), clock.now()
        new_id = _insert({**clean, **collation.keys_of(clean), "created_by": who, "created_at": at,
                          "modified_by": who, "modified_at": at, "version": 1})
        dimensions.place(new_id, clean["code"], placed)
        scope.check(Customer(id=new_id, code=clean["code"]))  # as written: a new customer must land inside the scope
        row = Customer.get_by_id(new_id)
        search.index(row.id, row.name, row.short_name)
        subrecords.follow_card(row.id, clean)
        completeness.refresh_ids([row.id])
        row.completeness = Customer.get_by_id(row.id).completeness
        added = {k: [None, v] for k, v in clean.items() if v not in ("", None, 0, False)}
        added.update((f"dimension:{d}", [None, c]) for d, (_, c) in placed.items())
        history.record("add", ENTITY, row.code, added)
        if approval.applies():
            approval.file_new(row.code)  # 待审核 until an approver approves it
    return row


def _insert(data: dict) -> int:
    """INSERT the new customer row, its id read after: without RETURNING, which PostgreSQL
    refuses for a row its row-level security hides (a scope of another dimension than the
    main one hides a new customer until its class there is written)."""
    try:
        Customer.insert(**data).as_rowcount().execute()
    except peewee.IntegrityError:
        # Another session inserted the same code between our check and our insert
        # (PostgreSQL; SQLite's write lock taken at BEGIN rules that out).
        raise BY_KEY["code"].refuse("customer.code_taken", code=data["code"]) from None
    database = Customer._meta.database
    sql = ("SELECT last_insert_rowid()" if database.param == "?" else
           f"SELECT currval(pg_get_serial_sequence('{Customer._meta.table_name}', 'id'))")
    return database.execute_sql(sql).fetchone()[0]


def update(code: str, values: dict, version: int) -> Customer:
    """Change the fields given in `values` of customer `code`, last read at `version`.

    The code never changes. A mnemonic that was generated follows a changed short name; one
    typed by hand is kept; an emptied one is generated again."""
    with writing():
        row = _current(code, version)
        clean = validate(values, existing=row)
        clean.pop("code", None)
        clean["mnemonic"] = mnemonic_after(row.mnemonic, row.short_name,
                                           clean.get("mnemonic", row.mnemonic), clean.get("short_name"))
        changes = {k: [getattr(row, k), v] for k, v in clean.items() if getattr(row, k) != v}
        changes = approval.hold(code, changes)  # held fields wait for an approver
        if not changes:
            return get(code)
        scope.check_values({k: new for k, (_, new) in changes.items()}, classes_apart=True)
        if "class_code" in changes:  # with its other classes, does the customer stay in the scope?
            scope.check_membership(row, MAIN_DIMENSION, changes["class_code"][1])
        _write(row, version, {k: new for k, (_, new) in changes.items()})
        scope.check(row)  # as written: a change may not move it out of the scope
        subrecords.follow_card(row.id, {k: new for k, (_, new) in changes.items()})
        if completeness.COLUMNS.intersection(changes):
            completeness.refresh_ids([row.id])
        if any(k in changes for k in NAME_FIELDS):
            search.unindex(row.id, row.name, row.short_name)
            search.index(row.id, clean.get("name", row.name), clean.get("short_name", row.short_name))
        history.record("change", ENTITY, code, changes)
        return get(code)


def save_card(code: str | None, values: dict, memberships: dict[str, str],
              version: int | None = None, duplicates_seen: str = "") -> Customer:
    """The card's save, all or nothing: customer `code` (None: a new one) with the typed
    `values`, last read at `version`, and its classes in the typed dimensions (dimension code
    -> class code, "" for none), with their history, in one transaction. A refused class
    leaves the customer as it was. Returns the saved row. `duplicates_seen` names the likely
    duplicates the card showed and the user saved past (查重), kept in the history.

    Every save here returns the row read inside its own transaction: read after the commit,
    it may already be another person's save, whose version the card would then take as its
    own (ten people saving the same cards showed it)."""
    with writing():
        if code is None:
            row = create(values, memberships)
        else:
            row = update(code, values, version)
            current = row.version
            for dim, class_code in memberships.items():
                current = dimensions.set_membership(row.code, dim, class_code or None, current)
            if region_classes.DIMENSION not in memberships:  # left empty, not emptied: the province's class
                current = region_classes.follow(row, current)
        if duplicates_seen:
            history.record("duplicate", ENTITY, row.code, {"duplicates": [None, duplicates_seen]})
        return get(row.code)


def check_delete(row: Customer) -> None:
    """Refuse to delete a customer a document uses (one with sales can only be stopped):
    asked before the user confirms, and again inside the delete."""
    sales = Sale.select().where(Sale.customer == row.id).count()
    if sales:
        raise RuleError("customer.has_sales", code=row.code, count=sales)
    count = branches.branch_count(row.code)
    if count:
        raise RuleError("customer.has_branches", code=row.code, count=count)


def delete(code: str, version: int) -> None:
    """Delete a customer no document uses; one with sales records can only be stopped."""
    with writing():
        row = _current(code, version)
        check_delete(row)
        deleted = Customer.delete().where(Customer.id == row.id, Customer.version == version).execute()
        if deleted != 1:
            raise conflict_of(code)
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


def mnemonic_of(short_name: str) -> str:
    """The mnemonic kehu generates for a short name (the card's save and the import's)."""
    return initials(short_name)[: BY_KEY["mnemonic"].max_length]


def mnemonic_after(old: str, old_short: str, mnemonic: str, short_name: str | None) -> str:
    """The mnemonic a change saves: `mnemonic` as given (the row's `old` one when not
    given), generated again when emptied, and following a new `short_name` (None: not
    given) when it is still the one generated from `old_short`; one typed by hand is kept."""
    if not mnemonic or (short_name is not None and mnemonic == old and old == mnemonic_of(old_short)):
        return mnemonic_of(old_short if short_name is None else short_name)
    return mnemonic


def _current(code: str, version: int) -> Customer:
    """The row as it is now, refused when it is gone, no longer at `version`, or outside
    the operator's scope."""
    row = Customer.get_or_none(Customer.code == code)
    if row is None:
        scope.refuse_hidden(code)  # PostgreSQL's row-level security hides it: not deleted
        raise ConflictError("conflict.deleted", code=code)
    scope.check(row)
    if row.version != version:
        raise conflict_of(code, row)
    return row


def _write(row: Customer, version: int, new: dict) -> None:
    """UPDATE ... WHERE id AND version, stamping who and when. The version in the WHERE clause
    is what stops a lost update on a database whose isolation lets two sessions read the
    same version (PostgreSQL at read committed)."""
    updated = (Customer.update(**new, **collation.keys_of(new), version=version + 1,
                               modified_by=clock.user(), modified_at=clock.now())
               .where(Customer.id == row.id, Customer.version == version).execute())
    if updated != 1:
        raise conflict_of(row.code)


def conflict_of(code: str, row: Customer | None = None) -> ConflictError:
    """Who changed the row and when, or that it is gone (the card's save and the import's)."""
    row = row or get(code)
    if row is None:
        return ConflictError("conflict.deleted", code=code)
    return ConflictError("conflict.changed", code=code, who=row.modified_by or row.created_by,
                         when=_text("auto", row.modified_at or row.created_at))
