"""总公司 Head office and branches: a customer may name another customer as its head office
(Customer.head_office, by code, as U8's 总公司编码); the others that name it are its branches.

Rules: the head must exist; a stopped customer cannot be named as a head (it is hidden from
look-ups, as U8 hides it), though a branch keeps a head that is stopped later; a customer is
never its own head, directly or around a loop; a head with branches cannot be deleted (its
branches would name nobody). A group is a head with its branches, their branches and so on:
one recursive query (WITH RECURSIVE, on SQLite and PostgreSQL alike) over the index of the
customers that name a head.
"""
from __future__ import annotations

from dataclasses import dataclass

from db.archive import history
from db.core import clock, models
from db.core.errors import RuleError
from db.core.models import Customer

FIELD = "head_office"
LABEL = f"customer.field.{FIELD}"
ENTITY = "customer"
# A head named by more levels than this is a chain no company has: the walk up stops there.
MAX_DEPTH = 100


@dataclass(frozen=True)
class Branch:
    code: str
    name: str
    stopped: bool


def chain_up(head: str | None) -> list[str]:
    """`head`, its head, that one's head... up to a customer that names none (or back to
    one met already: a loop written before these rules, which the list then ends with)."""
    chain: list[str] = []
    while head and len(chain) < MAX_DEPTH:
        chain.append(head)
        if chain.count(head) > 1:
            break
        head = Customer.select(Customer.head_office).where(Customer.code == head).scalar()
    return chain


def loop_text(codes: list[str]) -> str:
    return " → ".join(codes)


def refusal(code: str | None, head: str | None) -> RuleError | None:
    """Why customer `code` (None: a new one) cannot name `head` as its head office, or None."""
    if head is None:
        return None
    if head == code:
        return RuleError("head.self", field=FIELD, label=LABEL, code=code)
    row = Customer.select(Customer.stop_date).where(Customer.code == head).first()
    if row is None:
        return RuleError("head.unknown", field=FIELD, label=LABEL, code=head)
    if row.stop_date is not None and row.stop_date <= clock.today():
        return RuleError("head.stopped", field=FIELD, label=LABEL, code=head, date=str(row.stop_date))
    if code:
        chain = chain_up(head)
        if code in chain:
            return RuleError("head.loop", field=FIELD, label=LABEL, code=code,
                             loop=loop_text([code, *chain[:chain.index(code) + 1]]))
    return None


def check_no_loop(code: str, gone: tuple[str, ...] = ()) -> None:
    """Refuse (head.loop) when customer `code`'s chain of heads comes back to it or reaches
    one of `gone` (customers a merge folds into `code`): a merge's last check."""
    chain = chain_up(Customer.select(Customer.head_office).where(Customer.code == code).scalar())
    for at, head in enumerate(chain):
        if head == code or head in gone:
            raise RuleError("head.loop", field=FIELD, label=LABEL, code=code,
                            loop=loop_text([code, *chain[:at + 1]]))


def head_of(code: str) -> tuple[str, str] | None:
    """(code, name) of customer `code`'s head office, None when it names none."""
    row = (Customer.select(Customer.code, Customer.name)
           .where(Customer.code == Customer.select(Customer.head_office).where(Customer.code == code))
           .tuples().first())
    return tuple(row) if row else None


def branches(code: str, limit: int = 20) -> list[Branch]:
    """The first `limit` direct branches of customer `code`, in code order."""
    today = clock.today()
    query = (Customer.select(Customer.code, Customer.name, Customer.stop_date)
             .where(Customer.head_office == code).order_by(Customer.code).limit(limit).tuples())
    return [Branch(c, n, s is not None and s <= today) for c, n, s in query]


def branch_count(code: str) -> int:
    return Customer.select().where(Customer.head_office == code).count()


def group_sql(param: str) -> str:
    """The ids of a group, its head's code bound to `param`: the head, its branches, theirs.
    UNION (not UNION ALL) ends a loop written before the rules, should one exist."""
    table = Customer._meta.table_name
    return (f"WITH RECURSIVE grp(id, code) AS (SELECT id, code FROM {table} WHERE code = {param} "
            f"UNION SELECT c.id, c.code FROM {table} c JOIN grp g ON c.head_office = g.code) "
            f"SELECT id FROM grp")


def group_ids(code: str) -> list[int]:
    """The ids of customer `code`'s group (itself first when it exists)."""
    return [r[0] for r in models.database.execute_sql(group_sql(models.database.param), (code,))]


def move_branches(sources: list[str], target: str) -> list[str]:
    """并户: the branches of `sources` become `target`'s, each a change in its history with
    its version moved on. Call inside the merge's transaction; returns the codes moved."""
    rows = list(Customer.select(Customer.id, Customer.code, Customer.head_office)
                .where(Customer.head_office.in_(sources)).order_by(Customer.code).tuples())
    if not rows:
        return []
    (Customer.update(head_office=target, version=Customer.version + 1, modified_by=clock.user(),
                     modified_at=clock.now())
     .where(Customer.head_office.in_(sources)).execute())
    history.record_many("change", ENTITY, ((code, {FIELD: [old, target]}) for _, code, old in rows))
    return [code for _, code, _ in rows]
