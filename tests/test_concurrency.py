"""Several kehu processes on one archive, on SQLite and on PostgreSQL (when
KEHU_TEST_PG_URL is set): no lost update, writers wait for each other instead of failing,
and a process killed (SIGKILL) in the middle of a batch modify or an import leaves the
database exactly as it was. The other processes run tests/concurrency_worker.py."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import db
from db.archive import classes, customers, search
from db.core.models import BatchRow, BatchRun, ChangeLog, Customer, Membership, Sale
from tests.pg import pg_url  # noqa: F401 - fixture

WORKER = str(Path(__file__).with_name("concurrency_worker.py"))
ROUNDS = 200


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    """An archive with classes 01 and 02 and customer C001, closed again so that only the
    worker processes (and the checks) use it."""
    target = str(tmp_path / "c.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    store = db.open_store(target)
    classes.add("main", "01", "个人")
    classes.add("main", "02", "单位")
    customers.create({"code": "C001", "name": "王小明", "short_name": "王小明", "class_code": "01"})
    customers.create({"code": "C002", "name": "李四", "short_name": "李四", "class_code": "01"})
    store.close()
    return target


class Worker:
    def __init__(self, url: str, user: str):
        env = {**os.environ, "LOGNAME": user, "USER": user}
        env.pop("KEHU_TODAY", None)
        self.proc = subprocess.Popen([sys.executable, WORKER, "serve", url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, bufsize=1)

    def send(self, **msg) -> None:
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()

    def answer(self) -> dict:
        line = self.proc.stdout.readline()
        assert line, "worker died"
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send(op="quit")
            self.proc.wait(10)


@pytest.fixture
def workers(url):
    pair = [Worker(url, "alice"), Worker(url, "bob")]
    yield pair
    for w in pair:
        w.close()


def test_second_save_is_refused_and_first_survives(url, workers):
    """Each round both processes read C001 at the same version, then both save at once: one
    save wins, the other is refused naming the winner, and the row holds the winner's value."""
    wins = {"alice": 0, "bob": 0}
    refusals = 0
    db.open_store(url)  # this process only checks the outcome of each round
    for n in range(ROUNDS):
        for w in workers:
            w.send(op="read", code="C001")
        versions = [w.answer()["version"] for w in workers]
        assert versions[0] == versions[1]
        values = [f"alice-{n}", f"bob-{n}"]
        # Who sends first alternates, so both win some rounds.
        order = [0, 1] if n % 2 == 0 else [1, 0]
        for i in order:
            workers[i].send(op="save", code="C001", version=versions[i], value=values[i])
        answers = [workers[i].answer() for i in (0, 1)]
        winners = [i for i, a in enumerate(answers) if a["ok"]]
        assert len(winners) == 1, answers
        winner = ("alice", "bob")[winners[0]]
        loser = answers[1 - winners[0]]
        assert loser["key"] == "conflict.changed" and loser["who"] == winner and loser["when"]
        wins[winner] += 1
        refusals += 1
        row = customers.get("C001")
        assert row.region == values[winners[0]] and row.version == versions[0] + 1
    assert refusals == ROUNDS and wins["alice"] and wins["bob"]
    print(f"\n{ROUNDS} rounds: alice won {wins['alice']}, bob won {wins['bob']}, "
          f"{refusals} refused, 0 lost updates")


def test_writers_wait_for_each_other(url, workers):
    """Two processes saving as fast as they can: every save lands, none fails with 'locked'."""
    n = 100
    workers[0].send(op="hammer", code="C001", n=n)
    workers[1].send(op="hammer", code="C002", n=n)
    results = [w.answer() for w in workers]
    for r in results:
        assert r["errors"] == [] and r["saved"] == n
    db.open_store(url)
    assert customers.get("C001").version == n + 1 and customers.get("C002").version == n + 1
    print(f"\n2 x {n} saves: longest wait {max(r['max_wait'] for r in results) * 1000:.1f} ms, "
          f"{max(r['seconds'] for r in results):.2f} s")


def _dump(url: str) -> str:
    """A digest of every row the archive's writes touch."""
    store = db.open_store(url)
    digest = hashlib.sha256()
    for model in (Customer, ChangeLog, Membership, Sale, BatchRun, BatchRow):
        for row in model.select().order_by(model._meta.primary_key).tuples():
            digest.update(repr(row).encode())
    if store.dialect == "sqlite":
        # The locate index keeps no names to read back: its stored blocks are its state.
        for row in store.database.execute_sql("SELECT id, block FROM customer_fts_data ORDER BY id"):
            digest.update(repr(row).encode())
    store.close()
    return digest.hexdigest()


def _many(url: str, count: int) -> None:
    store = db.open_store(url)
    with store.writing():
        for start in range(0, count, 2000):
            Customer.insert_many([{"code": f"B{n:06d}", "name": f"批量客户{n}", "short_name": f"批量{n}",
                                   "class_code": "02", "version": 1}
                                  for n in range(start, min(count, start + 2000))]).execute()
        search.rebuild()
    store.close()


def _killed(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, WORKER, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr


def test_killed_batch_modify_leaves_nothing(url):
    _many(url, 12000)
    before = _dump(url)
    _killed(["kill-batch", url])
    assert _dump(url) == before
    db.open_store(url)
    assert Customer.select().where(Customer.region == "批改后").count() == 0


def test_killed_import_leaves_nothing(url, tmp_path):
    path = tmp_path / "many.csv"
    lines = ["客户编码,客户名称,客户简称,所属分类码"]
    lines += [f"N{n:06d},导入客户{n},导入{n},02" for n in range(6000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _dump(url)
    _killed(["kill-import", url, str(path)])
    assert _dump(url) == before


def test_save_waits_out_another_transaction(url):
    """A save while another process is in the middle of a write waits for it, then lands
    (SQLite: the whole file is locked, so it waits the other's full second; PostgreSQL locks
    rows, so a save of another customer goes straight through)."""
    store = db.open_store(url)
    row = customers.get("C001")
    dialect = store.dialect
    store.close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, '.'); import db; from db.archive import customers\n"
         f"s = db.open_store({url!r})\n"
         "with s.writing():\n"
         "    customers.update('C002', {'region': '上海'}, 1)\n"
         "    print('holding', flush=True); time.sleep(1.0)\n"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "LOGNAME": "carol"},
        cwd=str(Path(__file__).parent.parent))
    assert holder.stdout.readline().strip() == "holding"
    db.open_store(url)
    start = time.perf_counter()
    customers.update("C001", {"region": "北京"}, row.version)
    waited = time.perf_counter() - start
    holder.wait(10)
    assert holder.returncode == 0
    assert customers.get("C002").region == "上海" and customers.get("C001").region == "北京"
    if dialect == "sqlite":
        assert 0.3 < waited < 5, waited
    else:
        assert waited < 0.5, waited
