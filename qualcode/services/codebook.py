"""The codebook: framework constructs and inductive codes, as one tree.

Codes are named by path (``Context/Leadership``), by a unique name, or by id.
Renaming, moving and merging keep every coding (codings point at the code id).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from qualcode.analysis.code_tree import (
    PATH_SEP,
    CodeInfo,
    code_paths,
    codes_in_session,
)
from qualcode.errors import ConflictError, InvalidInputError, NotFoundError
from qualcode.services.listings import code_list
from qualcode.services.project import Project
from qualcode.store.models import CellSummary, Code, Coding, WorkshopComment

__all__ = [
    "INDUCTIVE_PALETTE",
    "PATH_SEP",
    "CodeInfo",
    "code_id_by_path",
    "code_path_lookup",
    "code_paths",
    "codes_in_session",
    "create_code",
    "delete_code",
    "list_codes",
    "merge_codes",
    "move_code",
    "paths_from_links",
    "resolve_code",
    "update_code",
]

INDUCTIVE_PALETTE = (
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#d6616b",
    "#3182bd",
    "#8c6d31",
    "#e7969c",
    "#637939",
    "#7b4173",
    "#17becf",
    "#bcbd22",
    "#9467bd",
)


_CODE_LINKS = select(Code.id, Code.name, Code.parent_id)


def code_path_lookup(session: Session) -> dict[int, tuple[str, ...]]:
    """As ``code_paths`` in no particular order: cheaper, for looking codes up."""
    return paths_from_links(session.execute(_CODE_LINKS))


def paths_from_links(links: Iterable[Sequence[Any]]) -> dict[int, tuple[str, ...]]:
    """Each code's path from ``(id, name, parent_id, ...)`` rows of the codes table."""
    rows = {link[0]: (link[1], link[2]) for link in links}
    paths: dict[int, tuple[str, ...]] = {}

    def path(cid: int) -> tuple[str, ...]:
        found = paths.get(cid)
        if found is None:
            name, parent = rows[cid]
            found = paths[cid] = (path(parent) if parent in rows else ()) + (name,)
        return found

    for cid in rows:
        path(cid)
    return paths


def list_codes(project: Project) -> list[CodeInfo]:
    """All codes depth-first (framework roots first, then inductive), with coding counts."""
    with project.read_rows() as conn:
        return code_list(conn)


def resolve_code(
    session: Session, ref: str | int, paths: dict[int, tuple[str, ...]] | None = None
) -> Code:
    """Find a code by id, by path (``Context/Culture``) or by a unique name (any case).

    ``paths`` is ``code_paths(session)`` when the caller already has it (one tree per operation).
    """
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        code = session.get(Code, int(ref))
        if code is None:
            raise NotFoundError(f"No code with id {ref}. See `qualcode code list`.")
        return code
    if paths is None:
        paths = code_path_lookup(session)
    return session.get(Code, code_id_by_path(paths, ref))  # type: ignore[return-value]


def code_id_by_path(paths: dict[int, tuple[str, ...]], ref: str) -> int:
    """The id of the code a path or unique name (any case) means, as ``resolve_code`` finds it."""
    ref = ref.strip().strip(PATH_SEP)
    want = tuple(p.strip().lower() for p in ref.split(PATH_SEP))
    by_path = [cid for cid, p in paths.items() if tuple(x.lower() for x in p) == want]
    if not by_path:  # a trailing part of a path, e.g. "Leadership/Access and authority"
        by_path = [
            cid for cid, p in paths.items() if tuple(x.lower() for x in p[-len(want) :]) == want
        ]
    if len(by_path) == 1:
        return by_path[0]
    if len(by_path) > 1:
        options = ", ".join(sorted(PATH_SEP.join(paths[c]) for c in by_path))
        raise InvalidInputError(f"Code {ref!r} is ambiguous: {options}. Give the full path.")

    close = difflib.get_close_matches(
        ref,
        [PATH_SEP.join(p) for p in paths.values()] + [p[-1] for p in paths.values()],
        n=3,
        cutoff=0.6,
    )
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise NotFoundError(f"No code {ref!r}.{hint} Create it with `qualcode code add {ref!r}`.")


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInputError("A code needs a name.")
    if PATH_SEP in name:
        raise InvalidInputError(
            f"Code name {name!r} contains '/', which separates levels of a path."
        )
    return name


def _check_sibling(
    s: Session, parent_id: int | None, name: str, exclude: int | None = None
) -> None:
    q = select(Code.id).where(
        Code.parent_id.is_(parent_id) if parent_id is None else Code.parent_id == parent_id,
        func.lower(Code.name) == name.lower(),
    )
    clash = [i for i in s.scalars(q) if i != exclude]
    if clash:
        raise ConflictError(
            f"There is already a code {name!r} at that level. Choose another name "
            "or merge the two codes."
        )


def _check_shortcut(s: Session, shortcut: str | None, exclude: int | None = None) -> str | None:
    if not shortcut:
        return None
    if len(shortcut) != 1:
        raise InvalidInputError(f"Shortcut {shortcut!r} must be a single key.")
    other = s.scalar(select(Code).where(Code.shortcut == shortcut, Code.id != (exclude or -1)))
    if other is not None:
        raise ConflictError(f"Shortcut {shortcut!r} is already used by {other.name!r}.")
    return shortcut


def _info(s: Session, code: Code) -> CodeInfo:
    return next(c for c in codes_in_session(s) if c.id == code.id)


def create_code(
    project: Project,
    name: str,
    *,
    parent: str | int | None = None,
    colour: str | None = None,
    definition: str = "",
    inclusion: str = "",
    exclusion: str = "",
    shortcut: str | None = None,
    codable: bool = True,
) -> CodeInfo:
    """Create an inductive code (optionally under a parent)."""
    name = _check_name(name)
    with project.transaction("create code", name=name, parent=parent) as s:
        pid = resolve_code(s, parent).id if parent not in (None, "") else None
        _check_sibling(s, pid, name)
        n = s.scalar(select(func.count()).select_from(Code).where(Code.origin == "inductive")) or 0
        code = Code(
            name=name,
            parent_id=pid,
            origin="inductive",
            codable=codable,
            colour=colour or INDUCTIVE_PALETTE[n % len(INDUCTIVE_PALETTE)],
            definition=definition,
            inclusion=inclusion,
            exclusion=exclusion,
            shortcut=_check_shortcut(s, shortcut),
            sort_order=n,
        )
        s.add(code)
        s.flush()
        return _info(s, code)


def update_code(
    project: Project,
    ref: str | int,
    *,
    name: str | None = None,
    colour: str | None = None,
    definition: str | None = None,
    inclusion: str | None = None,
    exclusion: str | None = None,
    shortcut: str | None = None,
) -> CodeInfo:
    """Rename, recolour, re-key or edit the definition of a code."""
    with project.transaction("update code", code=str(ref), name=name, colour=colour) as s:
        code = resolve_code(s, ref)
        if name is not None:
            name = _check_name(name)
            _check_sibling(s, code.parent_id, name, exclude=code.id)
            code.name = name
        if colour is not None:
            code.colour = colour or None
        if shortcut is not None:
            code.shortcut = _check_shortcut(s, shortcut, exclude=code.id)
        for attr, value in (
            ("definition", definition),
            ("inclusion", inclusion),
            ("exclusion", exclusion),
        ):
            if value is not None:
                setattr(code, attr, value)
        s.flush()
        return _info(s, code)


def move_code(project: Project, ref: str | int, new_parent: str | int | None) -> CodeInfo:
    """Move a code (with its children and codings) under another parent, or to the root."""
    with project.transaction("move code", code=str(ref), parent=new_parent) as s:
        code = resolve_code(s, ref)
        pid = resolve_code(s, new_parent).id if new_parent not in (None, "") else None
        walk = pid
        while walk is not None:
            if walk == code.id:
                raise InvalidInputError(f"Cannot move {code.name!r} under itself or its own child.")
            walk = s.get(Code, walk).parent_id  # type: ignore[union-attr]
        _check_sibling(s, pid, code.name, exclude=code.id)
        code.parent_id = pid
        s.flush()
        return _info(s, code)


def merge_codes(project: Project, source: str | int, target: str | int) -> int:
    """Move every coding (and child code) of ``source`` onto ``target``, then delete ``source``.

    Returns the number of codings moved. Exact duplicates (same span, coder and
    valence already on the target) are dropped rather than doubled.
    """
    with project.transaction("merge codes", source=str(source), target=str(target)) as s:
        src, dst = resolve_code(s, source), resolve_code(s, target)
        if src.id == dst.id:
            raise InvalidInputError("A code cannot be merged into itself.")
        walk: int | None = dst.id
        while walk is not None:
            if walk == src.id:
                raise InvalidInputError(
                    f"Cannot merge {src.name!r} into its own child {dst.name!r}."
                )
            walk = s.get(Code, walk).parent_id  # type: ignore[union-attr]
        moved = 0
        existing = {
            (d, a, b, coder): v
            for d, a, b, coder, v in s.execute(
                select(
                    Coding.document_id, Coding.start, Coding.end, Coding.coder_id, Coding.valence
                ).where(Coding.code_id == dst.id)
            ).all()
        }
        clashes = []
        for c in s.scalars(select(Coding).where(Coding.code_id == src.id)):
            key = (c.document_id, c.start, c.end, c.coder_id)
            if key not in existing:
                c.code_id = dst.id
                existing[key] = c.valence
                moved += 1
            elif existing[key] == c.valence:
                s.delete(c)
            else:  # one coder, one code, one span: the two valences cannot both stay
                clashes.append(c)
        if clashes:
            c = clashes[0]
            raise ConflictError(
                f"{len(clashes)} codings of {src.name!r} cover the same text as a coding of "
                f"{dst.name!r} by the same coder with another valence (e.g. characters "
                f"{c.start}-{c.end} of document {c.document_id}). Give them the same valence "
                "or remove one, then merge; nothing was changed."
            )
        s.execute(update(Code).where(Code.parent_id == src.id).values(parent_id=dst.id))
        for model in (CellSummary, WorkshopComment):
            s.execute(delete(model).where(model.code_id == src.id))
        for field in ("definition", "inclusion", "exclusion"):
            if not getattr(dst, field) and getattr(src, field):
                setattr(dst, field, getattr(src, field))
        s.flush()
        s.delete(src)
        return moved


def delete_code(project: Project, ref: str | int, *, force: bool = False) -> int:
    """Delete a code and its children; refuses when codings exist unless ``force``."""
    with project.transaction("delete code", code=str(ref), force=force) as s:
        code = resolve_code(s, ref)
        ids = [code.id]
        i = 0
        while i < len(ids):
            ids += list(s.scalars(select(Code.id).where(Code.parent_id == ids[i])))
            i += 1
        n = s.scalar(select(func.count()).select_from(Coding).where(Coding.code_id.in_(ids))) or 0
        if n and not force:
            raise ConflictError(
                f"{code.name!r} has {n} codings. Merge it into another code, "
                "or pass --force to delete them too."
            )
        s.execute(delete(Coding).where(Coding.code_id.in_(ids)))
        s.delete(code)
        return n
