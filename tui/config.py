"""The user's own settings, in the platformdirs config directory.

- keymap.toml: `[keymap]` binding id = "keys", for example `"class.add" = "f5,insert"`.
- settings.json: list columns, saved filters and other choices the app remembers per user.
A broken file is reported once and ignored, never fatal.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from platformdirs import user_config_dir


def config_dir() -> Path:
    override = os.environ.get("KEHU_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir("kehu"))


def load_keymap() -> tuple[dict[str, str], str | None]:
    """(keymap, problem): the ids and keys from keymap.toml, and a message if it is broken."""
    path = config_dir() / "keymap.toml"
    if not path.exists():
        return {}, None
    import tomllib  # only for a keymap file, which few users write

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, f"{path}: {exc}"
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        return {}, f"{path}: [keymap] must be a table"
    return {str(k): str(v) for k, v in keymap.items()}, None


def load_settings() -> dict:
    path = config_dir() / "settings.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(key: str, value) -> str | None:
    """Remember one setting; returns a message when it could not be written."""
    path = config_dir() / "settings.json"
    data = load_settings()
    data[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        return f"{path}: {exc.strerror}"
    return None
