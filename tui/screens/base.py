"""What every kehu screen shares: commands from tui.commands, translated bindings, and the
way store refusals are shown (one line, never a traceback)."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, Generic, TypeVar

from textual.binding import BindingsMap
from textual.screen import ModalScreen, Screen

from db import RuleError
from tui.commands import GLOBAL, Command
from tui.i18n import error_text, t


def translate_bindings(node) -> None:
    """Bindings carry catalog keys as descriptions; turn them into the current language."""
    node._bindings = BindingsMap(
        dataclasses.replace(b, description=t(b.description) if b.description else "")
        for bindings in node._bindings.key_to_bindings.values()
        for b in bindings
    )


class CommandsMixin:
    """Screens list their commands in ACTIONS; the palette and F1 help read them."""

    ACTIONS: ClassVar[tuple[Command, ...]] = ()

    def all_commands(self) -> tuple[Command, ...]:
        return self.ACTIONS + GLOBAL

    def show_error(self, exc: Exception) -> None:
        """Show a store refusal as one line in the screen's message area."""
        if isinstance(exc, RuleError):  # StoreError and ConflictError are RuleErrors too
            self.notify(error_text(exc), severity="error", timeout=6)
        else:  # pragma: no cover - a bug must still not take the app down with a traceback
            self.notify(f"{type(exc).__name__}: {exc}", severity="error", timeout=10)


ResultType = TypeVar("ResultType")


class KehuScreen(CommandsMixin, Screen[ResultType], Generic[ResultType]):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    def footer_hidden(self) -> frozenset[str]:
        """Actions the footer leaves out for now (those that write, on a read-only archive)."""
        return frozenset()


class KehuModal(CommandsMixin, ModalScreen[ResultType], Generic[ResultType]):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)
