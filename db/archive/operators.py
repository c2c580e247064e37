"""操作员 and roles: who is working (the OS user on SQLite, `current_user` on PostgreSQL),
what their role lets them write, and the operator table the admin keeps.

Roles: admin 账套主管 (everything: operators, classes, the coding scheme, the rules, the
evaluation), editor 录入 (customers, within scope), approver 审核 (approvals, within scope),
viewer 查询 (look-up only). An archive without operators is as it always was: everyone is
admin. Once it has operators, a login that is none of them is a viewer, or is refused when
the archive's "unknown" setting says so; either way the message names the admins to ask.

The role is enforced here, in the store: every write transaction calls `guard` with what it
writes (db.core.session.Store.writing), so no screen or shell command can get past it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from db.archive import history
from db.core import clock, models
from db.core.errors import RuleError, StoreError
from db.core.models import (MAIN_DIMENSION, CustomerClass, Dimension, Operator, OperatorScope,
                            TeamSetting)
from db.core.session import Store, current, writing

ROLES = ("admin", "editor", "approver", "viewer")
# What each kind of write needs ("schema": opening the archive, never refused).
MAY = {"customer": ("admin", "editor"), "archive": ("admin",), "approve": ("admin", "approver"),
       "operators": ("admin",)}
UNKNOWN = ("viewer", "refuse")  # the "unknown" setting: what a login that is no operator gets
ENTITY = "operator"
LOGIN_MAX = 63  # PostgreSQL's longest role name


@dataclass(frozen=True)
class Scope:
    """An operator's data permission: class subtrees ((dimension, code)), departments, and
    whether only their own customers (salesperson = their name). Each kind given narrows
    (a customer must pass every one), within a kind any entry will do; nothing given: all."""

    classes: tuple[tuple[str, str], ...] = ()
    departments: tuple[str, ...] = ()
    own: bool = False

    @property
    def everything(self) -> bool:
        return not (self.classes or self.departments or self.own)


@dataclass(frozen=True)
class Me:
    """The person working: their login, operator row (name, department, role, scope), and
    whether they are one (`known`) and the archive has operators at all (`team`)."""

    login: str
    role: str = "admin"
    name: str = ""
    department: str = ""
    scope: Scope = field(default_factory=Scope)
    known: bool = False
    team: bool = False

    @property
    def sees_everything(self) -> bool:
        return self.role == "admin" or self.scope.everything


def login(store: Store | None = None) -> str:
    """This session's login: the database role on PostgreSQL (what the server's row-level
    security keys on), the operating-system user on SQLite."""
    store = store or current()
    if store.dialect == "sqlite":
        return clock.user()
    cached = getattr(store, "_kehu_login", None)
    if cached is None:
        cached = store.database.execute_sql("SELECT current_user").fetchone()[0]
        store._kehu_login = cached
    return cached


def _has_table() -> bool:
    """An older archive opened read-only has no operator table: it has no operators."""
    store = current()
    cached = getattr(store, "_kehu_team_table", None)
    if cached is None:
        cached = models.database.table_exists(Operator._meta.table_name)
        store._kehu_team_table = cached
    return cached


def setting(key: str, default: str) -> str:
    if not _has_table():
        return default
    row = TeamSetting.get_or_none(TeamSetting.key == key)
    return row.value if row else default


def scope_of(login_name: str) -> Scope:
    rows = list(OperatorScope.select().where(OperatorScope.operator == login_name)
                .order_by(OperatorScope.id))
    return Scope(tuple((r.dimension, r.value) for r in rows if r.kind == "class"),
                 tuple(r.value for r in rows if r.kind == "department"),
                 False)


def _me_now() -> Me:
    name = login()
    if not _has_table() or not Operator.select().exists():
        return Me(name)
    row = Operator.get_or_none(Operator.login == name)
    if row is None:
        if setting("unknown", "viewer") == "refuse":
            raise StoreError("team.unknown_refused", login=name, admins=admins())
        return Me(name, role="viewer", team=True)
    scope = scope_of(row.login)
    return Me(row.login, row.role, row.name, row.department,
              Scope(scope.classes, scope.departments, row.own_customers), known=True, team=True)


def me(fresh: bool = False) -> Me:
    """Who is working, read once per session (`fresh`: again, as every write does, so a role
    taken away counts at the next write)."""
    store = current()
    cached = getattr(store, "_kehu_me", None)
    if cached is None or fresh:
        cached = _me_now()
        store._kehu_me = cached
    return cached


def admins() -> str:
    """Whom to ask: the admins, "name (login)", comma-separated."""
    rows = Operator.select().where(Operator.role == "admin").order_by(Operator.login)
    return ", ".join(f"{r.name} ({r.login})" if r.name else r.login for r in rows)


def guard(what: str) -> None:
    """Refuse a write of `what` the working operator's role does not allow (one line,
    naming whom to ask); called inside every write transaction."""
    if what == "schema":
        return
    who = me(fresh=True)
    if who.role not in MAY.get(what, ("admin",)):
        raise RuleError(f"team.cannot.{what}", who=who.login, admins=admins() or who.login)


def admit(store: Store) -> None:
    """Right after an archive opens: refuse an unknown login where the archive says so,
    write the history under the database role on PostgreSQL (the login the server knows),
    and guard every write from now on."""
    store.guard = guard
    who = me(fresh=True)
    clock.act_as(who.login if who.team and store.dialect != "sqlite" else None)


# ---- the operator table (admin only)


@dataclass(frozen=True)
class OperatorInfo:
    login: str
    name: str
    department: str
    role: str
    scope: Scope
    version: int


def operators() -> list[OperatorInfo]:
    if not _has_table():
        return []
    return [OperatorInfo(r.login, r.name, r.department, r.role,
                         Scope(scope_of(r.login).classes, scope_of(r.login).departments, r.own_customers),
                         r.version)
            for r in Operator.select().order_by(Operator.login)]


def get(login_name: str) -> OperatorInfo | None:
    return next((o for o in operators() if o.login == login_name), None)


def _check(login_name: str, role: str, scope: Scope) -> None:
    if not login_name or len(login_name) > LOGIN_MAX or not login_name.replace("_", "").replace(
            "-", "").replace(".", "").isalnum():
        raise RuleError("team.bad_login", field="login", login=login_name, max=LOGIN_MAX)
    if role not in ROLES:
        raise RuleError("team.bad_role", field="role", role=role, roles=", ".join(ROLES))
    for dim, code in scope.classes:
        # Read here rather than through db.archive.classes, whose counts read the scope.
        known = (CustomerClass.select().join(Dimension)
                 .where(Dimension.code == dim, CustomerClass.code == code).exists())
        if not known:
            raise RuleError("team.bad_class", field="scope", dimension=dim, code=code)


def _write_scope(login_name: str, scope: Scope) -> None:
    OperatorScope.delete().where(OperatorScope.operator == login_name).execute()
    for dim, code in scope.classes:
        OperatorScope.create(operator=login_name, kind="class", dimension=dim, value=code)
    for department in scope.departments:
        OperatorScope.create(operator=login_name, kind="department", value=department)


def _scope_text(scope: Scope) -> str:
    parts = [code if dim == MAIN_DIMENSION else f"{dim}:{code}" for dim, code in scope.classes]
    parts += [f"@{d}" for d in scope.departments]
    return " ".join(parts + (["own"] if scope.own else []))


def _forget() -> None:
    current()._kehu_me = None


def add(login_name: str, name: str = "", department: str = "", role: str = "viewer",
        scope: Scope = Scope()) -> OperatorInfo:
    """Add an operator. The first one is the admin whatever `role` says (someone must be able
    to manage the others); on PostgreSQL the login's role is made and granted (db.archive.server)."""
    login_name = (login_name or "").strip()
    with writing("operators"):
        first = not Operator.select().exists()
        me_login = login()
        if first and login_name != me_login:
            # Whoever makes the first operator manages them: they become its admin, so
            # adding a colleague first never locks the archive's owner out.
            Operator.create(login=me_login, role="admin")
            history.record("add", ENTITY, me_login, {"role": [None, "admin"]})
            _server_sync(me_login)
        elif first:
            role = "admin"
        _check(login_name, role, scope)
        if Operator.get_or_none(Operator.login == login_name) is not None:
            raise RuleError("team.exists", field="login", login=login_name)
        Operator.create(login=login_name, name=name.strip(), department=department.strip(),
                        role=role, own_customers=scope.own)
        _write_scope(login_name, scope)
        history.record("add", ENTITY, login_name, {"name": [None, name], "role": [None, role],
                                                   "department": [None, department],
                                                   "scope": [None, _scope_text(scope)]})
        _server_sync(login_name)
    _forget()
    return get(login_name)


def change(login_name: str, version: int, *, name: str | None = None, department: str | None = None,
           role: str | None = None, scope: Scope | None = None) -> OperatorInfo:
    """Change an operator last read at `version`; the last admin stays an admin."""
    with writing("operators"):
        row = Operator.get_or_none(Operator.login == login_name)
        if row is None:
            raise RuleError("team.no_operator", login=login_name)
        if row.version != version:
            raise RuleError("team.changed", login=login_name)
        old_scope = Scope(scope_of(login_name).classes, scope_of(login_name).departments, row.own_customers)
        new = {"name": row.name if name is None else name.strip(),
               "department": row.department if department is None else department.strip(),
               "role": row.role if role is None else role}
        scope = old_scope if scope is None else scope
        _check(login_name, new["role"], scope)
        if row.role == "admin" and new["role"] != "admin" and _admin_count() == 1:
            raise RuleError("team.last_admin", login=login_name)
        changes = {k: [getattr(row, k), v] for k, v in new.items() if getattr(row, k) != v}
        if scope != old_scope:
            changes["scope"] = [_scope_text(old_scope), _scope_text(scope)]
        if not changes:
            return get(login_name)
        Operator.update(**new, own_customers=scope.own, version=row.version + 1).where(
            Operator.login == login_name).execute()
        _write_scope(login_name, scope)
        history.record("change", ENTITY, login_name, changes)
        _server_sync(login_name)
    _forget()
    return get(login_name)


def remove(login_name: str) -> None:
    """Remove an operator; the last admin goes only with everyone else gone (the archive is
    then open to all again)."""
    with writing("operators"):
        row = Operator.get_or_none(Operator.login == login_name)
        if row is None:
            raise RuleError("team.no_operator", login=login_name)
        if row.role == "admin" and _admin_count() == 1 and Operator.select().count() > 1:
            raise RuleError("team.last_admin", login=login_name)
        OperatorScope.delete().where(OperatorScope.operator == login_name).execute()
        row.delete_instance()
        history.record("delete", ENTITY, login_name, {"name": [row.name, None], "role": [row.role, None]})
        _server_sync(login_name, removed=True)
    _forget()


def set_unknown(value: str) -> None:
    """What a login that is no operator gets: "viewer" (look-up only) or "refuse"."""
    if value not in UNKNOWN:
        raise RuleError("team.bad_unknown", field="unknown", value=value, choices=", ".join(UNKNOWN))
    with writing("operators"):
        old = setting("unknown", "viewer")
        TeamSetting.insert(key="unknown", value=value).on_conflict(
            conflict_target=[TeamSetting.key], update={TeamSetting.value: value}).execute()
        if old != value:
            history.record("change", ENTITY, "@unknown", {"unknown": [old, value]})
        if current().dialect != "sqlite":
            from db.archive import server

            server.resync()  # PUBLIC's look-up granted or taken back
    _forget()


def sync() -> list[str]:
    """`kehu operators sync`: on PostgreSQL the operators' roles, grants and policies made
    again (db.archive.server.resync), for roles a database admin has just created; returns
    the logins still without one."""
    with writing("operators"):
        if current().dialect == "sqlite":
            return []
        from db.archive import server

        return server.resync()


def _admin_count() -> int:
    return Operator.select().where(Operator.role == "admin").count()


def _server_sync(login_name: str, removed: bool = False) -> None:
    """On PostgreSQL the login's database role follows its operator row (db.archive.server)."""
    if current().dialect != "sqlite":
        from db.archive import server

        server.sync_role(login_name, removed)
