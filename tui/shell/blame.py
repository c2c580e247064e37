"""`kehu blame CODE` (who last set each field, when, through what) and the card of
`kehu show CODE --as-of DATE`, both from the history (db.archive.blame)."""
from __future__ import annotations

import datetime as dt
import json
import sys

from tui.i18n import t
from tui.shell import plain


def register(subparsers) -> None:
    blame = subparsers.add_parser("blame", help=t("blame.help"))
    blame.add_argument("code")
    blame.add_argument("--json", action="store_true", help=t("lookup.help_json"))
    blame.set_defaults(run=run_blame)


def moment(text: str) -> dt.datetime | dt.date:
    """`--as-of`: a time (2026-11-24 10:30[:00]) or a date typed any way the card takes;
    a bad one is a RuleError the shell prints as one line."""
    from db.values.dates import parse_date

    try:
        if ":" in text:
            return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        pass
    return parse_date(text, field="as_of", label="--as-of")


def texts(code: str, values: dict) -> dict[str, str]:
    """Stored values (fen, ISO dates, class codes) as the card shows them."""
    from tui.change_values import values_text
    from db.values.fields import BY_KEY

    shown = {k: v for k, v in values_text("customer", code, {k: (v, v) for k, v in values.items()}).items()}
    out = {}
    for key, (text, _) in shown.items():
        spec = BY_KEY.get(key)
        if spec is not None and spec.kind == "flag":
            text = "1" if values[key] else ""
        out[key] = text
    return out


def _how(item) -> str:
    how = t(f"blame.source.{item.source}")
    how = f"{how} {item.entry.batch}" if item.entry.batch else how
    if item.asked_by:
        how += " " + t("blame.asked", who=item.asked_by, at=item.asked_at.strftime("%Y-%m-%d %H:%M"))
    return how


def run_blame(args, store) -> int:
    from db.archive import blame
    from tui.change_values import field_name

    code = args.code.strip()
    items = blame.blame(code)
    if not items:
        print(f"kehu: {plain.message(t('blame.none', code=code))}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([{"field": b.field, "value": b.value, "who": b.entry.who,
                           "at": b.entry.at.isoformat(sep=" "), "action": b.entry.action,
                           "source": b.source, "batch": b.entry.batch, "entry": b.entry.id,
                           "asked_by": b.asked_by,
                           "asked_at": b.asked_at.isoformat(sep=" ") if b.asked_at else None}
                          for b in items], ensure_ascii=False, indent=2, default=str))
        return 0
    shown = texts(code, {b.field: b.value for b in items})
    headers = [t("blame.field"), t("blame.value"), t("history.who"), t("history.at"), t("blame.how")]
    rows = [[field_name(b.field), shown.get(b.field, "") or t("history.empty_value"), b.entry.who,
             b.entry.at.strftime("%Y-%m-%d %H:%M:%S"), _how(b)] for b in items]
    for line in plain.table(headers, rows, shrink=(1, 4, 0)):
        print(line)
    return 0


def run_show_as_of(args) -> int:
    """The card of customer `args.code` as it was at `args.as_of`, fields by tab as
    `kehu show` prints them, dimensions last."""
    from db.archive import blame
    from db.values.fields import BY_KEY, TABS, on_tab, tab_label
    from tui.change_values import field_name

    code, when = args.code.strip(), moment(args.as_of)
    state = blame.as_of(code, when)
    if state is None:
        print(f"kehu: {plain.message(t('blame.not_then', code=code, when=args.as_of))}", file=sys.stderr)
        return 1
    shown = texts(code, state)
    if args.json:
        data = {tab: {f.key: shown.get(f.key, "") for f in on_tab(tab) if f.key in state}
                for tab in TABS}
        data["dimensions"] = {k: v for k, v in state.items() if k not in BY_KEY}
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return 0
    print(plain.bold(plain.safe(f"{code}  {state.get('name', '')}  ")) + t("blame.as_of", when=args.as_of))
    for tab in TABS:
        print(t(tab_label(tab)))
        for line in plain.fields([(t(f.label), shown[f.key]) for f in on_tab(tab) if shown.get(f.key)]):
            print(line)
    others = [(field_name(k), shown[k]) for k in state if k not in BY_KEY and shown.get(k)]
    if others:
        print(t("lookup.dimensions"))
        for line in plain.fields(others):
            print(line)
    return 0
