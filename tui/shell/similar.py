"""`kehu find --similar NAME`: the customers a card with that name (and optionally phone,
mobile, tax id) would be warned about on saving (db.archive.duplicates), with their scores
and reasons. Plain text or JSON; imports db/ and plain text only, never textual."""
from __future__ import annotations

import json
import sys

from tui.i18n import t
from tui.shell import plain


def add_options(find) -> None:
    """The options `kehu find` gains for --similar (tui.shell.lookup registers find)."""
    find.add_argument("--similar", action="store_true", help=t("dup.help_similar"))
    find.add_argument("--phone", default="", help=t("dup.help_phone"))
    find.add_argument("--mobile", default="", help=t("dup.help_mobile"))
    find.add_argument("--tax-id", default="", help=t("dup.help_tax_id"))


def reasons_text(reasons) -> str:
    return ", ".join(t(f"dup.reason.{r}") for r in reasons)


def run_similar(args, store) -> int:
    from db.archive import duplicates

    values = {"name": args.query.strip(), "phone": args.phone, "mobile": args.mobile,
              "tax_id": args.tax_id}
    if not values["name"] or args.limit < 1:
        print(f"kehu: {plain.message(t('lookup.bad_query'))}", file=sys.stderr)
        return 2
    found = duplicates.candidates(values, limit=args.limit)
    if args.json:
        print(json.dumps([{"code": c.code, "name": c.name, "short_name": c.short_name,
                           "score": c.score, "reasons": list(c.reasons), "stopped": c.stopped}
                          for c in found], ensure_ascii=False, indent=2))
        return 0 if found else 1
    if not found:
        print(f"kehu: {plain.message(t('dup.none', query=values['name']))}", file=sys.stderr)
        return 1
    headers = [t("dup.score"), t("customer.field.code"), t("customer.field.name"), t("dup.reasons")]
    rows = [[str(c.score), c.code, c.name + (f" ({t('dup.stopped')})" if c.stopped else ""),
             reasons_text(c.reasons)] for c in found]
    for line in plain.table(headers, rows, shrink=(2, 3)):
        print(line)
    return 0
