"""Small HTML helpers: every text from the project goes through :func:`e` (escaped)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import urlencode

from qualcode.web.views import View


def e(text: object) -> str:
    """Escape text for an HTML element or a quoted attribute."""
    return escape("" if text is None else str(text), quote=True)


def when(moment: datetime | None) -> str:
    """``14 May 2024 10:30`` in local time."""
    return moment.astimezone().strftime("%d %b %Y %H:%M") if moment else ""


def link(path: str, view: View, **extra: str) -> str:
    """A URL keeping the view's filters and contrast setting (escaped for an attribute)."""
    params = {**view.params(), **{k: v for k, v in extra.items() if v}}
    return e(path + ("?" + urlencode(params) if params else ""))


def page(
    title: str, view: View, *, project: str, top: str, live: str, live_src: str, bottom: str = ""
) -> str:
    """A whole page: header with the two views, then ``top``, the live region, ``bottom``.

    The live region is fetched again from ``live_src`` whenever the project changes.
    """
    hc = " high-contrast" if view.contrast else ""
    current = ' aria-current="page"'
    nav = "".join(
        f'<a href="{link(path, view)}"{current if view.kind == kind else ""}>{label}</a>'
        for path, kind, label in (("/", "matrix", "Matrix"), ("/patterns", "patterns", "Patterns"))
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{e(title)} · {e(project)}</title>\n"
        '<link rel="stylesheet" href="/static/workshop.css">\n'
        '<script src="/static/workshop.js" defer></script>\n</head>\n'
        f'<body class="{view.kind}-view{hc}">\n'
        f'<header class="bar"><span class="project">{e(project)}</span>'
        f'<nav class="views" aria-label="Views">{nav}</nav>'
        '<button type="button" id="contrast" aria-pressed="false">High contrast</button>'
        '<span id="live-state" role="status">Live</span></header>\n'
        f'<main>\n{top}\n<div id="live" data-src="{e(live_src)}">\n{live}\n</div>\n'
        f"{bottom}\n</main>\n</body>\n</html>\n"
    )
