"""`kehu duplicates`: the archive's likely duplicates in ranked groups (db.archive.
duplicate_report), progress on standard error; `--same-tax-id allow|refuse`, the archive's
rule for one tax id on several active customers. Never imports textual."""
from __future__ import annotations

import json
import sys
import time

from tui.i18n import t
from tui.shell import plain
from tui.shell.similar import reasons_text

BAR = 30  # characters of the progress bar


def register(subparsers) -> None:
    report = subparsers.add_parser("duplicates", help=t("dup.help_report"))
    report.add_argument("--min-score", type=plain.count, default=None, help=t("dup.help_min_score"))
    report.add_argument("--json", action="store_true", help=t("lookup.help_json"))
    report.add_argument("--limit", type=plain.count, default=0, help=t("dup.help_limit"))
    report.add_argument("--same-tax-id", choices=("allow", "refuse"), help=t("dup.help_same_tax_id"))
    report.set_defaults(run=run_duplicates)


class Progress:
    """A bar on standard error, redrawn in place on a terminal; a line per stage otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if self.tty:
            filled = round(BAR * share)
            print(f"\r{t(f'dup.stage.{stage}')} [{'#' * filled}{'.' * (BAR - filled)}] "
                  f"{plain.number(done)}/{plain.number(total)}", end="", file=sys.stderr, flush=True)
            if done >= total:
                print(file=sys.stderr)
        elif done >= total:
            print(f"{t(f'dup.stage.{stage}')}: {plain.number(done)}", file=sys.stderr)


def run_duplicates(args, store) -> int:
    from db.archive import duplicate_report, duplicates
    from db.values import likeness

    if args.same_tax_id:
        duplicates.allow_same_tax_id(args.same_tax_id == "allow")
        print(t(f"dup.same_tax_id_{args.same_tax_id}"))
        return 0
    min_score = likeness.DEFAULT_MIN_SCORE if args.min_score is None else args.min_score
    if not 0 <= min_score <= 100 or args.limit < 0:
        print(f"kehu: {plain.message(t('dup.bad_score', text=str(min_score)))}", file=sys.stderr)
        return 2
    started = time.monotonic()
    report = duplicate_report.report(min_score, Progress())
    groups = report.groups[: args.limit] if args.limit else report.groups
    if args.json:
        print(json.dumps([{"score": g.score, "reasons": g.reasons,
                           "members": [{"code": m.code, "name": m.name, "stopped": m.stopped}
                                       for m in g.members]} for g in groups],
                         ensure_ascii=False, indent=2))
    else:
        for number, group in enumerate(groups, 1):
            print(f"{number}. {group.score}  {reasons_text(group.reasons)}")
            for m in group.members:
                print(f"   {plain.safe(m.code)}  {plain.safe(m.name)}"
                      + (f"  ({t('dup.stopped')})" if m.stopped else ""))
    print(t("dup.summary", groups=plain.number(len(report.groups)), customers=plain.number(report.customers),
            pairs=plain.number(report.pairs_scored), skipped=plain.number(report.skipped_keys),
            seconds=f"{time.monotonic() - started:.1f}"), file=sys.stderr)
    return 0 if report.groups else 1
