"""Keys typed while a screen opens, kept and handed on in order once it can take them (the
card: lost, text typed meanwhile was missing and an F6 could close the card without it).

The app asks the screen (`hold_key`) before it acts on a key; the screen starts
`_hand_on_held` in the app's worker when mounted."""
from __future__ import annotations

import asyncio

from textual import events


class HeldKeys:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Keys typed before the screen can take them, in order (None once they are handed on).
        self.held: list[events.Key] | None = []
        self.passing: events.Key | None = None

    def hold_key(self, event: events.Key) -> bool:
        """Keep a key typed while the card opens (the app asks before it acts on one):
        lost, text typed meanwhile was missing and an F6 could close the card without it."""
        if self.held is None or event is self.passing:
            return False
        self.held.append(event)
        return True

    async def _hand_on_held(self) -> None:
        """Each held key as if typed now, one after the other: the next only once this one
        has been dealt with by the app, the field and every node it bubbles through; keys
        typed meanwhile queue behind."""
        while self.held and self.is_current:
            self.passing = key = self.held.pop(0)
            self.app.post_message(key)
            await _handled(self.app)
            target = self.app.focused
            for node in (target.ancestors_with_self if target is not None else [self.app]):
                await _handled(node)
        held, self.held = self.held or [], None
        for key in held:  # the card closed on one of them: the rest go where the keys go now
            self.app.post_message(key)



async def _handled(node) -> None:
    """Until `node` has dealt with the messages in its queue now (or is gone: a node
    removed meanwhile never runs the callback)."""
    done = asyncio.get_running_loop().create_future()
    if node.call_later(lambda: done.done() or done.set_result(None)):
        while not done.done() and node.is_running:
            await asyncio.wait({done}, timeout=0.05)
