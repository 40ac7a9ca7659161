"""Load and validate framework files: YAML codebooks of implementation-science constructs.

The file format is described in ``frameworks/README.md``. Every problem found in a file is
reported with its line and column and what to do about it.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.bundled import bundled_folder
from qualcode.errors import InvalidInputError

DEFAULT_FRAMEWORK = "modified-parihs"
TOP_KEYS = ("key", "name", "version", "description", "source", "codes")
CODE_KEYS = (
    "name",
    "codable",
    "colour",
    "definition",
    "include",
    "exclude",
    "shortcut",
    "children",
)
RESERVED_SHORTCUTS: frozenset[str] = frozenset()  # every letter and digit may be a code key
_KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
_COLOUR_RE = re.compile(r"#[0-9a-fA-F]{6}")
_SHORTCUT_RE = re.compile(r"[a-z0-9]")
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: ~20x faster


class FrameworkError(InvalidInputError, ValueError):
    """A problem in a framework file; ``problems`` lists every problem found (this one first)."""

    def __init__(
        self, file: str | Path, line: int | None, column: int | None, problem: str, hint: str = ""
    ) -> None:
        self.file, self.line, self.column = Path(file), line, column
        self.problem, self.hint = problem, hint
        self.problems: list[FrameworkError] = [self]
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.problem}." + (f" {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class CodeSpec:
    """One construct (or folder) of a framework, with its children."""

    name: str
    path: tuple[str, ...]
    codable: bool
    colour: str | None
    definition: str
    include: str
    exclude: str
    shortcut: str | None
    children: tuple[CodeSpec, ...] = field(repr=False)
    line: int  # 1-based line of the code in its file

    @property
    def path_str(self) -> str:
        """The path joined with '/', e.g. ``Context/Leadership/Access and authority``."""
        return "/".join(self.path)


@dataclass(frozen=True)
class FrameworkSpec:
    """A validated framework file."""

    key: str
    name: str
    version: str
    description: str
    source: str
    codes: tuple[CodeSpec, ...] = field(repr=False)
    path: Path

    def walk(self) -> Iterator[CodeSpec]:
        """Every code depth-first, parents before their children, in file order."""
        stack = list(reversed(self.codes))
        while stack:
            code = stack.pop()
            yield code
            stack.extend(reversed(code.children))

    def get(self, path: str | tuple[str, ...]) -> CodeSpec | None:
        """The code at ``path`` ("A/B" or ("A", "B")), or None."""
        parts = tuple(path.split("/")) if isinstance(path, str) else tuple(path)
        return next((c for c in self.walk() if c.path == parts), None)


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL)


class _Checker:
    """Walks the composed YAML tree, collecting problems and building specs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[FrameworkError] = []
        self.shortcuts: dict[str, tuple[str, int]] = {}

    def add(self, node: Node, problem: str, hint: str) -> None:
        self.problems.append(FrameworkError(self.path, *_pos(node), problem, hint))

    def mapping(self, node: MappingNode, allowed: tuple[str, ...], what: str) -> dict[str, Node]:
        """Keys of a mapping, reporting unknown, duplicate and non-text keys."""
        found: dict[str, Node] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None or key_node.tag == _NULL:
                self.add(key_node, f"a key {what} must be a plain word", "Write 'key: value'.")
            elif key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                self.add(
                    key_node,
                    f"unknown key '{key}' {what}",
                    f"Did you mean '{close[0]}'?"
                    if close
                    else "Allowed keys: " + ", ".join(allowed) + ".",
                )
            elif key in found:
                line = _pos(found[key])[0]
                self.add(
                    key_node,
                    f"'{key}' appears twice {what} (also on line {line})",
                    "Keep one of them.",
                )
            else:
                found[key] = value
        return found

    def text(self, node: Node | None, what: str) -> str:
        """A scalar's text exactly as written ('' for null or missing)."""
        if _is_null(node) or isinstance(node, ScalarNode):
            return "" if _is_null(node) else node.value.strip()
        self.add(
            node,
            f"'{what}' must be text, not a list or mapping",
            "Write it on one line, or use '>-' followed by indented lines.",
        )
        return ""

    def codes(self, node: Node | None, parent: tuple[str, ...], what: str) -> tuple[CodeSpec, ...]:
        """A list of codes, checking sibling names are unique."""
        if _is_null(node):
            return ()
        if not isinstance(node, SequenceNode):
            self.add(
                node,
                f"'{what}' must be a list of codes",
                "Start each code with '- name: ...' on its own line, indented under it.",
            )
            return ()
        specs, seen = [], {}
        for item in node.value:
            spec = self.code(item, parent)
            if spec is None:
                continue
            folded = spec.name.casefold()
            if folded in seen:
                self.add(
                    item,
                    f"duplicate name '{spec.name}' under "
                    f"'{'/'.join(parent) or 'codes'}' (also on line {seen[folded]})",
                    "Rename one of them, or merge them into one code.",
                )
            else:
                seen[folded] = spec.line
            specs.append(spec)
        return tuple(specs)

    def code(self, node: Node, parent: tuple[str, ...]) -> CodeSpec | None:
        """One code and its children; None if it has no usable name."""
        if not isinstance(node, MappingNode):
            self.add(
                node,
                "a code must be a mapping starting with 'name:'",
                "Write '- name: My code' and put its other keys under it.",
            )
            return None
        keys = self.mapping(node, CODE_KEYS, "on a code")
        name = self.text(keys.get("name"), "name")
        if not name:
            self.add(keys.get("name", node), "code has no name", "Add 'name: ...' to this code.")
        elif "/" in name:
            self.add(
                keys["name"],
                f"code name '{name}' contains '/'",
                "'/' separates levels of a code path; use 'and' or '-' instead.",
            )
        path = parent + (name or "?",)
        spec = CodeSpec(
            name,
            path,
            self.codable(keys.get("codable")),
            self.colour(keys.get("colour")),
            *(self.text(keys.get(k), k) for k in ("definition", "include", "exclude")),
            self.shortcut(keys.get("shortcut"), "/".join(path)),
            self.codes(keys.get("children"), path, "children"),
            _pos(node)[0],
        )
        return spec if name and "/" not in name else None

    def codable(self, node: Node | None) -> bool:
        if node is None:
            return True
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return SafeConstructor.bool_values[node.value.lower()]
        self.add(
            node,
            "'codable' must be true or false",
            "Write 'codable: false' (no quotes) for a heading, or leave it out.",
        )
        return True

    def colour(self, node: Node | None) -> str | None:
        if node is None:
            return None
        value = self.text(node, "colour")
        if not _COLOUR_RE.fullmatch(value):
            hint = 'Write it in quotes as "#rrggbb", e.g. colour: "#1f77b4".'
            if not value:
                hint += " An unquoted # starts a comment, so the value was lost."
            self.add(node, f"colour '{value}' is not a #rrggbb hex colour", hint)
            return None
        return value.lower()

    def shortcut(self, node: Node | None, where: str) -> str | None:
        if _is_null(node) or not isinstance(node, ScalarNode):
            self.text(node, "shortcut")  # reports a list or mapping
            return None
        value, used = node.value.strip(), self.shortcuts.get(node.value.strip())
        if len(value) != 1:
            problem, hint = "must be exactly one character", "Use one lowercase letter or digit."
        elif value in RESERVED_SHORTCUTS:
            problem, hint = "is reserved", "Pick another letter or digit."
        elif not _SHORTCUT_RE.fullmatch(value):
            problem, hint = "must be a lowercase letter or digit", "Use a-z or 0-9."
        elif used:
            problem, hint = f"is already used by '{used[0]}' on line {used[1]}", "Pick another key."
        else:
            self.shortcuts[value] = (where, _pos(node)[0])
            return value
        self.add(node, f"shortcut '{value}' {problem}", hint)
        return None


def _syntax_error(path: Path, text: str, exc: yaml.MarkedYAMLError) -> FrameworkError:
    """A FrameworkError for a YAML syntax error, with a hint for the usual causes."""
    mark, start = exc.problem_mark or exc.context_mark, exc.context_mark
    problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    if mark and start and start.line != mark.line:
        problem += f" (it starts on line {start.line + 1})"
    line_text = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    if "\t" in line_text[: (mark.column + 1) if mark else None]:
        hint = "Indent with spaces, not tabs."
    elif "single document" in problem:
        hint = "Remove the '---' line: a framework file holds one document."
    else:
        hint = (
            "Check the indentation and quoting here; put text that contains ': ' "
            "or starts with # & * ! | > ' \" % @ in quotes."
        )
    return FrameworkError(
        path,
        mark.line + 1 if mark else None,
        mark.column + 1 if mark else None,
        f"YAML syntax error: {problem}",
        hint,
    )


def _parse(path: Path) -> Node:
    """Read and compose a file, raising FrameworkError for file, encoding and syntax problems."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise FrameworkError(
            path,
            None,
            None,
            "not a .yaml or .yml file",
            "Framework files are YAML; give the file a .yaml extension.",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FrameworkError(
            path,
            None,
            None,
            f"cannot read the file ({exc.strerror})",
            "Check the path and that the file is readable.",
        ) from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise FrameworkError(
            path,
            data.count(b"\n", 0, exc.start) + 1,
            exc.start - line_start + 1,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            "Save the file with UTF-8 encoding.",
        ) from None
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(path, text, exc) from None
    except yaml.YAMLError as exc:
        raise FrameworkError(path, None, None, f"YAML error: {exc}", "Fix the file.") from None
    if root is None:
        raise FrameworkError(
            path,
            1,
            1,
            "the file is empty",
            "Add 'key:', 'name:' and 'codes:' (see frameworks/README.md).",
        )
    return root


def load_framework(path: str | Path) -> FrameworkSpec:
    """Load and validate one framework file; raise FrameworkError listing every problem."""
    path = Path(path)
    root = _parse(path)
    check = _Checker(path)
    if not isinstance(root, MappingNode):
        raise FrameworkError(
            path,
            *_pos(root),
            "the top level must be a mapping of keys",
            "Start the file with 'key: ...', 'name: ...' and 'codes:'.",
        )
    top = check.mapping(root, TOP_KEYS, "at the top level")
    for required in ("key", "name", "codes"):
        if required not in top:
            check.add(
                root,
                f"missing '{required}'",
                f"Add '{required}:' at the top level (see frameworks/README.md).",
            )
    key = check.text(top.get("key"), "key")
    if "key" in top and not _KEY_RE.fullmatch(key):
        check.add(
            top["key"],
            f"key '{key}' is not a slug",
            "Use lowercase letters, digits and '-', e.g. key: my-framework.",
        )
    name = check.text(top.get("name"), "name")
    if "name" in top and not name:
        check.add(top["name"], "'name' is empty", "Give the framework a name.")
    codes = check.codes(top.get("codes"), (), "codes")
    if isinstance(top.get("codes"), (SequenceNode, ScalarNode)) and not top["codes"].value:
        check.add(top["codes"], "'codes' is empty", "List at least one code under 'codes:'.")
    spec = FrameworkSpec(
        key,
        name,
        check.text(top.get("version"), "version"),
        check.text(top.get("description"), "description"),
        check.text(top.get("source"), "source"),
        codes,
        path,
    )
    if check.problems:
        problems = sorted(check.problems, key=lambda e: (e.line or 0, e.column or 0))
        problems[0].problems = problems
        raise problems[0]
    return spec


def bundled_dir() -> Path:
    """The folder of bundled frameworks (``$QUALCODE_FRAMEWORKS_DIR`` overrides it)."""
    override = os.environ.get("QUALCODE_FRAMEWORKS_DIR")
    if override:
        return Path(override)
    folder = bundled_folder("frameworks")
    if folder is None:
        raise FrameworkError(
            Path("frameworks"),
            None,
            None,
            "the bundled framework files are missing from this installation",
            "Reinstall qualcode (pip install --force-reinstall qualcode), or set "
            "$QUALCODE_FRAMEWORKS_DIR to a folder of framework .yaml files.",
        )
    return folder


def list_frameworks() -> list[FrameworkSpec]:
    """Every bundled framework, the default first, then sorted by key."""
    folder = bundled_dir()
    specs: dict[str, FrameworkSpec] = {}
    for file in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        spec = load_framework(file)
        if spec.key in specs:
            raise FrameworkError(
                file,
                1,
                None,
                f"key '{spec.key}' is also used by {specs[spec.key].path.name}",
                "Give each framework its own key.",
            )
        specs[spec.key] = spec
    return sorted(specs.values(), key=lambda s: (s.key != DEFAULT_FRAMEWORK, s.key))


def find_framework(key_or_path: str) -> FrameworkSpec:
    """A bundled framework by key (or file stem), or a framework file by path."""
    candidate = Path(key_or_path)
    if candidate.suffix.lower() in (".yaml", ".yml") or os.sep in key_or_path or "/" in key_or_path:
        return load_framework(candidate)
    specs = list_frameworks()
    for spec in specs:
        if key_or_path in (spec.key, spec.path.stem):
            return spec
    keys = ", ".join(s.key for s in specs) or "(none)"
    raise FrameworkError(
        bundled_dir(),
        None,
        None,
        f"unknown framework '{key_or_path}'",
        f"Use one of: {keys}; or give the path to a .yaml file.",
    )
