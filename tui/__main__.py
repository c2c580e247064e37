"""python -m tui: the same as the `kehu` command."""
import sys

from tui.launch import main

sys.exit(main())
