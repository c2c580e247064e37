"""Evaluation rules: every rule at its boundaries, dry run, apply (all, subset, stale), rule
parameters, and the property that every customer lands in exactly one class per dimension."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import db
from db.core import clock
from db.archive import dimensions
from db.evaluation import rules, parameters
from db.core.errors import RuleError
from db.core.models import ChangeLog, Customer, CustomerClass, Dimension, Membership, Sale
from db.archive.sales import months_before
from tests.pg import any_store, pg_store, pg_url  # noqa: F401 (fixtures)

_docs = count(1)


def customer(code: str, **fields) -> Customer:
    return Customer.create(code=code, name=f"客户{code}", short_name=f"客户{code}",
                           class_code="01", **fields)


def sale(code: str, date: str | dt.date, amount: int, cost: int = 0) -> None:
    """A sale written directly (db.archive.sales.add refuses dates after the fixed today)."""
    Sale.create(customer=Customer.get(Customer.code == code).id,
                date=dt.date.fromisoformat(date) if isinstance(date, str) else date,
                doc_no=f"D{next(_docs)}", amount=amount, cost=cost)


def proposed(as_of: dt.date) -> dict[tuple[str, str], tuple[str, str]]:
    """{(customer, target): (to, reason key)} of a fresh evaluation."""
    run = rules.evaluate(as_of)
    rows = rules.proposals(run.run_id, limit=10_000)
    return {(r.customer_code, r.target): (r.to_code, r.reason.removeprefix("rules.why."))
            for r in rows}


def target(as_of: dt.date, code: str, what: str) -> tuple[str, str]:
    return proposed(as_of)[(code, what)]


D = dt.date


# --- periods ----------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, months, expected", [
    (D(2026, 8, 31), 6, D(2026, 2, 28)),
    (D(2024, 8, 31), 6, D(2024, 2, 29)),
    (D(2025, 2, 28), 12, D(2024, 2, 28)),
    (D(2024, 2, 29), 12, D(2023, 2, 28)),
    (D(2025, 3, 31), 1, D(2025, 2, 28)),
    (D(2026, 11, 23), 12, D(2025, 11, 23)),
])
def test_months_before_keeps_month_ends(as_of, months, expected):
    assert months_before(as_of, months) == expected


# --- 交易历史 ----------------------------------------------------------------------------------

def test_history_new_boundary_exactly_six_months(store):
    customer("A")  # first purchase exactly 6 months ago: no longer within the last 6 months
    customer("B")  # one day later: within
    sale("A", "2026-02-28", 100)
    sale("B", "2026-03-01", 100)
    as_of = D(2026, 8, 31)
    assert target(as_of, "A", "history") == ("01", "history_new_one_year")
    assert target(as_of, "B", "history") == ("01", "history_new")


def test_history_past_boundary_exactly_twelve_months(store):
    customer("A")
    customer("B")
    sale("A", "2024-11-23", 100)
    sale("A", "2025-11-23", 100)  # last purchase exactly 12 months before: none for 12 months
    sale("B", "2024-11-23", 100)
    sale("B", "2025-11-24", 100)
    result = proposed(D(2026, 11, 23))
    assert result[("A", "history")] == ("03", "history_past")
    assert result[("B", "history")] == ("02", "history_old")


def test_history_29_february(store):
    customer("A")
    sale("A", "2023-06-01", 100)
    sale("A", "2024-02-29", 100)
    # As of 28 Feb 2025 the 12 months start after 28 Feb 2024: 29 Feb 2024 is inside.
    assert target(D(2025, 2, 28), "A", "history") == ("02", "history_old")
    # As of 1 March 2025 they start after 1 March 2024: it is outside.
    assert target(D(2025, 3, 1), "A", "history") == ("03", "history_past")


def test_history_new_as_of_29_february(store):
    customer("A")
    customer("B")
    sale("A", "2023-08-29", 100)  # 29 Feb 2024 minus 6 months = 29 Aug 2023
    sale("B", "2023-08-30", 100)
    result = proposed(D(2024, 2, 29))
    assert result[("A", "history")] == ("01", "history_new_one_year")
    assert result[("B", "history")] == ("01", "history_new")


def test_history_two_calendar_years_make_old(store):
    customer("A")
    customer("B")
    sale("A", "2025-12-31", 100)
    sale("A", "2026-01-01", 100)
    sale("B", "2026-01-01", 100)
    sale("B", "2026-05-01", 100)
    result = proposed(D(2026, 11, 23))
    assert result[("A", "history")] == ("02", "history_old")
    assert result[("B", "history")] == ("01", "history_new_one_year")


def test_history_potential_and_sales_after_as_of_do_not_count(store):
    customer("A")
    customer("B")
    sale("B", "2026-06-01", 100)
    result = proposed(D(2026, 5, 31))
    assert result[("A", "history")] == ("04", "never")
    assert result[("B", "history")] == ("04", "never")
    assert result[("B", "mgmt_type")] == ("潜在客户", "never")


def test_problem_customer_is_kept(store):
    customer("A", problem=True)
    sale("A", "2026-11-01", 500_000_000, 100)
    run = rules.evaluate(D(2026, 11, 23))
    rules.apply(run.run_id)
    assert dimensions.memberships("A")["history"] == ("05", "问题客户")
    # Whatever the sales do next, the flag keeps the class; only the flag's removal moves it.
    sale("A", "2026-11-20", 100)
    assert ("A", "history") not in proposed(D(2026, 11, 23))
    Customer.update(problem=False).where(Customer.code == "A").execute()
    assert target(D(2026, 11, 23), "A", "history") == ("01", "history_new")


# --- 购买规模 and 盈利情况 -----------------------------------------------------------------------

@pytest.mark.parametrize("amount, expected", [
    (1_000_000_00, ("01", "scale_large")),
    (1_000_000_00 - 1, ("02", "scale_medium")),
    (100_000_00, ("02", "scale_medium")),
    (100_000_00 - 1, ("03", "scale_small")),
])
def test_scale_thresholds(store, amount, expected):
    customer("A")
    sale("A", "2026-01-10", amount)
    assert target(D(2026, 11, 23), "A", "scale") == expected


def test_scale_counts_only_the_last_twelve_months(store):
    customer("A")
    customer("B")
    sale("A", "2025-11-23", 5_000_000_00)  # exactly 12 months before: outside
    sale("A", "2025-11-24", 1)
    result = proposed(D(2026, 11, 23))
    assert result[("A", "scale")] == ("03", "scale_small")
    assert result[("B", "scale")] == ("03", "scale_small")  # never bought: 零散


@pytest.mark.parametrize("amount, cost, expected", [
    (10000, 7000, ("01", "profit_high")),   # exactly 30 %
    (10000, 7001, ("02", "profit_fair")),   # 29.99 %
    (10000, 8500, ("02", "profit_fair")),   # exactly 15 %
    (10000, 8501, ("03", "profit_micro")),
    (10000, 10000, ("03", "profit_micro")),  # exactly 0 %
    (10000, 10001, ("04", "profit_loss")),
])
def test_profit_thresholds(store, amount, cost, expected):
    customer("A")
    sale("A", "2026-06-01", amount, cost)
    assert target(D(2026, 11, 23), "A", "profit") == expected


def test_profit_without_sales_in_twelve_months(store):
    customer("A")
    customer("B")
    customer("C")
    sale("A", "2024-01-01", 100, 200)  # a loss, but long ago
    sale("B", "2026-06-01", 0, 50)  # nothing sold, a cost: a loss
    result = proposed(D(2026, 11, 23))
    assert result[("A", "profit")] == ("03", "profit_none")
    assert result[("B", "profit")] == ("04", "profit_loss")
    assert result[("C", "profit")] == ("03", "profit_none")


# --- 管理类型 -----------------------------------------------------------------------------------

def _orders(code: str, n: int, each: int) -> None:
    for i in range(n):
        sale(code, D(2026, 1 + i, 15), each)


def test_mgmt_type_thresholds(store):
    for code in "ABCDEF":
        customer(code)
    _orders("A", 6, 2_000_000_00 // 6 + 1)  # >= 2,000,000 with 6 orders
    _orders("B", 5, 2_000_000_00 // 5 + 1)  # enough money, 5 orders: 重要
    _orders("C", 1, 500_000_00)  # exactly 500,000: 重要
    _orders("D", 1, 500_000_00 - 1)  # one fen less: 一般
    sale("E", "2020-01-01", 10)  # bought long ago, nothing since: 一般
    parameters.set_rule("mgmt.vip_top", 0)
    Customer.update(mgmt_type=parameters.POTENTIAL).where(Customer.code == "E").execute()
    result = proposed(D(2026, 11, 23))
    assert result[("A", "mgmt_type")] == ("VIP客户", "mgmt_vip_amount")
    assert result[("B", "mgmt_type")] == ("重要客户", "mgmt_important")
    assert result[("C", "mgmt_type")] == ("重要客户", "mgmt_important")
    assert ("D", "mgmt_type") not in result  # already 一般客户
    assert result[("E", "mgmt_type")] == ("一般客户", "mgmt_ordinary")
    assert result[("F", "mgmt_type")] == ("潜在客户", "never")


def test_mgmt_vip_top_n_with_ties_and_order_minimum(store):
    for code in "ABCD":
        customer(code)
    _orders("A", 6, 300)
    _orders("B", 6, 200)
    _orders("C", 6, 200)  # tied with B at the 2nd place: both in the top 2
    _orders("D", 5, 10_000)  # the most sales but too few orders: not ranked
    parameters.set_rule("mgmt.vip_top", 2)
    result = proposed(D(2026, 11, 23))
    assert result[("A", "mgmt_type")] == ("VIP客户", "mgmt_vip_top")
    assert result[("B", "mgmt_type")] == ("VIP客户", "mgmt_vip_top")
    assert result[("C", "mgmt_type")] == ("VIP客户", "mgmt_vip_top")
    assert ("D", "mgmt_type") not in result


def test_stopped_customer_loses_vip(store):
    customer("A", mgmt_type="VIP客户", stop_date=D(2026, 11, 23))
    _orders("A", 6, 1_000_000_00)
    assert target(D(2026, 11, 23), "A", "mgmt_type") == ("一般客户", "mgmt_stopped")
    # Stopped tomorrow: still VIP today.
    Customer.update(stop_date=D(2026, 11, 24)).execute()
    assert ("A", "mgmt_type") not in proposed(D(2026, 11, 23))


# --- dry run and apply ------------------------------------------------------------------------

def _dump(path: Path) -> list[tuple]:
    """Every row of the archive except the review's own tables (the locate index by its
    stored blocks: it keeps no names to read back)."""
    con = sqlite3.connect(path)
    try:
        tables = [name for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                  if not sql.startswith("CREATE VIRTUAL") and name not in ("evaluation_run", "proposal")]
        return [(table, sorted(map(repr, con.execute(f'SELECT * FROM "{table}"')))) for table in sorted(tables)]
    finally:
        con.close()


def _mixed(store) -> None:
    customer("A")
    customer("B", problem=True)
    customer("C", mgmt_type="VIP客户", stop_date=D(2026, 1, 1))
    customer("D")
    sale("A", "2026-10-01", 2_000_000_00, 1_000_000_00)
    sale("C", "2025-01-01", 100, 90)
    sale("D", "2024-05-01", 100, 10)
    sale("D", "2026-05-01", 100, 10)


def test_dry_run_changes_nothing(store):
    _mixed(any_store)
    before = _dump(store.path)
    run = rules.evaluate(D(2026, 11, 23))
    assert run.proposals > 0
    assert _dump(store.path) == before


def test_apply_changes_exactly_the_listed_rows(any_store):
    _mixed(any_store)
    versions = {c.code: c.version for c in Customer.select()}
    run = rules.evaluate(D(2026, 11, 23))
    listed = rules.proposals(run.run_id, limit=1000)
    assert sum(c.count for c in run.changes) == len(listed) == run.proposals
    done = rules.apply(run.run_id)
    assert (done.applied, done.stale) == (len(listed), 0)
    for row in listed:
        if row.target == rules.MGMT:
            assert Customer.get(Customer.code == row.customer_code).mgmt_type == row.to_code
        else:
            assert dimensions.memberships(row.customer_code)[row.target][0] == row.to_code
    changed = {r.customer_code for r in listed}
    assert done.customers == len(changed)
    for c in Customer.select():
        assert c.version == versions[c.code] + (1 if c.code in changed else 0)
    logs = list(ChangeLog.select().where(ChangeLog.action == "evaluate"))
    assert sorted(log.entity_code for log in logs) == sorted(changed)
    first = next(log for log in logs if log.entity_code == "A")
    assert json.loads(first.changes)["scale"] == [None, "01"]
    assert rules.evaluate(D(2026, 11, 23)).proposals == 0  # nothing left to change


def test_apply_a_subset_then_the_rest(any_store):
    _mixed(any_store)
    run = rules.evaluate(D(2026, 11, 23))
    done = rules.apply(run.run_id, codes=["A"])
    assert done.customers == 1
    assert set(dimensions.memberships("A")) == {"history", "scale", "profit"}
    assert dimensions.memberships("D") == {}
    pending = {c.target: c.pending for c in rules.summary(run.run_id).changes if c.pending}
    assert pending  # the others still wait
    rest = rules.apply(run.run_id)
    assert rest.applied == run.proposals - done.applied
    assert rules.apply(run.run_id).applied == 0  # applying again changes nothing


def test_apply_skips_rows_changed_since(any_store):
    customer("A")
    sale("A", "2026-10-01", 600_000_00)
    run = rules.evaluate(D(2026, 11, 23))
    # Someone makes A a VIP by hand between the review and the apply.
    Customer.update(mgmt_type="VIP客户").where(Customer.code == "A").execute()
    done = rules.apply(run.run_id)
    assert done.stale == 1
    assert Customer.get(Customer.code == "A").mgmt_type == "VIP客户"
    assert dimensions.memberships("A")["scale"][0] == "02"


def test_apply_skips_a_class_changed_since_and_a_customer_gone(any_store):
    customer("A")
    customer("B")
    sale("A", "2026-10-01", 600_000_00)
    run = rules.evaluate(D(2026, 11, 23))
    scale_a = next(p for p in rules.proposals(run.run_id, limit=100)
                   if p.customer_code == "A" and p.target == "scale")
    other = next(c.code for c in CustomerClass.select().join(Dimension).where(
        Dimension.code == "scale", CustomerClass.code.not_in([scale_a.from_code, scale_a.to_code]),
        CustomerClass.is_leaf == True))  # noqa: E712
    # Another apply (of a later run) moved A meanwhile: a derived class is not set by hand.
    Membership.create(customer=Customer.get(Customer.code == "A").id, customer_code="A",
                      dimension=Dimension.get(Dimension.code == "scale").id, class_code=other)
    # B deleted meanwhile (written directly: this module's customers are not in the locate index).
    Membership.delete().where(Membership.customer_code == "B").execute()
    Customer.delete().where(Customer.code == "B").execute()
    done = rules.apply(run.run_id)
    b_proposals = sum(1 for p in rules.proposals(run.run_id, limit=100) if p.customer_code == "B")
    assert done.stale == 1 + b_proposals
    assert dimensions.memberships("A")["scale"][0] == other  # the later change kept
    assert done.customers == 1  # A's other proposals applied, B's none


def test_proposals_page_by_key_and_filter(store):
    for i in range(7):
        customer(f"C{i}")
    run = rules.evaluate(D(2026, 11, 23))
    first = rules.proposals(run.run_id, limit=5)
    second = rules.proposals(run.run_id, after=(first[-1].customer_code, first[-1].target), limit=100)
    keys = [(r.customer_code, r.target) for r in first + second]
    assert keys == sorted(keys) and len(keys) == len(set(keys)) == run.proposals
    only = rules.proposals(run.run_id, target="scale", to_code="03", limit=100)
    assert {r.to_name for r in only} == {"零散客户"} and len(only) == 7


def test_new_run_replaces_the_users_earlier_run(store):
    customer("A")
    first = rules.evaluate(D(2026, 11, 23))
    rules.evaluate(D(2026, 11, 23))
    with pytest.raises(RuleError) as caught:
        rules.apply(first.run_id)
    assert caught.value.key == "rules.run_unknown"


def test_derived_membership_refused_by_hand(store):
    customer("A")
    with pytest.raises(RuleError) as caught:
        dimensions.set_membership("A", "scale", "01")
    assert caught.value.key == "dimension_member.derived"


# --- rule parameters --------------------------------------------------------------------------

def test_rules_defaults_and_changes(store):
    assert parameters.get_rules().scale_large == 1_000_000_00
    assert parameters.set_rule("scale.large", "2,000,000").scale_large == 2_000_000_00
    assert parameters.set_rule("profit.high", "35%").profit_high == 3500
    assert parameters.set_rule("history.new_months", "3").new_months == 3
    assert parameters.get_rules().scale_large == 2_000_000_00
    log = ChangeLog.get(ChangeLog.entity == "rule", ChangeLog.entity_code == "scale.large")
    assert json.loads(log.changes) == {"value": [1_000_000_00, 2_000_000_00]}


@pytest.mark.parametrize("key, value, error", [
    ("nope", "1", "rules.unknown"),
    ("history.new_months", "0", "rules.range"),
    ("history.new_months", "six", "rules.not_number"),
    ("history.new_months", "13", "rules.order"),  # above the 12 active months
    ("scale.medium", "1,000,001", "rules.order"),
    ("scale.large", "abc", "money.invalid"),
    ("profit.micro", "20", "rules.order"),  # above the 15 % fair margin
    ("profit.high", "101", "percent.range"),
])
def test_rules_refused_with_key(store, key, value, error):
    with pytest.raises(RuleError) as caught:
        parameters.set_rule(key, value)
    assert caught.value.key == error
    assert caught.value.field == key or error.startswith(("money.", "percent."))
    assert parameters.get_rules() == parameters.Rules.from_values(
        {k: spec[1] for k, spec in parameters.SPEC.items()})


# --- property: one class per derived dimension ------------------------------------------------

sales_strategy = st.lists(
    st.tuples(st.integers(0, 5), st.dates(D(2022, 1, 1), D(2026, 11, 23)),
              st.integers(-1000, 3_000_000_00), st.integers(0, 3_000_000_00)),
    max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=sales_strategy, problem=st.sets(st.integers(0, 5)),
       as_of=st.dates(D(2023, 1, 1), D(2026, 11, 23)))
def test_every_customer_lands_in_exactly_one_class_of_each_derived_dimension(sales, problem, as_of):
    clock.fix(dt.datetime(2026, 11, 23, 9, 30))
    with tempfile.TemporaryDirectory() as folder:
        store = db.open_store(str(Path(folder) / "p.db"))
        try:
            for i in range(6):
                customer(f"C{i}", problem=i in problem)
            for who, day, amount, cost in sales:
                sale(f"C{who}", day, amount, cost)
            run = rules.evaluate(as_of)
            rules.apply(run.run_id)
            for dim_code in dimensions.DERIVED:
                dim = Dimension.get(Dimension.code == dim_code)
                leaves = {c.code for c in CustomerClass.select().where(CustomerClass.dimension == dim.id)}
                held = [m.class_code for m in Membership.select().where(Membership.dimension == dim.id)]
                assert len(held) == 6 and set(held) <= leaves
            assert {c.mgmt_type for c in Customer.select()} <= set(parameters.MGMT_TYPES)
            for i in problem:
                assert dimensions.memberships(f"C{i}")["history"][0] == "05"
            assert rules.evaluate(as_of).proposals == 0
        finally:
            store.close()
