"""The workbench's themes: a calm dark default, a light one, and a high-contrast one."""

from __future__ import annotations

from textual.theme import Theme

CALM = Theme(
    name="qualcode",
    primary="#7aa2c8",
    secondary="#9a8cc2",
    accent="#d7b46a",
    foreground="#d8dee6",
    background="#1b1f24",
    surface="#22272e",
    panel="#2a313a",
    success="#7fb685",
    warning="#d7b46a",
    error="#e07a6f",
    dark=True,
    variables={"footer-key-foreground": "#d7b46a", "block-cursor-text-style": "none"},
)

LIGHT = Theme(
    name="qualcode-light",
    primary="#2f5d8a",
    secondary="#5e4b8b",
    accent="#8a5a00",
    foreground="#1f2328",
    background="#f7f5f0",
    surface="#efece5",
    panel="#e4e0d6",
    success="#2e7d32",
    warning="#8a5a00",
    error="#b3261e",
    dark=False,
)

HIGH_CONTRAST = Theme(
    name="qualcode-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    success="#00ff00",
    warning="#ffff00",
    error="#ff5555",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
    variables={"footer-key-foreground": "#ffff00", "input-selection-background": "#ffff00 60%"},
)

THEMES = (CALM, LIGHT, HIGH_CONTRAST)
HIGH_CONTRAST_NAME = HIGH_CONTRAST.name
