"""`kehu evaluate`, `kehu check`, `kehu rules`: output and exit codes."""
from __future__ import annotations

import datetime as dt

import db
from db.archive import classes, dimensions
from db.core.models import Customer, Sale
from tui import cli


def _archive(path) -> str:
    store = db.open_store(str(path))
    classes.add("main", "01", "个人消费者")
    c = Customer.create(code="C1", name="甲公司", short_name="甲", class_code="01")
    Customer.create(code="C2", name="乙公司", short_name="乙", class_code="01")
    Sale.create(customer=c.id, date=dt.date(2026, 10, 1), doc_no="S1", amount=1_500_000_00,
                cost=1_000_000_00)
    store.close()
    return str(path)


def _run(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_evaluate_dry_run_then_apply(tmp_path, capsys):
    path = _archive(tmp_path / "a.db")
    status, out, _ = _run(capsys, "--db", path, "evaluate", "--as-of", "2026-11-23")
    assert status == 0
    assert "8 changes for 2 customers" in out
    assert "Purchase scale: (none) -> 大型客户: 1" in out
    assert "12-month sales 1,500,000.00 ≥ 1,000,000.00" in out
    assert "dry run" in out
    db.open_store(path)
    assert dimensions.memberships("C1") == {}
    status, out, _ = _run(capsys, "--db", path, "evaluate", "--as-of", "2026-11-23", "--apply")
    assert status == 0 and "Applied 8 changes to 2 customers" in out
    db.open_store(path)
    assert dimensions.memberships("C1")["scale"] == ("01", "大型客户")
    status, out, _ = _run(capsys, "--db", path, "evaluate", "--as-of", "2026-11-23")
    assert status == 0 and "No customer needs a change" in out


def test_evaluate_bad_date(tmp_path, capsys):
    path = _archive(tmp_path / "a.db")
    status, _, err = _run(capsys, "--db", path, "evaluate", "--as-of", "2026-02-30")
    assert status == 2 and "2026-02-30" in err


def test_check_exit_codes(tmp_path, capsys):
    path = _archive(tmp_path / "a.db")
    # Not yet evaluated: warnings only, exit 0.
    status, out, _ = _run(capsys, "--db", path, "check")
    assert status == 0
    assert "[warning] Transaction history: 2 customers not yet evaluated" in out
    assert "e.g. C1 C2" in out
    # A stopped VIP is an error: exit 1.
    db.open_store(path)
    Customer.update(mgmt_type="VIP客户", stop_date=dt.date(2026, 1, 1)).where(
        Customer.code == "C2").execute()
    status, out, _ = _run(capsys, "--db", path, "check")
    assert status == 1
    assert out.splitlines()[0] == "[error] 1 stopped customers are still VIP客户"
    assert "1 errors" in out


def test_check_in_chinese(tmp_path, capsys):
    path = _archive(tmp_path / "a.db")
    status = cli.main(["--lang", "zh", "--db", path, "check"])
    out = capsys.readouterr().out
    assert status == 0 and "[警告] 交易历史: 2 个客户尚未评估" in out


def test_rules_show_and_set(tmp_path, capsys):
    path = _archive(tmp_path / "a.db")
    status, out, _ = _run(capsys, "--db", path, "rules", "--set", "scale.large=2,000,000")
    assert status == 0 and "2,000,000.00" in out
    status, _, err = _run(capsys, "--db", path, "rules", "--set", "scale.medium=3,000,000")
    assert status == 2 and "scale.medium" in err
    status, _, err = _run(capsys, "--db", path, "rules", "--set", "nonsense")
    assert status == 2


def test_check_on_the_demo_says_its_problems_are_kept_on_purpose(tmp_path, capsys):
    """Issue 16 item 30: a fresh demo failed its own check without a word of why."""
    path = str(tmp_path / "demo.db")
    assert cli.main(["--lang", "en", "demo", "--db", path]) == 0
    capsys.readouterr()
    status, out, _ = _run(capsys, "--db", path, "check")
    assert status == 1 and out.splitlines()[-1].startswith("This is the demo archive")
    other = _archive(tmp_path / "a.db")
    status, out, _ = _run(capsys, "--db", other, "check")
    assert "demo archive" not in out
