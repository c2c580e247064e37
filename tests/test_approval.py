"""Approval (db.archive.approval), off by default: with it on, an editor's new customer waits
pending (findable, left out of the evaluation and of a sales import), a change of a held
field waits as a request while the card keeps its value, an approver approves or rejects
with a reason, both people are in the history (and in `kehu blame`), and of two approvers
deciding one request only the first does. SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest

from db import RuleError
from db.archive import approval, blame, customers, operators, search
from db.core.models import ChangeRequest, Proposal
from db.evaluation import rules
from db.transfer import importer
from db.lists import paging
from db.lists.query import ListQuery
from tests.pg import pg_url  # noqa: F401 (fixture)
from tests.test_operators import pg_roles, role_url  # noqa: F401 (fixture)
from tui import cli


class People:
    """Who works: on SQLite the OS user (LOGNAME), on PostgreSQL a database role of its own
    (made for the test, unique in the cluster): `be(key)` switches, reopening the store."""

    def __init__(self, monkeypatch, names: dict[str, str], url: str | None = None):
        self.monkeypatch, self.names, self.url = monkeypatch, names, url

    def be(self, key: str) -> None:
        login = self.names[key]
        if self.url is None:
            self.monkeypatch.setenv("LOGNAME", login)
            operators._forget()
            return
        import db
        from db.core import session

        if session._current is not None:
            session._current.close()
        db.open_store(self.url if key == "boss" else role_url(login))


def _leaf02():
    from db.archive import classes

    return next(c for c, _ in classes.leaves() if c.startswith("02"))


NEW = {"code": "N1", "name": "北京新华联商贸有限公司", "short_name": "新华联", "department": "华北销售部"}


def _team(people: People) -> None:
    n = people.names
    people.be("boss")
    operators.add(n["boss"], "张总")
    operators.add(n["lisi"], "李四", "华北销售部", "editor",
                  operators.Scope(classes=(("main", "02"),), departments=("华北销售部",)))
    operators.add(n["zhangsan"], "张三", role="approver")
    operators.add(n["wangwu"], "王五", role="approver")


SQLITE_NAMES = {k: k for k in ("boss", "lisi", "zhangsan", "wangwu")}


def test_off_by_default(demo_store, monkeypatch):
    people = People(monkeypatch, SQLITE_NAMES)
    _team(people)
    people.be("lisi")
    customers.create({**NEW, "class_code": _leaf02()})
    assert not approval.is_pending("N1") and approval.requests() == []


def _walk(people: People, tmp_path) -> None:
    n = people.names
    _team(people)
    approval.set_approval(True)
    people.be("lisi")
    with pytest.raises(RuleError, match="team.cannot.operators"):
        approval.set_approval(False)
    customers.create({**NEW, "class_code": _leaf02()})
    assert approval.is_pending("N1")
    assert [h.code for h in search.find("新华联")] == ["N1"]  # findable while pending
    # a change of a held field waits; the rest of the same save is saved
    target = paging.fetch(ListQuery(sort="code"), 0, 1)[0].code
    row = customers.get(target)
    saved = customers.update(target, {"credit_limit": "250000", "phone": "022-1"}, row.version)
    assert saved.credit_limit == row.credit_limit and saved.phone == "022-1"
    pending = approval.requests()
    assert [(r.kind, r.code) for r in pending] == [("new", "N1"), ("change", target)]
    assert pending[1].changes == {"credit_limit": (row.credit_limit, 25000000)}
    assert pending[1].requested_by == n["lisi"]
    with pytest.raises(RuleError, match="team.cannot.approve"):  # an editor cannot decide
        approval.approve(pending[0].id)
    # pending customers: out of the evaluation and of a sales import
    people.be("boss")
    rules.evaluate()
    assert not Proposal.select().where(Proposal.customer_code == "N1").exists()
    sales = tmp_path / "s.csv"
    sales.write_text("客户编码,单据日期,单据号,金额\nN1,2026-11-01,X1,100\n", encoding="utf-8")
    assert [p.key for p in importer.plan(sales, kind="sales").rejected] == ["request.pending_customer"]
    # zhangsan approves both; wangwu, a moment later, is told who did
    people.be("zhangsan")
    approval.approve(pending[0].id)
    approval.approve(pending[1].id)
    assert not approval.is_pending("N1")
    assert customers.get(target).credit_limit == 25000000
    people.be("wangwu")
    with pytest.raises(RuleError) as err:
        approval.approve(pending[1].id)
    assert err.value.key == "request.decided" and err.value.values["who"] == n["zhangsan"]
    # blame names both people
    credit = {b.field: b for b in blame.blame(target)}["credit_limit"]
    assert (credit.entry.who, credit.source, credit.asked_by) == (n["zhangsan"], "request", n["lisi"])
    n1 = {b.field: b for b in blame.blame("N1")}
    assert n1["name"].entry.who == n["lisi"] and n1["approval"].entry.who == n["zhangsan"]
    assert n1["approval"].asked_by == n["lisi"]
    # rejections: a reason is required; a change is dropped, a new customer leaves
    people.be("lisi")
    customers.create({**NEW, "code": "N2", "class_code": _leaf02()})
    row = customers.get(target)
    customers.update(target, {"credit_days": "45"}, row.version)
    later = approval.requests()
    assert [r.code for r in later] == ["N2", target]
    people.be("zhangsan")
    with pytest.raises(RuleError, match="request.reason_required"):
        approval.reject(later[0].id, "  ")
    for req in later:
        approval.reject(req.id, "资料不全")
    assert customers.get("N2") is None and customers.get(target).credit_days == row.credit_days
    assert {r.reason for r in approval.requests(status="rejected")} == {"资料不全"}
    _import_waits(people, tmp_path, target)


def _import_waits(people: People, tmp_path, target: str) -> None:
    """An editor's import, as the card's saves: its new customers pending, the held fields
    of its changes filed as requests (the other fields written), set-based."""
    from db.archive import history

    people.be("lisi")
    row = customers.get(target)
    path = tmp_path / "c.csv"
    path.write_text("客户编码,客户名称,客户简称,所属分类码,分管部门,电话,信用额度\n"
                    f"N3,天津新华联有限公司,天新华联,{_leaf02()},华北销售部,,\n"
                    f"{target},,,,,022-9,300000\n", encoding="utf-8")
    plan = importer.plan(path)
    assert plan.rejected == []
    result = importer.commit(plan)
    assert (result.added, result.updated, result.held) == (1, 1, 2)
    assert approval.is_pending("N3")
    after = customers.get(target)
    assert (after.phone, after.credit_limit) == ("022-9", row.credit_limit)
    waiting = approval.requests(mine=True)
    assert {(r.kind, r.code) for r in waiting} == {("new", "N3"), ("change", target)}
    change = next(r for r in waiting if r.kind == "change")
    assert change.changes == {"credit_limit": (row.credit_limit, 30000000)}
    asked = [e for e in history.for_entity("customer", target) if e.batch == f"request-{change.id}"]
    assert [(e.action, e.who) for e in asked] == [("request", people.names["lisi"])]
    people.be("zhangsan")
    for req in waiting:
        approval.approve(req.id)
    assert customers.get(target).credit_limit == 30000000 and not approval.is_pending("N3")


def test_approval_walk_sqlite(demo_store, monkeypatch, tmp_path):
    _walk(People(monkeypatch, SQLITE_NAMES), tmp_path)


def test_approval_walk_postgresql(pg_url, pg_roles, monkeypatch, tmp_path):  # noqa: F811
    from db import demo
    from db.core import clock, session

    demo.build(pg_url).close()
    import db

    admin = db.open_store(pg_url)
    names = {"boss": operators.login(), **{k: pg_roles(k) for k in ("lisi", "zhangsan", "wangwu")}}
    admin.close()
    try:
        _walk(People(monkeypatch, names, pg_url), tmp_path)
    finally:
        clock.act_as(None)
        if session._current is not None:
            session._current.close()


def test_shell_requests(demo_store, monkeypatch, capsys):
    people = People(monkeypatch, SQLITE_NAMES)
    _team(people)
    approval.set_approval(True)
    people.be("lisi")
    customers.create({**NEW, "class_code": _leaf02()})
    url = demo_store.url
    demo_store.close()
    assert cli.main(["--db", url, "--lang", "zh", "requests"]) == 0
    out = capsys.readouterr().out
    assert "新增客户 N1 北京新华联商贸有限公司" in out and "lisi" in out
    req = json.loads((cli.main(["--db", url, "requests", "--json"]), capsys.readouterr().out)[1])[0]
    assert cli.main(["--db", url, "requests", "--approve", str(req["id"])]) == 2
    assert "no approver" in capsys.readouterr().err
    monkeypatch.setenv("LOGNAME", "zhangsan")
    assert cli.main(["--db", url, "requests", "--reject", str(req["id"])]) == 2
    assert cli.main(["--db", url, "requests", "--approve", str(req["id"])]) == 0
    assert cli.main(["--db", url, "requests", "--approve", str(req["id"])]) == 2
    assert "already decided by zhangsan" in capsys.readouterr().err
    assert cli.main(["--db", url, "requests"]) == 1
    assert cli.main(["--db", url, "--lang", "zh", "blame", "N1"]) == 0
    out = capsys.readouterr().out
    approved = next(line for line in out.splitlines() if line.startswith("审核"))
    assert "已通过" in approved and "zhangsan" in approved and "lisi" in approved


def test_two_approvers_at_once_on_postgresql(pg_url, pg_roles, monkeypatch):  # noqa: F811
    """Approver A takes the request and, before committing, approver B (another process,
    another role) tries the same: B waits on A's row lock, then finds it decided and is told."""
    import subprocess
    import sys
    import time

    import db
    from db.archive import classes
    from db.core import clock, session
    from tests.conftest import SEED_CLASSES

    store = db.open_store(pg_url)
    for code, name in SEED_CLASSES:
        classes.add("main", code, name)
    editor, first, second = pg_roles("lisi"), pg_roles("za"), pg_roles("zb")
    operators.add(operators.login(), "张总")
    operators.add(editor, "李四", role="editor")
    operators.add(first, "张三", role="approver")
    operators.add(second, "王五", role="approver")
    approval.set_approval(True)
    store.close()
    db.open_store(role_url(editor))
    customers.create({"code": "N1", "name": "北京新华联", "short_name": "新华联", "class_code": "01"})
    request = approval.requests()[0].id
    session._current.close()
    db.open_store(role_url(first))
    other = []
    take = approval._take

    def take_then_wait(*args, **kwargs):
        row = take(*args, **kwargs)
        other.append(subprocess.Popen(
            [sys.executable, "-m", "tui", "--db", role_url(second), "--lang", "en", "requests",
             "--approve", str(request)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        time.sleep(2.0)
        assert other[0].poll() is None  # B waits for A's transaction
        return row

    monkeypatch.setattr(approval, "_take", take_then_wait)
    try:
        approval.approve(request)
        _, err = other[0].communicate(timeout=60)
        assert other[0].returncode == 2
        assert f"already decided by {first}" in err and err.count("\n") == 1
        assert ChangeRequest.get_by_id(request).decided_by == first
    finally:
        clock.act_as(None)
        if session._current is not None:
            session._current.close()
