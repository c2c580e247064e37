"""Who is working and what time it is, in one place so tests can fix both.

`KEHU_TODAY=2026-11-23` (or `fix(...)`) freezes the clock: snapshot tests and the demo use it
so dates such as "stopped on or before today" come out the same on every run.
"""
import datetime as dt
import getpass
import os

_fixed: dt.datetime | None = None
# The login the history records instead of the OS user: the database role on a PostgreSQL
# archive with operators (db.archive.operators.admit), the login its permissions key on.
_acting: str | None = None


def fix(moment: dt.datetime | None) -> None:
    """Freeze the clock at `moment` (None lets it run again)."""
    global _fixed
    _fixed = moment


def now() -> dt.datetime:
    if _fixed is not None:
        return _fixed
    frozen = os.environ.get("KEHU_TODAY")
    if frozen:
        return dt.datetime.fromisoformat(frozen)
    return dt.datetime.now().replace(microsecond=0)


def today() -> dt.date:
    return now().date()


def act_as(login: str | None) -> None:
    """Record `login` as the user from now on (None: the operating-system user again)."""
    global _acting
    _acting = login


def user() -> str:
    """The operating-system user (or the login acted as), recorded as 建档人 / 变更人 and in
    the history."""
    if _acting is not None:
        return _acting
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers: still record something honest
        return f"uid{os.getuid()}"
