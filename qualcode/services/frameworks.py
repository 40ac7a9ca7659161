"""Applying a framework file to a project: its constructs become framework codes.

Applying again (e.g. after editing definitions in the file) updates the codes in
place, matched by path, and never touches codings or inductive codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from qualcode.framework_files import (
    DEFAULT_FRAMEWORK,
    RESERVED_SHORTCUTS,
    CodeSpec,
    FrameworkSpec,
    find_framework,
    list_frameworks,
    load_framework,
)
from qualcode.services.project import Project
from qualcode.store.models import Code, Framework

__all__ = [
    "DEFAULT_FRAMEWORK",
    "RESERVED_SHORTCUTS",
    "ApplyReport",
    "apply_framework",
    "available_frameworks",
    "framework_spec",
    "list_frameworks",
    "load_framework",
]


def available_frameworks() -> list[FrameworkSpec]:
    """The bundled frameworks, the default first (what ``framework list`` shows)."""
    return list_frameworks()


def framework_spec(key_or_path: str) -> FrameworkSpec:
    """A bundled framework by key, or a framework file by path, checked."""
    return find_framework(key_or_path)


@dataclass
class ApplyReport:
    framework: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped_shortcuts: list[str] = field(default_factory=list)


def apply_framework(project: Project, framework: str | FrameworkSpec) -> ApplyReport:
    """Add (or refresh) a framework's code tree in the project, in one transaction."""
    spec = framework if isinstance(framework, FrameworkSpec) else find_framework(framework)
    report = ApplyReport(framework=spec.key)
    with project.transaction("apply framework", framework=spec.key, file=str(spec.path)) as s:
        fw = s.scalar(select(Framework).where(Framework.key == spec.key))
        if fw is None:
            fw = Framework(key=spec.key, name=spec.name)
            s.add(fw)
        fw.name, fw.version, fw.description, fw.source = (
            spec.name,
            spec.version,
            spec.description,
            spec.source,
        )
        s.flush()
        used_shortcuts = {
            c.shortcut: c.id for c in s.scalars(select(Code).where(Code.shortcut.is_not(None)))
        }

        def put(node: CodeSpec, parent_id: int | None, order: int) -> None:
            q = select(Code).where(
                Code.name == node.name,
                Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id,
            )
            code = s.scalar(q)
            path = "/".join(node.path)
            if code is None:
                code = Code(name=node.name, parent_id=parent_id)
                s.add(code)
                report.created.append(path)
            else:
                report.updated.append(path)
            code.origin, code.framework_id, code.codable = "framework", fw.id, node.codable
            code.colour = node.colour or code.colour
            code.definition, code.inclusion, code.exclusion = (
                node.definition,
                node.include,
                node.exclude,
            )
            code.sort_order = order
            s.flush()
            if node.shortcut:
                holder = used_shortcuts.get(node.shortcut)
                if holder in (None, code.id):
                    code.shortcut = node.shortcut
                    used_shortcuts[node.shortcut] = code.id
                else:
                    report.skipped_shortcuts.append(f"{node.shortcut} ({path})")
            for i, child in enumerate(node.children):
                put(child, code.id, i)

        for i, root in enumerate(spec.codes):
            put(root, None, i)
    return report
