"""Every key of the workbench, in one place, each with a stable id.

Screens take their bindings from here (``bindings("reader")``), the help screen
and the command palette list them from here, and a user's ``keys.toml`` can
rebind any of them by id::

    # ~/.config/qualcode/keys.toml  (or the file named by $QUALCODE_KEYS)
    "reader.pick_code" = "enter,c"
    "reader.undo" = "u"

The scheme: on the coding reader every letter and digit belongs to the codes
(a code's shortcut, e.g. ``c`` for Context/Culture, taken from the codebook) and
every command is an arrow, a symbol, a function key or Ctrl+key, so a code and
a command never share a key and no command differs from a code by Shift alone.
On every screen a letter and its capital do the same thing (:func:`bindings`
adds the capital), so Caps Lock changes nothing.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding

from qualcode.errors import InvalidInputError

KEYS_ENV = "QUALCODE_KEYS"


@dataclass(frozen=True)
class ActionSpec:
    """One user action: its id, default keys, the Textual action it runs, and its help text."""

    id: str
    keys: str
    action: str
    description: str
    show: bool = False
    key_display: str | None = None
    priority: bool = False
    short: str | None = None
    """The footer label (defaults to the description)."""

    @property
    def scope(self) -> str:
        return self.id.split(".", 1)[0]


def _a(
    id: str,
    keys: str,
    action: str,
    description: str,
    show: bool | str = False,
    key_display: str | None = None,
    priority: bool = False,
) -> ActionSpec:
    """``show`` may be the short footer label itself."""
    short = show if isinstance(show, str) else None
    return ActionSpec(id, keys, action, description, bool(show), key_display, priority, short)


SCOPE_TITLES = {
    "app": "Everywhere",
    "home": "Project home",
    "reader": "Coding reader",
    "codebook": "Codebook",
    "matrix": "Framework matrix",
    "cell": "Matrix cell",
    "workshop": "Workshop view",
    "export": "Chart export",
    "patterns": "Cross-case patterns",
    "agreement": "Intercoder agreement",
    "qca": "QCA",
    "dialog": "Dialogs",
    "welcome": "Welcome",
    "setup": "Set up",
    "import": "Import files",
    "framework": "Framework",
    "cases": "Cases and participants",
    "groups": "Case groups",
    "exports": "Exports",
    "files": "Choose a file",
}

ACTIONS: tuple[ActionSpec, ...] = (
    # Everywhere. (Screen switching keys are added from screen_registry.SCREENS.)
    _a("app.help", "question_mark", "app.help", "Help: every key", "help", "?"),
    _a(
        "app.palette",
        "ctrl+p",
        "app.command_palette",
        "Command palette: any action or code",
        False,
        "^p",
    ),
    _a("app.search_project", "ctrl+f", "app.search_project", "Search the whole project"),
    _a("app.agreement", "f7", "app.open_agreement", "Intercoder agreement: compare two coders"),
    _a("app.qca", "f8", "app.open_qca", "QCA: truth table and models over the cases"),
    _a("app.high_contrast", "f9", "app.toggle_high_contrast", "High-contrast theme on/off"),
    _a("app.quit", "ctrl+q", "app.quit", "Quit (all work is already saved)", priority=True),
    # Project home
    _a("home.open", "o", "open_selected", "Open the selected document in the reader", "open"),
    _a("home.documents", "1", "show_tab('documents')", "Show documents"),
    _a("home.cases", "2", "show_tab('cases')", "Show cases"),
    _a("home.codebook", "3", "show_tab('codes')", "Show the codebook with counts"),
    _a("home.refresh", "ctrl+r", "refresh", "Reload counts from the database"),
    # Coding reader. Letters and digits belong to the codes (either case, so Caps Lock or
    # Shift never turns a code into a command); every command is an arrow, a symbol or Ctrl.
    # Moving
    _a("reader.next_sentence", "down", "move('sentence', 1)", "Next sentence", key_display="↓"),
    _a("reader.prev_sentence", "up", "move('sentence', -1)", "Previous sentence", key_display="↑"),
    _a("reader.next_word", "right", "move('word', 1)", "Next word", key_display="→"),
    _a("reader.prev_word", "left", "move('word', -1)", "Previous word", key_display="←"),
    _a(
        "reader.next_turn",
        "right_curly_bracket,ctrl+down",
        "move('turn', 1)",
        "Next speaker turn",
        key_display="}",
    ),
    _a(
        "reader.prev_turn",
        "left_curly_bracket,ctrl+up",
        "move('turn', -1)",
        "Previous speaker turn",
        key_display="{",
    ),
    _a("reader.page_down", "pagedown", "page(1)", "Page down"),
    _a("reader.page_up", "pageup", "page(-1)", "Page up"),
    _a("reader.doc_start", "home", "to_edge(-1)", "Start of the document"),
    _a("reader.doc_end", "end", "to_edge(1)", "End of the document"),
    # Selecting
    _a(
        "reader.extend_sentence",
        "shift+down",
        "extend('sentence', 1)",
        "Extend the selection by a sentence",
        key_display="⇧↓",
    ),
    _a(
        "reader.extend_sentence_back",
        "shift+up",
        "extend('sentence', -1)",
        "Extend the selection back a sentence",
        key_display="⇧↑",
    ),
    _a(
        "reader.extend_word",
        "shift+right",
        "extend('word', 1)",
        "Extend the selection by a word",
        key_display="⇧→",
    ),
    _a(
        "reader.extend_word_back",
        "shift+left",
        "extend('word', -1)",
        "Extend the selection back a word",
        key_display="⇧←",
    ),
    _a(
        "reader.mark",
        "space",
        "mark",
        "Start/stop selecting (moves then extend the selection)",
        key_display="space",
    ),
    _a("reader.clear", "escape", "clear_selection", "Clear the selection"),
    # Coding
    _a(
        "reader.pick_code",
        "enter",
        "pick_code",
        "Pick a code by name (a code's own letter applies it at once)",
        "code",
        "a-z ⏎",
    ),
    _a(
        "reader.facilitator",
        "plus",
        "valence('facilitator')",
        "Valence: facilitator",
        "facil.",
        "+",
    ),
    _a("reader.barrier", "minus", "valence('barrier')", "Valence: barrier", "barrier", "-"),
    _a("reader.neutral", "equals_sign", "valence('neutral')", "Valence: neutral", "neutral", "="),
    _a("reader.memo", "ctrl+e", "memo", "Write a memo on the coding", "memo", "^e"),
    _a(
        "reader.remove",
        "delete,backspace",
        "remove",
        "Remove the coding (undo brings it back)",
        "remove",
        "del",
    ),
    _a(
        "reader.cycle_coding",
        "tab",
        "cycle(1)",
        "Next coding on this span (the one valence, memo and remove act on)",
    ),
    _a("reader.cycle_coding_back", "shift+tab", "cycle(-1)", "Previous coding on this span"),
    _a(
        "reader.in_vivo",
        "apostrophe",
        "in_vivo",
        "In vivo: new code named by the selected words, applied",
        "in vivo",
        "'",
    ),
    _a(
        "reader.new_code",
        "ctrl+n",
        "new_code",
        "New inductive code by name, applied to the selection",
        key_display="^n",
    ),
    _a("reader.undo", "ctrl+z", "undo", "Undo the last coding action", "undo", "^z"),
    _a("reader.redo", "ctrl+y", "redo", "Redo", key_display="^y"),
    # Jumping
    _a("reader.next_coding", "full_stop", "jump_coding(1)", "Next coding", key_display="."),
    _a("reader.prev_coding", "comma", "jump_coding(-1)", "Previous coding", key_display=","),
    _a(
        "reader.next_uncoded",
        "ctrl+u",
        "next_uncoded",
        "Next participant turn with no coding",
        key_display="^u",
    ),
    _a(
        "reader.next_document",
        "right_square_bracket",
        "next_document(1)",
        "Next document",
        key_display="]",
    ),
    _a(
        "reader.prev_document",
        "left_square_bracket",
        "next_document(-1)",
        "Previous document",
        key_display="[",
    ),
    _a("reader.search", "slash", "search", "Search in this document", key_display="/"),
    _a(
        "reader.search_next",
        "greater_than_sign",
        "search_step(1)",
        "Next search match",
        key_display=">",
    ),
    _a(
        "reader.search_prev",
        "less_than_sign",
        "search_step(-1)",
        "Previous search match",
        key_display="<",
    ),
    _a(
        "reader.toggle_panel",
        "ctrl+b",
        "toggle_panel",
        "Show/hide the side panel",
        key_display="^b",
    ),
    _a(
        "reader.rules_page",
        "ctrl+d",
        "rules_page",
        "Scroll the coding rules in the side panel",
        key_display="^d",
    ),
    _a(
        "reader.pick_coders",
        "at",
        "pick_coders",
        "Coder filter: show everyone's codings, one coder's or several",
        key_display="@",
    ),
    _a("reader.close", "ctrl+w", "close", "Back to the project home", key_display="^w"),
    # Codebook
    _a("codebook.new", "a", "new_code", "New inductive code (under the selected code)", "new"),
    _a("codebook.rename", "r", "rename", "Rename", "rename"),
    _a("codebook.recolour", "c", "recolour", "Recolour", "colour"),
    _a("codebook.shortcut", "s", "shortcut", "Set the shortcut key"),
    _a("codebook.edit", "e", "edit", "Edit definition / inclusion / exclusion", "edit"),
    _a("codebook.move", "m", "move", "Move under another code (or to the top)", "move"),
    _a("codebook.merge", "g", "merge", "Merge into another code (its codings follow)", "merge"),
    _a("codebook.delete", "delete", "delete", "Delete (only a code with no codings)"),
    _a("codebook.usages", "u", "focus_usages", "Where the code is used (Enter opens it)"),
    # Framework matrix (the heat map moves with the arrows / h j k l, PgUp/PgDn, Home/End)
    _a(
        "matrix.open_cell",
        "enter",
        "open_cell",
        "Open the cell: quotes and summary",
        "Open cell",
        "⏎",
    ),
    _a("matrix.workshop", "w", "workshop", "Workshop view from this cell", "Workshop view"),
    _a(
        "matrix.toggle_rows",
        "b",
        "toggle_rows",
        "Rows by case or by participant",
        "Rows case/participant",
    ),
    _a("matrix.cycle_domain", "d", "cycle_domain", "Next domain (or all)", "Domain"),
    _a("matrix.cycle_valence", "v", "cycle_valence", "Valence filter", "Valence"),
    _a("matrix.cycle_group", "g", "cycle_group", "Case group filter"),
    _a("matrix.cycle_coder", "c", "cycle_coder", "Coder filter: everyone, then each coder"),
    _a("matrix.toggle_roll_up", "u", "toggle_roll_up", "Roll child codes up into constructs"),
    _a("matrix.filter_cases", "f", "filter_cases", "Only cases whose attributes match a rule"),
    _a("matrix.export", "x", "export", "Export the chart (current filters)", "Export"),
    _a("matrix.refresh", "ctrl+r", "refresh", "Reload from the database"),
    # Matrix cell
    _a("cell.save", "ctrl+s", "save", "Save the summary", "Save summary", "^s"),
    _a(
        "cell.reviewed",
        "ctrl+r",
        "save_reviewed",
        "Save the summary as reviewed",
        "Save as reviewed",
        "^r",
    ),
    _a(
        "cell.leave",
        "escape",
        "leave",
        "Back to the matrix (saves what you typed)",
        "Back (saves)",
        "esc",
    ),
    _a(
        "cell.open",
        "ctrl+o",
        "open_quote",
        "Open the highlighted quote in its transcript",
        "Open transcript",
        "^o",
    ),
    # Workshop view
    _a("workshop.next_construct", "right,l", "step(0, 1)", "Next construct", "Next construct", "→"),
    _a(
        "workshop.prev_construct",
        "left,h",
        "step(0, -1)",
        "Previous construct",
        "Previous construct",
        "←",
    ),
    _a("workshop.next_case", "down,j", "step(1, 0)", "Next case", "Next case", "↓"),
    _a("workshop.prev_case", "up,k", "step(-1, 0)", "Previous case", "Previous case", "↑"),
    _a("workshop.comment", "c", "comment", "Record a workshop comment on this cell", "Comment"),
    _a("workshop.author", "a", "author", "Who is speaking (name or role)", "Author"),
    _a("workshop.toggle_row", "r", "toggle_row", "One cell or the whole row", "Row / cell"),
    _a("workshop.more", "m", "more", "All quotes", "All quotes"),
    _a("workshop.leave", "escape,q", "leave", "Leave the workshop view", "Leave", "esc"),
    # Chart export dialog
    _a("export.run", "ctrl+s", "export", "Export", "Export"),
    _a("export.cancel", "escape", "cancel", "Cancel", "Cancel"),
    # Cross-case patterns
    _a(
        "patterns.toggle_valence", "v", "toggle_valence", "Per code × valence on/off", "Per valence"
    ),
    _a("patterns.toggle_roll_up", "u", "toggle_roll_up", "Roll child codes up on/off", "Roll up"),
    _a("patterns.cycle_share", "s", "cycle_share", "Share: exact, 0.8, 0.67", "Share"),
    _a(
        "patterns.cycle_min_refs",
        "m",
        "cycle_min_refs",
        "Minimum codings for presence (1-3)",
        "Min codings",
    ),
    _a("patterns.toggle_none", "n", "toggle_none", "Show codes with no pattern"),
    _a("patterns.refresh", "ctrl+r", "refresh", "Reload from the database"),
    # Intercoder agreement
    _a("agreement.cycle_coders", "c", "cycle_coders", "Compare the next pair of coders", "Coders"),
    _a("agreement.toggle_unit", "u", "toggle_unit", "Unit: sentence or turn", "Unit"),
    _a("agreement.keep_first", "1", "keep(0)", "Keep the first coder's version here", "Keep 1st"),
    _a("agreement.keep_second", "2", "keep(1)", "Keep the second coder's version here", "Keep 2nd"),
    _a(
        "agreement.keep_both",
        "b",
        "keep_both",
        "Keep both codings (noted in the code's memo)",
        "Keep both",
    ),
    _a("agreement.memo", "m", "memo", "Write a memo on this difference", "Memo"),
    _a("agreement.open", "o", "open_text", "Open the text in the reader", "Open text"),
    _a("agreement.refresh", "ctrl+r", "refresh", "Reload from the database"),
    _a("agreement.leave", "escape", "leave", "Back to where you were", "Back", "esc"),
    # QCA
    _a("qca.run", "ctrl+r", "run", "Run QCA with the conditions typed", "Run"),
    _a(
        "qca.export",
        "ctrl+e",
        "export",
        "Write the QCA report (.docx and .xlsx) next to the project",
        "Export",
        priority=True,  # also while typing in a condition box (an input's own ctrl+e is "end")
    ),
    _a("qca.leave", "escape", "leave", "Back to where you were", "Back", "esc"),
    # Welcome (no project yet). Set-up screens use keys that are never code shortcuts:
    # digits, symbols, function keys and ctrl combinations.
    _a("welcome.new", "f2", "choose('new')", "Start a new project", "new project", "F2"),
    _a("welcome.open", "f3", "choose('open')", "Open an existing project", "open", "F3"),
    _a("welcome.demo", "f4", "choose('demo')", "Open the demo project", "demo", "F4"),
    _a("welcome.up", "backspace", "up", "Open: show the folder above", "up", "⌫"),
    _a("welcome.create", "ctrl+s", "create", "Create the project", "create", "^s"),
    _a("welcome.quit", "ctrl+q", "app.quit", "Quit", "quit", "^q", priority=True),
    # Set up (the checklist screen)
    _a("setup.import", "1", "open_step('import')", "Import transcripts and tables", "import"),
    _a(
        "setup.framework",
        "2",
        "open_step('framework')",
        "Choose and apply a framework",
        "framework",
    ),
    _a("setup.cases", "3", "open_step('cases')", "Cases, attributes and participants", "cases"),
    _a(
        "setup.groups",
        "4",
        "open_step('groups')",
        "Case groups (by hand, attribute or rules)",
        "groups",
    ),
    _a(
        "setup.exports",
        "5",
        "open_step('exports')",
        "Export chart, patterns, REFI-QDA, codebook",
        "exports",
    ),
    _a("setup.refresh", "f5", "refresh", "Reload the checklist"),
    # Import files
    _a("import.add", "plus,insert", "add", "Add the highlighted file or folder", "add", "+"),
    _a(
        "import.remove",
        "minus,delete",
        "remove",
        "Remove the highlighted file from the list",
        "remove",
        "-",
    ),
    _a("import.toggle", "space", "toggle", "Tick or untick the highlighted file", "tick", "space"),
    _a("import.up", "backspace", "up", "Show the folder above in the tree", "up", "⌫"),
    _a(
        "import.check",
        "ctrl+k",
        "check",
        "Check the chosen files (nothing is stored)",
        "check",
        "^k",
    ),
    _a(
        "import.speakers",
        "ctrl+l",
        "speakers",
        "Speaker map: which label is which role",
        "speakers",
        "^l",
    ),
    _a("import.run", "ctrl+s", "run_import", "Import the ticked files", "import", "^s"),
    _a("import.back", "escape", "back", "Back", "back", "esc"),
    # Framework
    _a(
        "framework.apply",
        "ctrl+s",
        "apply",
        "Apply the highlighted framework to the project",
        "apply",
        "^s",
    ),
    _a("framework.load", "ctrl+o", "load", "Load a framework file (.yaml)", "load file", "^o"),
    _a("framework.back", "escape", "back", "Back", "back", "esc"),
    # Cases and participants
    _a("cases.edit", "enter", "edit", "Edit the highlighted cell", "edit", "⏎"),
    _a("cases.new_case", "ctrl+n", "new_case", "New case", "new case", "^n"),
    _a(
        "cases.new_attribute", "plus", "new_attribute", "New attribute (a column)", "attribute", "+"
    ),
    _a("cases.clear", "delete", "clear_cell", "Clear the highlighted attribute value"),
    _a("cases.switch", "tab", "switch_table", "Cases table / participants table"),
    _a("cases.import", "ctrl+o", "import_csv", "Import cases from a CSV file", "import CSV", "^o"),
    _a("cases.export", "ctrl+e", "export_csv", "Export the cases table as CSV", "export CSV", "^e"),
    _a("cases.back", "escape", "back", "Back", "back", "esc"),
    # Case groups
    _a("groups.save", "ctrl+s", "save_rules", "Save the rules and apply them", "save rules", "^s"),
    _a(
        "groups.by_hand",
        "enter",
        "by_hand",
        "Set the highlighted case's group by hand",
        "by hand",
        "⏎",
    ),
    _a(
        "groups.from_attribute",
        "ctrl+t",
        "from_attribute",
        "Take groups from an attribute",
        "from attribute",
        "^t",
    ),
    _a("groups.clear_hand", "delete", "clear_hand", "Forget the hand-set group of the case"),
    _a("groups.back", "escape", "back", "Back", "back", "esc"),
    # Exports
    _a("exports.run", "ctrl+s", "export", "Export", "export", "^s"),
    _a("exports.cancel", "escape", "cancel", "Close", "close", "esc"),
    # Choosing a file
    _a("files.choose", "ctrl+s", "choose", "Use the highlighted or typed path", "choose", "^s"),
    _a("files.up", "backspace", "up", "Up one folder", "up", "⌫"),
    _a("files.cancel", "escape", "cancel", "Cancel", "cancel", "esc"),
    # Dialogs
    _a("dialog.save", "ctrl+s", "save", "Save (memo, definitions)", "save", "^s"),
    _a("dialog.cancel", "escape", "cancel", "Cancel", "cancel", "esc"),
)

BY_ID: dict[str, ActionSpec] = {a.id: a for a in ACTIONS}


def actions(scope: str) -> list[ActionSpec]:
    return [a for a in ACTIONS if a.scope == scope]


def with_capitals(keys: str) -> str:
    """``"m,delete"`` -> ``"m,M,delete"``: a letter key also answers to its capital (Caps Lock)."""
    given = [k for k in keys.split(",") if k]
    out: list[str] = []
    for key in given:
        out.append(key)
        if len(key) == 1 and key.isalpha() and key.islower() and key.upper() not in given:
            out.append(key.upper())
    return ",".join(out)


def bindings(scope: str) -> list[Binding]:
    """Textual bindings for one scope, each carrying its id (so a keymap can rebind it)."""
    return [
        Binding(
            with_capitals(a.keys),
            a.action,
            a.short or a.description,
            show=a.show,
            key_display=a.key_display or _letter_display(a.keys),
            priority=a.priority,
            tooltip=a.description,
            id=a.id,
        )
        for a in actions(scope)
    ]


def _letter_display(keys: str) -> str | None:
    first = keys.split(",", 1)[0]
    return first if len(first) == 1 else None


def mode_binding_id(mode: str) -> str:
    return f"app.mode.{mode}"


def default_keys_path() -> Path:
    """``$QUALCODE_KEYS``, else ``$XDG_CONFIG_HOME/qualcode/keys.toml`` (not created)."""
    env = os.environ.get(KEYS_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "qualcode" / "keys.toml"


def load_keymap(path: Path | None = None, known_ids: set[str] | None = None) -> dict[str, str]:
    """Read user key overrides ``{binding id: "key1,key2"}``; a missing file means none.

    Accepts the pairs at the top level or in a ``[keys]`` table. An unknown id or
    a value that is not a string is an error naming the file and the id.
    """
    path = path or default_keys_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"{path}: cannot read the key file ({e}).") from e
    except tomllib.TOMLDecodeError as e:
        raise InvalidInputError(
            f'{path}: not valid TOML ({e}). Write lines like "reader.undo" = "u".'
        ) from e
    table = data.get("keys", data) if isinstance(data.get("keys"), dict) else data
    known = known_ids if known_ids is not None else set(BY_ID)
    out: dict[str, str] = {}
    for key, value in table.items():
        if key not in known and key.split(".", 1)[0] in SCOPE_TITLES:
            raise InvalidInputError(
                f"{path}: unknown key binding id {key!r}. The ids are listed "
                "in the help screen (press ?) and the README."
            )
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(f'{path}: {key!r} must be a string of keys, e.g. "u,ctrl+z".')
        out[key] = with_capitals(value.replace(" ", ""))
    return out
