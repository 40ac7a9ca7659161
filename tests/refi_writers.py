"""REFI-QDA files written the way other tools really write them (fixtures made here).

Each builder reproduces one producer's documented habits, read from that tool's
own exporter source; none of their files is copied in.

- qualitative-coding ("qc", origin ``qc 1.x``): ``refi_qda/writer.py`` writes each
  ``TextSource`` with ``plainTextPath`` set to the document's bare file name
  (``board_2017.txt``, no ``internal://``), no ``name`` attribute, the file itself in
  ``sources/`` under that name; one ``PlainTextSelection`` per coded line, named
  ``line:N``, from the line's first character to just after its newline; GUIDs made
  from an MD5 digest; no XML declaration; users by name; no dates.
- QualCoder (origin ``QualCoder 3.x``): ``refi.py`` writes sources as
  ``internal://<guid>.txt`` in UTF-8 *with a BOM* (``utf-8-sig``), optionally CRLF
  line ends for MAXQDA; a linked (external) document as
  ``richTextPath="absolute://<path>"``; categories as ``isCodable="false"`` codes
  with the codes nested inside, ``color`` as ``#RRGGBB`` and the memo as the
  ``Description``; the codebook (.qdc) is also written with a BOM.
- Taguette (origin ``Taguette x.y``): ``export.py`` writes a codebook only: every
  tag as a top-level ``Code`` named by its full path (hierarchy by dots,
  ``interesting.fun``), GUIDs uuid5 in upper case, no colours or descriptions, and
  an empty ``<Sets/>``.
- ATLAS.ti (origin ``ATLAS.ti ...``): upper-case GUIDs, ``<ProjectName>.qde``,
  ``Representation`` text for PDFs (see the real samples in ``../shared``).
- The standard itself (REFI-QDA 1.5, 8.3): ``relative:///AR/John.txt`` against the
  project's ``basePath`` and ``absolute:///...`` for files kept outside the export.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from pathlib import Path

CODE_GUID = "5215cc69-b628-4e02-afb9-9beeaee55808"


def md5_guid(text: str) -> str:
    """A GUID as qc makes one: the first 16 hex digits of an MD5, as the UUID's bytes."""
    return str(uuid.UUID(bytes=hashlib.md5(text.encode()).hexdigest()[:16].encode()))


def zip_files(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line including its newline, as qc counts them."""
    out, i = [], 0
    for line in text.splitlines(keepends=True):
        out.append((i, i + len(line)))
        i += len(line)
    return out


def qc_project(
    path: Path,
    docs: dict[str, str],
    coded: dict[str, list[tuple[int, str]]],
    include: set[str] | None = None,
) -> Path:
    """A qc export: ``docs`` name -> text; ``coded`` name -> [(line number, code name)].

    ``include`` limits which documents' files go into ``sources/`` (to make one missing).
    """
    codes = sorted({c for lines in coded.values() for _, c in lines})
    code_xml = "".join(f'<Code name="{c}" guid="{md5_guid(c)}" isCodable="true" />' for c in codes)
    sources = []
    for name, text in docs.items():
        spans = line_spans(text)
        sels = "".join(
            f'<PlainTextSelection guid="{md5_guid(f"{name}:{n}")}" name="line:{n}" '
            f'startPosition="{spans[n][0]}" endPosition="{spans[n][1]}"><Coding '
            f'guid="{md5_guid(f"{name}:{n}:cp:{c}")}" creatingUser="{md5_guid("cp")}"><CodeRef '
            f'targetGUID="{md5_guid(c)}" /></Coding></PlainTextSelection>'
            for n, c in coded.get(name, [])
        )
        sources.append(
            f'<TextSource plainTextPath="{name}" guid="{md5_guid(name)}">{sels}</TextSource>'
        )
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
        'instance" origin="qc 1.7.8" name="qc project"><Users><User name="cp" '
        f'guid="{md5_guid("cp")}" /></Users><CodeBook><Codes>{code_xml}</Codes></CodeBook>'
        f"<Sources>{''.join(sources)}</Sources></Project>"
    )
    files: dict[str, bytes | str] = {"project.qde": qde}
    for name, text in docs.items():
        if include is None or name in include:
            files[f"sources/{name}"] = text
    return zip_files(path, files)


def standard_project(
    sources: list[dict[str, str]], origin: str = "ATLAS.ti 23.4.0", base_path: str | None = None
) -> str:
    """A project.qde with one coding per source; each dict gives ``guid``, ``name``, the
    path attributes (``plainTextPath``, ``richTextPath``, or ``pdf`` for a PDFSource's
    ``path``) and ``start``/``end`` of one selection (omit them for none)."""
    items = []
    for i, src in enumerate(sources):
        sel = ""
        if "start" in src:
            sel = (
                f'<PlainTextSelection guid="00000000-0000-4000-8000-{i:012d}" '
                f'startPosition="{src["start"]}" endPosition="{src["end"]}"><Coding '
                f'guid="00000000-0000-4000-9000-{i:012d}"><CodeRef targetGUID="{CODE_GUID}"/>'
                "</Coding></PlainTextSelection>"
            )
        if "pdf" in src:
            items.append(
                f'<PDFSource guid="{src["guid"]}" name="{src["name"]}" path="{src["pdf"]}"/>'
            )
            continue
        attrs = " ".join(f'{k}="{src[k]}"' for k in ("plainTextPath", "richTextPath") if k in src)
        items.append(
            f'<TextSource guid="{src["guid"]}" name="{src["name"]}" {attrs}>{sel}</TextSource>'
        )
    base = f' basePath="{base_path}"' if base_path else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="Study" origin="{origin}"{base}><CodeBook><Codes><Code guid="{CODE_GUID}" '
        f'name="Topic" isCodable="true"/></Codes></CodeBook><Sources>{"".join(items)}'
        "</Sources></Project>"
    )


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A real .docx made with python-docx."""
    from docx import Document

    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF with the lines as real text (Helvetica), offsets in its xref table."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def qualcoder_codebook() -> bytes:
    """A QualCoder .qdc: BOM, a category (folder) holding a coloured code with a sub-code."""
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
        'origin="QualCoder 3.6">\n<Codes>\n'
        '<Code guid="0b5c1f52-7a0e-4e1b-9d61-3f0c2a9f1a01" name="Loose code" isCodable="true" '
        'color="#F781F3">\n<Description>Not in a category</Description>\n</Code>\n'
        '<Code guid="0b5c1f52-7a0e-4e1b-9d61-3f0c2a9f1a02" name="Barriers" isCodable="false">\n'
        "<Description>Category memo</Description>\n"
        '<Code guid="0b5c1f52-7a0e-4e1b-9d61-3f0c2a9f1a03" name="Travel" isCodable="true" '
        'color="#58ACFA">\n<Description>Distance &amp; buses</Description>\n'
        '<Code guid="0b5c1f52-7a0e-4e1b-9d61-3f0c2a9f1a04" name="Rural" isCodable="true" '
        'color="#088A08">\n</Code>\n</Code>\n</Code>\n</Codes>\n</CodeBook>\n'
    )
    return b"\xef\xbb\xbf" + xml.encode("utf-8")


def taguette_codebook() -> str:
    """A Taguette .qdc: flat tags named by dotted path, upper-case GUIDs, an empty <Sets/>."""
    ns = uuid.UUID("51B2B2B7-27EB-4ECB-9D56-E75B0A0496C2")
    tags = ["interesting", "interesting.fun", "interesting.fun.very", "people.staff", "v2"]
    codes = "".join(
        f'<Code guid="{str(uuid.uuid5(ns, t)).upper()}" name="{t}" isCodable="true"/>' for t in tags
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
        f'origin="Taguette 1.4.1"><Codes>{codes}</Codes><Sets/></CodeBook>'
    )
