"""Evaluating every rule over the whole archive (issue 4): 1,000,000 customers and about
5,000,000 sales, a dry run that writes only the proposals, as the review screen shows them."""
from __future__ import annotations

import time

from bench.harness import Result


def evaluation(ctx) -> list[Result]:
    import db
    from db.core import clock
    from db.evaluation import rules
    from db.core.models import Sale

    ctx.store.close()
    ctx.store = db.open_store(str(ctx.db))
    sales = Sale.select().count()
    began = time.perf_counter()
    run = rules.evaluate(clock.today())
    seconds = time.perf_counter() - began
    began = time.perf_counter()
    rules.proposals(run.run_id, limit=50)
    page = time.perf_counter() - began
    return [
        Result("evaluate all rules (dry run)", "s", seconds, None, 1, target=60.0,
               note=f"{ctx.customers:,} customers, {sales:,} sales, {run.proposals:,} proposed "
                    f"changes for {run.customers:,} customers"),
        Result("review screen: first page of proposals", "ms", page * 1000, None, 1, target=50.0,
               note="50 rows by key"),
    ]
