"""Framework files: the bundled frameworks, and errors that name the file, line and fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qualcode.framework_files import (
    DEFAULT_FRAMEWORK,
    RESERVED_SHORTCUTS,
    FrameworkError,
    bundled_dir,
    find_framework,
    list_frameworks,
    load_framework,
)

MODIFIED_PARIHS = {
    ("Evidence",): False,
    ("Evidence", "Research evidence"): True,
    ("Evidence", "Clinical knowledge"): True,
    ("Evidence", "Experiential evidence"): True,
    ("Evidence", "Local knowledge"): True,
    ("Context",): False,
    ("Context", "Culture"): True,
    ("Context", "Leadership"): True,
    ("Context", "Leadership", "Access and authority"): True,
    ("Context", "Monitoring and feedback"): True,
    ("Facilitation",): False,
    ("Facilitation", "Role characterisation"): True,
    ("Facilitation", "Flexibility and consistency"): True,
    ("Facilitation", "Experiential knowledge"): True,
}


def write(tmp_path: Path, text: str, name: str = "fw.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error_for(path: Path) -> FrameworkError:
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    return info.value


def problem(err: FrameworkError, text: str) -> FrameworkError:
    """The one collected problem whose message contains ``text``."""
    found = [p for p in err.problems if text in str(p)]
    assert len(found) == 1, [str(p) for p in err.problems]
    return found[0]


# ---- bundled frameworks -------------------------------------------------------------


def test_every_bundled_framework_loads():
    specs = list_frameworks()
    files = sorted(p.name for p in bundled_dir().glob("*.y*ml"))
    assert sorted(s.path.name for s in specs) == files
    assert {
        "cfir-2.0.yaml",
        "i-parihs.yaml",
        "modified-parihs.yaml",
        "npt.yaml",
        "parihs-original.yaml",
    } <= set(files)
    assert specs[0].key == DEFAULT_FRAMEWORK
    assert [s.key for s in specs[1:]] == sorted(s.key for s in specs[1:])
    for spec in specs:
        assert spec.name and spec.source and spec.description and spec.codes
        for code in spec.walk():
            assert code.definition, f"{spec.key}: {code.path_str} has no definition"
            assert code.line > 0


def test_modified_parihs_tree_is_exact():
    spec = find_framework(DEFAULT_FRAMEWORK)
    assert spec.name == "Modified PARIHS" and "1050" in spec.source
    assert {c.path: c.codable for c in spec.walk()} == MODIFIED_PARIHS
    assert [c.name for c in spec.codes] == ["Evidence", "Context", "Facilitation"]
    for code in spec.walk():
        if code.codable:
            assert code.definition and code.include and code.exclude, code.path_str
        assert code.colour and code.colour.startswith("#") and len(code.colour) == 7
    assert len({c.colour for c in spec.walk()}) == len(MODIFIED_PARIHS)
    assert len([c for c in spec.walk() if c.shortcut]) >= 9
    assert spec.get("Context/Leadership/Access and authority").shortcut == "a"


def test_walk_puts_parents_before_children_in_file_order():
    paths = [c.path for c in find_framework(DEFAULT_FRAMEWORK).walk()]
    for i, path in enumerate(paths):
        assert path[:-1] == () or path[:-1] in paths[:i]
    assert (
        paths.index(("Context", "Leadership", "Access and authority"))
        == paths.index(("Context", "Leadership")) + 1
    )


def test_every_letter_may_be_a_shortcut(tmp_path):
    spec = load_framework(
        write(
            tmp_path,
            VALID_HEAD + "  - name: A\n    shortcut: j\n" + "  - name: B\n    shortcut: q\n",
        )
    )
    assert [c.shortcut for c in spec.walk()] == ["j", "q"]


def test_shortcuts_are_unique_single_keys():
    for spec in list_frameworks():
        keys = [c.shortcut for c in spec.walk() if c.shortcut]
        assert len(keys) == len(set(keys)), spec.key
        for key in keys:
            assert len(key) == 1 and (key.isdigit() or key.islower())
            assert key not in RESERVED_SHORTCUTS


def test_cfir_has_sub_constructs():
    spec = find_framework("cfir-2")
    assert [c.name for c in spec.codes] == [
        "Innovation",
        "Outer Setting",
        "Inner Setting",
        "Individuals",
        "Implementation Process",
    ]
    assert spec.get("Inner Setting/Culture/Human Equality-Centeredness") is not None
    assert spec.get("Outer Setting/External Pressure/Market Pressure") is not None


# ---- finding frameworks -------------------------------------------------------------


def test_find_framework_by_key_stem_and_path(tmp_path):
    assert find_framework("npt").key == "npt"
    assert find_framework("cfir-2.0").key == "cfir-2"  # file stem works too
    path = write(
        tmp_path,
        """
        key: mine
        name: Mine
        codes:
          - name: One
        """,
        "mine.yml",
    )
    assert find_framework(str(path)).key == "mine"
    assert find_framework(str(path)).path == path


def test_unknown_key_lists_available_keys():
    with pytest.raises(FrameworkError) as info:
        find_framework("consort")
    message = str(info.value)
    assert "unknown framework 'consort'" in message
    for key in ("modified-parihs", "parihs-original", "i-parihs", "cfir-2", "npt"):
        assert key in message


def test_frameworks_dir_can_be_overridden(tmp_path, monkeypatch):
    write(tmp_path, "key: solo\nname: Solo\ncodes:\n  - name: A\n")
    monkeypatch.setenv("QUALCODE_FRAMEWORKS_DIR", str(tmp_path))
    assert [s.key for s in list_frameworks()] == ["solo"]


def test_duplicate_keys_between_bundled_files(tmp_path, monkeypatch):
    write(tmp_path, "key: same\nname: A\ncodes:\n  - name: A\n", "a.yaml")
    write(tmp_path, "key: same\nname: B\ncodes:\n  - name: B\n", "b.yaml")
    monkeypatch.setenv("QUALCODE_FRAMEWORKS_DIR", str(tmp_path))
    with pytest.raises(FrameworkError, match="also used by a.yaml"):
        list_frameworks()


# ---- errors: each names the file and the right line ---------------------------------

VALID_HEAD = """\
key: test
name: Test
codes:
"""


def test_message_format_is_file_line_column_problem_hint(tmp_path):
    path = write(tmp_path, VALID_HEAD + '  - name: A\n    color: "#123456"\n')
    err = error_for(path)
    assert str(err) == (f"{path}:5:5: unknown key 'color' on a code. Did you mean 'colour'?")
    assert (err.file, err.line, err.column) == (path, 5, 5)
    assert isinstance(err, ValueError)


def test_yaml_syntax_error(tmp_path):
    path = write(tmp_path, VALID_HEAD + "  - name: A\n    definition: 'unclosed\n  - name: B\n")
    err = error_for(path)
    assert "fw.yaml:" in str(err) and "YAML syntax error" in str(err)
    assert err.line in (5, 7)  # the scanner names where the quoted text runs out


def test_tab_indentation(tmp_path):
    path = write(tmp_path, VALID_HEAD + "  - name: A\n\tdefinition: x\n")
    err = error_for(path)
    assert "fw.yaml:5:1:" in str(err) and "tabs" in str(err)


def test_top_level_must_be_a_mapping(tmp_path):
    err = error_for(write(tmp_path, "# comment\n- just\n- a list\n"))
    assert "fw.yaml:2:1: the top level must be a mapping" in str(err)


def test_missing_required_keys(tmp_path):
    err = error_for(write(tmp_path, "# header\nversion: '1'\n"))
    assert len(err.problems) == 3
    for key in ("key", "name", "codes"):
        assert "fw.yaml:2:1:" in str(problem(err, f"missing '{key}'"))


def test_bad_key_slug(tmp_path):
    err = error_for(write(tmp_path, "name: X\nkey: My Framework\ncodes:\n  - name: A\n"))
    assert "fw.yaml:2:6: key 'My Framework' is not a slug" in str(err)


def test_unknown_key_on_code_suggests_closest(tmp_path):
    path = write(
        tmp_path,
        VALID_HEAD + "  - name: A\n    children:\n      - name: B\n        definiton: typo\n",
    )
    assert "fw.yaml:7:9: unknown key 'definiton' on a code. Did you mean 'definition'?" in str(
        error_for(path)
    )


def test_unknown_top_level_key(tmp_path):
    err = error_for(write(tmp_path, "key: a\nname: A\ndescripton: x\ncodes:\n  - name: A\n"))
    assert "fw.yaml:3:1:" in str(err) and "'description'" in str(err)


def test_missing_and_empty_code_name(tmp_path):
    path = write(tmp_path, VALID_HEAD + "  - definition: no name\n  - name: ''\n")
    err = error_for(path)
    assert [(p.line, p.problem) for p in err.problems] == [
        (4, "code has no name"),
        (5, "code has no name"),
    ]
    assert "fw.yaml:4:5:" in str(err)


def test_slash_in_name(tmp_path):
    err = error_for(write(tmp_path, VALID_HEAD + "  - name: A\n  - name: Access/authority\n"))
    assert "fw.yaml:5:11: code name 'Access/authority' contains '/'" in str(err)


def test_duplicate_sibling_names_name_both_lines(tmp_path):
    path = write(tmp_path, VALID_HEAD + "  - name: Culture\n  - name: Other\n  - name: culture\n")
    err = error_for(path)
    assert "fw.yaml:6:5: duplicate name 'culture'" in str(err) and "line 4" in str(err)


def test_same_name_under_different_parents_is_fine(tmp_path):
    path = write(
        tmp_path,
        VALID_HEAD + "  - name: A\n    children: [{name: X}]\n"
        "  - name: B\n    children: [{name: X}]\n",
    )
    assert [c.path_str for c in load_framework(path).walk()] == ["A", "A/X", "B", "B/X"]


def test_duplicate_shortcuts_name_both_lines(tmp_path):
    path = write(
        tmp_path,
        VALID_HEAD + "  - name: A\n    shortcut: c\n  - name: B\n"
        "    children:\n      - name: C\n        shortcut: c\n",
    )
    err = error_for(path)
    assert "fw.yaml:9:19: shortcut 'c' is already used by 'A' on line 5" in str(err)


def test_shortcut_longer_than_one_character(tmp_path):
    err = error_for(write(tmp_path, VALID_HEAD + "  - name: A\n    shortcut: cu\n"))
    assert "fw.yaml:5:15: shortcut 'cu' must be exactly one character" in str(err)


@pytest.mark.parametrize("key", ["C", "?", "+", "é"])
def test_odd_shortcuts(tmp_path, key):
    err = error_for(write(tmp_path, VALID_HEAD + f"  - name: A\n    shortcut: '{key}'\n"))
    assert "fw.yaml:5:15: shortcut" in str(err)


def test_bad_colour(tmp_path):
    err = error_for(write(tmp_path, VALID_HEAD + "  - name: A\n    colour: blue\n"))
    assert "fw.yaml:5:13: colour 'blue' is not a #rrggbb hex colour" in str(err)


def test_unquoted_colour_explains_the_comment(tmp_path):
    err = error_for(write(tmp_path, VALID_HEAD + "  - name: A\n    colour: #1f77b4\n"))
    assert "fw.yaml:5:" in str(err) and "unquoted #" in str(err)


@pytest.mark.parametrize("value", ["'false'", "nope", "0", "[true]"])
def test_codable_must_be_boolean(tmp_path, value):
    err = error_for(write(tmp_path, VALID_HEAD + f"  - name: A\n    codable: {value}\n"))
    assert "fw.yaml:5:14: 'codable' must be true or false" in str(err)


def test_children_must_be_a_list(tmp_path):
    path = write(tmp_path, VALID_HEAD + "  - name: A\n    children:\n      name: B\n")
    assert "fw.yaml:6:7: 'children' must be a list of codes" in str(error_for(path))


def test_codes_must_be_a_non_empty_list(tmp_path):
    err = error_for(write(tmp_path, VALID_HEAD[:-1] + " []\n"))
    assert "fw.yaml:3:8: 'codes' is empty" in str(err)
    err = error_for(write(tmp_path, VALID_HEAD[:-1] + " Culture\n"))
    assert "fw.yaml:3:8: 'codes' must be a list of codes" in str(err)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path, text):
    err = error_for(write(tmp_path, text))
    assert "fw.yaml:1:1: the file is empty" in str(err)


def test_not_utf8_names_line_and_byte_offset(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("key: x\nname: Caf\u00e9\ncodes: []\n".encode("latin-1"))
    err = error_for(path)
    assert "latin1.yaml:2:10: not UTF-8 text (byte 0xe9 at offset 16)" in str(err)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfkey: x\nname: Caf\xc3\xa9\ncodes:\n  - name: A\n")
    assert load_framework(path).name == "Caf\u00e9"


def test_not_a_yaml_file(tmp_path):
    path = write(tmp_path, "key: x\n", "framework.json")
    err = error_for(path)
    assert str(err).startswith(f"{path}: not a .yaml or .yml file.")
    assert err.line is None


def test_missing_file(tmp_path):
    assert "cannot read the file" in str(error_for(tmp_path / "nope.yaml"))


def test_all_problems_collected_in_line_order(tmp_path):
    path = write(
        tmp_path,
        """
        key: Bad Key
        name: X
        codes:
          - name: A/B
            colour: red
          - name: C
            codable: maybe
            children: 3
        """,
    )
    err = error_for(path)
    assert [p.line for p in err.problems] == [1, 4, 5, 7, 8]
    assert err.problems[0] is err and "Bad Key" in str(err)
    assert all(p.file == path for p in err.problems)


def test_duplicate_mapping_key_is_reported(tmp_path):
    err = error_for(write(tmp_path, VALID_HEAD + "  - name: A\n    name: B\n"))
    assert "fw.yaml:5:5: 'name' appears twice on a code (also on line 4)" in str(err)


def test_valid_minimal_file_defaults(tmp_path):
    spec = load_framework(
        write(
            tmp_path,
            VALID_HEAD + "  - name: A\n    codable: no\n    colour: '#ABCDEF'\n    shortcut: 7\n",
        )
    )
    (code,) = spec.codes
    assert (spec.version, spec.description, spec.source) == ("", "", "")
    assert (code.codable, code.colour, code.shortcut, code.children) == (False, "#abcdef", "7", ())
    assert (code.definition, code.include, code.exclude, code.line) == ("", "", "", 4)
