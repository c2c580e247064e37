"""PostgreSQL as the guard of a shared archive: each operator is a database role of its
own, granted what its kehu role may do, so a person who connects with psql can do no more
than kehu lets them.

Privileges by role: everyone reads every table (row-level security, db.archive.policies,
narrows the customer tables to the operator's scope); an editor or approver also writes the
customer tables and the history; an admin everything, passing it on (WITH GRANT OPTION) so
an admin who is no superuser can still grant to the operators they add.
"""
from __future__ import annotations

from db.core.models import (BatchRow, BatchRun, ChangeLog, Customer, Membership, Operator, Sale)
from db.core.session import current

# The tables an editor's work writes: customers, their sub-records, the history, batch runs.
CUSTOMER_TABLES = tuple(m._meta.table_name for m in (Customer, Membership, Sale, ChangeLog,
                                                     BatchRun, BatchRow))


def ident(name: str) -> str:
    """A role or table name quoted for SQL (logins are checked to be letters, digits and
    _-. by db.archive.operators, so this only guards the quoting itself)."""
    return '"' + name.replace('"', '""') + '"'


def _sql(text: str, params=()) -> list:
    cursor = current().database.execute_sql(text, params)
    return cursor.fetchall() if cursor.description else []


def role_exists(login: str) -> bool:
    return bool(_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)))


def sync_role(login: str, removed: bool = False) -> None:
    """Make the database role `login` hold what its operator row allows, inside the caller's
    transaction (roles and grants are transactional): created LOGIN when missing; on removal
    it keeps existing (it may be in other databases: roles are the cluster's) but loses
    every privilege here."""
    role = ident(login)
    if login == _sql("SELECT current_user")[0][0]:
        return  # the role doing the granting keeps what it has (the owner, a superuser)
    if not role_exists(login):
        if removed:
            return
        _sql(f"CREATE ROLE {role} LOGIN")
    _sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
    _sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
    if removed:
        return
    kind = Operator.get(Operator.login == login).role
    _sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    if kind == "admin":
        _sql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role} WITH GRANT OPTION")
        _sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role} WITH GRANT OPTION")
        return
    _sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    if kind in ("editor", "approver"):
        _sql(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(CUSTOMER_TABLES)} TO {role}")
        _sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
