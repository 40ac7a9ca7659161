"""Word tables written as XML text and streamed into the .docx, so memory stays flat.

python-docx keeps the whole document as lxml trees (about a megabyte per case of a
framework chart). Here python-docx still makes the template (styles, title page,
headings, sections, footer) with a placeholder paragraph where each big table goes;
:func:`save_with_tables` then copies the template's parts into the output zip and
writes ``word/document.xml`` itself, pouring each table in from a temporary file.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from docx.shared import Length

from qualcode.export.docx_tools import paragraph_xml

DOCUMENT_PART = "word/document.xml"
_SLOT_TEXT = "qualcode-table-slot-{}"
_SLOT_RE = re.compile(rb"<w:p>\s*<w:r>\s*<w:t>qualcode-table-slot-(\d+)</w:t>\s*</w:r>\s*</w:p>")


def add_table_slot(doc: Any, n: int) -> None:
    """A placeholder paragraph that :func:`save_with_tables` replaces with table ``n``."""
    doc.add_paragraph(_SLOT_TEXT.format(n))


def twips(widths: Sequence[Length]) -> list[int]:
    """Column widths in twentieths of a point, as the table grid wants them."""
    return [int(w.twips) for w in widths]


def table_start(widths: Sequence[int]) -> str:
    """``w:tbl`` up to its first row: the grid style, fixed layout and column grid."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/>'
        '<w:tblLayout w:type="fixed"/><w:tblLook w:firstColumn="1" w:firstRow="1" '
        'w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    )


TABLE_END = "</w:tbl>"


def cell_xml(
    width: int, paragraphs: Sequence[str], *, fill: str | None = None, span: int = 1
) -> str:
    """A ``w:tc`` of paragraphs made by :func:`paragraph_xml` (at least one, maybe empty)."""
    pr = f'<w:tcW w:type="dxa" w:w="{width}"/>'
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if fill:
        pr += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{''.join(paragraphs) or '<w:p/>'}</w:tc>"


def row_xml(cells: Sequence[str], *, header: bool = False, keep_together: bool = False) -> str:
    """A ``w:tr`` of cells; a header row repeats on every page, a kept row never splits."""
    flags = ('<w:cantSplit w:val="true"/>' if keep_together else "") + (
        '<w:tblHeader w:val="true"/>' if header else ""
    )
    pr = f"<w:trPr>{flags}</w:trPr>" if flags else ""
    return f"<w:tr>{pr}{''.join(cells)}</w:tr>"


def text_cell(width: int, runs: Sequence[Any], **kw: Any) -> str:
    """A cell of one paragraph of styled runs."""
    return cell_xml(width, [paragraph_xml(runs)], **kw)


def table_file() -> IO[bytes]:
    """A temporary file for one table's XML (on disk: a chart can be hundreds of megabytes)."""
    return tempfile.TemporaryFile(prefix="qualcode-table-")


def save_with_tables(doc: Any, out: Path, tables: Sequence[IO[bytes]]) -> None:
    """Save ``doc`` to ``out`` with table ``n`` (XML in ``tables[n]``) at slot ``n``."""
    template = BytesIO()
    doc.save(template)
    with (
        zipfile.ZipFile(template) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename != DOCUMENT_PART:
                dst.writestr(info, src.read(info.filename), zipfile.ZIP_DEFLATED)
                continue
            body = src.read(info.filename)
            pieces = _SLOT_RE.split(body)
            slots = [int(n) for n in pieces[1::2]]
            if slots != list(range(len(tables))):
                raise RuntimeError(f"table slots {slots} do not match {len(tables)} tables")
            with dst.open(DOCUMENT_PART, "w", force_zip64=True) as part:
                for n, text in enumerate(pieces[0::2]):
                    part.write(text)
                    if n < len(tables):
                        tables[n].seek(0)
                        shutil.copyfileobj(tables[n], part, 1 << 20)
