"""The workbench stylesheet reuses parsed rules while the theme stays, and re-parses on a new one.

And the matrix screen's footer rebuilds its keys only when the keys it shows change.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from qualcode.tui.stylesheet import ReusingStylesheet
from qualcode.tui.widgets.steady_footer import SteadyFooter

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


CSS = "Widget { color: $accent; }"


def _colour(sheet: ReusingStylesheet) -> str:
    (rule,) = sheet.rules
    return rule.styles.color.hex


def test_reparse_reuses_rules_until_the_variables_change() -> None:
    sheet = ReusingStylesheet(variables={"accent": "#112233"})
    sheet.add_source(CSS, read_from=("test", "CSS"))
    sheet.reparse()
    first = sheet.rules[0]
    assert _colour(sheet) == "#112233"
    sheet.set_variables({"accent": "#112233"})  # a refresh with the same theme
    sheet.reparse()
    assert sheet.rules[0] is first  # not parsed again
    sheet.set_variables({"accent": "#445566"})  # a new theme
    sheet.reparse()
    assert sheet.rules[0] is not first
    assert _colour(sheet) == "#445566"


def test_a_broken_source_leaves_the_rules_as_they_were() -> None:
    sheet = ReusingStylesheet(variables={"accent": "#112233"})
    sheet.add_source(CSS, read_from=("test", "CSS"))
    sheet.reparse()
    sheet.add_source("Widget { color: $nowhere; }", read_from=("test", "broken"))
    with pytest.raises(Exception):  # noqa: B017 (Textual's own parse error types)
        sheet.reparse()
    assert _colour(sheet) == "#112233"


class LeftPane(Widget, can_focus=True):
    BINDINGS = [Binding("x", "app.bell", "left action")]


class RightPane(Widget, can_focus=True):
    BINDINGS = [Binding("y", "app.bell", "right action")]


class FooterHost(App[None]):
    BINDINGS = [Binding("f9", "bell", "Ring")]

    def __init__(self, footer: type[Footer]) -> None:
        super().__init__()
        self.footer_type = footer

    def compose(self) -> ComposeResult:
        yield LeftPane(id="left")
        yield RightPane(id="right")
        yield self.footer_type(compact=True, show_command_palette=False)


def _keys(app: App[None]) -> list[tuple[str, str]]:
    return [(k.key, k.description) for k in app.screen.query(FooterKey)]


async def test_steady_footer_shows_what_footer_shows_and_rebuilds_only_on_change() -> None:
    shown: dict[str, list[list[tuple[str, str]]]] = {}
    for footer in (Footer, SteadyFooter):
        app = FooterHost(footer)
        async with app.run_test(size=(80, 10)) as pilot:
            seen = []
            for pane in ("left", "right"):
                app.screen.set_focus(app.query_one(f"#{pane}"))
                await pilot.pause()
                await pilot.pause()
                seen.append(_keys(app))
            shown[footer.__name__] = seen
            if footer is SteadyFooter:
                keys = list(app.screen.query(FooterKey))
                for _ in range(3):  # bindings "updated" with nothing changed
                    app.screen.refresh_bindings()
                await pilot.pause()
                await pilot.pause()
                assert list(app.screen.query(FooterKey)) == keys  # the same widgets
    assert shown["SteadyFooter"] == shown["Footer"]
    assert ("x", "left action") in shown["Footer"][0]
    assert ("y", "right action") in shown["Footer"][1]
