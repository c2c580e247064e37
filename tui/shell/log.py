"""`kehu log [CODE]`: the history (操作日志), newest first, of one customer or the archive."""
from __future__ import annotations

import sys

from tui.i18n import CATALOG, t
from tui.shell import plain

ENTITIES = ("customer", "class", "scheme", "sale")


def register(subparsers) -> None:
    log = subparsers.add_parser("log", help=t("log.help"))
    log.add_argument("code", nargs="?", help=t("log.help_code"))
    log.add_argument("--entity", choices=ENTITIES, default=None, help=t("log.help_entity"))
    log.add_argument("--who", help=t("log.help_who"))
    log.add_argument("--since", help=t("log.help_since"))
    log.add_argument("--until", help=t("log.help_until"))
    log.add_argument("--limit", type=plain.count, default=50, help=t("log.help_limit"))
    log.add_argument("--json", action="store_true", help=t("log.help_json"))
    log.set_defaults(run=run_log)


def _label(prefix: str, key: str) -> str:
    full = f"{prefix}.{key}"
    return t(full) if full in CATALOG else key


def describe(entry) -> str:
    """One entry's changes as one line: 所属地区: 北京 → 上海; ..."""
    # Imported here, as db/ is in run_log: every shell command registers this module, and
    # the formatter loads the card's fields (and their tax-id checker).
    from tui.change_values import field_name, merged_codes, values_text

    parts = []
    if entry.origin:  # the row is the merged customer's, its code in the code column
        parts.append(t("history.now_in", code=entry.code))
    merged = merged_codes(entry.changes)
    if merged:
        parts.append(t("history.merged", codes=merged))
    empty = t("history.empty_value")
    for field, (old, new) in values_text(entry.entity, entry.code, entry.changes).items():
        label = field_name(field) if entry.entity == "customer" else field
        parts.append(t("history.change", field=label, old=old or empty, new=new or empty))
    if entry.batch:
        parts.append(t("history.batch", batch=entry.batch))
    return "; ".join(parts)


def _json_changes(entry) -> dict:
    """{field: [old, new]}: a customer's money and rates in yuan and percent, as `kehu show
    --json` gives them (the history keeps fen and hundredths)."""
    from db.values.fields import BY_KEY

    def value(field: str, stored):
        known = BY_KEY.get(field) if entry.entity == "customer" else None
        if known is None or known.kind not in ("money", "percent"):
            return stored
        return plain.json_value(known.kind, stored)

    return {k: [value(k, v) for v in pair] for k, pair in entry.changes.items()}


def owner(entry) -> str:
    """The code of the customer a row belongs to: a merged customer's rows are filed under
    the code it was merged into (so the target's history holds them) but show its own
    fields, and are named by its own code."""
    return entry.origin or entry.code


def run_log(args, store) -> int:
    from db.archive import history
    from db.values.dates import parse_date

    if args.limit < 1:
        print(f"kehu: {t('log.bad_limit')}", file=sys.stderr)
        return 2
    since = parse_date(args.since, field="since") if args.since else None
    until = parse_date(args.until, field="until") if args.until else None
    entries = history.recent(who=args.who, since=since, until=until, limit=args.limit,
                             entity=args.entity, code=(args.code or "").strip() or None)
    if args.json:
        plain.dump_json([{"id": e.id, "at": e.at.isoformat(), "who": e.who,
                          "action": e.action, "entity": e.entity, "code": e.code,
                          "origin": e.origin, "batch": e.batch, "changes": _json_changes(e)}
                         for e in entries])
        return 0 if entries else 1
    if not entries:
        print(f"kehu: {t('log.none')}", file=sys.stderr)
        return 1
    headers = [t("history.at"), t("history.who"), t("history.action"), t("history.code"),
               t("history.changes")]
    rows = [[e.at.strftime("%Y-%m-%d %H:%M:%S"), e.who, _label("history.action", e.action),
             owner(e) if e.entity == "customer" else f"{_label('history.entity', e.entity)} {e.code}",
             describe(e)] for e in entries]
    for line in plain.table(headers, rows, shrink=(4, 1, 3)):
        print(line)
    return 0
