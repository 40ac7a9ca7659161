"""The text of a .docx body, block by block, read straight from its XML.

This follows python-docx's rules (``Document.iter_inner_content()`` order;
``Paragraph.text``: runs and hyperlinks, tab -> ``\\t``, line break -> ``\\n``;
a table cell's text is its paragraphs joined by ``\\n``) but parses only the main
document part: opening a file with ``docx.Document`` parses every part (styles,
numbering, settings...) and costs ~20 ms per transcript, which alone would hold
a batch import well below the sentencizer's pace. Unlike python-docx it also
keeps tracked insertions and content controls (text Word shows) and drops
tracked deletions.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

MAX_PART_BYTES = 256 * 2**20  # a transcript's document.xml is a few MB at most
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
)


class DocxFormatError(ValueError):
    """The package is not a readable Word document; the message says why."""


def main_part_name(z: zipfile.ZipFile) -> str:
    """The main document part, from the package relationships (usually word/document.xml)."""
    try:
        rels = etree.fromstring(z.read("_rels/.rels"), _PARSER)
    except KeyError:
        return "word/document.xml"
    for rel in rels.iter(f"{_REL_NS}Relationship"):
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT):
            return posixpath.normpath((rel.get("Target") or "").lstrip("/"))
    raise DocxFormatError("the package has no main document: is this a Word file?")


@dataclass
class DocxTable:
    """A body table as read: its block number, cells row by row, rows with merged cells."""

    block: int  # index in body_blocks()
    rows: list[list[str]]
    merged_rows: list[int] = field(default_factory=list)  # 0-based rows with merged cells


def body_blocks(path: str | Path) -> list[str]:
    """Each paragraph's text, and each table as rows of tab-joined cells, in body order."""
    return read_body(path)[0]


def read_body(path: str | Path) -> tuple[list[str], list[DocxTable]]:
    """``body_blocks`` and the tables among them, cell by cell."""
    try:
        with zipfile.ZipFile(path) as z:
            name = main_part_name(z)
            try:
                info = z.getinfo(name)
            except KeyError:
                raise DocxFormatError(f"no {name} inside: is this a Word file?") from None
            if info.file_size > MAX_PART_BYTES:
                raise DocxFormatError(f"{name} is {info.file_size // 2**20} MB uncompressed")
            root = etree.fromstring(z.read(info), _PARSER)
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise DocxFormatError(f"damaged zip package: {e}") from e
    except etree.XMLSyntaxError as e:
        if "huge text node" in str(e) or "Text node too long" in str(e):  # lxml: 10 MB a node
            raise DocxFormatError(
                "a single run of text is over 10 MB: this is not a "
                "transcript's paragraph; split the text into paragraphs"
            ) from e
        raise DocxFormatError(f"damaged document XML: {e}") from e
    _refuse_entities(root, name)
    w = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    body = root.find(f"{w}body")
    if body is None:
        raise DocxFormatError("the document has no body")
    walker = _Walker(w)
    return list(walker.blocks(body)), walker.tables


def _refuse_entities(root: etree._Element, part: str) -> None:
    """Refuse XML entities: never expanded (safety), and skipping them would lose text."""
    refs = [e.text or "" for e in root.iter(etree.Entity)]
    if refs or root.getroottree().docinfo.internalDTD is not None:
        shown = f" ({', '.join(dict.fromkeys(refs))})" if refs else ""
        raise DocxFormatError(
            f"{part} has XML entities{shown}, which Word never writes; "
            "they are not expanded and the text around them would be lost"
        )


class _Walker:
    def __init__(self, w: str) -> None:
        self.p, self.tbl, self.tr, self.tc = f"{w}p", f"{w}tbl", f"{w}tr", f"{w}tc"
        self.t, self.br, self.type = f"{w}t", f"{w}br", f"{w}type"
        self.leaf = {f"{w}tab": "\t", f"{w}ptab": "\t", f"{w}cr": "\n", f"{w}noBreakHyphen": "-"}
        # Inline wrappers whose runs are text the reader sees.
        self.inline = {
            f"{w}{n}"
            for n in (
                "r",
                "hyperlink",
                "ins",
                "smartTag",
                "fldSimple",
                "sdt",
                "sdtContent",
                "customXml",
                "dir",
                "bdo",
            )
        }
        self.block_wrappers = {f"{w}{n}" for n in ("sdt", "sdtContent", "customXml")}
        self.tc_pr, self.grid_span, self.v_merge = f"{w}tcPr", f"{w}gridSpan", f"{w}vMerge"
        self.val = f"{w}val"
        self.tables: list[DocxTable] = []
        self.count = 0

    def blocks(self, container: etree._Element) -> Iterator[str]:
        for el in container:
            if el.tag == self.p:
                self.count += 1
                yield self.paragraph(el)
            elif el.tag == self.tbl:
                self.count += 1
                yield self.table(el)
            elif el.tag in self.block_wrappers:
                yield from self.blocks(el)

    def paragraph(self, p: etree._Element) -> str:
        out: list[str] = []
        self._inline(p, out)
        return "".join(out)

    def _inline(self, el: etree._Element, out: list[str]) -> None:
        for child in el:
            tag = child.tag
            if tag == self.t:
                out.append(child.text or "")
            elif tag in self.inline:
                self._inline(child, out)
            elif tag == self.br:
                if child.get(self.type, "textWrapping") == "textWrapping":
                    out.append("\n")
            elif tag in self.leaf:
                out.append(self.leaf[tag])

    def table(self, tbl: etree._Element) -> str:
        rows, table = [], DocxTable(self.count - 1, [])
        for r, tr in enumerate(self._children(tbl, self.tr)):
            cells = []
            for tc in self._children(tr, self.tc):
                cells.append("\n".join(self.paragraph(p) for p in self._children(tc, self.p)))
                if self._merged(tc) and (not table.merged_rows or table.merged_rows[-1] != r):
                    table.merged_rows.append(r)
            table.rows.append(cells)
            rows.append("\t".join(cells))
        self.tables.append(table)
        return "\n".join(rows)

    def _merged(self, tc: etree._Element) -> bool:
        pr = tc.find(self.tc_pr)
        if pr is None:
            return False
        span = pr.find(self.grid_span)
        return pr.find(self.v_merge) is not None or (
            span is not None and (span.get(self.val) or "1") != "1"
        )

    def _children(self, el: etree._Element, tag: str) -> Iterator[etree._Element]:
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in self.block_wrappers:
                yield from self._children(child, tag)
