"""tui.launch and tui.collector: the cycle collector paused while kehu starts, and resumed once it is up."""
import gc

import pytest

from tests.ui import make_app, settle
from tui import cli, collector, launch


@pytest.fixture
def paused_start(monkeypatch):
    """The process as `launch.main` leaves it while starting; the test process's collector
    is put back as it was after (nothing left frozen out of its sight)."""
    was = gc.isenabled()
    yield
    collector._paused = False
    gc.unfreeze()
    if was:
        gc.enable()


def test_main_pauses_the_collector_until_the_program_is_up(paused_start, monkeypatch):
    seen = []

    def command_line() -> int:
        seen.append(gc.isenabled())
        collector.started()
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return 7

    monkeypatch.setattr(cli, "main", command_line)
    assert launch.main() == 7
    assert seen == [False, (True, True)]  # paused while starting; resumed, the start frozen
    assert gc.isenabled()


def test_main_resumes_the_collector_however_the_program_ends(paused_start, monkeypatch):
    def broken() -> int:
        raise KeyError("x")

    monkeypatch.setattr(cli, "main", broken)
    with pytest.raises(KeyError):
        launch.main()
    assert gc.isenabled() and not collector._paused


def test_started_leaves_a_collector_it_did_not_pause_alone(paused_start):
    gc.disable()  # somebody else's choice
    collector.started()
    assert not gc.isenabled() and gc.get_freeze_count() == 0


def test_a_sub_command_runs_with_the_collector_on(paused_start, store, tmp_path, monkeypatch):
    from tui.shell import lookup

    seen = []
    monkeypatch.setattr(lookup, "run_tree", lambda args, store: seen.append(gc.isenabled()) or 0)
    gc.disable()
    collector._paused = True  # as launch.main leaves it
    assert cli.main(["--lang", "en", "--db", str(tmp_path / "test.db"), "tree"]) == 0
    assert seen == [True] and not collector._paused


async def test_the_app_resumes_the_collector_once_its_first_frame_is_out(paused_start, demo_store):
    app = make_app(demo_store, lang="en", start="archive")
    gc.disable()
    collector._paused = True
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert gc.isenabled() and not collector._paused
        assert gc.get_freeze_count() > 0
