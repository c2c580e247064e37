"""PostgreSQL as the guard of a shared archive: each operator is a database role of its
own, granted what its kehu role may do, so a person who connects with psql can do no more
than kehu lets them.

Privileges by role: everyone reads every table (row-level security narrows the customer
tables, their history and their requests to the operator's scope); an editor or approver
also writes the customer tables and the history; an admin everything, passing it on (WITH
GRANT OPTION) so an admin who is no superuser can still grant to the operators they add. A
login that is no operator reads through PUBLIC when the archive's "unknown" setting is
look-up only, and gets nothing when it is refuse.
"""
from __future__ import annotations

from db.core.models import (Address, BankAccount, BatchRow, BatchRun, ChangeLog, ChangeRequest, Contact,
                            Customer, InvoiceInfo, Membership, Operator, OperatorScope, Proposal, Sale,
                            SchemaInfo, TeamSetting)
from db.core.session import current

# The card's lists (contacts, addresses, banks, invoice details): rows of one customer each.
SUBRECORD_TABLES = tuple(m._meta.table_name for m in (Contact, Address, BankAccount, InvoiceInfo))
# The tables an editor's work writes: customers, their sub-records, the history, batch runs.
CUSTOMER_TABLES = tuple(m._meta.table_name for m in (Customer, Membership, Sale, ChangeLog,
                                                     BatchRun, BatchRow, ChangeRequest)) + SUBRECORD_TABLES


def ident(name: str) -> str:
    """A role or table name quoted for SQL (logins are checked to be letters, digits and
    _-. by db.archive.operators, so this only guards the quoting itself)."""
    return '"' + name.replace('"', '""') + '"'


def _sql(text: str, params=()) -> list:
    cursor = current().database.execute_sql(text, params)
    return cursor.fetchall() if cursor.description else []


def role_exists(login: str) -> bool:
    return bool(_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)))


def resync() -> list[str]:
    """Make the server match the operator tables as they are (inside the caller's
    transaction): the policies, PUBLIC's look-up for unknown logins, and every operator's
    role. Run after whatever may have left them behind: an upgrade that made new tables
    (GRANT .. ON ALL TABLES covers only the tables there were), a copy into a new
    database, a change of the "unknown" setting. Returns the logins whose roles are missing
    and were not made, as the connecting role may not create roles (no CREATEROLE): the
    rest still lands, and the caller says what a database admin must run (missing_roles_sql)."""
    if not _sql("SELECT 1 FROM operator LIMIT 1"):
        return []  # no operators: no policies, everyone the owner's guest as before
    install_policies()
    may_create = _sql("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")[0][0]
    missing = []
    for (login,) in _sql("SELECT login FROM operator ORDER BY login"):
        if may_create or role_exists(login):
            sync_role(login, policies=False)
        else:
            missing.append(login)
    return missing


def missing_roles_sql(logins: list[str]) -> str:
    """What a role that may create roles runs for the logins resync could not make (then
    `kehu operators sync` grants them their privileges)."""
    return " ".join(f"CREATE ROLE {ident(login)} LOGIN;" for login in logins)


def sync_role(login: str, removed: bool = False, policies: bool = True) -> None:
    """Make the database role `login` hold what its operator row allows, inside the caller's
    transaction (roles and grants are transactional): created LOGIN when missing; on removal
    it keeps existing (it may be in other databases: roles are the cluster's) but loses
    every privilege here."""
    if policies:
        install_policies()
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


# Row-level security: the customer tables show each role only the customers in its
# operator's scope (the rule of db.archive.scope, written in SQL once more). Everyone sees
# everything on an archive without operators, an admin or an operator without a scope
# always, and a login that is no operator when the archive lets it look up ("unknown").
# Run as their owner, these functions read the operator tables and the memberships past
# the policies, so a policy never calls itself.
POLICY_FUNCTIONS = """
CREATE OR REPLACE FUNCTION kehu_sees_all(who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT NOT EXISTS (SELECT 1 FROM operator)
      OR EXISTS (SELECT 1 FROM operator o WHERE o.login = who AND (o.role = 'admin' OR
                 (NOT o.own_customers AND NOT EXISTS (SELECT 1 FROM operator_scope s WHERE s.login = o.login))))
      OR (NOT EXISTS (SELECT 1 FROM operator o WHERE o.login = who)
          AND COALESCE((SELECT value FROM team_setting WHERE key = 'unknown'), 'viewer') = 'viewer')
$$;
CREATE OR REPLACE FUNCTION kehu_customer_exists(wanted text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM customer WHERE code = wanted)
$$;
-- a row this very transaction inserted: its xmin at or after the transaction's own id
-- (its subtransactions' ids come after it), read as a 64-bit id within 2^31 of it as the
-- server reads xids (frozen rows show 2, older ones lie behind), and still in progress;
-- false when the transaction has written nothing
CREATE OR REPLACE FUNCTION kehu_inserted_here(x xid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT COALESCE((SELECT CASE WHEN x::text::bigint >= 3 AND ahead < 2147483648
                               THEN pg_xact_status((cur + ahead)::text::xid8) = 'in progress' ELSE false END
                   FROM (SELECT cur, mod(x::text::bigint - mod(cur, 4294967296) + 4294967296, 4294967296) AS ahead
                         FROM (SELECT pg_current_xact_id_if_assigned()::text::bigint AS cur) mine) made), false)
$$;
CREATE OR REPLACE FUNCTION kehu_tax_id_taken(tax text, skip text[], today date) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM customer WHERE tax_id = tax AND code <> ALL (skip)
                 AND (stop_date IS NULL OR stop_date > today))
$$;
-- (`creator`, the row's created_by, first: most rows are another's, and need no look-up)
CREATE OR REPLACE FUNCTION kehu_member_of(cid integer, dim text, prefix text, who name, creator text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM membership m JOIN dimension d ON d.id = m.dimension_id
                 WHERE m.customer_id = cid AND d.code = dim
                   AND left(m.class_code, length(prefix)) = prefix)
      OR (creator = who AND EXISTS (SELECT 1 FROM customer c WHERE c.id = cid AND kehu_inserted_here(c.xmin)))
$$;
"""
# The customer row's own test: each kind the scope names narrows; current_user is the role
# asking (the functions above are told it: inside them it is their owner). The customer's
# columns are named by the table inside the subqueries (operator_scope has an id too).
CUSTOMER_POLICY = """
(SELECT kehu_sees_all(current_user))
OR (EXISTS (SELECT 1 FROM operator o WHERE o.login = current_user)
    AND ((SELECT NOT EXISTS (SELECT 1 FROM operator_scope s WHERE s.login = current_user AND s.kind = 'class'))
         OR EXISTS (SELECT 1 FROM operator_scope s WHERE s.login = current_user AND s.kind = 'class'
                    AND CASE WHEN s.dimension = 'main' THEN left(customer.class_code, length(s.value)) = s.value
                             ELSE kehu_member_of(customer.id, s.dimension, s.value, current_user, customer.created_by) END))
    AND ((SELECT NOT EXISTS (SELECT 1 FROM operator_scope s WHERE s.login = current_user AND s.kind = 'department'))
         OR department IN (SELECT s.value FROM operator_scope s WHERE s.login = current_user AND s.kind = 'department'))
    AND ((SELECT NOT o.own_customers FROM operator o WHERE o.login = current_user)
         OR salesperson = (SELECT CASE WHEN o.name = '' THEN o.login ELSE o.name END
                           FROM operator o WHERE o.login = current_user)))
"""
# A new customer's own test: its classes in other dimensions than the main one are not
# written yet, so a scope's class there counts as met. Its creator sees it until the
# transaction ends (kehu_member_of), to write its classes, sub-records and history; once
# committed, it is seen only when a class of the scope holds it (kehu checks that it does).
NEW_CUSTOMER_POLICY = CUSTOMER_POLICY.replace(
    "ELSE kehu_member_of(customer.id, s.dimension, s.value, current_user, customer.created_by) END", "ELSE true END")
# The tables keyed to a customer: their rows follow the customer's (read through the
# customer table, so through its policy); an evaluation's proposals too.
KEYED_TABLES = (Membership._meta.table_name, Sale._meta.table_name, Proposal._meta.table_name) + SUBRECORD_TABLES
# What kehu reads of an archive before it knows who is asking (db.archive.operators.admit).
OPENING_TABLES = tuple(m._meta.table_name for m in (SchemaInfo, Operator, OperatorScope, TeamSetting))
# Rows keyed to a customer by its code: the history of customers (other entities' history,
# classes, rules, operators, is everyone's) and the approval requests.
CODED_TABLES = ((ChangeLog._meta.table_name, "entity <> 'customer' OR entity_code"),
                (ChangeRequest._meta.table_name, "customer_code"))


def install_policies() -> None:
    """Create (again) the functions and policies, inside the caller's transaction: run
    whenever an operator is added or changed, so an archive always has the current ones."""
    _sql(POLICY_FUNCTIONS)
    customer = Customer._meta.table_name
    _sql(f"ALTER TABLE {customer} ENABLE ROW LEVEL SECURITY")
    _sql(f"DROP POLICY IF EXISTS kehu_scope ON {customer}")
    _sql(f"CREATE POLICY kehu_scope ON {customer} USING ({CUSTOMER_POLICY})")
    _sql(f"DROP POLICY IF EXISTS kehu_new ON {customer}")
    _sql(f"CREATE POLICY kehu_new ON {customer} FOR INSERT WITH CHECK ({NEW_CUSTOMER_POLICY})")
    for table in KEYED_TABLES:
        _sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        _sql(f"DROP POLICY IF EXISTS kehu_scope ON {table}")
        _sql(f"CREATE POLICY kehu_scope ON {table} USING ((SELECT kehu_sees_all(current_user)) "
             f"OR customer_id IN (SELECT id FROM {customer}))")
    history = ChangeLog._meta.table_name
    for table, code in CODED_TABLES:
        _sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name in ("kehu_scope", "kehu_write"):
            _sql(f"DROP POLICY IF EXISTS {name} ON {table}")
        # the history is read within the scope; what a role may write into it is its grant's
        # business (a delete writes the history of a customer that is no longer there)
        only = " FOR SELECT" if table == history else ""
        _sql(f"CREATE POLICY kehu_scope ON {table}{only} USING ((SELECT kehu_sees_all(current_user)) "
             f"OR {code} IN (SELECT code FROM {customer}))")
        if only:
            _sql(f"CREATE POLICY kehu_write ON {table} FOR INSERT WITH CHECK (true)")
    # A login that is no operator: look-up through PUBLIC (the policies show it what
    # kehu_sees_all grants), or nothing when the archive refuses it.
    # Refused, it still reads the schema's version and the operator tables, so that kehu
    # can tell it so and name whom to ask.
    if _sql("SELECT value FROM team_setting WHERE key = 'unknown'") == [("refuse",)]:
        _sql("REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM PUBLIC")
        _sql(f"GRANT SELECT ON {', '.join(OPENING_TABLES)} TO PUBLIC")
    else:  # (a schema made again by CREATE SCHEMA public lacks PUBLIC's usage of a new cluster)
        _sql("GRANT USAGE ON SCHEMA public TO PUBLIC")
        _sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC")
