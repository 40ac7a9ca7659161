"""Cross-case patterns: A shared, B high, C low, D what each outlier case shares.

The left side is the pattern table as a tree of sections; the right side shows
the highlighted pattern (category, where present, counts) and its quotes from
every case, present cases first. Enter on a quote opens it in the reader.
Everything is computed by :mod:`qualcode.services.patterns` in workers.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, Tree

from qualcode.analysis.pattern_quotes import Quote
from qualcode.analysis.pattern_report import Section, pattern_sections
from qualcode.analysis.patterns import PatternResult, PatternRow, PresenceRule
from qualcode.services.patterns import find_project_patterns, pattern_quotes
from qualcode.services.workshop import pattern_comments
from qualcode.tui import keymap
from qualcode.tui.screens.matrix_cell import when
from qualcode.tui.widgets.bulk_table import ResultTable
from qualcode.tui.widgets.chrome import ModeBar, StatusLine, place_cursor

VALENCE_STYLE = {"facilitator": ("+", "green"), "barrier": ("−", "red"), "neutral": ("=", "grey50")}
SHARES = (Fraction(1), Fraction(4, 5), Fraction(2, 3))
QUOTE_CHARS = 400


class PatternsScreen(Screen[None]):
    """The pattern table with drill-down to quotes."""

    CSS_PATH = "patterns.tcss"
    KEYMAP_SCOPE = "patterns"
    BINDINGS: ClassVar[list[BindingType]] = [
        *keymap.bindings("patterns"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.presence = PresenceRule(by_valence=True)
        self.result: PatternResult | None = None
        self.selected: PatternRow | None = None
        self.show_none = False
        self._rows: dict[str, PatternRow] = {}
        self.comments: dict[tuple[int, str | None], list[Any]] = {}
        self._quote_rows: list[tuple[str, str, str, str, str]] = []
        """(case label, who, quote, row key, style) of the quotes shown, to lay out again."""
        self._laid_out_for = -1

    def compose(self) -> ComposeResult:
        yield ModeBar("patterns")
        yield Static("", id="patterns-head")
        with Horizontal(id="patterns-body"):
            tree: Tree[str] = Tree("Patterns", id="pattern-tree")
            tree.show_root = False
            yield tree
            with Vertical(id="pattern-side"):
                with VerticalScroll(id="pattern-detail-scroll"):
                    yield Static("", id="pattern-detail")
                yield Static("[b]Quotes[/b] [dim](⏎ opens the transcript)[/dim]", id="quotes-title")
                yield ResultTable(id="pattern-quotes", cursor_type="row", zebra_stripes=True)
        yield StatusLine("Loading patterns…", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._layout_quotes()
        self.query_one(Tree).focus()
        self.action_refresh()

    def on_resize(self) -> None:
        self.call_after_refresh(self._layout_quotes)

    def _layout_quotes(self, force: bool = False) -> None:
        """Size the quote columns to their content and wrap each quote to the width left.

        Called when quotes arrive and when the screen is resized (the table is rebuilt:
        a DataTable keeps column widths it measured from the header alone otherwise).
        """
        table = self.query_one("#pattern-quotes", DataTable)
        width = table.size.width or self.query_one("#pattern-side").size.width
        if not force and width == self._laid_out_for:
            return
        self._laid_out_for = width
        rows = self._quote_rows
        case_w = max([len("Case"), *(len(r[0]) for r in rows)])
        who_w = max([len("Who"), *(len(r[1]) for r in rows)])
        quote_w = max(20, width - case_w - who_w - 2 * 3 - 2)  # cell padding, scrollbar
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("Case", width=case_w, key="case")
        table.add_column("Who", width=who_w, key="who")
        table.add_column("Quote", width=quote_w, key="quote")
        for label, who, quote, key, style in rows:
            table.add_row(
                Text(label, style=style),
                Text(who, style=style),
                Text(quote, style=style, overflow="fold"),
                key=key,
                height=None,
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1), animate=False)

    def on_screen_resume(self) -> None:
        if self.result is not None:
            self.action_refresh()

    # -- loading -------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.app.run_service(
            self,
            find_project_patterns,
            self.app.project,  # type: ignore[attr-defined]
            self.presence,
            then=self._loaded,
            label="patterns",
        )
        app: Any = self.app
        app.run_service(
            self,
            pattern_comments,
            app.project,
            then=self._comments_loaded,
            label="pattern comments",
        )

    def _comments_loaded(self, comments: dict[tuple[int, str | None], list[Any]]) -> None:
        """Comments the workshop page recorded on pattern rows, shown under the row's detail."""
        self.comments = comments
        if self.selected is not None and self.result is not None:
            self._detail(self.selected)

    def _loaded(self, result: PatternResult) -> None:
        self.result = result
        self._head()
        self._fill_tree()

    def _head(self) -> None:
        assert self.result is not None
        groups = self.result.groups
        parts = [
            f"[b]{g}[/b] {escape(', '.join(groups[g]) or '—')}" for g in ("high", "low", "outlier")
        ]
        if groups["none"]:
            parts.append(f"[b]no group[/b] {escape(', '.join(groups['none']))}")
        rules = escape(self.result.presence.short())
        if self.result.presence.relaxed:
            rules = f"[b $warning]{rules}[/]"
        lines = ["Groups: " + " │ ".join(parts), rules]
        lines += [
            f"[$warning]{escape(w)}[/]"
            for w in self.result.warnings
            if not w.startswith("Left out of the comparison")
        ]  # the groups line says so
        self.query_one("#patterns-head", Static).update("\n".join(lines))

    def _fill_tree(self) -> None:
        assert self.result is not None
        tree: Tree[str] = self.query_one(Tree)
        keep = self.selected.key if self.selected else None
        tree.clear()
        self._rows.clear()
        target = None
        for section in pattern_sections(self.result, include_none=self.show_none):
            node = tree.root.add(self._section_label(section), data=section.key, expand=True)
            if not section.rows:
                node.add_leaf(Text("(none)", style="dim"))
            for row in section.rows:
                key = f"{section.key}|{row.code_id}|{row.valence}"
                self._rows[key] = row
                leaf = node.add_leaf(self._row_label(row), data=key)
                if target is None and (keep is None or row.key == keep):
                    target = leaf
        if target is not None:
            place_cursor(tree, target)
        self._status()

    def _section_label(self, section: Section) -> Text:
        return Text.assemble(
            (section.short or section.title, "bold"), (f"  {len(section.rows)}", "cyan")
        )

    def _row_label(self, row: PatternRow) -> Text:
        label = Text(row.name)
        if row.valence:
            mark, colour = VALENCE_STYLE[row.valence]
            label.append(f" {mark}{row.valence}", style=colour)
        label.append(f"  {len(row.present_in)}", style="dim")
        return label

    # -- drill-down ----------------------------------------------------------------------
    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        row = self._rows.get(event.node.data or "")
        if row is None or self.result is None:
            return
        self.selected = row
        self._detail(row)
        self.app.run_service(
            self,
            pattern_quotes,
            self.app.project,
            self.result,  # type: ignore[attr-defined]
            [row],
            per_case=None,
            cases="all",
            then=partial(self._quotes_loaded, row.key),
            label="quotes",
        )

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data in self._rows:
            self.query_one("#pattern-quotes", DataTable).focus()

    def _detail(self, row: PatternRow) -> None:
        assert self.result is not None
        rule = self.result.presence.category_rules()[row.category]
        valence = ""
        if row.valence:
            mark, colour = VALENCE_STYLE[row.valence]
            valence = f" [{colour}]{mark}{row.valence}[/]"
        lines = [
            f"[b]{escape(row.name)}[/b]{valence}  [dim]{escape(' / '.join(row.path))}[/dim]",
            f"[b]{row.category}[/b]: {escape(rule)}",
        ]
        blocks = []
        for name, cases in self.result.groups.items():
            if not cases:
                continue
            cells = []
            for case in cases:
                c = row.counts.get(case)
                if case in row.present_in and c:
                    cells.append(f"[b]{escape(case)}[/b] {c.refs}/{c.participants}")
                elif c:
                    cells.append(f"[dim]{escape(case)} {c.refs}/{c.participants}*[/dim]")
                else:
                    cells.append(f"[dim]{escape(case)} —[/dim]")
            label = "no group" if name == "none" else name
            blocks.append(f"[i]{label}[/i] " + ", ".join(cells))
        lines.append("[dim]codings/participants (* not counted):[/dim] " + " │ ".join(blocks))
        for case, share in row.outlier_shares.items():
            lines.append(f"{escape(case)} (outlier) shares: [b]{share or '—'}[/b]")
        said = self.comments.get(row.key, [])
        if said:
            lines.append(f"[b]Workshop comments[/b] [dim]({len(said)})[/dim]")
            lines += [
                f"[dim]{when(c.created_at)} {escape(c.author)}:[/dim] {escape(c.text)}"
                for c in said
            ]
        self.query_one("#pattern-detail", Static).update("\n".join(lines))

    def _quotes_loaded(
        self,
        key: tuple[int, str | None],
        quotes: dict[tuple[int, str | None], dict[str, list[Quote]]],
    ) -> None:
        if self.selected is None or self.selected.key != key or self.result is None:
            return
        group = {a.case: a.group for a in self.result.assignments}
        by_case = quotes.get(key, {})
        rank = {g: i for i, g in enumerate(("high", "low", "outlier", None))}
        order = sorted(
            by_case,
            key=lambda c: (
                c not in self.selected.present_in,  # type: ignore[union-attr]
                rank[group.get(c)],
            ),
        )
        rows = []
        for case in order:
            present = case in self.selected.present_in
            label = f"{case} · {group.get(case) or 'no group'}"
            for q in by_case[case]:
                text = " ".join(q.text.split())
                text = text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"
                rows.append(
                    (label, q.speaker, text, f"{q.document_id}:{q.start}", "" if present else "dim")
                )
        self._quote_rows = rows
        self.query_one("#pattern-quotes", DataTable).move_cursor(row=0, animate=False)
        self._layout_quotes(force=True)
        self._status(len(rows))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            doc, _, start = event.row_key.value.partition(":")
            self.app.open_reader(int(doc), int(start))  # type: ignore[attr-defined]

    def _status(self, quotes: int | None = None) -> None:
        if self.result is None:
            return
        counts = {c: len(self.result.by_category(c)) for c in ("shared", "high", "low", "outlier")}
        text = (
            f"A {counts['shared']} shared · B {counts['high']} high · C {counts['low']} low · "
            f"D {counts['outlier']} outlier-only"
        )
        if quotes is not None:
            text += f" │ {quotes} quotes"
        self.query_one(StatusLine).update(text)

    # -- options ---------------------------------------------------------------------------
    def _set(self, **changes: Any) -> None:
        p = self.presence
        values = {
            "min_refs": p.min_refs,
            "min_participants": p.min_participants,
            "by_valence": p.by_valence,
            "roll_up": p.roll_up,
            "share": p.share,
            **changes,
        }
        self.presence = PresenceRule(**values)
        self.action_refresh()

    def action_toggle_valence(self) -> None:
        self._set(by_valence=not self.presence.by_valence)

    def action_toggle_roll_up(self) -> None:
        self._set(roll_up=not self.presence.roll_up)

    def action_cycle_share(self) -> None:
        i = SHARES.index(self.presence.share) if self.presence.share in SHARES else 0
        self._set(share=SHARES[(i + 1) % len(SHARES)])

    def action_cycle_min_refs(self) -> None:
        self._set(min_refs=self.presence.min_refs % 3 + 1)

    def action_toggle_none(self) -> None:
        self.show_none = not self.show_none
        if self.result is not None:
            self._fill_tree()
