"""Random arguments (and random files) to every shell sub-command: whatever is typed, `kehu`
answers with exit status 0, 1 or 2, never a traceback, and a refusal is one line (an
argparse usage error: its usage, then its error). Run in-process through tui.cli.main,
standard output and error captured, on a copy of a small archive per example."""
from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import db
from db.archive import classes, customers
from db.core import session
from tui import cli

# What argv can hold: any text but NUL, and bytes that are not UTF-8 (kept as surrogates).
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12)
NOT_UTF8 = st.sampled_from(["\udcff", "\udcfe\udcff", "a\udc80"])
WORD = st.one_of(TEXT, NOT_UTF8, st.sampled_from(["", "-", "--", "01", "C001", "华联", "main", "region",
                                                     "2026-11-23", "x" * 300]))
NUMBER = st.one_of(st.integers(-10, 60).map(str), st.sampled_from(["99999999999999999999", "-0", "1e3",
                                                                   "0x10", "abc", ""]))
NAME = st.one_of(st.sampled_from(["out.csv", "out.xlsx", "out.txt", "no/such/dir.csv", "", ".csv",
                                  "a#b.xlsx"]), TEXT.map(lambda s: s.replace("/", "_") + ".csv"))


def _options(pairs: dict) -> st.SearchStrategy[list[str]]:
    """A few of the command's options, each with a random value (or none), in any order."""
    flags = [st.just([name]) if value is None else value.map(lambda v, n=name: [n, v])
             for name, value in pairs.items()]
    return st.lists(st.one_of(*flags), max_size=4).map(lambda parts: [a for p in parts for a in p])


COMMANDS = {
    "find": st.tuples(st.lists(WORD, min_size=0, max_size=2), _options({"--limit": NUMBER, "--json": None})),
    "show": st.tuples(st.lists(WORD, max_size=2), _options({"--json": None})),
    "tree": st.tuples(st.just([]), _options({"--dimension": WORD, "--json": None})),
    "log": st.tuples(st.lists(WORD, max_size=1), _options({
        "--entity": st.sampled_from(["customer", "class", "x"]), "--who": WORD, "--since": WORD,
        "--until": WORD, "--limit": NUMBER, "--json": None})),
    "export": st.tuples(st.lists(NAME, min_size=1, max_size=1), _options({
        "--class": WORD, "--dimension": WORD, "--filter": WORD.map(lambda w: f"region={w}") | WORD,
        "--columns": WORD, "--stopped": None, "--all": None})),
    "check": st.tuples(st.just([]), _options({"--as-of": WORD, "--samples": NUMBER})),
    "evaluate": st.tuples(st.just([]), _options({"--as-of": WORD, "--rows": NUMBER, "--apply": None})),
    "rules": st.tuples(st.just([]), _options({"--set": st.one_of(WORD, st.tuples(WORD, WORD).map("=".join))})),
    "demo": st.tuples(st.just([]), _options({
        "--db": NAME.map(lambda n: n.replace(".csv", ".db")), "--customers": st.integers(-3, 30).map(str) | WORD,
        "--sales": st.integers(-3, 3).map(str) | WORD, "--force": None})),
    "copy": st.tuples(st.lists(st.one_of(st.just("t.db"), NAME.map(lambda n: n.replace(".csv", ".db"))),
                               min_size=2, max_size=2), st.just([])),
    "import": st.tuples(st.lists(NAME, min_size=1, max_size=1), _options({
        "--dry-run": None, "--only-valid": None, "--kind": st.sampled_from(["customers", "classes", "sales", "x"]),
        "--dimension": WORD})),
}

INVOCATION = st.sampled_from(sorted(COMMANDS)).flatmap(
    lambda name: st.tuples(st.just(name), COMMANDS[name], st.booleans(), st.binary(max_size=300)))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "t.db"
    store = db.open_store(str(path))
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    classes.add("main", "02", "零售")
    for n in range(12):
        customers.create({"code": f"C{n:03d}", "name": f"北京华联{n}", "short_name": f"华联{n}",
                          "class_code": "01001" if n % 2 else "02", "region": "北京"})
    store.close()
    return path


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(argv)
        except SystemExit as stop:  # argparse: --help (0) or a usage error (2)
            status = stop.code
        except BaseException:  # noqa: BLE001 (what a user would see as a traceback)
            status = "traceback:\n" + traceback.format_exc()
    return status, out.getvalue(), err.getvalue()


@settings(max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(invocation=INVOCATION)
def test_any_arguments_end_in_an_answer_or_one_line(template, invocation):
    name, (positional, options), read_only, content = invocation
    with tempfile.TemporaryDirectory(prefix="kehu-fuzz-") as work:
        work = Path(work)
        archive = work / "t.db"
        shutil.copyfile(template, archive)
        if name in ("export", "import", "copy"):
            positional = [str(work / p) for p in positional]
        if name == "import":
            Path(positional[0]).parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                Path(positional[0]).write_bytes(content)
        if name == "demo":
            options = [str(work / o) if prev == "--db" else o
                       for prev, o in zip([None, *options], options)]
        argv = ["--db", str(archive), "--lang", "en", *(["--read-only"] if read_only else []),
                name, *positional, *options]
        status, out, err = _run(argv)
        if session._current is not None:  # a command that failed half-way left no store open
            session._current.close()
            pytest.fail(f"store left open by {argv!r}")
    assert status in (0, 1, 2), f"{argv!r}: {status}\n{err}"
    assert "Traceback" not in err, f"{argv!r}\n{err}"
    lines = err.strip().splitlines()
    if lines and lines[0].startswith("usage:"):  # the usage (wrapped), then the one error line
        assert status == 2 and re.match(rf"kehu( {name})?: error: ", lines[-1]), f"{argv!r}\n{err}"
    elif status == 2:
        assert len(lines) == 1 and lines[0].startswith("kehu: "), f"{argv!r}\n{err}"
    else:
        assert len(lines) <= 1, f"{argv!r}\n{err}"
