"""Python's cycle collector held off while the store makes a great many small objects."""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def many_objects():
    """Python's cycle collector paused: an import's plan or commit, or the duplicates
    report, makes hundreds of thousands of tuples, none of them in a cycle, and the
    collector would walk them again and again as they pile up (6% of a 100,000-row plan's
    instructions, a third of the time the report spends making its cards). Restored as it
    was after.

    What was made meanwhile is still the collector's youngest generation then, and its first
    collection would walk all of it (about 10% of a 100,000-row plan's time) to find it
    alive: it moves to the oldest generation at once instead (gc.freeze then gc.unfreeze),
    where only a full collection looks at it, as at anything long-lived."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
