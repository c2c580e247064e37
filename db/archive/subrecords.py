"""The card's sub-records (联系人, 地址, 银行, 开票信息): read, add, change, delete, make default.

Each write is one transaction: the record is validated field by field (the card's one-line
refusals), checked against the version it was read at (a change over someone else's is refused,
ConflictError), written, and recorded in the customer's history, field by field.

The customer row keeps a copy of each default record's main fields (db.values.subfields.MIRROR:
the card's single fields of before, which the list's columns and filters read cheaply at a
million customers). Every write that changes a default's copied value writes the customer row in
the same transaction, raising its version (an open card saving its stale copy over it is then
refused, not silently lost); the card's own save of a copied field writes the default record
in turn (`follow_card`). `seed_from_card` makes the defaults from the copies, set-based: the
upgrade of an older archive, and the demo.
"""
from __future__ import annotations

from typing import NamedTuple

from peewee import Value, fn

from db.archive import completeness, history
from db.core import clock
from db.core.errors import ConflictError, RuleError
from db.core.models import Address, BankAccount, Contact, Customer, InvoiceInfo
from db.core.session import writing
from db.values.dates import format_date
from db.values.subfields import FIELDS, GROUP_BY, KINDS, MIRROR, MIRRORED

MODELS = {"contacts": Contact, "addresses": Address, "banks": BankAccount, "invoices": InvoiceInfo}
ENTITY = "customer"  # the history of a sub-record is its customer's (the card's 历史 tab, merge)


class Saved(NamedTuple):
    """What a write leaves: the record (None after a delete) and its customer as now stored
    (a card takes the customer's new version and copied fields from it)."""

    record: object
    customer: Customer


def _model(kind: str):
    if kind not in MODELS:
        raise RuleError("sub.unknown_kind", kind=kind)
    return MODELS[kind]


def _customer(code: str) -> Customer:
    row = Customer.get_or_none(Customer.code == code)
    if row is None:
        raise ConflictError("conflict.deleted", code=code)
    return row


# ---- reading


def records(code: str, kind: str) -> list:
    """The customer's records of `kind`, oldest first (a customer has a handful)."""
    model = _model(kind)
    return list(model.select().join(Customer, on=(model.customer == Customer.id))
                .where(Customer.code == code).order_by(model.id))


def default(code: str, kind: str, group: str | None = None):
    """The customer's default record of `kind` (of the address kind `group`), or None."""
    model = _model(kind)
    query = (model.select().join(Customer, on=(model.customer == Customer.id))
             .where(Customer.code == code, model.is_default == True))  # noqa: E712
    if GROUP_BY[kind]:
        query = query.where(getattr(model, GROUP_BY[kind]) == group)
    return query.first()


def as_form(kind: str, record) -> dict[str, str]:
    """A record's fields as its form shows them (and `validate` reads them back)."""
    out = {}
    for field in FIELDS[kind]:
        value = getattr(record, field.key)
        out[field.key] = format_date(value) if field.kind == "date" else ("" if value is None else str(value))
    return out


def blank(kind: str) -> dict[str, str]:
    return {f.key: f.default for f in FIELDS[kind]}


def title(kind: str, record) -> str:
    """How a record is named in the history and in a refusal: its first non-empty field."""
    for field in FIELDS[kind]:
        value = getattr(record, field.key)
        if value not in ("", None) and field.kind != "choice":
            return str(value)
    return ""


# ---- validation


def validate(kind: str, values: dict) -> dict:
    """Clean model values for every field of `kind` (missing ones empty), or the first
    refusal in form order; a record with nothing in it is refused too."""
    errors, clean = _check(kind, values)
    if errors:
        raise errors[0]
    return clean


def validate_all(kind: str, values: dict) -> list[RuleError]:
    """Every refusal `validate` would raise, one per bad field, in form order."""
    return _check(kind, values)[0]


def _check(kind: str, values: dict):
    _model(kind)
    fields = FIELDS[kind]
    known = {f.key for f in fields}
    for key in values:
        if key not in known:
            raise RuleError("sub.unknown_field", field=key, name=key)
    clean, errors = {}, []
    for field in fields:
        try:
            clean[field.key] = field.clean(values.get(field.key))
        except RuleError as exc:
            errors.append(exc)
    if not errors and not any(clean[f.key] not in ("", None) for f in fields
                              if f.kind != "choice" and f.key != "currency"):
        errors.append(RuleError("sub.empty", field=fields[0].key, label=f"sub.kind.{kind}"))
    return errors, clean


# ---- writing


def add(code: str, kind: str, values: dict, make_default: bool = False) -> Saved:
    """Add a record to customer `code`; the first of its kind (of its address kind) becomes
    the default, as does one added with `make_default`."""
    model = _model(kind)
    with writing():
        customer = _customer(code)
        clean = validate(kind, values)
        group = _group(kind, clean)
        others = _defaults(model, kind, customer.id, group)
        if make_default:
            _clear_defaults(model, others)
        record = model.create(customer=customer.id, is_default=make_default or not others,
                              version=1, **clean)
        history.record(f"{kind}.add", ENTITY, code,
                       {f"{kind}.{k}": [None, v] for k, v in clean.items() if v not in ("", None)})
        return Saved(record, _mirror(customer, kind, group))


def change(code: str, kind: str, record_id: int, values: dict, version: int) -> Saved:
    """Change the fields given in `values` of record `record_id`, last read at `version`."""
    model = _model(kind)
    with writing():
        customer = _customer(code)
        record = _current(model, kind, customer, record_id, version)
        clean = validate(kind, {**as_form(kind, record), **values})
        changes = {k: [getattr(record, k), v] for k, v in clean.items() if getattr(record, k) != v}
        if not changes:
            return Saved(record, customer)
        was, now = _group(kind, as_form(kind, record)), _group(kind, clean)
        if was != now and record.is_default:
            # An address that changes kind leaves its old kind without a default; it is the
            # new kind's default only when that kind had none.
            clean["is_default"] = not _defaults(model, kind, customer.id, now)
        _write(model, record, version, clean)
        history.record(f"{kind}.change", ENTITY, code,
                       {kind: [title(kind, record), title(kind, record)],
                        **{f"{kind}.{k}": v for k, v in changes.items()}})
        if was != now:
            customer = _mirror(customer, kind, was)
        return Saved(model.get_by_id(record.id), _mirror(customer, kind, now))


def delete(code: str, kind: str, record_id: int, version: int) -> Saved:
    """Delete record `record_id` (read at `version`); a deleted default leaves its kind
    without one until another is made the default (the copy on the customer is emptied)."""
    model = _model(kind)
    with writing():
        customer = _customer(code)
        record = _current(model, kind, customer, record_id, version)
        if model.delete().where(model.id == record.id, model.version == version).execute() != 1:
            raise _conflict(kind, code)
        form = as_form(kind, record)
        history.record(f"{kind}.delete", ENTITY, code,
                       {f"{kind}.{k}": [v, None] for k, v in form.items() if v})
        return Saved(None, _mirror(customer, kind, _group(kind, form)))


def make_default(code: str, kind: str, record_id: int, version: int) -> Saved:
    """Make record `record_id` (read at `version`) the default of its kind."""
    model = _model(kind)
    with writing():
        customer = _customer(code)
        record = _current(model, kind, customer, record_id, version)
        if record.is_default:
            return Saved(record, customer)
        group = _group(kind, as_form(kind, record))
        _clear_defaults(model, _defaults(model, kind, customer.id, group))
        _write(model, record, version, {"is_default": True})
        history.record(f"{kind}.default", ENTITY, code, {kind: [None, title(kind, record)]})
        return Saved(model.get_by_id(record.id), _mirror(customer, kind, group))


def _group(kind: str, values: dict) -> str | None:
    return values[GROUP_BY[kind]] if GROUP_BY[kind] else None


def _defaults(model, kind: str, customer_id: int, group: str | None) -> list:
    """The customer's records of `kind` (of address kind `group`) marked default: one at most."""
    query = model.select().where(model.customer == customer_id, model.is_default == True)  # noqa: E712
    if GROUP_BY[kind]:
        query = query.where(getattr(model, GROUP_BY[kind]) == group)
    return list(query)


def _clear_defaults(model, rows) -> None:
    """Unmark `rows` as defaults, each raising its version (before the new default is marked:
    the index of one default per customer and kind is checked statement by statement)."""
    for row in rows:
        model.update(is_default=False, version=model.version + 1).where(model.id == row.id).execute()


def _current(model, kind: str, customer: Customer, record_id: int, version: int):
    record = model.get_or_none(model.id == record_id, model.customer == customer.id)
    if record is None:
        raise ConflictError("sub.deleted", code=customer.code, label=f"sub.kind.{kind}")
    if record.version != version:
        raise _conflict(kind, customer.code)
    return record


def _write(model, record, version: int, new: dict) -> None:
    updated = (model.update(**new, version=version + 1)
               .where(model.id == record.id, model.version == version).execute())
    if updated != 1:
        raise _conflict(kind_of(model), record.customer_id)


def kind_of(model) -> str:
    return next(k for k, m in MODELS.items() if m is model)


def _conflict(kind: str, code) -> ConflictError:
    if not isinstance(code, str):
        code = Customer.select(Customer.code).where(Customer.id == code).scalar() or ""
    return ConflictError("sub.changed", code=code, label=f"sub.kind.{kind}")


def _mirror(customer: Customer, kind: str, group: str | None = None) -> Customer:
    """The customer's copy of the default of `kind` (`group`) brought in step, in the
    caller's transaction: the customer row's version goes up when a copied value changes."""
    columns = MIRROR.get((kind, group))
    if not columns:
        return customer
    model = MODELS[kind]
    found = _defaults(model, kind, customer.id, group)
    new = {column: (getattr(found[0], field) if found else "") or ""
           for field, column in columns.items()}
    new = {column: value for column, value in new.items() if getattr(customer, column) != value}
    if not new:
        return customer
    updated = (Customer.update(**new, version=customer.version + 1, modified_by=clock.user(),
                               modified_at=clock.now())
               .where(Customer.id == customer.id, Customer.version == customer.version).execute())
    if updated != 1:  # PostgreSQL: another session saved the card since this write read it
        now = Customer.get_or_none(Customer.id == customer.id)
        if now is None:
            raise ConflictError("conflict.deleted", code=customer.code)
        raise ConflictError("conflict.changed", code=customer.code, who=now.modified_by,
                            when=str(now.modified_at or ""))
    completeness.refresh_ids([customer.id])
    return Customer.get_by_id(customer.id)


def follow_card(customer_id: int, new: dict) -> None:
    """The card's save wrote copied fields (`new`: customer column -> value): the defaults
    they copy take the values, in the save's transaction. A default that would be left with
    nothing in it is deleted; a kind without a default gets one made of the values."""
    touched: dict[tuple[str, str | None], dict] = {}
    for column, value in new.items():
        if column in MIRRORED:
            kind, group, field = MIRRORED[column]
            touched.setdefault((kind, group), {})[field] = value or ""
    for (kind, group), values in touched.items():
        model = MODELS[kind]
        found = _defaults(model, kind, customer_id, group)
        if found:
            record = found[0]
            merged = {**{f.key: getattr(record, f.key) for f in FIELDS[kind]}, **values}
            if not any(v not in ("", None) for k, v in merged.items()
                       if k not in (GROUP_BY[kind], "currency")):
                model.delete().where(model.id == record.id).execute()
            else:
                model.update(**values, version=model.version + 1).where(model.id == record.id).execute()
        elif any(values.values()):
            extra = {GROUP_BY[kind]: group} if GROUP_BY[kind] else {}
            model.create(customer=customer_id, is_default=True, version=1, **extra, **values)


def merge_into(target_id: int, sources: dict[str, int], picked: dict, chosen: dict) -> None:
    """并户: every record of the sources (code -> id, in the order given) moves to the target,
    in the merge's transaction. A source's default stays the default where the target has none
    of its kind (the first source wins), or where the user took every copied field of that
    kind from that source (`chosen`: field -> the code picked, or a typed value); other picked
    card fields (`picked`: customer column -> value) go to the target's defaults, and the
    target's copies follow the defaults it has now."""
    for kind, model in MODELS.items():
        group_of = (lambda r: getattr(r, GROUP_BY[kind])) if GROUP_BY[kind] else (lambda r: None)
        held = {group_of(r): r for r in model.select().where(model.customer == target_id,
                                                             model.is_default == True)}  # noqa: E712
        for code, source in sources.items():
            for record in model.select().where(model.customer == source).order_by(model.id):
                group = group_of(record)
                stays = record.is_default and (group not in held or _taken_whole(
                    MIRROR.get((kind, group), {}).values(), code, chosen, target_id, source))
                if stays and group in held:
                    _clear_defaults(model, [held[group]])
                if stays:
                    held[group] = record
                    picked = {c: v for c, v in picked.items()
                              if c not in MIRROR.get((kind, group), {}).values()}
                model.update(customer=target_id, is_default=stays, version=model.version + 1).where(
                    model.id == record.id).execute()
    follow_card(target_id, picked)
    row = Customer.get_by_id(target_id)
    for (kind, group), columns in MIRROR.items():
        row = _mirror(row, kind, group)


def _taken_whole(columns, code: str, chosen: dict, target_id: int, source_id: int) -> bool:
    """Whether the merge took every copied field of a default from source `code`: each one
    picked from it, or not picked and the same on both (a merge offers only differences)."""
    columns = list(columns)
    if not any(chosen.get(c) == code for c in columns):
        return False
    both = {row.id: row for row in Customer.select().where(Customer.id.in_([target_id, source_id]))}
    return all(chosen.get(c) == code or (c not in chosen and getattr(both[target_id], c)
                                         == getattr(both[source_id], c)) for c in columns)


def sync_from_card(condition=None) -> None:
    """The defaults of the customers `condition` selects (a peewee expression on Customer;
    None: all) take the copies on their rows, set-based (an import writes the customer rows
    in bulk): a default that differs is overwritten (its version raised), a missing one is
    made (`seed_from_card`); one left with nothing in it is deleted, as the card's save
    does (an import that empties the copied fields: --blank-clears)."""
    db = Customer._meta.database
    table = Customer._meta.table_name
    chosen = Customer.select(Customer.id)
    chosen, params = (chosen if condition is None else chosen.where(condition)).sql()
    for (kind, group), columns in MIRROR.items():
        model = MODELS[kind]
        sub = model._meta.table_name
        sets = ", ".join(f"{f} = (SELECT c.{c} FROM {table} c WHERE c.id = {sub}.customer_id)"
                         for f, c in columns.items())
        differs = " OR ".join(f"c.{c} <> {sub}.{f}" for f, c in columns.items())
        grouped = f" AND {sub}.{GROUP_BY[kind]} = {db.param}" if GROUP_BY[kind] else ""
        db.execute_sql(
            f"UPDATE {sub} SET {sets}, version = version + 1 WHERE {sub}.is_default{grouped}"
            f" AND {sub}.customer_id IN ({chosen}) AND EXISTS (SELECT 1 FROM {table} c"
            f" WHERE c.id = {sub}.customer_id AND ({differs}))",
            ([group] if GROUP_BY[kind] else []) + list(params))
        db.execute_sql(f"DELETE FROM {sub} WHERE {sub}.is_default{grouped} AND {sub}.customer_id IN ({chosen})"
                       f" AND {_empty_sql(kind, sub)}", ([group] if GROUP_BY[kind] else []) + list(params))
    seed_from_card(condition)


def _empty_sql(kind: str, table: str) -> str:
    """SQL true for a record of `kind` with nothing in it (its group and currency aside)."""
    fields = [MODELS[kind]._meta.fields[f.key] for f in FIELDS[kind] if f.key not in (GROUP_BY[kind], "currency")]
    return " AND ".join(f"{table}.{f.column_name} {'IS NULL' if f.null else '= ' + repr('')}" for f in fields)


def seed_from_card(condition=None, fresh: bool = False) -> None:
    """Make the default records of every customer (of those `condition` selects) from the
    copies on its row, set-based (one INSERT .. SELECT per kind): the upgrade of an archive
    from before the sub-records, and the demo. Customers that already have a default of a
    kind are left alone; `fresh`: the tables are new and empty, so none has one (and the
    upgrade builds their indexes after the load, so there is none to look that up by)."""
    for (kind, group), columns in MIRROR.items():
        model = MODELS[kind]
        fields = [getattr(model, f) for f in columns]
        sources = [getattr(Customer, c) for c in columns.values()]
        select = [Customer.id, Value(True), Value(1), *sources]
        target = [model.customer, model.is_default, model.version, *fields]
        if GROUP_BY[kind]:
            select.append(Value(group))
            target.append(getattr(model, GROUP_BY[kind]))
        has_default = model.select(model.id).where(model.customer == Customer.id,
                                                  model.is_default == True)  # noqa: E712
        if GROUP_BY[kind]:
            has_default = has_default.where(getattr(model, GROUP_BY[kind]) == group)
        # INSERT .. SELECT writes no Python default: every other column gets its own here.
        named = {f.name for f in target}
        for field in model._meta.sorted_fields:
            if field.name not in named and field.name != "id" and not field.null:
                select.append(Value(field.default))
                target.append(field)
        anything = None
        for source in sources:
            anything = (source != "") if anything is None else (anything | (source != ""))
        query = Customer.select(*select).where(anything if fresh else anything & ~fn.EXISTS(has_default))
        if condition is not None:
            query = query.where(condition)
        model.insert_from(query, target).execute()




def invoices_from_card(fresh: bool = False) -> None:
    """The default invoice details (开票信息) of every customer with a 税号 and none yet, from
    its card: the title its name, the tax id, 地址电话 its address and phone, 开户行及账号 its
    bank and account (each pair joined by a blank), set-based, as seed_from_card."""
    def joined(first, second, field):
        return fn.SUBSTR(fn.TRIM(first.concat(" ").concat(second)), 1, field.max_length)

    query = Customer.select(Customer.id, Value(True), Value(1), Customer.name, Customer.tax_id,
                            joined(Customer.address, Customer.phone, InvoiceInfo.address_phone),
                            joined(Customer.bank, Customer.bank_account, InvoiceInfo.bank_account))
    query = query.where(Customer.tax_id != "")
    if not fresh:
        query = query.where(~fn.EXISTS(InvoiceInfo.select(InvoiceInfo.id).where(
            InvoiceInfo.customer == Customer.id, InvoiceInfo.is_default == True)))  # noqa: E712
    InvoiceInfo.insert_from(query, [InvoiceInfo.customer, InvoiceInfo.is_default, InvoiceInfo.version,
                                    InvoiceInfo.title, InvoiceInfo.tax_id, InvoiceInfo.address_phone,
                                    InvoiceInfo.bank_account]).execute()
