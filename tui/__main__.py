"""python -m tui: the same as the `kehu` command."""
import sys

from tui.cli import main

sys.exit(main())
