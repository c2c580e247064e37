"""Refusals raised by the store's rules.

A rule never words its own message: it raises a key and the values the message needs, and the
front end (screen or shell) turns it into Chinese or English from the catalog in tui/catalog.
Tests check the key, not the wording.
"""


class RuleError(Exception):
    """A rule refused an operation; nothing was written.

    `key` names the message (for example ``class.code_length``), `field` the field it concerns
    when there is one (so a form can show it beside that field), `values` fill the message.
    """

    def __init__(self, key: str, field: str | None = None, **values):
        super().__init__(key, values)
        self.key = key
        self.field = field
        self.values = values

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{self.key}({args})"


class StoreError(RuleError):
    """The database itself cannot be used: missing, locked, read-only, not a database, newer
    schema... A refusal like any other (so every `except RuleError` shows it as one line),
    but of the database, not of what was typed."""

    def __init__(self, key: str, **values):
        super().__init__(key, **values)


class ConflictError(RuleError):
    """Someone else changed or deleted the row after it was read (lost-update check)."""

    def __init__(self, key: str = "conflict.changed", **values):
        super().__init__(key, **values)
