"""Sub-commands of `kehu` that answer in the shell, on db/ only (never textual).

Each module here defines `register(subparsers)`, adding its sub-commands; each command is a
function (args, store) -> exit status: 0 found or done, 1 nothing matched, 2 bad usage/input.
"""
import importlib
import pkgutil


def register_all(subparsers) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(subparsers)
