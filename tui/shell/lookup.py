"""`kehu find`, `kehu show`, `kehu tree`: answers in the shell, on the store's own functions
(db.archive.search.find, db.archive.customers, db.archive.classes). Imports db/ and plain text only, never textual,
so a look-up starts in a fraction of a second."""
from __future__ import annotations

import sys

from tui.i18n import name_of, t
from tui.shell import plain, similar


def register(subparsers) -> None:
    find = subparsers.add_parser("find", help=t("lookup.help_find"))
    find.add_argument("query", help=t("lookup.help_query"))
    find.add_argument("--limit", type=plain.count, default=50, help=t("lookup.help_limit"))
    find.add_argument("--json", action="store_true", help=t("lookup.help_json"))
    similar.add_options(find)
    find.set_defaults(run=run_find)

    show = subparsers.add_parser("show", help=t("lookup.help_show"))
    show.add_argument("code")
    show.add_argument("--json", action="store_true", help=t("lookup.help_json"))
    show.add_argument("--as-of", help=t("blame.help_as_of"))
    show.set_defaults(run=run_show)

    tree = subparsers.add_parser("tree", help=t("lookup.help_tree"))
    tree.add_argument("--dimension", default="main", help=t("lookup.help_dimension"))
    tree.add_argument("--json", action="store_true", help=t("lookup.help_json"))
    tree.set_defaults(run=run_tree)


def _err(message: str) -> None:
    print(f"kehu: {plain.message(message)}", file=sys.stderr)


def _dump(data) -> None:
    plain.dump_json(data)


def run_find(args, store) -> int:
    from db.archive import search

    if args.similar:
        return similar.run_similar(args, store)
    query = args.query.strip()
    if not query or args.limit < 1:
        _err(t("lookup.bad_query"))
        return 2
    hits = search.find(query, limit=args.limit)
    if args.json:
        _dump([{"code": h.code, "short_name": h.short_name, "name": h.name,
                "class_code": h.class_code, "region": h.region, "phone": h.phone,
                "matched": h.matched} for h in hits])
        return 0 if hits else 1
    if not hits:
        _err(t("lookup.none", query=query))
        return 1
    headers = [t("customer.field.code"), t("customer.field.short_name"),
               t("customer.field.class_code"), t("customer.field.region"), t("customer.field.phone")]
    rows = [[h.code, h.short_name, h.class_code, h.region, h.phone] for h in hits]
    for line in plain.table(headers, rows, shrink=(1, 3, 4, 2)):
        print(line)
    return 0


def run_show(args, store) -> int:
    from db.archive import branches, customers, dimensions
    from db.values.fields import TABS, on_tab, tab_label

    if args.as_of:
        from tui.shell.blame import run_show_as_of
        return run_show_as_of(args)
    row = customers.get(args.code.strip())
    if row is None:
        _err(t("lookup.no_customer", code=args.code))
        return 1
    form = customers.as_form(row)
    member = dimensions.memberships(row.code)
    head = branches.head_of(row.code)
    own = branches.branches(row.code, limit=None)  # every one: the card shows the first few
    if args.json:
        data = {tab: {f.key: plain.json_value(f.kind, getattr(row, f.key)) for f in on_tab(tab)}
                for tab in TABS}
        data["dimensions"] = {dim: {"class_code": code, "class_name": name}
                              for dim, (code, name) in member.items()}
        data["head_office"] = {"code": head[0], "name": head[1]} if head else None
        data["branches"] = [{"code": b.code, "name": b.name, "stopped": b.stopped} for b in own]
        _dump(data)
        return 0
    print(plain.bold(plain.safe(f"{row.code}  {row.name}")))
    for tab in TABS:
        print(t(tab_label(tab)))
        pairs = [(t(f.label), form[f.key]) for f in on_tab(tab) if form[f.key]]
        for line in plain.fields(pairs):
            print(line)
    if member:
        print(t("lookup.dimensions"))
        for line in plain.fields([(dim, f"{code} {name}") for dim, (code, name) in member.items()]):
            print(line)
    if head or own:  # 总公司: the head office, the branches
        print(t("head.group"))
        pairs = [(t("lookup.head_office"), f"{head[0]} {head[1]}")] if head else []
        pairs += [(t("head.branch_count", count=len(own)) if i == 0 else "",
                   f"{b.code} {b.name}" + (" " + t("head.stopped_mark") if b.stopped else ""))
                  for i, b in enumerate(own)]
        for line in plain.fields(pairs):
            print(line)
    return 0


def run_tree(args, store) -> int:
    from db.archive import classes, dimensions

    dim = dimensions.resolve(args.dimension)
    nodes = []

    def walk(parent: str | None, depth: int) -> None:
        for node in classes.children(dim.code, parent):
            nodes.append((depth, node))
            if not node.is_leaf:
                walk(node.code, depth + 1)

    walk(None, 0)
    if args.json:
        _dump([{"code": n.code, "name": n.name, "level": n.level, "is_leaf": n.is_leaf,
                "customers": n.customers} for _, n in nodes])
        return 0 if nodes else 1
    if not nodes:
        _err(t("lookup.empty_tree", dimension=name_of(dim)))
        return 1
    total = classes.customers_under(dim, "")
    print(plain.bold(plain.safe(f"{dim.name_zh} {dim.name_en}  {dim.scheme}  ({plain.number(total)})")))
    labels = [("  " * depth + f"{n.code} {plain.safe(n.name)}", n.customers) for depth, n in nodes]
    label_width = max(plain.width(label) for label, _ in labels)
    columns = plain.terminal_width()
    if columns is not None:  # on a terminal the labels give way to the counts
        label_width = min(columns - 11, label_width)
    for label, count in labels:
        print(f"{plain.pad(plain.clip(label, label_width), label_width)}  {plain.number(count):>9}")
    return 0
