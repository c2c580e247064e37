"""The cycle collector paused while the program starts (tui.launch pauses it, `started`
resumes it).

A start allocates a few hundred thousand objects that live as long as the process: the
modules of textual, rich and peewee, the stylesheet, the first screen's widgets. Python's
cycle collector walks everything it tracks again and again while they pile up, a full
collection even in the middle of drawing the first frame, to find almost no garbage. So the
collector waits until the program is up (the first frame is out, or a sub-command is about
to run), and `started` then moves everything made so far out of its sight (gc.freeze):
later collections walk only what the session itself makes. (An import puts them back among
the long-lived objects a full collection walks: see db.core.objects.many_objects.)
"""
from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop the collector until `started` (called once, before anything heavy is imported)."""
    global _paused
    _paused = gc.isenabled()
    gc.disable()


def started() -> None:
    """The program is up: the collector resumes, with what exists now frozen out of its
    walks. Does nothing unless `pause` stopped it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
