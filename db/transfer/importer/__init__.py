"""Importing customers, classes and sales from `.xlsx` / `.csv`: a plan first, then commit.

`plan(path, kind, dimension)` reads the file once (streamed through db.transfer.tabular), converts
and checks every row against the archive, and returns an ImportPlan: the rows to add, the
rows to update (matched by code, with each changed field's old and new value), the rows left
as they are, and the rows rejected, each rejection with its line, column and a catalog key.
Nothing is written. `commit(plan)` writes the plan in one transaction: it refuses a plan with
rejected rows unless told to import only the valid ones, and an error anywhere (a code taken
by someone else since the plan, say) rolls back every row.

The plan holds counts, the rejected rows and the preview's first rows, not every row: the
rows to write are spooled to a temporary file as they are planned (importer.spool) and read
back a chunk at a time by the commit, which removes the file once written (`plan.close()`
when the preview is left), so an import's memory does not grow with its file.
`write_rejects(plan, reason)` writes every rejected row beside the file, to be fixed and
imported again (importer.rejects).

The archive is read in chunks (one query per CHUNK rows, never one per row), a chunk's cells
are cleaned a column at a time (db.values.fields' rules, see importer.customers), and rows
are written set-based, never a statement per row: streamed in bulk (db.core.bulk: COPY on
PostgreSQL, executemany on SQLite) into their table or a temporary one, then one INSERT ...
SELECT or UPDATE ... FROM each, so 100,000 customers cost a few seconds on either database.

Modules: common (the plan's types and cell conversions), spool (the rows out of memory),
seen_codes (the codes met so far, bounded), rejects (the rejects file), customers and customer_rules,
classes and sales (each kind's planning), subrecords (the card's contacts, addresses, banks and
invoice details: planning and commit), plan (the planning entry), write (the commit).

An empty cell of a row that updates keeps the stored value unless the plan is made with
`blank_clears`; a customer row carries the version its plan read, and the commit refuses
one changed since (ConflictError), as the card's save does.
"""
from db.transfer.importer.common import KINDS, ImportPlan, ImportResult, PlannedRow, Problem
from db.transfer.importer.customers import CustomerPlanner
from db.transfer.importer.plan import plan
from db.transfer.importer.rejects import write_rejects
from db.transfer.importer.subrecords import KINDS as SUB_KINDS, commit_subrecords
from db.transfer.importer import write


def commit(plan: ImportPlan, only_valid: bool = False, progress=None) -> ImportResult:
    """Write `plan` in one transaction (importer.write; a card's sub-records, importer.subrecords).
    Written, the plan's spooled rows are removed (a failed commit keeps them, to try again)."""
    if plan.kind in SUB_KINDS:
        result = commit_subrecords(plan, only_valid)
    else:
        result = write.commit(plan, only_valid, progress)
    plan.close()
    return result


__all__ = ["KINDS", "SUB_KINDS", "CustomerPlanner", "ImportPlan", "ImportResult", "PlannedRow", "Problem",
           "commit", "plan", "write_rejects"]
