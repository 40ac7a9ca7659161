"""Building QDA-XML elements (schema order, XML-safe text, valid GUIDs and values).

The standard's schemas are strict about element order and value formats; the
helpers here are the one place that knows them, so ``refi_write_project`` can
stay a plain walk over the project.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from importlib.metadata import version
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from qualcode.analysis.code_tree import CodeInfo
from qualcode.exchange import refi_extensions as ext
from qualcode.exchange.refi_guids import GuidMaker

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

_XML_UNSAFE = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_COLOUR_RE = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def xml_text(value: object) -> str:
    """Text XML 1.0 can hold (control characters other than tab/newline are dropped)."""
    if not isinstance(value, str):
        return str(value)
    if value.isascii() and value.isprintable():  # GUIDs, numbers, dates: the common case
        return value
    return _XML_UNSAFE.sub("", value)


def el(
    parent: Element | None,
    tag: str,
    attrs: dict[str, object | None] | None = None,
    text: str | None = None,
) -> Element:
    """A child element with the attributes that are not None (values made XML-safe)."""
    clean = {k: xml_text(v) for k, v in attrs.items() if v is not None} if attrs else {}
    node = Element(tag, clean) if parent is None else SubElement(parent, tag, clean)
    if text is not None:
        node.text = xml_text(text)
    return node


def colour(value: str | None) -> str | None:
    return value.strip() if value and _COLOUR_RE.match(value.strip()) else None


def date_time(value: datetime | None) -> str | None:
    """xsd:dateTime in UTC, to the second (stored naive times are UTC)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def decimal_text(value: float) -> str:
    """xsd:decimal has no exponent: 1e-07 -> 0.0000001."""
    text = format(Decimal(repr(float(value))), "f")
    return text.removesuffix(".0")


def variable_type(values: list[object]) -> str:
    """Integer if every value is a whole number, Float if all numbers, else Text."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not values or len(numbers) != len(values):
        return "Text"
    return "Integer" if all(float(v).is_integer() for v in numbers) else "Float"


def variable_value(parent: Element, var_guid: str, var_type: str, value: object) -> None:
    node = el(parent, "VariableValue")
    el(node, "VariableRef", {"targetGUID": var_guid})
    if var_type == "Integer":
        el(node, "IntegerValue", text=str(int(float(value))))  # type: ignore[arg-type]
    elif var_type == "Float":
        el(node, "FloatValue", text=decimal_text(float(value)))  # type: ignore[arg-type]
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        el(node, "TextValue", text=str(value))


def preview(text: str, limit: int = 60) -> str:
    """A selection's name as ATLAS.ti writes it: the start of its text."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def producer() -> str:
    try:
        return f"qualcode {version('qualcode')}"
    except Exception:
        return "qualcode"


def code_description(c: CodeInfo) -> str:
    meta: list[tuple[str, str]] = []
    if c.inclusion:
        meta.append(("inclusion", c.inclusion))
    if c.exclusion:
        meta.append(("exclusion", c.exclusion))
    if c.origin == "framework":
        meta.append(("origin", "framework"))
    if c.framework:
        meta.append(("framework", c.framework))
    if c.shortcut:
        meta.append(("shortcut", c.shortcut))
    return ext.compose(c.definition or "", meta)


def codebook_element(
    parent: Element,
    codes: list[CodeInfo],
    guids: GuidMaker,
    note_refs: dict[int, list[str]] | None = None,
) -> dict[int, str]:
    """<Codes> with the tree nested; returns code id -> GUID."""
    container = el(parent, "Codes")
    nodes: dict[int, Element] = {}
    out: dict[int, str] = {}
    for c in codes:
        out[c.id] = guids.of(c.guid, "code", c.id)
        holder = nodes.get(c.parent_id) if c.parent_id is not None else container
        node = el(
            holder if holder is not None else container,
            "Code",
            {
                "guid": out[c.id],
                "name": c.name,
                "isCodable": "true" if c.codable else "false",
                "color": colour(c.colour),
            },
        )
        desc = code_description(c)
        if desc:
            el(node, "Description", text=desc)
        for ref in (note_refs or {}).get(c.id, []):
            el(node, "NoteRef", {"targetGUID": ref})
        nodes[c.id] = node
    return out


def xml_bytes(root: Element) -> bytes:
    indent(root, space="  ")
    body = tostring(root, encoding="unicode")  # much faster than encoding="utf-8" for big trees
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")
