"""Pairs marked "not a duplicate" (查重's triage, N): never proposed again by the duplicates
report, until the mark is taken back (undo). Each mark and unmark is in the history."""
from __future__ import annotations

from db.archive import history
from db.core import clock
from db.core.errors import RuleError
from db.core.models import Customer, NotDuplicate
from db.core.session import writing

ENTITY = "customer"


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def mark(code_a: str, code_b: str) -> None:
    """Record that customers `code_a` and `code_b` are two customers, not one."""
    a, b = _ordered(code_a, code_b)
    if a == b:
        raise RuleError("dup.same_customer", code=a)
    with writing():
        for code in (a, b):
            if not Customer.select().where(Customer.code == code).exists():
                raise RuleError("dup.unknown_customer", code=code)
        if is_marked(a, b):
            return
        NotDuplicate.create(code_a=a, code_b=b, who=clock.user(), at=clock.now())
        history.record("not_duplicate", ENTITY, a, {"not_duplicate": [None, b]})


def unmark(code_a: str, code_b: str) -> None:
    """Take a mark back (undo): the pair may be proposed again."""
    a, b = _ordered(code_a, code_b)
    with writing():
        if NotDuplicate.delete().where(NotDuplicate.code_a == a, NotDuplicate.code_b == b).execute():
            history.record("not_duplicate", ENTITY, a, {"not_duplicate": [b, None]})


def is_marked(code_a: str, code_b: str) -> bool:
    a, b = _ordered(code_a, code_b)
    return NotDuplicate.select().where(NotDuplicate.code_a == a, NotDuplicate.code_b == b).exists()


def marked_pairs() -> set[tuple[str, str]]:
    """Every marked pair, both ways round (the report asks for pairs in either order)."""
    pairs = set()
    for a, b in NotDuplicate.select(NotDuplicate.code_a, NotDuplicate.code_b).tuples():
        pairs |= {(a, b), (b, a)}
    return pairs
