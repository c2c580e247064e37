"""`kehu import` and `kehu export`: the importer's plan printed, then committed (or not), and
exports of a class, a filtered list or the whole archive. db/ and plain text only."""
from __future__ import annotations

import sys

from tui.i18n import t
from tui.shell import plain

# Rows of each list (rejected, updated) printed before "... and N more".
SHOWN = 50


def register(subparsers) -> None:
    imp = subparsers.add_parser("import", help=t("transfer.help_import"))
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help=t("transfer.help_dry_run"))
    imp.add_argument("--only-valid", action="store_true", help=t("transfer.help_only_valid"))
    imp.add_argument("--blank-clears", action="store_true", help=t("transfer.help_blank_clears"))
    imp.add_argument("--kind", choices=("customers", "classes", "sales", "contacts", "addresses", "banks",
                                        "invoices"), default=None,
                     help=t("transfer.help_kind"))
    imp.add_argument("--dimension", default="main", help=t("lookup.help_dimension"))
    imp.add_argument("--json", action="store_true", help=t("lookup.help_json"))
    imp.set_defaults(run=run_import, creates_db=True)

    exp = subparsers.add_parser("export", help=t("transfer.help_export"))
    exp.add_argument("file")
    exp.add_argument("--class", dest="class_code", default="", help=t("transfer.help_class"))
    exp.add_argument("--dimension", default="main", help=t("lookup.help_dimension"))
    exp.add_argument("--filter", default="", help=t("transfer.help_filter"))
    chosen = exp.add_mutually_exclusive_group()
    chosen.add_argument("--columns", default="", help=t("transfer.help_columns"))
    chosen.add_argument("--u8", action="store_true", help=t("transfer.help_u8"))
    exp.add_argument("--stopped", action="store_true", help=t("transfer.help_stopped"))
    exp.add_argument("--all", action="store_true", help=t("transfer.help_all"))
    exp.set_defaults(run=run_export)


def _err(message: str) -> None:
    print(f"kehu: {plain.message(message)}", file=sys.stderr)


def _show(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def duplicate_text(mark) -> str:
    """A row's 查重 mark: "可能重复 C000355（电话相同）", or the line of the file it repeats."""
    from tui.shell.similar import reasons_text

    reasons = reasons_text(mark.reasons)
    if mark.other_line:
        return t("transfer.duplicate_of_line", other=mark.other_line, code=mark.other_code, reasons=reasons)
    return t("transfer.duplicate_of_stopped" if mark.stopped else "transfer.duplicate_of",
             code=mark.other_code, reasons=reasons)


def describe(plan) -> list[str]:
    """The plan as lines: what was read, columns ignored or missing, the counts, every
    rejected row with its reason, the rows that may be duplicates (查重, warnings), and the
    changed fields of rows to update."""
    from tui.change_values import import_field_name
    from tui.i18n import error_text

    sheet = f" [{plan.sheet}]" if plan.sheet else ""
    encoding = f" {plan.encoding}" if plan.encoding else ""
    lines = [t("transfer.read", path=str(plan.path), format=plan.format, encoding=encoding,
               sheet=sheet, rows=plan.rows)]
    if plan.extra:
        lines.append(t("transfer.extra", columns=", ".join(plan.extra)))
    if plan.missing:
        lines.append(t("transfer.missing", columns=", ".join(import_field_name(plan.kind, f) for f in plan.missing)))
    lines.append(t("transfer.summary", adds=len(plan.adds), updates=len(plan.updates),
                   unchanged=plan.unchanged, rejected=len(plan.rejected_lines)))
    if plan.kind != "sales":
        lines.append(t("transfer.blank_clears" if plan.blank_clears else "transfer.blank_keeps"))
    for line, column in plan.unsaved[:SHOWN]:
        lines.append("  " + t("transfer.unsaved_formula", line=line, column=column))
    if len(plan.unsaved) > SHOWN:
        lines.append("  " + t("transfer.more", count=len(plan.unsaved) - SHOWN))
    if plan.rejects_path is not None:
        lines.append(t("transfer.rejects_file", path=str(plan.rejects_path)))
    for problem in plan.rejected[:SHOWN]:
        column = import_field_name(plan.kind, problem.field) if problem.field else problem.column
        lines.append("  " + t("transfer.rejected_row", line=problem.line, column=column,
                              reason=error_text(problem)))
    if len(plan.rejected) > SHOWN:
        lines.append("  " + t("transfer.more", count=len(plan.rejected) - SHOWN))
    if plan.duplicate_count:
        lines.append(t("transfer.duplicates", count=plan.duplicate_count))
    for mark in plan.duplicates[:SHOWN]:
        lines.append("  " + t("transfer.duplicate_row", line=mark.line, name=mark.name, mark=duplicate_text(mark)))
    if plan.duplicate_count > SHOWN:
        lines.append("  " + t("transfer.more", count=plan.duplicate_count - SHOWN))
    for row in plan.updates[:SHOWN]:
        changes = "; ".join(f"{import_field_name(plan.kind, f)}: {_show(old)} -> {_show(new)}"
                            for f, (old, new) in row.changes.items())
        lines.append("  " + t("transfer.changed_row", line=row.line, code=row.code, changes=changes))
    if len(plan.updates) > SHOWN:
        lines.append("  " + t("transfer.more", count=len(plan.updates) - SHOWN))
    return [plain.safe(line) for line in lines]


def plan_json(plan) -> dict:
    """The plan as `kehu import --json` prints it: the counts, the rejected rows (all of
    them in the rejects file beside the input) and the rows that may be duplicates (the first SHOWN of those, and their count)."""
    from tui.i18n import error_text

    return {"path": str(plan.path), "kind": plan.kind, "rows": plan.rows, "adds": len(plan.adds),
            "updates": len(plan.updates), "unchanged": plan.unchanged,
            "rejected": [{"line": p.line, "column": p.column, "field": p.field, "key": p.key,
                          "message": plain.safe(error_text(p))} for p in plan.rejected[:SHOWN]],
            "rejected_rows": len(plan.rejected_lines),
            "rejects_file": str(plan.rejects_path) if plan.rejects_path is not None else None,
            "duplicates": [{"line": m.line, "code": m.code, "name": m.name, "other_code": m.other_code,
                            "other_name": m.other_name, "other_line": m.other_line or None,
                            "score": m.score, "reasons": list(m.reasons), "stopped": m.stopped}
                           for m in plan.duplicates[:SHOWN]],
            "duplicate_rows": plan.duplicate_count}


def _out(args):
    """Where the words after the plan go: standard error under --json, which keeps the
    JSON alone on standard output."""
    return sys.stderr if args.json else sys.stdout


def _print_plans(args, plans) -> None:
    if args.json:
        import json

        found = [plan_json(p) for p in plans]
        print(json.dumps(found if len(found) > 1 else found[0], ensure_ascii=False, indent=2))
        return
    for plan in plans:
        for line in describe(plan):
            print(line)


def run_import(args, store) -> int:
    """A whole-archive export (db.transfer.restore): every part planned and written in order
    in one transaction, each part's preview printed, then kept or rolled back; any other
    file, one table (run_table)."""
    from db.transfer import restore

    result = restore.restore(args.file, kinds=(args.kind,) if args.kind else (),
                             blank_clears=args.blank_clears, commit=not args.dry_run,
                             only_valid=args.only_valid)
    if result is None:
        return run_table(args)
    _print_plans(args, result.plans)
    if args.dry_run:
        print(t("transfer.dry_run"), file=_out(args))
        return 2 if result.rejected else (0 if result.writes else 1)
    if not result.committed:
        _err(t("transfer.has_rejected", count=result.rejected))
        return 2
    if not result.writes:
        _err(t("transfer.nothing"))
        return 1
    for done in result.results:
        print(t("transfer.done", added=done.added, updated=done.updated, skipped=done.skipped,
                batch=done.batch), file=_out(args))
    return 0


def run_table(args) -> int:
    from db.archive import dimensions
    from db.transfer import importer
    from tui.i18n import error_text

    # A dimension named by its name is taken by its key; one not there yet goes as typed
    # (a class import creates it, the others refuse it naming those there are).
    named = dimensions.named(args.dimension)
    plan = importer.plan(args.file, kind=args.kind, dimension=named.code if named else args.dimension,
                         blank_clears=args.blank_clears)
    importer.write_rejects(plan, error_text)  # every rejected row, beside the file
    try:
        return _run_plan(args, plan)
    finally:
        plan.close()


def _run_plan(args, plan) -> int:
    _print_plans(args, [plan])
    if args.dry_run:
        print(t("transfer.dry_run"), file=_out(args))
        return 2 if plan.rejected else (0 if plan.writes else 1)
    if plan.rejected and not args.only_valid:
        _err(t("transfer.has_rejected", count=len(plan.rejected_lines)))
        return 2
    if not plan.writes:
        _err(t("transfer.nothing"))
        return 1
    from db.transfer import importer

    result = importer.commit(plan, only_valid=args.only_valid)
    print(t("transfer.done", added=result.added, updated=result.updated, skipped=result.skipped,
            batch=result.batch), file=_out(args))
    if result.held:
        print(t("transfer.held", count=result.held), file=_out(args))
    return 0


def run_export(args, store) -> int:
    from db.transfer import exporter

    if args.all:
        result = exporter.export_archive(args.file, lang=_lang())
        print(t("transfer.exported_all", customers=plain.number(result.customers),
                classes=plain.number(result.classes), sales=plain.number(result.sales),
                paths=", ".join(str(p) for p in result.paths)))
        return 0
    query = list_query(args.dimension, args.class_code, args.filter, args.stopped)
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] or None
    result = exporter.export_list(args.file, query, columns, lang=_lang(), u8=args.u8)
    if not result.customers:
        _err(t("transfer.no_rows"))
        return 1
    print(t("transfer.exported", rows=plain.number(result.customers), path=str(result.paths[0])))
    return 0


def list_query(dimension: str, class_code: str, filter_text: str, stopped: bool):
    """The ListQuery of `kehu export`: a class (and its sub-classes) of a dimension, and
    filter conditions written field=value,field=value (the keys of db.lists.paging.Filter)."""
    from db.archive import classes, dimensions
    from db.core.errors import RuleError
    from db.lists.query import Filter, ListQuery

    dim = dimensions.resolve(dimension)
    if class_code and classes.get(dim.code, class_code) is None:
        raise RuleError("export.class_unknown", code=class_code, dimension=dim.name_zh)
    conditions = {}
    for part in filter(None, (p.strip() for p in filter_text.split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise RuleError("export.filter_unknown", name=part)
        conditions[name.strip()] = value.strip()
    return ListQuery(dimension=dim.code, prefix=class_code, show_stopped=stopped,
                     filter=Filter.from_dict(conditions), sort="code")


def _lang() -> str:
    from tui import i18n

    return i18n.lang()
