"""`kehu requests [--approve ID | --reject ID --reason TEXT] [--all] [--json]`: the approval
queue (db.archive.approval) in the shell; approving or rejecting needs an approver or admin
(the store refuses anyone else)."""
from __future__ import annotations

import json
import sys

from tui.i18n import t
from tui.shell import plain


def register(subparsers) -> None:
    reqs = subparsers.add_parser("requests", help=t("requests.help"))
    act = reqs.add_mutually_exclusive_group()
    act.add_argument("--approve", type=plain.count, metavar="ID", help=t("requests.help_approve"))
    act.add_argument("--reject", type=plain.count, metavar="ID", help=t("requests.help_reject"))
    reqs.add_argument("--reason", help=t("requests.help_reason"))
    reqs.add_argument("--all", action="store_true", help=t("requests.help_all"))
    reqs.add_argument("--json", action="store_true", help=t("lookup.help_json"))
    reqs.set_defaults(run=run_requests)


def changes_text(req) -> str:
    """A request's content as one line: 新增客户 C1 名称, or 信用额度: 1,000.00 → 5,000.00; ..."""
    from tui.change_values import field_name, values_text

    if req.kind == "new":
        return t("requests.new_customer", code=req.code, name=req.name)
    empty = t("history.empty_value")
    return "; ".join(t("history.change", field=field_name(k), old=o or empty, new=n or empty)
                     for k, (o, n) in values_text("customer", req.code, req.changes).items())


def run_requests(args, store) -> int:
    from db.archive import approval

    if args.approve is not None:
        approval.approve(args.approve)
        print(t("requests.approved", id=args.approve))
        return 0
    if args.reject is not None:
        approval.reject(args.reject, args.reason or "")
        print(t("requests.rejected", id=args.reject))
        return 0
    rows = approval.requests(None if args.all else "pending")
    if args.json:
        print(json.dumps([{"id": r.id, "kind": r.kind, "code": r.code, "name": r.name,
                           "changes": {k: list(v) for k, v in r.changes.items()}, "status": r.status,
                           "requested_by": r.requested_by, "requested_at": str(r.requested_at),
                           "decided_by": r.decided_by,
                           "decided_at": str(r.decided_at) if r.decided_at else None,
                           "reason": r.reason} for r in rows], ensure_ascii=False, indent=2))
        return 0 if rows else 1
    if not rows:
        print(f"kehu: {t('requests.none')}", file=sys.stderr)
        return 1
    headers = [t("requests.id"), t("requests.kind"), t("requests.customer"), t("requests.changes"),
               t("requests.by"), t("requests.at"), t("requests.status")]
    table = [[str(r.id), t(f"request.kind.{r.kind}"), r.code, changes_text(r), r.requested_by,
              str(r.requested_at)[:16], t(f"request.status.{r.status}")] for r in rows]
    for line in plain.table(headers, table, shrink=(3, 2)):
        print(line)
    return 0
