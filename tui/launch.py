"""The `kehu` command as installed, and `python -m tui`: the cycle collector paused while the
program starts (tui.collector says why), then the command line."""
from __future__ import annotations

from tui import collector


def main() -> int:
    collector.pause()
    # Imported after the pause: importing textual, rich and peewee is most of what the
    # collector would walk.
    from tui import cli

    try:
        return cli.main()
    finally:
        collector.started()
