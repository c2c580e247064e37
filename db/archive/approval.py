"""审核: new customers and changes of chosen fields waiting for an approver (U8's 新增客户申请 /
变更客户申请), off until the admin turns it on for the archive.

With approval on, a customer an editor adds is in the archive at once but pending (待审核):
findable, marked, left out of the evaluation and of a sales import, until approved; a
rejected one is deleted. A change an editor makes to a held field (default: name, tax id,
class, credit limit, credit days) becomes a change request, old -> new, and the card keeps
its values until an approver approves it; the other fields of the same save are saved.

The history holds both people: the request is written when filed (action "request", who
asked), the decision when made (action "approve" or "reject", who decided), each with batch
"request-<id>". Deciding takes the request from pending in one UPDATE ... WHERE status =
'pending', so of two approvers acting at once one wins and the other is told who did.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from peewee import JOIN, fn

from db.archive import completeness, history, operators, scope, search
from db.core import bulk, clock
from db.core.errors import RuleError
from db.core.models import ChangeLog, ChangeRequest, Customer, TeamSetting
from db.core.session import writing

ENTITY = "customer"
HELD = ("name", "tax_id", "class_code", "credit_limit", "credit_days")
STATUS = "approval"  # the history's pseudo-field of a new customer's state: pending, approved, rejected


def enabled() -> bool:
    return operators.setting("approval", "off") == "on"


def held_fields() -> tuple[str, ...]:
    text = operators.setting("approval_fields", ",".join(HELD))
    return tuple(f for f in text.split(",") if f)


def set_approval(on: bool, fields: list[str] | None = None) -> None:
    """Turn approval on or off for the archive (admin), and choose the held fields."""
    from db.values.fields import EDITABLE

    keys = {f.key for f in EDITABLE}
    chosen = [f.strip() for f in (fields or HELD) if f.strip()]
    unknown = [f for f in chosen if f not in keys]
    if unknown:
        raise RuleError("request.bad_field", field="fields", name=unknown[0])
    with writing("operators"):
        for key, value in (("approval", "on" if on else "off"), ("approval_fields", ",".join(chosen))):
            old = operators.setting(key, "")
            TeamSetting.insert(key=key, value=value).on_conflict(
                conflict_target=[TeamSetting.key], update={TeamSetting.value: value}).execute()
            if old != value:
                history.record("change", operators.ENTITY, f"@{key}", {key: [old or None, value]})


def applies() -> bool:
    """Whether the working operator's saves wait for approval: an editor's, approval on."""
    return operators.me().role == "editor" and enabled()


def _tag(request_id: int) -> str:
    return f"request-{request_id}"


def file_new(code: str) -> None:
    """Customer `code`, just added by an editor, waits for approval (inside the add's transaction)."""
    req = ChangeRequest.create(kind="new", customer_code=code, requested_by=clock.user(),
                               requested_at=clock.now())
    history.record("request", ENTITY, code, {STATUS: [None, "pending"]}, batch=_tag(req.id))


def hold(code: str, changes: dict) -> dict:
    """Of a save's `changes` ({field: [old, new]}, storage units) to customer `code`, file
    those of held fields as one change request and return the rest, which are saved. A
    pending new customer is not in the archive yet: its changes are saved as they are."""
    if not applies() or is_pending(code):
        return changes
    held = {k: v for k, v in changes.items() if k in held_fields()}
    if not held:
        return changes
    plain = {k: [history.plain(o), history.plain(n)] for k, (o, n) in held.items()}
    req = ChangeRequest.create(kind="change", customer_code=code, requested_by=clock.user(),
                               requested_at=clock.now(), changes=json.dumps(plain, ensure_ascii=False))
    history.record("request", ENTITY, code, held, batch=_tag(req.id))
    return {k: v for k, v in changes.items() if k not in held}


def file_many(kind: str, items: list[tuple[str, dict]]) -> int:
    """File a request for each (code, changes) of an editor's import, inside its
    transaction: "new" for the customers it adds (changes unused), "change" for the held
    fields' changes ({field: [old, new]}, storage units) of those it updates. Set-based, as
    the import is: the requests in one bulk insert, their ids read back in one query (a
    file names a code once), the history rows in another. Returns how many were filed."""
    if not items:
        return 0
    at, who = clock.now(), clock.user()
    table = ChangeRequest._meta.table_name
    before = ChangeRequest.select(fn.MAX(ChangeRequest.id)).scalar() or 0

    def plain(changes: dict) -> dict:
        return {k: [history.plain(o), history.plain(n)] for k, (o, n) in changes.items()}

    texts = ("kind", "customer_code", "requested_by", "changes", "status", "decided_by", "reason")
    bulk.insert(table, (*texts, "requested_at"),
                ((kind, code, who, "{}" if kind == "new" else json.dumps(plain(changes), ensure_ascii=False),
                  "pending", "", "", ChangeRequest.requested_at.db_value(at)) for code, changes in items), texts)
    ids = dict(ChangeRequest.select(ChangeRequest.customer_code, ChangeRequest.id).where(
        ChangeRequest.id > before, ChangeRequest.kind == kind, ChangeRequest.requested_by == who,
        ChangeRequest.requested_at == at).tuples())
    status = json.dumps({STATUS: [None, "pending"]})
    logged = ("at", "who", "action", "entity", "entity_code", "changes", "batch")
    bulk.insert(ChangeLog._meta.table_name, logged,
                ((ChangeLog.at.db_value(at), who, "request", ENTITY, code,
                  status if kind == "new" else json.dumps(plain(changes), ensure_ascii=False),
                  _tag(ids[code])) for code, changes in items), logged[1:])
    return len(items)


def is_pending(code: str) -> bool:
    return bool(pending_codes([code]))


def pending_codes(codes) -> set[str]:
    """Which of `codes` are new customers still waiting for approval (the list's mark)."""
    codes = list(codes)
    if not codes or not operators._has_table():
        return set()
    return {r.customer_code for r in ChangeRequest.select(ChangeRequest.customer_code).where(
        ChangeRequest.kind == "new", ChangeRequest.status == "pending",
        ChangeRequest.customer_code.in_(codes))}


def pending_sql(code_expr: str) -> str:
    """SQL true for a customer (by code) that is a pending new one: what the evaluation and
    a sales import leave out."""
    return (f"{code_expr} IN (SELECT r.customer_code FROM {ChangeRequest._meta.table_name} r "
            "WHERE r.kind = 'new' AND r.status = 'pending')")


@dataclass(frozen=True)
class Request:
    id: int
    kind: str
    code: str
    name: str
    changes: dict  # {field: (old, new)} as the history writes values
    status: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    reason: str


def _request(row: ChangeRequest, name: str) -> Request:
    changes = {k: tuple(v) for k, v in json.loads(row.changes or "{}").items()}
    return Request(row.id, row.kind, row.customer_code, name, changes, row.status, row.requested_by,
                   row.requested_at, row.decided_by, row.decided_at, row.reason)


def requests(status: str | None = "pending", mine: bool = False, code: str | None = None,
             limit: int = 500) -> list[Request]:
    """Requests (oldest first) of customers in the operator's scope: `status` (None: all),
    only the operator's own (`mine`), of one customer (`code`)."""
    if not operators._has_table():
        return []
    query = (ChangeRequest.select(ChangeRequest, Customer.name)
             .join(Customer, on=(Customer.code == ChangeRequest.customer_code), join_type=JOIN.LEFT_OUTER))
    if status:
        query = query.where(ChangeRequest.status == status)
    if mine:
        query = query.where(ChangeRequest.requested_by == operators.me().login)
    if code:
        query = query.where(ChangeRequest.customer_code == code)
    query = scope.narrowed(query, Customer.id)
    rows = query.order_by(ChangeRequest.id).limit(limit).objects()
    return [_request(r, getattr(r, "name", None) or "") for r in rows]


def get(request_id: int) -> Request | None:
    return next(iter(r for r in requests(None) if r.id == request_id), None)


def _take(request_id: int, status: str, reason: str = "") -> ChangeRequest:
    """Take request `request_id` from pending to `status`, refusing one already decided
    (by someone else a moment ago: their name and time are said)."""
    row = ChangeRequest.get_or_none(ChangeRequest.id == request_id)
    if row is None:
        raise RuleError("request.none", id=request_id)
    customer = Customer.get_or_none(Customer.code == row.customer_code)
    if customer is not None:
        scope.check(customer)
    taken = (ChangeRequest.update(status=status, decided_by=clock.user(), decided_at=clock.now(),
                                  reason=reason)
             .where(ChangeRequest.id == request_id, ChangeRequest.status == "pending").execute())
    if taken != 1:
        done = ChangeRequest.get(ChangeRequest.id == request_id)
        raise RuleError("request.decided", id=request_id, status=done.status, who=done.decided_by,
                        at=str(done.decided_at)[:19])
    return row


def approve(request_id: int) -> None:
    """Approve: a new customer joins the archive; a change is written, each field from the
    value it has now (the history records what was really replaced)."""
    with writing("approve"):
        row = _take(request_id, "approved")
        code = row.customer_code
        if row.kind == "new":
            history.record("approve", ENTITY, code, {STATUS: ["pending", "approved"]}, batch=_tag(row.id))
            return
        customer = Customer.get_or_none(Customer.code == code)
        if customer is None:
            raise RuleError("request.customer_gone", id=request_id, code=code)
        fields = Customer._meta.fields
        new = {k: fields[k].python_value(v[1]) for k, v in json.loads(row.changes).items()}
        changes = {k: [getattr(customer, k), v] for k, v in new.items() if getattr(customer, k) != v}
        if changes:
            updated = (Customer.update(**{k: v for k, (_, v) in changes.items()}, version=Customer.version + 1,
                                       modified_by=clock.user(), modified_at=clock.now())
                       .where(Customer.id == customer.id, Customer.version == customer.version).execute())
            if updated != 1:
                raise RuleError("request.customer_changed", id=request_id, code=code)
            completeness.refresh_ids([customer.id])
            if "name" in changes or "short_name" in changes:
                search.unindex(customer.id, customer.name, customer.short_name)
                search.index(customer.id, new.get("name", customer.name), new.get("short_name", customer.short_name))
        history.record("approve", ENTITY, code, changes, batch=_tag(row.id))


def reject(request_id: int, reason: str) -> None:
    """Reject with a reason: a change is dropped (the card never had it); a new customer
    leaves the archive (its card as it was goes into the history with the delete)."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("request.reason_required", field="reason")
    with writing("approve"):
        row = _take(request_id, "rejected", reason)
        code = row.customer_code
        history.record("reject", ENTITY, code,
                       {STATUS: ["pending", "rejected"]} if row.kind == "new" else {"reason": [None, reason]},
                       batch=_tag(row.id))
        if row.kind != "new":
            return
        customer = Customer.get_or_none(Customer.code == code)
        if customer is None:
            return
        from db.values.fields import EDITABLE

        Customer.delete().where(Customer.id == customer.id).execute()
        search.unindex(customer.id, customer.name, customer.short_name)
        history.record("delete", ENTITY, code, {f.key: [v, None] for f in EDITABLE
                                                 if (v := getattr(customer, f.key)) not in ("", None, 0, False)},
                       batch=_tag(row.id))
