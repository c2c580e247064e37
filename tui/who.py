"""Who is working, as the title lines say it (light: the archive screen loads it at start)."""
from __future__ import annotations

from db.archive import operators
from tui.i18n import t


def who_line() -> str:
    """"李四 · 录入": the operator and their role; empty on an archive without operators."""
    me = operators.me()
    if not me.team:
        return ""
    if not me.known:
        return t("team.title_guest", who=me.login)
    return t("team.title_me", who=me.name or me.login, role=t(f"role.{me.role}"))
