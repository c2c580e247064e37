"""The house as its imports draw it (tests/house.py): no import circle in db/ or tui/, db's
layers importing only the layers below them, no module over 500 lines."""
from tests.house import ROOT, circles, imports, modules

# db's sub-packages from the bottom up: each may import only those before it in this list.
# db.transfer sits above db.opening: `kehu copy` (db.transfer.copy) opens two archives.
# db.upgrades (the steps an older archive takes) sits under db.schema, which runs them.
DB_LAYERS = ("db.core", "db.values", "db.archive", "db.lists", "db.evaluation",
             "db.upgrades", "db.schema", "db.opening", "db.transfer", "db.demo", "db")
# Catalog data (the zh and en message tables) may grow past the limit; code may not.
LONG_ALLOWED = ("tui.catalog",)
MAX_LINES = 500


def _layer(module: str) -> int:
    for i, layer in enumerate(DB_LAYERS):
        if module == layer or module.startswith(layer + "."):
            return i
    raise AssertionError(f"{module} is in no layer of DB_LAYERS")


def test_no_import_circle_in_db_or_tui():
    # Every import counts, those inside functions too: an import moved into a function to
    # dodge a circle is still a circle.
    assert circles(imports()) == []


def test_the_circle_finder_sees_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_db_layers_import_only_layers_below_them():
    wrong = []
    for module, targets in imports().items():
        if not module.startswith("db"):
            continue
        for target in targets:
            assert not target.startswith("tui"), f"{module} imports {target}"
            if _layer(target) > _layer(module):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_module_over_500_lines():
    long = {}
    for module, path in modules().items():
        if module.startswith(LONG_ALLOWED):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long[str(path.relative_to(ROOT))] = lines
    assert long == {}


def test_every_package_says_what_it_holds():
    missing = [str(path.relative_to(ROOT)) for path in modules().values()
               if path.name == "__init__.py" and not path.read_text(encoding="utf-8").startswith('"""')]
    assert missing == []


def test_the_archive_start_does_not_import_what_only_other_screens_need():
    """Modules a start of the archive screen must not pay for: the card's TextArea, the
    shell's commands, the history formatter (with the card's fields and stdnum)."""
    import subprocess
    import sys

    code = ("import sys, tui.cli, tui.app, tui.head_start, tui.screens.archive\n"
            "print(' '.join(m for m in ('textual.widgets._text_area', 'tui.shell.log',"
            " 'tui.change_values', 'stdnum') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.strip()
    assert out == ""
