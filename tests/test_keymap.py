"""The key scheme: codes own the letters in the reader, Caps Lock changes nothing anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InvalidInputError
from qualcode.tui import keymap

SHIFTED_DIGITS = set('!@#$%^&*()"£')
KEY_CHARS = {
    "question_mark": "?",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "slash": "/",
    "apostrophe": "'",
    "full_stop": ".",
    "comma": ",",
    "greater_than_sign": ">",
    "less_than_sign": "<",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "exclamation_mark": "!",
    "quotation_mark": '"',
    "number_sign": "#",
    "left_parenthesis": "(",
    "right_parenthesis": ")",
}


def keys_of(scope: str) -> dict[str, str]:
    return {key: b.action for b in keymap.bindings(scope) for key in b.key.split(",")}


def test_reader_commands_leave_every_letter_and_digit_to_the_codes() -> None:
    for key in keys_of("reader"):
        char = KEY_CHARS.get(key, key)
        assert not (len(char) == 1 and char.isalnum()), key
        assert char not in SHIFTED_DIGITS, f"{key} is Shift + a digit a code may use"


def test_every_letter_key_answers_to_its_capital_with_the_same_action() -> None:
    for scope in keymap.SCOPE_TITLES:
        keys = keys_of(scope)
        for key, action in keys.items():
            if len(key) == 1 and key.isalpha():
                assert keys.get(key.swapcase()) == action, (scope, key)


def test_no_two_actions_of_a_screen_share_a_key() -> None:
    for scope in keymap.SCOPE_TITLES:
        seen: dict[str, str] = {}
        for b in keymap.bindings(scope):
            for key in b.key.split(","):
                assert key not in seen, (scope, key, seen.get(key), b.id)
                seen[key] = b.id or ""


def test_a_remapped_letter_also_gets_its_capital(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('"reader.next_sentence" = "s, down"\n', encoding="utf-8")
    assert keymap.load_keymap(path) == {"reader.next_sentence": "s,S,down"}


def test_unknown_binding_id_is_reported_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('"reader.nope" = "x"\n', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="keys.toml: unknown key binding id"):
        keymap.load_keymap(path)
