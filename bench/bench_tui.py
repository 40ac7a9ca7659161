"""Benchmark: the coding reader on a 50,000-word transcript, driven through Textual's Pilot.

Generates a synthetic interview (about 50,000 words, speaker turns and
sentences) in a temporary project with modified PARIHS and 1,000 codings on it,
opens the workbench headless at a terminal size, and measures, from the moment
a key event is sent to the moment the visible lines have been redrawn:

- open to first render (the document loaded in a worker, laid out, drawn),
- page scroll (PgDn), cursor moves (arrows), selection (shift+down),
- applying a code by its key (committed in the database, then drawn).

Prints median and 95th percentile in milliseconds. Targets: open < 1 s;
cursor move and apply code < 50 ms.

    python bench/bench_tui.py [--words 50000] [--size 120x40] [--presses 200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events

from qualcode.services.coding import add_coding
from qualcode.tui.app import QualcodeApp
from qualcode.tui.transcript_layout import Transcript, Wrapped
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_long_project


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    print(
        f"{name:<34} n={len(ms):<4} median {statistics.median(ms):7.1f} ms   "
        f"p95 {pct(ms, 95):7.1f} ms   max {max(ms):7.1f} ms"
    )


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.001)


def drawn(view: Any) -> bool:
    """Every visible line has been drawn since the last change (the strip cache refills on draw)."""
    height = view.scrollable_content_region.height
    top = int(view.scroll_y)
    return all(top + y in view._strips for y in range(min(height, len(view.wrapped) - top)))


async def timed_key(app: Any, view: Any, key: str, changed: Callable[[], bool]) -> float:
    char = key if len(key) == 1 else None
    start = time.perf_counter()
    app._driver.send_message(events.Key(key, char))
    await until(lambda: changed() and drawn(view))
    return time.perf_counter() - start


async def run(words: int, size: tuple[int, int], presses: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="qualcode-bench-tui-"))
    t = time.perf_counter()
    project, doc_id = make_long_project(tmp / "bench.db", words)
    from qualcode.services.documents import open_document

    doc = open_document(project, doc_id)
    rng = random.Random(3)
    codes = ["Culture", "Leadership", "Monitoring and feedback", "Role characterisation"]
    for s in rng.sample(doc.sentences, min(1000, len(doc.sentences))):
        add_coding(
            project,
            doc_id,
            s.start,
            s.end,
            rng.choice(codes),
            valence=rng.choice(["facilitator", "barrier", None]),
        )
    print(
        f"Generated {len(doc.text.split()):,} words, {len(doc.turns):,} turns, "
        f"{len(doc.sentences):,} sentences, 1,000 codings in {time.perf_counter() - t:.1f} s"
    )
    print(f"Terminal {size[0]}x{size[1]}\n")

    t = time.perf_counter()
    transcript = Transcript(
        doc.text,
        [(x.start, x.end, x.speaker, x.is_participant) for x in doc.turns],
        [(x.start, x.end) for x in doc.sentences],
    )
    build = time.perf_counter() - t
    t = time.perf_counter()
    text_width = size[0] - 55 if size[0] >= 100 else size[0] - 16  # beside or above the panel
    wrapped = Wrapped(transcript, text_width)
    wrap = time.perf_counter() - t
    print(f"{'layout: blocks, sentences, words':<34} {build * 1000:7.1f} ms")
    print(f"{'layout: wrap to width':<34} {wrap * 1000:7.1f} ms ({len(wrapped):,} lines)\n")

    app = QualcodeApp(project, start_mode="home")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.switch_mode("reader")
        await settle(pilot)
        screen = app.screen
        view = screen.view
        opens = []
        for _ in range(5):
            view.transcript = None
            start = time.perf_counter()
            screen.open_document(doc_id)
            await until(
                lambda: view.transcript is not None and view.wrapped is not None and drawn(view)
            )
            opens.append(time.perf_counter() - start)
            await settle(pilot)
        report("open 50k words to first render", opens)

        scrolls = []
        for _ in range(min(presses, 100)):
            before = view.scroll_y
            scrolls.append(
                await timed_key(app, view, "pagedown", lambda b=before: view.scroll_y != b)
            )
        report("page down (scroll)", scrolls)

        async def moves(key: str, n: int) -> list[float]:
            out = []
            for _ in range(n):
                before = (view.cursor, view.selection)
                out.append(
                    await timed_key(
                        app, view, key, lambda b=before: (view.cursor, view.selection) != b
                    )
                )
            return out

        report("cursor: next sentence (down)", await moves("down", presses))
        report("cursor: previous sentence (up)", await moves("up", presses // 2))
        report("cursor: next word (right)", await moves("right", presses))
        report("select: extend (shift+down)", await moves("shift+down", presses // 4))
        await pilot.press("escape")
        await settle(pilot)

        applies = []
        for _ in range(min(presses, 60)):
            await pilot.press("down", "down")
            await settle(pilot)
            count = len(view.index)
            applies.append(await timed_key(app, view, "e", lambda c=count: len(view.index) > c))
            await settle(pilot)
        report("apply code by key (commit + draw)", applies)
        valences = []
        for _ in range(min(presses, 40)):
            row = view.index.by_id[view.active_coding]
            before = row.valence
            valences.append(
                await timed_key(
                    app,
                    view,
                    "plus",
                    lambda b=before: view.index.by_id[view.active_coding].valence != b,
                )
            )
            await settle(pilot)
        report("set valence (commit + draw)", valences)

        t = time.perf_counter()
        for _ in range(20):
            view._strips.clear()
            for y in range(size[1]):
                view.render_line(y)
        per_screen = (time.perf_counter() - t) / 20
        print(f"\n{'draw one full screen of text':<34} {per_screen * 1000:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--size", default="120x40", help="terminal WIDTHxHEIGHT")
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args()
    w, h = (int(x) for x in args.size.lower().split("x"))
    asyncio.run(run(args.words, (w, h), args.presses))


if __name__ == "__main__":
    main()
