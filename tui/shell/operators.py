"""`kehu operators list | add | set | remove | unknown`: the operator table (操作员), its
roles and scopes, for the admin (the store refuses anyone else: db.archive.operators)."""
from __future__ import annotations

import json
import sys

from tui.i18n import t
from tui.shell import plain


def register(subparsers) -> None:
    ops = subparsers.add_parser("operators", help=t("ops.help"))
    verbs = ops.add_subparsers(dest="verb", required=True, metavar="list|add|set|remove|unknown|approval|sync")
    listing = verbs.add_parser("list", help=t("ops.help_list"))
    listing.add_argument("--json", action="store_true", help=t("lookup.help_json"))
    for verb in ("add", "set"):
        sub = verbs.add_parser(verb, help=t(f"ops.help_{verb}"))
        sub.add_argument("login", help=t("ops.help_login"))
        sub.add_argument("--name", help=t("ops.help_name"))
        sub.add_argument("--department", help=t("ops.help_department"))
        sub.add_argument("--role", choices=("admin", "editor", "approver", "viewer"),
                         help=t("ops.help_role"))
        sub.add_argument("--class", dest="classes", action="append", metavar="[DIM:]CODE",
                         help=t("ops.help_class"))
        sub.add_argument("--scope-department", dest="departments", action="append", metavar="NAME",
                         help=t("ops.help_scope_department"))
        sub.add_argument("--own", action="store_true", default=None, help=t("ops.help_own"))
        if verb == "set":
            sub.add_argument("--not-own", dest="own", action="store_false", help=t("ops.help_not_own"))
            sub.add_argument("--all", action="store_true", help=t("ops.help_all"))
    remove = verbs.add_parser("remove", help=t("ops.help_remove"))
    remove.add_argument("login")
    unknown = verbs.add_parser("unknown", help=t("ops.help_unknown"))
    unknown.add_argument("policy", choices=("viewer", "refuse"))
    approval = verbs.add_parser("approval", help=t("requests.help_approval"))
    approval.add_argument("state", choices=("on", "off"))
    approval.add_argument("--fields", help="name,tax_id,class_code,credit_limit,credit_days")
    verbs.add_parser("sync", help=t("ops.help_sync"))
    ops.set_defaults(run=run_operators)


def scope_text(scope) -> str:
    """A scope as `kehu operators list` shows it: 02, region:01, 部门 华北销售部, 专管."""
    from db.core.models import MAIN_DIMENSION

    parts = [code if dim == MAIN_DIMENSION else f"{dim}:{code}" for dim, code in scope.classes]
    parts += [t("ops.scope_department", name=d) for d in scope.departments]
    if scope.own:
        parts.append(t("ops.scope_own"))
    return ", ".join(parts) or t("ops.scope_all")


def _scope(args, old=None):
    """The scope the options give; on `set`, each kind not given stays as it was."""
    from db.archive.operators import Scope
    from db.core.models import MAIN_DIMENSION

    old = old or Scope()
    if getattr(args, "all", False):
        old = Scope()
    classes = old.classes
    if args.classes is not None:
        classes = tuple((c.split(":", 1)[0], c.split(":", 1)[1]) if ":" in c else (MAIN_DIMENSION, c)
                        for c in (x.strip() for x in args.classes) if c)
    departments = old.departments if args.departments is None else tuple(
        d.strip() for d in args.departments if d.strip())
    own = old.own if args.own is None else args.own
    return Scope(classes, departments, own)


def roles_missing(logins: list[str], url: str) -> None:
    """The notice of operators whose database roles are missing (db.archive.server.resync)."""
    from db.archive import server
    from db.core.session import masked

    print(f"kehu: {t('ops.roles_missing', logins=', '.join(logins), sql=server.missing_roles_sql(logins), url=masked(url))}",
          file=sys.stderr)


def _print(op) -> None:
    print(f"{op.login}  {op.name}  {op.department}  {t('role.' + op.role)}  {scope_text(op.scope)}")


def run_operators(args, store) -> int:
    from db.archive import operators

    if args.verb == "list":
        rows = operators.operators()
        if args.json:
            print(json.dumps([{"login": o.login, "name": o.name, "department": o.department,
                               "role": o.role, "classes": [list(c) for c in o.scope.classes],
                               "departments": list(o.scope.departments), "own": o.scope.own}
                              for o in rows], ensure_ascii=False, indent=2))
            return 0 if rows else 1
        if not rows:
            print(f"kehu: {t('ops.none')}", file=sys.stderr)
            return 1
        headers = [t("ops.login"), t("ops.name"), t("ops.department"), t("ops.role"), t("ops.scope")]
        table = [[o.login, o.name, o.department, t("role." + o.role), scope_text(o.scope)] for o in rows]
        for line in plain.table(headers, table, shrink=(4, 2, 1)):
            print(line)
        return 0
    if args.verb == "add":
        op = operators.add(args.login, args.name or "", args.department or "", args.role or "viewer",
                           _scope(args))
        _print(op)
        return 0
    if args.verb == "set":
        old = operators.get(args.login.strip())
        if old is None:
            print(f"kehu: {t('team.no_operator', login=plain.message(args.login))}", file=sys.stderr)
            return 2
        op = operators.change(old.login, old.version, name=args.name, department=args.department,
                              role=args.role, scope=_scope(args, old.scope))
        _print(op)
        return 0
    if args.verb == "remove":
        operators.remove(args.login.strip())
        return 0
    if args.verb == "sync":
        missing = operators.sync()
        if missing:
            roles_missing(missing, store.url)
        return 1 if missing else 0
    if args.verb == "approval":
        from db.archive import approval

        approval.set_approval(args.state == "on", args.fields.split(",") if args.fields else None)
        return 0
    operators.set_unknown(args.policy)
    return 0
