"""The `kehu` command: options, sub-commands, and (without one) the full-screen app.

Sub-commands use db/ only, so a shell look-up never pays for importing textual.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys

from db import RuleError, StoreError, open_store
from db.opening import check_intact
from db.core.session import translate_errors
from tui import i18n
from tui.i18n import t
from tui.collector import started


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, t("cli.usage") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse's own words (usage, its headings, -h) from the catalog, in the sub-commands'
    parsers too (argparse makes them of the parent's class); and its error line, which
    echoes what was typed, with control characters escaped and cut, as every other message
    of the shell is: a carriage return in an argument would otherwise overwrite the line."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **{**kwargs, "add_help": False})
        self._positionals.title = t("cli.positionals")
        self._optionals.title = t("cli.options")
        self.add_argument("-h", "--help", action="help", help=t("cli.help_help"))

    def error(self, message):
        from tui.shell import plain  # here: starting the app does not load tui.shell

        super().error(plain.message(message))


def _global_options(parser: argparse.ArgumentParser, default=None) -> None:
    """The options every command takes: on the main parser, and again on each sub-command's
    with SUPPRESS as default, so that `kehu find 华联 --db FILE` reads as `kehu --db FILE
    find 华联` and an option not given after the sub-command leaves the one given before."""
    flag = {} if default is None else {"default": default}
    for names, kwargs in (
            (("--db",), {"help": t("cli.help_db")}),
            (("--lang",), {"choices": i18n.LANGS, "help": t("cli.help_lang")}),
            (("--read-only",), {"action": "store_true", "help": t("cli.help_read_only")})):
        try:
            parser.add_argument(*names, **kwargs, **flag)
        except argparse.ArgumentError:  # the command words it its own way (kehu demo --db)
            pass


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The `kehu` parser; without `commands`, only the options of the full-screen app."""
    parser = Parser(prog="kehu", description=f"kehu 客户: {t('cli.description')}",
                    exit_on_error=commands)
    _global_options(parser)
    parser.add_argument("--demo", action="store_true", help=t("cli.help_demo"))
    if not commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar=t("cli.commands"))
    from tui.shell import register_all

    register_all(sub)
    for command in sub.choices.values():
        _global_options(command, default=argparse.SUPPRESS)
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line read. The sub-commands' parsers (and their modules) are made only
    when it holds more than the app's options, or asks for help: starting the full-screen
    app does not pay for them. Anything the options alone cannot read, the full parser
    reads again, so its usage and errors are the ones a user sees."""
    if "-h" not in argv and "--help" not in argv:
        try:
            args, rest = build_parser(commands=False).parse_known_args(argv)
            if not rest:
                return args
        except argparse.ArgumentError:
            pass
    return build_parser().parse_args(argv)


def fail(message: str, status: int = 2) -> int:
    from tui.shell import plain  # a failure's one line only: the app's start never needs it

    print(f"kehu: {plain.message(message)}", file=sys.stderr)
    return status


def decoded(argv: list[str]) -> list[str] | None:
    """The arguments as UTF-8 text, whatever the locale said; None when one is not UTF-8.

    Python decodes arguments by the locale, keeping bytes it cannot decode as surrogates:
    under LANG=C, `kehu find 华联` arrives as 6 surrogates, which match nothing and cannot
    be printed. Their bytes are read again as UTF-8 (what a Chinese name typed anywhere is);
    bytes that are not UTF-8 either cannot name anything in the archive."""
    out = []
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            try:
                arg = os.fsencode(arg).decode("utf-8")
            except UnicodeError:
                return None
        out.append(arg)
    return out


def _utf8_streams() -> None:
    """Standard output and error in UTF-8 when the locale's encoding cannot write Chinese
    (LANG=C without UTF-8 mode: ASCII), as the arguments are read; a stream that cannot
    write a character writes it escaped rather than fail."""
    for stream in (sys.stdout, sys.stderr):
        try:
            "客".encode(stream.encoding or "ascii")
        except (LookupError, UnicodeEncodeError):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def _notice(key: str, **values) -> None:
    """A word on standard error before the store does something long (an upgrade)."""
    print(f"kehu: {t(key, **values)}", file=sys.stderr, flush=True)


def open_for(args, *, create: bool = True):
    """Open the archive the options name; a missing explicit path is offered for creation."""
    target = args.db or os.environ.get("KEHU_DB") or None
    try:
        return open_store(target, create=create or target is None, read_only=args.read_only,
                          notice=_notice)
    except StoreError as exc:
        if exc.key == "store.missing" and sys.stdin.isatty() and not args.read_only:
            answer = input(t("cli.offer_create", path=exc.values["path"]) + " ")
            if answer.strip().lower() in ("y", "yes", "是", "s"):
                return open_store(target, create=True)
        raise


def run_app(args) -> int:
    """The full-screen app on the archive the options name, or on a fresh demo archive in a
    temporary directory, removed when the app closes."""
    with contextlib.ExitStack() as stack:
        if args.demo:
            import tempfile

            from db import demo

            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="kehu-demo-"))
            store = demo.build(os.path.join(workdir, "demo.db"))
        else:
            store = open_for(args, create=False)
        stack.callback(store.close)
        from tui.head_start import HeadStart, opening_columns, opening_query

        head = HeadStart(opening_query(), opening_columns())  # reads while textual imports
        from tui.app import KehuApp

        app = KehuApp(store, head_start=head)
        app.run()
        if app.refusal is not None:
            raise app.refusal
    return app.return_code or 0


def _asked_lang(argv: list[str]) -> str | None:
    """The value of --lang in `argv`, read before parsing so that --help and usage errors
    are worded in it too."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> int:
    _utf8_streams()
    given = sys.argv[1:] if argv is None else argv
    argv = decoded(given)
    i18n.set_lang(_asked_lang(argv or given))
    if argv is None:
        return fail(t("cli.not_utf8"))
    args = parse(argv)
    if not args.command:
        return _run(args)
    with _terminate_as_interrupt():
        return _run(args)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (`kill`, a closed session) stops a command as Ctrl-C does, so what it was
    writing is abandoned and its temporary files removed, as they are on any failure."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: the caller's own handling stands
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args) -> int:
    try:
        if args.command and getattr(args, "own_store", False):
            started()
            return args.run(args, None)  # the command makes its own database (kehu demo)
        if args.command:
            store = open_for(args, create=getattr(args, "creates_db", False))
            started()
            try:
                if getattr(args, "creates_db", False):  # a command that writes many rows
                    check_intact(store)
                # A read that meets a damaged page (or a lost connection) says so as a
                # refusal: the driver's error is never the last word of a command.
                with translate_errors(store.url):
                    return args.run(args, store)
            finally:
                store.close()
        return run_app(args)
    except (StoreError, RuleError) as exc:
        return fail(i18n.error_text(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `kehu find x | head -1`: the reader has all it wanted. Point stdout at /dev/null so
        # Python's flush at exit does not complain a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
