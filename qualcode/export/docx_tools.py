"""Small python-docx helpers for wide tables in Word: landscape pages, repeated header rows.

Public so every Word export (framework charts, pattern tables) lays tables out the
same way. python-docx has no API for some of these (repeating a header row,
shading a cell, a page-number field), so they set the OOXML directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from docx import Document as new_document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from lxml import etree

GREY = RGBColor(0x59, 0x59, 0x59)
HEADER_FILL = "D9E2F3"
GROUP_FILL = "EDEDED"


def set_landscape(section: Any, margin: Length = Cm(1.5)) -> Any:
    """Turn a section to landscape (swapping the page size) with even margins."""
    section.orientation = WD_ORIENT.LANDSCAPE
    width, height = section.page_width, section.page_height
    if width < height:
        section.page_width, section.page_height = height, width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, margin)
    return section


def landscape_document(base_font: str = "Calibri", size: Length = Pt(10)) -> Any:
    """A new A4 landscape document with a plain base font."""
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    set_landscape(section)
    style = doc.styles["Normal"]
    style.font.name = base_font
    style.font.size = size
    return doc


def add_landscape_section(doc: Any) -> Any:
    """Start a new landscape section on a new page (e.g. after a portrait title page)."""
    return set_landscape(doc.add_section(WD_SECTION.NEW_PAGE))


def usable_width(section: Any) -> Length:
    """The width between the margins."""
    return Emu(section.page_width - section.left_margin - section.right_margin)


def repeat_header_row(row: Any) -> None:
    """Mark a table row as a header row, repeated at the top of every page (``w:tblHeader``)."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def keep_row_together(row: Any) -> None:
    """Do not split this row across pages (``w:cantSplit``); for short rows only."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    header = tr_pr.find(qn("w:tblHeader"))  # the schema puts cantSplit before tblHeader
    if header is not None:
        header.addprevious(el)
    else:
        tr_pr.append(el)


def shade_cell(cell: Any, fill: str) -> None:
    """Fill a cell with a background colour (hex, e.g. ``D9E2F3``)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def set_column_widths(table: Any, widths: Sequence[Length]) -> None:
    """Fix the table's column widths (grid and every cell, so Word and LibreOffice agree)."""
    table.autofit = False  # w:tblLayout type="fixed"
    tbl = table._tbl
    twips = [str(int(w.twips)) for w in widths]
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=False):
        col.set(qn("w:w"), width)
    tcw, w_attr, type_attr = qn("w:tcW"), qn("w:w"), qn("w:type")
    for tr in tbl.tr_lst:
        for tc, width in zip(tr.tc_lst, twips, strict=False):
            tc_pr = tc.get_or_add_tcPr()
            el = tc_pr.find(tcw)
            if el is None:
                el = OxmlElement("w:tcW")
                tc_pr.insert(0, el)
            el.set(w_attr, width)
            el.set(type_attr, "dxa")


def add_text(
    paragraph: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: Length | None = None,
    colour: RGBColor | None = None,
) -> Any:
    """Append a run with the given look; returns the run."""
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if size is not None:
        run.font.size = size
    if colour is not None:
        run.font.color.rgb = colour
    return run


def tight(paragraph: Any, after: Length = Pt(2)) -> Any:
    """Small space after a paragraph, none before: dense but readable table cells."""
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = after
    return paragraph


def cell_paragraph(cell: Any, first: bool) -> Any:
    """The cell's own first paragraph the first time, a new one after that."""
    return tight(cell.paragraphs[0] if first else cell.add_paragraph())


def merge_row(row: Any) -> Any:
    """Merge every cell of a row into one (a group heading row); returns the merged cell."""
    cells = row.cells
    return cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]


@dataclass(frozen=True)
class RunStyle:
    """How a run of text looks: bold, italic, size in points, colour as hex (``595959``)."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    colour: str | None = None


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PLAIN = etree.XMLParser(remove_blank_text=False)
_RPR_CACHE: dict[RunStyle, str] = {}


def _rpr(style: RunStyle) -> str:
    if style not in _RPR_CACHE:
        bits = [
            "<w:b/>" if style.bold else "",
            "<w:i/>" if style.italic else "",
            f'<w:color w:val="{style.colour}"/>' if style.colour else "",
        ]
        if style.size:
            half = int(round(style.size * 2))
            bits.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
        inner = "".join(bits)
        _RPR_CACHE[style] = f"<w:rPr>{inner}</w:rPr>" if inner else ""
    return _RPR_CACHE[style]


def paragraph_xml(runs: Sequence[tuple[str, RunStyle]], after_pt: float = 2) -> str:
    """A ``w:p`` of styled runs, as XML text (one line: give each line its own paragraph)."""
    body = "".join(
        f'<w:r>{_rpr(style)}<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r>'
        for text, style in runs
    )
    return (
        f'<w:p><w:pPr><w:spacing w:before="0" w:after="{int(after_pt * 20)}"/></w:pPr>{body}</w:p>'
    )


def set_cell_paragraphs(cell: Any, paragraphs: Sequence[str]) -> None:
    """Replace a table cell's content with paragraphs made by :func:`paragraph_xml`.

    Builds the cell's XML in one parse rather than through python-docx's run API
    (which handles text a character at a time): tables of thousands of cells
    stay fast. A cell always keeps at least one (possibly empty) paragraph.
    """
    tc = cell._tc
    for old in tc.findall(qn("w:p")):
        tc.remove(old)
    xml = "".join(paragraphs) or "<w:p/>"
    wrapper = etree.fromstring(f'<w:body xmlns:w="{_W_NS}">{xml}</w:body>', _PLAIN)
    for p in list(wrapper):
        tc.append(p)


def add_page_number_footer(section: Any, text: str) -> None:
    """A footer line ``text — page N`` with a live page-number field."""
    paragraph = section.footer.paragraphs[0]
    add_text(paragraph, f"{text} — page ", size=Pt(8), colour=GREY)
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = add_text(paragraph, "1" if kind == "result" else "", size=Pt(8), colour=GREY)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
            run._r.append(el)
        elif kind != "result":
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
