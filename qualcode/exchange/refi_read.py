"""QDA-XML (already parsed) to plain records: what a project or codebook file says.

Nothing here touches the database or reads source files; ``refi_store`` does
that. Elements we cannot use (pictures, audio, video, sets, links, graphs) are
counted in ``skipped`` so the import report can say what was left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from qualcode.errors import InvalidInputError
from qualcode.exchange.refi_guids import guid_key


@dataclass
class RefiUser:
    guid: str
    name: str


@dataclass
class RefiCode:
    guid: str
    name: str
    codable: bool
    colour: str | None
    description: str
    note_refs: list[str] = field(default_factory=list)
    children: list[RefiCode] = field(default_factory=list)


@dataclass
class RefiVariable:
    guid: str
    name: str
    type: str  # Text | Boolean | Integer | Float | Date | DateTime


@dataclass
class RefiValue:
    variable: str  # variable GUID key
    value: int | float | str


@dataclass
class RefiCoding:
    guid: str
    code: str  # code GUID key
    user: str | None
    created: datetime | None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    guid: str
    name: str
    start: int
    end: int
    description: str
    user: str | None
    created: datetime | None
    codings: list[RefiCoding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiTextSource:
    guid: str
    name: str
    kind: str  # "text" | "pdf"
    plain_text_path: str | None
    inline_text: str | None
    rich_text_path: str | None
    description: str
    user: str | None
    created: datetime | None
    selections: list[RefiSelection] = field(default_factory=list)
    whole_codings: list[RefiCoding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    values: list[RefiValue] = field(default_factory=list)
    pdf_path: str | None = (
        None  # a PDFSource's own file, for its text when no representation is usable
    )


@dataclass
class RefiCase:
    guid: str
    name: str
    description: str
    values: list[RefiValue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class RefiNote:
    guid: str
    name: str
    description: str
    inline_text: str | None
    plain_text_path: str | None
    user: str | None
    created: datetime | None


@dataclass
class RefiProjectData:
    kind: str  # "project" | "codebook"
    name: str
    origin: str
    description: str = ""
    users: list[RefiUser] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)
    variables: dict[str, RefiVariable] = field(default_factory=dict)
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiTextSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    project_note_refs: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def all_codes(self) -> list[RefiCode]:
        out: list[RefiCode] = []

        def walk(codes: list[RefiCode]) -> None:
            for c in codes:
                out.append(c)
                walk(c.children)

        walk(self.codes)
        return out


def _kids(el: Element, tag: str) -> list[Element]:
    return [c for c in el if c.tag == tag]


def _kid(el: Element, tag: str) -> Element | None:
    return next((c for c in el if c.tag == tag), None)


def _text(el: Element | None) -> str:
    return (el.text or "") if el is not None else ""


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _int(el: Element, attr: str, where: str) -> int:
    raw = el.get(attr)
    try:
        return int(str(raw).strip())
    except ValueError:
        raise InvalidInputError(
            f"{where}: {el.tag} {el.get('guid')!r} has {attr}={raw!r}, which is not a whole number."
        ) from None


def _refs(el: Element, tag: str = "NoteRef") -> list[str]:
    return [guid_key(r.get("targetGUID")) for r in _kids(el, tag)]


def _codings(el: Element) -> list[RefiCoding]:
    out = []
    for c in _kids(el, "Coding"):
        ref = _kid(c, "CodeRef")
        if ref is None:
            continue
        out.append(
            RefiCoding(
                guid_key(c.get("guid")),
                guid_key(ref.get("targetGUID")),
                guid_key(c.get("creatingUser")) or None,
                parse_datetime(c.get("creationDateTime")),
                _refs(c),
            )
        )
    return out


MAX_CODE_DEPTH = 100  # codebooks are a handful of levels deep; deeper is a damaged file


def _check_depth(codes: Element | None, where: str) -> None:
    """Refuse absurdly deep code trees before anything recurses into them."""
    if codes is None:
        return
    stack = [(c, 1) for c in _kids(codes, "Code")]
    while stack:
        el, depth = stack.pop()
        if depth > MAX_CODE_DEPTH:
            raise InvalidInputError(
                f"{where}: codes are nested more than {MAX_CODE_DEPTH} levels deep (at code "
                f"{el.get('name')!r}, GUID {el.get('guid')}); the file is damaged or not a real "
                "codebook, so nothing was imported. Flatten the code tree in the program that "
                "made it and export again."
            )
        stack += [(c, depth + 1) for c in _kids(el, "Code")]


# ATLAS.ti gives a PDF's text-like area one GUID as a PDFSelection and again as the
# PlainTextSelection of its text representation: that pair is one thing, not a clash.
_SAME_THING = frozenset({"PDFSelection", "PlainTextSelection"})


def check_guid_collisions(root: Element, where: str) -> None:
    """Refuse a file in which two different elements claim one GUID.

    References (a coding's code, a case's sources, a note's target) are made by
    GUID; with two owners we cannot tell which one is meant, and keeping both
    would export the clash again. Names both owners so the user can fix it.
    """
    owners: dict[str, list[Element]] = {}
    for el in root.iter():
        raw = el.get("guid")
        if raw and not el.tag.startswith("Member"):  # a codebook's set members refer by "guid"
            owners.setdefault(guid_key(raw), []).append(el)
    clashes = [
        (g, els)
        for g, els in owners.items()
        if len(els) > 1 and not (len(els) == 2 and {e.tag for e in els} == _SAME_THING)
    ]
    if not clashes:
        return

    def who(el: Element) -> str:
        return f"{el.tag} {el.get('name')!r}" if el.get("name") else el.tag

    guid, els = clashes[0]
    more = f" (and {len(clashes) - 1} more GUIDs used twice)" if len(clashes) > 1 else ""
    raise InvalidInputError(
        f"{where}: GUID {guid} is used by {len(els)} elements "
        f"({', '.join(who(e) for e in els[:3])}){more}, so references to it "
        "are ambiguous; nothing was imported. Export the project again from "
        "the program that made it, or give each element its own GUID."
    )


def _code(el: Element) -> RefiCode:
    codable = (el.get("isCodable") or "true").strip().lower() in ("true", "1")
    return RefiCode(
        guid_key(el.get("guid")),
        el.get("name") or "",
        codable,
        el.get("color"),
        _text(_kid(el, "Description")),
        _refs(el),
        [_code(k) for k in _kids(el, "Code")],
    )


def _value(el: Element) -> RefiValue | None:
    ref = _kid(el, "VariableRef")
    if ref is None:
        return None
    for tag in (
        "TextValue",
        "BooleanValue",
        "IntegerValue",
        "FloatValue",
        "DateValue",
        "DateTimeValue",
    ):
        v = _kid(el, tag)
        if v is None:
            continue
        raw = (v.text or "").strip() if tag != "TextValue" else (v.text or "")
        value: int | float | str = raw
        try:
            if tag == "IntegerValue":
                value = int(raw)
            elif tag == "FloatValue":
                value = float(raw)
        except ValueError:
            value = raw
        return RefiValue(guid_key(ref.get("targetGUID")), value)
    return None


def _values(el: Element) -> list[RefiValue]:
    return [v for v in (_value(x) for x in _kids(el, "VariableValue")) if v is not None]


def _selection(el: Element, where: str) -> RefiSelection:
    return RefiSelection(
        guid_key(el.get("guid")),
        el.get("name") or "",
        _int(el, "startPosition", where),
        _int(el, "endPosition", where),
        _text(_kid(el, "Description")),
        guid_key(el.get("creatingUser")) or None,
        parse_datetime(el.get("creationDateTime")),
        _codings(el),
        _refs(el),
    )


def _source_name(el: Element, *paths: str | None) -> str:
    """The source's name; qualitative-coding writes none, so its file name (stem) stands in."""
    name = (el.get("name") or "").strip()
    if name:
        return name
    for path in paths:
        if path:
            tail = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
            stem = tail.rsplit(".", 1)[0] if "." in tail[1:] else tail
            if stem.strip():
                return stem.strip()
    return el.get("guid") or "source"


def _text_source(el: Element, kind: str, name: str, where: str) -> RefiTextSource:
    content = _kid(el, "PlainTextContent")
    return RefiTextSource(
        guid_key(el.get("guid")),
        name,
        kind,
        el.get("plainTextPath"),
        content.text or "" if content is not None else None,
        el.get("richTextPath"),
        _text(_kid(el, "Description")),
        guid_key(el.get("creatingUser")) or None,
        parse_datetime(el.get("creationDateTime")),
        [_selection(s, where) for s in _kids(el, "PlainTextSelection")],
        _codings(el),
        _refs(el),
        _values(el),
    )


def _count_codings(el: Element) -> int:
    return sum(1 for x in el.iter("Coding"))


def _listed(root: Element, container: str, item: str) -> list[Element]:
    """The ``<item>`` children of ``root``'s ``<container>``; none when the container is absent."""
    el = _kid(root, container)
    return _kids(el, item) if el is not None else []


_SKIPPED_SOURCE_LABELS = {
    "PictureSource": "picture source",
    "AudioSource": "audio source",
    "VideoSource": "video source",
}


def _pdf_source(el: Element, data: RefiProjectData, name: str, where: str) -> RefiTextSource:
    """A ``<PDFSource>``: its text representation if it has one, else the PDF's own text.

    Page-area selections and whole-PDF codings cannot be stored; they are counted as skipped.
    """
    rep = _kid(el, "Representation")
    in_text = (
        {guid_key(s.get("guid")) for s in rep.iter("PlainTextSelection")}
        if rep is not None
        else set()
    )
    # ATLAS.ti writes a text selection in the representation for each text-like area;
    # only the areas without one are lost.
    pdf_sels = [s for s in _kids(el, "PDFSelection") if guid_key(s.get("guid")) not in in_text]
    if pdf_sels:
        data.skipped["PDF selection by page area"] += len(pdf_sels)
        data.skipped["coding on a PDF page area"] += sum(_count_codings(s) for s in pdf_sels)
    if _kids(el, "Coding"):
        data.skipped["coding of a whole PDF"] += len(_kids(el, "Coding"))
    if rep is not None:
        src = _text_source(rep, "pdf", name, where)
        src.note_refs += _refs(el)
        src.values += _values(el)
    else:  # no text representation: the PDF's own text, if it can be extracted
        src = RefiTextSource(
            guid_key(el.get("guid")),
            name,
            "pdf",
            None,
            None,
            None,
            _text(_kid(el, "Description")),
            guid_key(el.get("creatingUser")) or None,
            parse_datetime(el.get("creationDateTime")),
            note_refs=_refs(el),
            values=_values(el),
        )
    src.pdf_path = el.get("path")
    return src


def _skip_media_source(el: Element, data: RefiProjectData) -> None:
    """Pictures, audio and video are not imported: count them and the codings on them."""
    label = _SKIPPED_SOURCE_LABELS.get(el.tag, el.tag)
    data.skipped[label] += 1
    n = _count_codings(el)
    if n:
        data.skipped[f"coding on {'an' if label[0] in 'aeiou' else 'a'} {label}"] += n


def _sources(root: Element, data: RefiProjectData, where: str) -> None:
    sources = _kid(root, "Sources")
    if sources is None:
        return
    for el in sources:
        name = _source_name(el, el.get("plainTextPath"), el.get("richTextPath"), el.get("path"))
        if el.tag == "TextSource":
            data.sources.append(_text_source(el, "text", name, where))
        elif el.tag == "PDFSource":
            data.sources.append(_pdf_source(el, data, name, where))
        else:
            _skip_media_source(el, data)


def _users(root: Element) -> list[RefiUser]:
    return [
        RefiUser(guid_key(u.get("guid")), (u.get("name") or u.get("id") or "").strip())
        for u in _listed(root, "Users", "User")
    ]


def _codebook(root: Element, where: str) -> list[RefiCode]:
    """The code tree of the project's ``<CodeBook>`` (refused when nested too deep)."""
    book = _kid(root, "CodeBook")
    codes = _kid(book, "Codes") if book is not None else None
    _check_depth(codes, where)
    return [_code(c) for c in _kids(codes, "Code")] if codes is not None else []


def _variables(root: Element) -> dict[str, RefiVariable]:
    out: dict[str, RefiVariable] = {}
    for v in _listed(root, "Variables", "Variable"):
        var = RefiVariable(
            guid_key(v.get("guid")),
            (v.get("name") or "").strip(),
            (v.get("typeOfVariable") or "Text").strip(),
        )
        out[var.guid] = var
    return out


def _cases(root: Element, data: RefiProjectData) -> None:
    """Cases with their values and sources; code and selection links are counted as skipped."""
    for c in _listed(root, "Cases", "Case"):
        data.cases.append(
            RefiCase(
                guid_key(c.get("guid")),
                (c.get("name") or "").strip(),
                _text(_kid(c, "Description")),
                _values(c),
                _refs(c, "SourceRef"),
            )
        )
        if _kids(c, "CodeRef"):
            data.skipped["code linked to a case"] += len(_kids(c, "CodeRef"))
        if _kids(c, "SelectionRef"):
            data.skipped["selection linked to a case"] += len(_kids(c, "SelectionRef"))


def _note(n: Element) -> RefiNote:
    content = _kid(n, "PlainTextContent")
    return RefiNote(
        guid_key(n.get("guid")),
        n.get("name") or "",
        _text(_kid(n, "Description")),
        content.text or "" if content is not None else None,
        n.get("plainTextPath"),
        guid_key(n.get("creatingUser")) or None,
        parse_datetime(n.get("creationDateTime")),
    )


def _skip_unused_parts(root: Element, data: RefiProjectData) -> None:
    """Sets, links and graphs have no place in the project: count them for the report."""
    for tag, label, child in (
        ("Sets", "set", "Set"),
        ("Links", "link", "Link"),
        ("Graphs", "graph", "Graph"),
    ):
        n = len(_listed(root, tag, child))
        if n:
            data.skipped[label] += n


def read_project(root: Element, where: str) -> RefiProjectData:
    """Everything usable in a ``<Project>`` element."""
    if root.tag != "Project":
        raise InvalidInputError(
            f"{where}: the XML root is <{root.tag}>, not <Project>; this is "
            "not a REFI-QDA project file."
        )
    check_guid_collisions(root, where)
    data = RefiProjectData(
        "project",
        root.get("name") or "",
        root.get("origin") or "",
        _text(_kid(root, "Description")),
    )
    data.users.extend(_users(root))
    data.codes = _codebook(root, where)
    data.variables.update(_variables(root))
    _cases(root, data)
    _sources(root, data, where)
    data.notes.extend(_note(n) for n in _listed(root, "Notes", "Note"))
    data.project_note_refs = _refs(root)
    _skip_unused_parts(root, data)
    return data


def nest_dotted(codes: list[RefiCode]) -> list[RefiCode]:
    """Taguette's flat tags ``interesting.fun`` as a tree: ``fun`` under ``interesting``.

    Taguette keeps its hierarchy in the tag path (a tag's highlights include those of
    every tag whose path starts with it) and writes every tag as a top-level Code
    named by its full path. A parent that is not itself a tag becomes a folder.
    """
    top: list[RefiCode] = []
    by_path: dict[str, RefiCode] = {}
    for code in sorted(codes, key=lambda c: c.name.count(".")):
        parts = code.name.split(".")
        if len(parts) == 1 or any(not p.strip() for p in parts) or code.children:
            top.append(code)
            by_path.setdefault(code.name, code)
            continue
        siblings, path = top, ""
        for part in parts[:-1]:
            path = f"{path}.{part}" if path else part
            parent = by_path.get(path)
            if parent is None:
                parent = RefiCode("", part, False, None, "")
                siblings.append(parent)
                by_path[path] = parent
            siblings = parent.children
        code.name = parts[-1]
        siblings.append(code)
        by_path.setdefault(".".join(parts), code)
    return top


def read_codebook(root: Element, where: str) -> RefiProjectData:
    """The codes of a ``<CodeBook>`` (.qdc) file."""
    if root.tag == "Project":
        raise InvalidInputError(
            f"{where}: this is a REFI-QDA project, not a codebook (.qdc); "
            "import it as a project (.qdpx)."
        )
    if root.tag != "CodeBook":
        raise InvalidInputError(
            f"{where}: the XML root is <{root.tag}>, not <CodeBook>; this is "
            "not a REFI-QDA codebook."
        )
    check_guid_collisions(root, where)
    data = RefiProjectData("codebook", "", root.get("origin") or "")
    codes = _kid(root, "Codes")
    _check_depth(codes, where)
    data.codes = [_code(c) for c in _kids(codes, "Code")] if codes is not None else []
    if data.origin.lower().startswith("taguette"):
        data.codes = nest_dotted(data.codes)
    sets = _kid(root, "Sets")
    if sets is not None and _kids(sets, "Set"):
        data.skipped["code set (group)"] += len(_kids(sets, "Set"))
    return data
