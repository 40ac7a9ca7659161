"""Workbench settings: a small typed model read from a TOML file.

``$QUALCODE_CONFIG`` or ``$XDG_CONFIG_HOME/qualcode/config.toml`` (default
``~/.config/qualcode/config.toml``), table ``[tui]``::

    [tui]
    theme = "qualcode"          # or any Textual theme, e.g. "nord"
    high_contrast = false
    keymap = "~/my-keys.toml"   # default: keys.toml beside this file / $QUALCODE_KEYS
    coder = "alice"
    cursor_blink = true

Nothing is created on disk: a missing file means the defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from qualcode.errors import InvalidInputError

CONFIG_ENV = "QUALCODE_CONFIG"


@dataclass
class TuiSettings:
    """How the workbench looks and which keys it uses."""

    theme: str = "qualcode"
    """Textual theme name: "qualcode" (calm, dark), "qualcode-light", or any built-in Textual theme."""

    high_contrast: bool = False
    """Use the high-contrast theme (black/white/yellow, codings shown by strong colour and underline)."""

    keymap: Path | None = None
    """The key overrides file (binding id = keys); None means $QUALCODE_KEYS or config-dir keys.toml."""

    coder: str | None = None
    """Who is coding; None means the project default ($QUALCODE_CODER or the login name)."""

    cursor_blink: bool = True
    """Blink the text cursor in input boxes; never blinks when run headless (tests, screenshots)."""


def default_config_path() -> Path:
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "qualcode" / "config.toml"


def load_settings(path: Path | None = None) -> TuiSettings:
    """Read ``[tui]`` from the config file; unknown keys and wrong types are clear errors."""
    path = path or default_config_path()
    settings = TuiSettings()
    if not path.exists():
        return settings
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InvalidInputError(f"{path}: cannot read the settings ({e}).") from e
    table = data.get("tui", {})
    if not isinstance(table, dict):
        raise InvalidInputError(f"{path}: [tui] must be a table.")
    names = {f.name for f in fields(TuiSettings)}
    for key, value in table.items():
        if key not in names:
            raise InvalidInputError(
                f"{path}: unknown setting tui.{key}; the settings are {', '.join(sorted(names))}."
            )
        if key in ("high_contrast", "cursor_blink"):
            if not isinstance(value, bool):
                raise InvalidInputError(f"{path}: tui.{key} must be true or false.")
            setattr(settings, key, value)
        elif not isinstance(value, str):
            raise InvalidInputError(f"{path}: tui.{key} must be a string.")
        elif key == "keymap":
            settings.keymap = Path(value).expanduser()
        else:
            setattr(settings, key, value)
    return settings
