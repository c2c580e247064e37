"""The evaluation's set-based steps: every customer's figures from the sales as of a date
(eval_fig), the classes and type they lead to (eval_target), and the proposals where those
differ from what is stored. Temporary tables, SQL written with ? placeholders for both
databases; db.evaluation.rules runs them in order."""
from __future__ import annotations

import datetime as dt

from db.archive import approval
from db.archive.dimensions import HISTORY, PROFIT, SCALE
from db.archive.sales import months_before
from db.core import models
from db.core.models import Dimension
from db.core.session import current
from db.evaluation.parameters import IMPORTANT, MGMT, ORDINARY, POTENTIAL, VIP, Rules

def periods(as_of: dt.date, rules: Rules) -> tuple[str, str]:
    return (months_before(as_of, rules.new_months).isoformat(),
            months_before(as_of, rules.active_months).isoformat())


def year_of(expr: str) -> str:
    """The calendar year of a date expression (dates are ISO text on SQLite)."""
    if current().dialect == "sqlite":
        return f"substr({expr}, 1, 4)"
    return f"extract(year from {expr})"


def sql(text: str, params=()):
    """Run SQL written with ? placeholders on either database."""
    db = models.database
    if db.param != "?":
        text = text.replace("?", db.param)
    return db.execute_sql(text, params)


def drop(table: str) -> None:
    sql(f"DROP TABLE IF EXISTS {table}")


def figures(as_of: str, since_active: str) -> None:
    """eval_fig: per customer with a sale up to as_of, first and last date, 12-month sums,
    and whether the purchases span two calendar years. One pass over Sale."""
    drop("eval_fig")
    sql("CREATE TEMP TABLE eval_fig (customer_id INTEGER PRIMARY KEY, first_date DATE,"
         " last_date DATE, amount BIGINT, cost BIGINT, orders INTEGER, two_years INTEGER)")
    sql(
        "INSERT INTO eval_fig SELECT customer_id, MIN(date), MAX(date),"
        " SUM(CASE WHEN date > ? THEN amount ELSE 0 END),"
        " SUM(CASE WHEN date > ? THEN cost ELSE 0 END),"
        " SUM(CASE WHEN date > ? THEN 1 ELSE 0 END),"
        f" CASE WHEN {year_of('MIN(date)')} <> {year_of('MAX(date)')} THEN 1 ELSE 0 END"
        " FROM sale WHERE date <= ? GROUP BY customer_id",
        (since_active, since_active, since_active, as_of))


def vip_cutoff(rules: Rules, as_of: str) -> int | None:
    """12-month sales of the N-th customer among those with at least M orders (not stopped):
    a customer at or above it is in the top N. None when the top-N rule is off."""
    if rules.vip_top <= 0:
        return None
    row = sql(
        "SELECT f.amount FROM eval_fig f JOIN customer c ON c.id = f.customer_id"
        " WHERE f.orders >= ? AND f.amount > 0 AND (c.stop_date IS NULL OR c.stop_date > ?)"
        " ORDER BY f.amount DESC LIMIT 1 OFFSET ?",
        (rules.vip_orders, as_of, rules.vip_top - 1)).fetchone()
    # Fewer than N eligible customers: all of them are in the top N.
    return int(row[0]) if row else 1


def targets(rules: Rules, as_of: str, since_new: str, since_active: str, cutoff: int | None) -> None:
    """eval_target: every customer's computed class in each derived dimension, its management
    type, and the reason key of each, beside the figures."""
    amount = "COALESCE(f.amount, 0)"
    profit = "(COALESCE(f.amount, 0) - COALESCE(f.cost, 0))"
    never = "f.customer_id IS NULL"
    stopped = "(c.stop_date IS NOT NULL AND c.stop_date <= ?)"
    vip_base = f"COALESCE(f.orders, 0) >= ? AND {amount} > 0"
    # The top-N rule off: the cut-off falls back to the VIP amount, adding nobody.
    cutoff_value = rules.vip_amount if cutoff is None else cutoff
    history_cases = [
        ("c.problem", "05", "history_problem", ()),
        (never, "04", "never", ()),
        ("f.last_date <= ?", "03", "history_past", (since_active,)),
        ("f.first_date > ?", "01", "history_new", (since_new,)),
        ("f.two_years = 1", "02", "history_old", ()),
    ]
    scale_cases = [
        (f"{amount} >= ?", "01", "scale_large", (rules.scale_large,)),
        (f"{amount} >= ?", "02", "scale_medium", (rules.scale_medium,)),
    ]
    profit_cases = [
        (f"{amount} <= 0 AND {profit} < 0", "04", "profit_loss", ()),
        (f"{amount} <= 0", "03", "profit_none", ()),
        (f"{profit} * 10000 >= ? * {amount}", "01", "profit_high", (rules.profit_high,)),
        (f"{profit} * 10000 >= ? * {amount}", "02", "profit_fair", (rules.profit_fair,)),
        (f"{profit} * 10000 >= ? * {amount}", "03", "profit_micro", (rules.profit_micro,)),
    ]
    mgmt_cases = [
        (never, POTENTIAL, "never", ()),
        (stopped, ORDINARY, "mgmt_stopped", (as_of,)),
        (f"{vip_base} AND {amount} >= ?", VIP, "mgmt_vip_amount", (rules.vip_orders, rules.vip_amount)),
        (f"{vip_base} AND {amount} >= ?", VIP, "mgmt_vip_top", (rules.vip_orders, cutoff_value)),
        (f"{amount} >= ?", IMPORTANT, "mgmt_important", (rules.important_amount,)),
    ]
    defaults = {"history": ("01", "history_new_one_year"), "scale": ("03", "scale_small"),
                "profit": ("04", "profit_loss"), "mgmt": (ORDINARY, "mgmt_ordinary")}
    select, params = [], []
    for name, cases in (("history", history_cases), ("scale", scale_cases),
                        ("profit", profit_cases), ("mgmt", mgmt_cases)):
        for column, pick in (("to", 1), ("why", 2)):
            whens = []
            for case in cases:
                whens.append(f"WHEN {case[0]} THEN ?")
                params.extend([*case[3], case[pick]])
            params.append(defaults[name][pick - 1])
            select.append(f"CASE {' '.join(whens)} ELSE ? END AS {name}_{column}")
    drop("eval_target")
    sql(
        "CREATE TEMP TABLE eval_target AS SELECT c.id AS id, c.code AS code,"
        " c.mgmt_type AS mgmt_now, COALESCE(f.amount, 0) AS amount, COALESCE(f.cost, 0) AS cost,"
        " COALESCE(f.orders, 0) AS orders, f.first_date AS first_date, f.last_date AS last_date, "
        + ", ".join(select) +
        " FROM customer c LEFT JOIN eval_fig f ON f.customer_id = c.id"
        # a new customer waiting for approval is not in the archive yet
        f" WHERE NOT {approval.pending_sql('c.code')}", params)


def propose(run_id: int, step) -> None:
    """Proposal rows for every target whose computed value differs from the stored one."""
    columns = ("run_id, customer_id, customer_code, target, from_code, to_code, reason,"
               " amount, cost, orders, first_date, last_date, status")
    figures = "t.amount, t.cost, t.orders, t.first_date, t.last_date, ''"
    for dim_code in (HISTORY, SCALE, PROFIT):
        dim_id = Dimension.get(Dimension.code == dim_code).id
        sql(
            f"INSERT INTO proposal ({columns}) SELECT ?, t.id, t.code, ?, COALESCE(m.class_code, ''),"
            f" t.{dim_code}_to, t.{dim_code}_why, {figures} FROM eval_target t"
            " LEFT JOIN membership m ON m.customer_id = t.id AND m.dimension_id = ?"
            f" WHERE m.class_code IS NULL OR m.class_code <> t.{dim_code}_to",
            (run_id, dim_code, dim_id))
        step()
    sql(
        f"INSERT INTO proposal ({columns}) SELECT ?, t.id, t.code, ?, t.mgmt_now, t.mgmt_to,"
        f" t.mgmt_why, {figures} FROM eval_target t WHERE t.mgmt_now <> t.mgmt_to",
        (run_id, MGMT))
    step()
