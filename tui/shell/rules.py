"""`kehu evaluate`, `kehu check`, `kehu rules`: the evaluation rules and the classification
health check from the shell, on db.evaluation.rules and db.evaluation.health (never textual)."""
from __future__ import annotations

import datetime as dt
import sys

from tui.i18n import name_of, t
from tui.shell import plain

FIRST_ROWS = 20


def register(subparsers) -> None:
    evaluate = subparsers.add_parser("evaluate", help=t("rules_cli.help_evaluate"))
    evaluate.add_argument("--as-of", help=t("rules_cli.help_as_of"))
    evaluate.add_argument("--apply", action="store_true", help=t("rules_cli.help_apply"))
    evaluate.add_argument("--rows", type=plain.count, default=FIRST_ROWS, help=t("rules_cli.help_rows"))
    evaluate.set_defaults(run=run_evaluate)

    check = subparsers.add_parser("check", help=t("rules_cli.help_check"))
    check.add_argument("--as-of", help=t("rules_cli.help_as_of"))
    check.add_argument("--samples", type=plain.count, default=10, help=t("rules_cli.help_samples"))
    check.add_argument("--completeness", action="store_true", help=t("completeness.cli.help"))
    check.add_argument("--below", type=_percent, default=None, metavar="N",
                       help=t("completeness.cli.help_below"))
    check.set_defaults(run=run_check)

    rules = subparsers.add_parser("rules", help=t("rules_cli.help_rules"))
    rules.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help=t("rules_cli.help_set"))
    rules.set_defaults(run=run_rules)


def _percent(text: str) -> int:
    """A threshold of --below: 1..100 (argparse words the refusal)."""
    import argparse

    clean = text.strip().rstrip("%")
    if not clean.isdigit() or not 1 <= int(clean) <= 100:
        raise argparse.ArgumentTypeError(t("completeness.cli.below_bad", text=text))
    return int(clean)


def _err(message: str) -> None:
    print(f"kehu: {plain.message(message)}", file=sys.stderr)


def _as_of(text: str | None) -> dt.date | None:
    if not text:
        return None
    return dt.date.fromisoformat(text.strip())


def target_name(target: str) -> str:
    return t(f"rules.target.{target}")


def reason_text(row) -> str:
    """A proposal's reason in the current language (db.evaluation.rules.ProposalRow)."""
    return t(row.reason, **row.values)


def run_evaluate(args, store) -> int:
    from db.evaluation import rules

    try:
        as_of = _as_of(args.as_of)
    except ValueError:
        _err(t("rules.cli.as_of_bad", text=args.as_of))
        return 2
    result = rules.evaluate(as_of)
    print(t("rules.cli.summary", run=result.run_id, as_of=result.as_of.isoformat(),
            customers=plain.number(result.customers), proposals=plain.number(result.proposals),
            seconds=result.seconds))
    if not result.proposals:
        print(t("rules.cli.nothing"))
        return 0
    names = rules.class_names()
    none = t("rules.none")
    for change in result.changes:
        print(t("rules.cli.change", target=target_name(change.target),
                from_name=names.get((change.target, change.from_code), change.from_code) or none,
                to_name=names.get((change.target, change.to_code), change.to_code) or none,
                count=plain.number(change.count)))
    if args.rows > 0:
        rows = rules.proposals(result.run_id, limit=args.rows)
        print(t("rules.cli.first", count=plain.number(len(rows))))
        for row in rows:
            print(plain.safe(t("rules.cli.row", code=row.customer_code, name=row.customer_name,
                               target=target_name(row.target), from_name=row.from_name or none,
                               to_name=row.to_name, reason=reason_text(row))))
    if not args.apply:
        print(t("rules.cli.dry_run"))
        return 0
    done = rules.apply(result.run_id)
    print(t("rules.cli.applied", applied=plain.number(done.applied), customers=plain.number(done.customers),
            stale=plain.number(done.stale)))
    return 0


def run_check(args, store) -> int:
    from db.demo.archive import has_planted_problems
    from db.archive import completeness
    from db.archive.dimensions import all_dimensions
    from db.evaluation import health

    try:
        as_of = _as_of(args.as_of)
    except ValueError:
        _err(t("rules.cli.as_of_bad", text=args.as_of))
        return 2
    below = completeness.DEFAULT_BELOW if args.below is None else args.below
    if args.completeness:
        findings = health.incomplete(below, max(0, args.samples), as_of)
        if not findings:
            print(t("completeness.cli.none", below=below))
            return 0
    else:
        findings = health.check(samples=max(0, args.samples), as_of=as_of, below=below)
    if not findings:
        print(t("health.clean"))
        return 0
    names = {d.code: name_of(d) for d in all_dimensions()}
    class_names = health.main_class_names() if any(f.breakdown for f in findings) else {}
    for finding in findings:
        text = t(finding.key, dimension=names.get(finding.dimension, finding.dimension),
                 count=plain.number(finding.count), **finding.values)
        print(plain.safe(f"[{t('health.level.' + finding.level)}] {text}"))
        for code, count in finding.breakdown:
            print(plain.safe(t("health.per_class", code=code, name=class_names.get(code, ""),
                               count=plain.number(count))))
        if finding.samples:
            print(plain.safe(t("health.samples", codes=" ".join(finding.samples))))
    errors = sum(1 for f in findings if f.is_error)
    print(t("health.totals", errors=plain.number(errors), warnings=plain.number(len(findings) - errors)))
    if has_planted_problems():
        print(t("health.demo_planted"))
    return 1 if errors else 0


def run_rules(args, store) -> int:
    from db.archive import completeness
    from db.evaluation import parameters

    weights = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            _err(t("rules.cli.set_bad"))
            return 2
        if key.strip().startswith(completeness.PREFIX):  # saved together, one recompute
            weights[key.strip().removeprefix(completeness.PREFIX)] = value.strip()
        else:
            parameters.set_rule(key.strip(), value.strip())
    if weights:
        _, recomputed = completeness.set_weights(weights)
        print(t("rules_ui.recomputed", count=plain.number(recomputed)))
    for key, value in parameters.rule_values().items():
        print(t("rules.cli.rule", rule=key, value=parameters.format_rule(key, value),
                label=t(f"rules.key.{key}")))
    for item, weight in completeness.weights().items():
        key = completeness.key_of(item)
        print(t("rules.cli.rule", rule=key, value=weight, label=t(f"rules.key.{key}")))
    return 0
