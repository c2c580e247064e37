"""Helpers for Pilot and snapshot tests: the app on a given store, settled before looking."""
from __future__ import annotations

from tui import i18n
from tui.app import KehuApp


def make_app(store, *, lang: str = "zh", start: str = "classification") -> KehuApp:
    i18n.set_lang(lang)
    return KehuApp(store, start=start, blink=False)


async def settle(pilot) -> None:
    """Let workers finish and the screen repaint (loading is threaded)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(condition, timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (a thread's event, a screen gone): for a step
    whose time depends on the machine, instead of a sleep that a loaded one outlasts. Not
    pilot.pause, which waits for the app to go idle: an action awaiting a thread keeps it busy."""
    import asyncio
    import time

    ends = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < ends, f"still waiting after {timeout} s"
        await asyncio.sleep(0.02)


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*list(text))
