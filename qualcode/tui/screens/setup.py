"""Set up: the study's checklist, each step with where it stands and the key that opens it."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from qualcode.services.new_project import SetupStatus, setup_status
from qualcode.tui import keymap
from qualcode.tui.setup_steps import SETUP_STEPS
from qualcode.tui.widgets.chrome import ModeBar, StatusLine
from qualcode.wording import plural


def step_state(step: str, st: SetupStatus) -> tuple[bool, str]:
    """(done, what is there) for one step."""
    if step == "import":
        return st.documents > 0, (
            f"{plural(st.documents, 'document')}, {plural(st.participants, 'participant')}"
            if st.documents
            else "no transcripts yet"
        )
    if step == "framework":
        return bool(st.frameworks), (
            ", ".join(st.frameworks) + f"; {plural(st.codes, 'code')} in the codebook"
            if st.frameworks
            else "no framework applied yet"
        )
    if step == "cases":
        attrs = ", ".join(st.attributes) or "no attributes yet"
        return st.cases_with_attributes > 0, (
            f"{plural(st.cases, 'case')}; {attrs}" if st.cases else "no cases yet"
        )
    if step == "groups":
        return st.grouped > 0, (
            f"{st.grouped} of {plural(st.cases, 'case')} in a group"
            if st.cases
            else "needs cases first"
        )
    return st.codings > 0, (
        f"{plural(st.codings, 'coding')} to chart" if st.codings else "code some text first (F2)"
    )


class SetupScreen(Screen[None]):
    """Steps 1-5: Enter or the step's number opens it; each comes back here."""

    KEYMAP_SCOPE = "setup"
    CSS_PATH = "setup.tcss"
    BINDINGS = keymap.bindings("setup")

    def __init__(self) -> None:
        super().__init__()
        self.status: SetupStatus | None = None

    def compose(self) -> ComposeResult:
        yield ModeBar("setup")
        yield Static(
            "[b]Set up the study[/b] · each step can be done again at any time", id="setup-title"
        )
        yield OptionList(id="setup-steps")
        yield Static("", id="setup-next")
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.app.run_service(
            self,
            setup_status,
            self.app.project,  # type: ignore[attr-defined]
            then=self._loaded,
            label="setup status",
        )

    def _loaded(self, status: SetupStatus) -> None:
        self.status = status
        self._fill()

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        first_open = None
        for step in SETUP_STEPS:
            if self.status is None:
                mark, detail = "·", "…"
            else:
                done, detail = step_state(step.id, self.status)
                mark = "[green]✓[/]" if done else "[yellow]○[/]"
                if not done and first_open is None:
                    first_open = step
            options.add_option(
                Option(
                    f"{mark} [b]{step.key}[/b]  {escape(step.title)}\n"
                    f"      [dim]{escape(detail)}[/]",
                    id=step.id,
                )
            )
        options.highlighted = keep if keep is not None else 0
        nxt = self.query_one("#setup-next", Static)
        if first_open is not None:
            nxt.update(f"Next: press [b]{first_open.key}[/b] — {escape(first_open.title)}")
        elif self.status is not None:
            nxt.update("Every step has something in it. Code in F2, chart in F4, patterns in F5.")
        self.query_one(StatusLine).update(
            "⏎ or 1-5 open a step · esc comes back here · ctrl+p any command"
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.action_open_step(event.option.id)

    def action_open_step(self, step: str) -> None:
        app: Any = self.app
        app.action_open_setup(step)
