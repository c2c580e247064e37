"""The message catalog, Chinese and English, and the language in force.

The catalog is one dictionary merged from the modules of `tui/catalog/` (one per area, so each
screen's words sit together). Each entry is key -> (zh, en), with str.format placeholders.
Store refusals (db.RuleError, db.StoreError) carry a key of this catalog and its values.
This module imports no textual: the shell uses it too.
"""
from __future__ import annotations

import importlib
import locale
import os
import pkgutil
import re

from tui import catalog as _catalog_pkg

LANGS = ("zh", "en")
_lang = "en"


def _load() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(_catalog_pkg.__path__):
        module = importlib.import_module(f"{_catalog_pkg.__name__}.{info.name}")
        for key, pair in module.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"catalog key {key!r} defined twice ({info.name})")
            merged[key] = pair
    return merged


CATALOG = _load()


def detect() -> str:
    """Chinese when the locale says Chinese, English otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith("zh") else "en"


def set_lang(lang: str | None) -> str:
    global _lang
    _lang = lang if lang in LANGS else detect()
    return _lang


def lang() -> str:
    return _lang


def t(key: str, **values) -> str:
    """The message `key` in the current language, filled with `values`."""
    pair = CATALOG.get(key)
    if pair is None:
        return key if not values else f"{key} {values}"
    text = pair[0] if _lang == "zh" else pair[1]
    label = values.get("label")
    if isinstance(label, str) and label in CATALOG:
        # A refusal names its field by the catalog key of the field's label (db never words).
        values = {**values, "label": t(label)}
    if _lang == "en" and "[" in text and ("count" in values or "rows" in values):
        text = _plural(text, values.get("count", values.get("rows")))
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


_CHOICE = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")


def _plural(text: str, count) -> str:
    """English words that follow the count (or the rows), written [singular|plural]:
    "{count} [customer has|customers have] no class" (Chinese needs no such form)."""
    try:
        one = int(str(count).replace(",", "")) == 1
    except ValueError:
        one = False
    return _CHOICE.sub(lambda m: m.group(1) if one else m.group(2), text)


def name_of(thing) -> str:
    """The name of something named in both languages (a dimension: name_zh, name_en)."""
    return thing.name_zh if _lang == "zh" else thing.name_en


def both(key: str) -> str:
    """Chinese and English together, as command palette entries are named: 客户分类 Classification."""
    zh, en = CATALOG[key]
    return zh if zh == en else f"{zh} {en}"


def error_text(exc) -> str:
    """One line for a db.RuleError / db.StoreError."""
    return t(exc.key, **exc.values)
