"""Evaluation rules: the derived dimensions and the management type, re-evaluated as of a date.

The rule parameters live in the Rule table (defaults below) and are edited on the rules screen
or with `kehu rules --set`. `evaluate(as_of)` is a dry run: set-based SQL computes every
customer's figures and classes and writes a Proposal row for each value that would change;
nothing else is touched. `apply(run_id)` then writes all or some of them in one transaction.

Decisions the rules make (periods per db.archive.sales: the last N months as of D are the days after
D - N months up to D; sales after D do not count):

交易历史 history, first match wins:
  05 问题客户  the customer's problem flag is set: a person set it, only a person clears it
  04 潜在客户  no purchase at all up to D
  03 过去的客户 the last purchase is on or before D - active months (none for 12 months)
  01 新客户    the first purchase is after D - new months (within the last 6 months)
  02 老客户    purchases in at least two different calendar years (and one within 12 months)
  01 新客户    otherwise: buying, first purchase over 6 months ago, all in one calendar year;
              such a customer has not yet proved a repeat buyer, so stays new
购买规模 scale, by 12-month sales S: 大型 S >= large, 中型 S >= medium, else 零散 (which
  includes customers with no sales in 12 months, so every customer has a scale).
盈利情况 profit, by 12-month margin (S - cost) / S: 高 >= high, 合理 >= fair, 微 >= micro,
  else 亏损. With no sales in 12 months (S <= 0) there is no margin: a negative profit is
  亏损, otherwise 微盈利 (nothing earned, nothing lost).
管理类型 management type:
  潜在客户 no purchase at all up to D
  一般客户 stopped on or before D (a stopped customer is neither VIP nor 重要)
  VIP客户  at least M orders in 12 months and S >= the VIP amount, or S among the top N of
           the customers with at least M orders (ties at the N-th amount all count)
  重要客户 S >= the important amount
  一般客户 the rest (bought at some time)
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field

from peewee import JOIN

from db.archive import scope
from db.archive.dimensions import DERIVED, HISTORY, PROFIT, SCALE
from db.archive.sales import months_before
from db.core import clock, models
from db.core.errors import RuleError, StoreError
from db.core.models import CustomerClass, Dimension, EvaluationRun, Proposal
from db.core.session import current, writing
from db.evaluation.figures import drop, figures, periods, propose, sql, targets, vip_cutoff
from db.evaluation.parameters import MGMT, TARGETS, Rules, rule_values
from db.values.money import format_money, format_percent

# Earlier runs of the same user are replaced by a new one; anyone's runs older than this go.
KEEP_RUNS_DAYS = 7


@dataclass(frozen=True)
class Change:
    """How many proposals move one target from one value to another."""

    target: str
    from_code: str
    to_code: str
    count: int
    pending: int


@dataclass
class Evaluation:
    run_id: int
    as_of: dt.date
    rules: Rules
    vip_cutoff: int | None
    proposals: int
    customers: int
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class ProposalRow:
    """One proposal as the review screen shows it; `reason` is a catalog key filled by
    `values` (numbers already formatted)."""

    id: int
    customer_code: str
    customer_name: str
    target: str
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    reason: str
    values: dict
    status: str  # "" pending, "applied", "stale"


def evaluate(as_of: dt.date | None = None, progress=None) -> Evaluation:
    """Dry run: compute every customer's derived classes and management type as of `as_of`
    (default today) and store what would change as Proposal rows of a new run. Changes
    nothing else. Earlier runs of the same user are dropped. `progress(done, steps)`, when
    given, is called after each step (for a progress bar; it runs on the caller's thread).

    The figures are computed in a read transaction into temporary tables, so the archive's
    write lock is held only while the proposals are written."""
    started = time.perf_counter()
    as_of = as_of or clock.today()
    values = rule_values()
    rules = Rules.from_values(values)
    since_new, since_active = periods(as_of, rules)
    day = as_of.isoformat()
    step = _stepper(progress, 7)
    if current().read_only:
        # Not run in memory: the proposals are paged and counted in SQL by the review, on
        # other threads' connections (each its own), which a connection's TEMP tables do
        # not reach; read-only, nothing can keep them.
        raise StoreError("rules.read_only")
    with models.database.atomic():
        figures(day, since_active)
        step()
        cutoff = vip_cutoff(rules, day)
        targets(rules, day, since_new, since_active, cutoff)
        step()
    with writing("archive"):
        who = clock.user()
        # Created before the old runs go, so the highest id survives and SQLite never hands
        # an id out twice: a review screen still holding an old run id finds it gone.
        run = EvaluationRun.create(at=clock.now(), who=who, as_of=as_of,
                                   rules=json.dumps(values), vip_cutoff=cutoff)
        old_runs = [r for (r,) in EvaluationRun.select(EvaluationRun.id).where(
            EvaluationRun.id != run.id,
            (EvaluationRun.who == who)
            | (EvaluationRun.at < clock.now() - dt.timedelta(days=KEEP_RUNS_DAYS))).tuples()]
        if old_runs:
            others = EvaluationRun.select().where(EvaluationRun.id.not_in(old_runs + [run.id]))
            if others.exists():
                Proposal.delete().where(Proposal.run_id.in_(old_runs)).execute()
            else:
                # Every proposal is going: a DELETE without WHERE lets SQLite drop the pages
                # at once instead of removing a million rows one by one from two indexes.
                sql("DELETE FROM proposal")
            EvaluationRun.delete().where(EvaluationRun.id.in_(old_runs)).execute()
        step()
        propose(run.id, step)
    drop("eval_target")
    drop("eval_fig")
    result = summary(run.id)
    result.seconds = time.perf_counter() - started
    return result


def _stepper(progress, steps: int):
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps)
    return step


def run_of(run_id: int) -> EvaluationRun:
    run = EvaluationRun.get_or_none(EvaluationRun.id == run_id)
    if run is None:
        raise RuleError("rules.run_unknown", run=run_id)
    return run


def summary(run_id: int) -> Evaluation:
    """A run's counts per change (from SQL), for the review screen's header."""
    run = run_of(run_id)
    inside, params = _in_scope()
    changes = [Change(t, f, to, int(n), 0 if run.applied_at else int(p)) for t, f, to, n, p in sql(
        "SELECT target, from_code, to_code, COUNT(*),"
        f" SUM(CASE WHEN status = '' THEN 1 ELSE 0 END) FROM proposal WHERE run_id = ?{inside}"
        " GROUP BY target, from_code, to_code", (run_id, *params)).fetchall()]
    changes.sort(key=lambda c: (TARGETS.index(c.target), c.from_code, c.to_code))
    customers = sql(f"SELECT COUNT(DISTINCT customer_code) FROM proposal WHERE run_id = ?{inside}",
                     (run_id, *params)).fetchone()[0]
    return Evaluation(run_id=run.id, as_of=_date(run.as_of),
                      rules=Rules.from_values({**rule_values(), **json.loads(run.rules)}),
                      vip_cutoff=run.vip_cutoff, proposals=sum(c.count for c in changes),
                      customers=int(customers), changes=changes)


def _in_scope() -> tuple[str, list]:
    """The review's narrowing to the operator's scope (data permission): an AND of the
    proposals' customers, and its params; nothing for who sees everything (an admin, who
    alone runs and applies an evaluation)."""
    found = scope.condition("sc")
    if found is None:
        return "", []
    return (f" AND customer_id IN (SELECT sc.id FROM {models.Customer._meta.table_name} sc"
            f" WHERE {found[0]})", found[1])


def class_names() -> dict[tuple[str, str], str]:
    """{(target, code): name} for the derived dimensions; a management type is its own name."""
    query = (CustomerClass.select(Dimension.code, CustomerClass.code, CustomerClass.name)
             .join(Dimension).where(Dimension.code.in_(list(DERIVED))).tuples())
    return {(dim, code): name for dim, code, name in query}


END: tuple = ()  # as `before`: the run's last proposals


def proposals(run_id: int, after: tuple[str, str] = ("", ""), limit: int = 50,
              target: str | None = None, from_code: str | None = None,
              to_code: str | None = None, before: tuple | None = None) -> list[ProposalRow]:
    """One page of a run's proposals in (customer code, target) order, after the key
    `after`; optionally only one change (target, from, to). With `before`, the `limit`
    proposals just before that key instead (END: the last ones), read backward by the same
    index, still returned in order."""
    run = run_of(run_id)
    rules = Rules.from_values({**rule_values(), **json.loads(run.rules)})
    query = (Proposal.select(Proposal, models.Customer.name.alias("customer_name"))
             .join(models.Customer, JOIN.LEFT_OUTER,
                   on=(models.Customer.id == Proposal.customer_id))
             .where(Proposal.run_id == run_id))
    query = scope.narrowed(query, Proposal.customer_id)
    code, aim = Proposal.customer_code, Proposal.target
    if before is None:
        # The >= bound lets the (run, customer_code, target) index start at the key.
        query = query.where(code >= after[0], (code > after[0]) | (aim > after[1]))
        order = (code, aim)
    else:
        if before != END:
            query = query.where(code <= before[0], (code < before[0]) | (aim < before[1]))
        order = (code.desc(), aim.desc())
    for column, value in ((Proposal.target, target), (Proposal.from_code, from_code),
                          (Proposal.to_code, to_code)):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(*order).limit(limit).objects()
    names = class_names()
    rows = []
    for p in (query if before is None else reversed(list(query))):
        rows.append(ProposalRow(
            id=p.id, customer_code=p.customer_code, customer_name=p.customer_name or "",
            target=p.target, from_code=p.from_code,
            from_name=names.get((p.target, p.from_code), p.from_code),
            to_code=p.to_code, to_name=names.get((p.target, p.to_code), p.to_code),
            reason=f"rules.why.{p.reason}", values=reason_values(p, _date(run.as_of), rules),
            status=p.status or ("applied" if run.applied_at else "")))
    return rows


def reason_values(p: Proposal, as_of: dt.date, rules: Rules) -> dict:
    """The figures a reason's message shows, formatted (money "1,234.56", percent "12.5%")."""
    since_new, since_active = (months_before(as_of, rules.new_months),
                               months_before(as_of, rules.active_months))
    margin = ""
    if p.amount > 0:
        # Hundredths of a percent, rounded toward minus infinity like the SQL comparison.
        margin = format_percent(((p.amount - p.cost) * 10000) // p.amount) + "%"
    return {
        "as_of": as_of.isoformat(), "amount": format_money(p.amount),
        "cost": format_money(p.cost), "profit": format_money(p.amount - p.cost),
        "margin": margin, "orders": p.orders,
        "first": _date(p.first_date).isoformat() if p.first_date else "",
        "last": _date(p.last_date).isoformat() if p.last_date else "",
        "since_new": since_new.isoformat(), "since_active": since_active.isoformat(),
        "new_months": rules.new_months, "active_months": rules.active_months,
        "large": format_money(rules.scale_large), "medium": format_money(rules.scale_medium),
        "high": format_percent(rules.profit_high) + "%",
        "fair": format_percent(rules.profit_fair) + "%",
        "micro": format_percent(rules.profit_micro) + "%",
        "vip_amount": format_money(rules.vip_amount), "vip_orders": rules.vip_orders,
        "vip_top": rules.vip_top, "important": format_money(rules.important_amount),
    }


def _date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# ---------------------------------------------------------------------------------------------
# Apply


@dataclass(frozen=True)
class Applied:
    applied: int  # proposals written
    stale: int  # skipped: the value changed after the run
    customers: int  # customers changed (one history row each)


def apply(run_id: int, codes: list[str] | None = None) -> Applied:
    """Apply a run's pending proposals, all or those of the customers `codes`, in one
    transaction. A proposal whose current value is no longer its `from` (or whose customer
    is gone) is marked stale and skipped. Each changed customer gets version + 1 and one
    history row (action "evaluate")."""
    with writing("archive"):
        run = run_of(run_id)
        if run.applied_at is not None:
            return Applied(0, _statuses(run_id).get("stale", 0), 0)
        if codes is None:
            chosen = "''"
        else:
            chosen = "'chosen'"
            _choose(run_id, codes)
        picked = f"run_id = ? AND status = {chosen}"
        dim_ids = {code: Dimension.get(Dimension.code == code).id for code in (HISTORY, SCALE, PROFIT)}
        dim_of = "CASE proposal.target " + " ".join(
            f"WHEN '{code}' THEN {dim_id}" for code, dim_id in dim_ids.items()) + " END"
        # Re-check: skip what someone changed (or deleted) after the run. A statement for
        # each way a proposal goes stale, each a plain (anti-)join the planner runs as one
        # pass (hash joins on PostgreSQL): ORed together they were a look-up per proposal,
        # or one outer join over every proposal, minutes at a million.
        member = ("FROM membership m WHERE m.customer_id = proposal.customer_id"
                  f" AND m.dimension_id = {dim_of}")
        for stale, params in (
                ("NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = proposal.customer_id)", ()),
                ("target = ? AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = proposal.customer_id"
                 " AND c.mgmt_type = proposal.from_code)", (MGMT,)),
                (f"target <> ? AND EXISTS (SELECT 1 {member} AND m.class_code <> proposal.from_code)", (MGMT,)),
                (f"target <> ? AND from_code <> '' AND NOT EXISTS (SELECT 1 {member})", (MGMT,))):
            sql(f"UPDATE proposal SET status = 'stale' WHERE {picked} AND {stale}", (run_id, *params))
        # The classes that change, by one join; then the memberships there were none of,
        # in customer order (each row's foreign key is checked against the customer: in
        # order, one page after the other).
        sql("UPDATE membership SET class_code = proposal.to_code FROM proposal"
            f" WHERE proposal.run_id = ? AND proposal.status = {chosen} AND proposal.target <> ?"
            f" AND membership.customer_id = proposal.customer_id AND membership.dimension_id = {dim_of}",
            (run_id, MGMT))
        sql("INSERT INTO membership (customer_id, dimension_id, class_code, customer_code)"
            f" SELECT customer_id, {dim_of}, to_code, customer_code FROM proposal WHERE {picked}"
            f" AND target <> ? AND NOT EXISTS (SELECT 1 {member}) ORDER BY customer_id",
            (run_id, MGMT))
        # Each changed customer once, its new management type (if any) from its proposals.
        sql("UPDATE customer SET version = version + 1, modified_by = ?, modified_at = ?,"
            " mgmt_type = COALESCE(g.mgmt_type, customer.mgmt_type)"
            " FROM (SELECT customer_id, MAX(CASE WHEN target = ? THEN to_code END) AS mgmt_type"
            f" FROM proposal WHERE {picked} GROUP BY customer_id) g WHERE customer.id = g.customer_id",
            (clock.user(), models.ChangeLog.at.db_value(clock.now()), MGMT, run_id))
        customers = _record(picked, run_id)
        counts = _statuses(run_id)
        if codes is None:
            applied = counts.get("", 0)
            EvaluationRun.update(applied_at=clock.now()).where(EvaluationRun.id == run_id).execute()
        else:
            applied = sql("UPDATE proposal SET status = 'applied' WHERE run_id = ?"
                           " AND status = 'chosen'", (run_id,)).rowcount
        return Applied(applied=applied, stale=counts.get("stale", 0), customers=customers)


def _statuses(run_id: int) -> dict[str, int]:
    return {status: int(n) for status, n in sql(
        "SELECT status, COUNT(*) FROM proposal WHERE run_id = ? GROUP BY status", (run_id,))}


def _choose(run_id: int, codes: list[str]) -> None:
    """Mark the pending proposals of the customers `codes` as chosen for this apply."""
    drop("apply_codes")
    sql("CREATE TEMP TABLE apply_codes (code VARCHAR(20) PRIMARY KEY)")
    unique = sorted(set(codes))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        sql("INSERT INTO apply_codes (code) VALUES " + ", ".join(["(?)"] * len(chunk)), chunk)
    sql("UPDATE proposal SET status = 'chosen' WHERE run_id = ? AND status = ''"
         " AND customer_code IN (SELECT code FROM apply_codes)", (run_id,))
    drop("apply_codes")


def _record(picked: str, run_id: int) -> int:
    """One history row per changed customer, {target: [from, to]} as db.archive.history.record
    writes it, built by the database: a million json.dumps and inserts from Python would
    take longer than the whole apply."""
    if current().dialect == "sqlite":
        changes = "json_group_object(target, json_array(NULLIF(from_code, ''), to_code))"
    else:
        changes = "json_object_agg(target, json_build_array(NULLIF(from_code, ''), to_code))::text"
    return sql(
        "INSERT INTO change_log (at, who, action, entity, entity_code, changes, batch)"
        f" SELECT ?, ?, 'evaluate', 'customer', customer_code, {changes}, ? FROM proposal"
        f" WHERE {picked} GROUP BY customer_code",
        (models.ChangeLog.at.db_value(clock.now()), clock.user(), f"evaluate-{run_id}",
         run_id)).rowcount
