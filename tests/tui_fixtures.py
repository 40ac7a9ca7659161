"""Fixed sample projects for the workbench tests and the benchmark.

Documents are written straight through the models (text, speaker turns that
exclude the label, sentences), the way the importer stores them, so the tests
do not depend on the importer. Everything is deterministic: same text, same ids.
"""

from __future__ import annotations

import atexit
import hashlib
import random
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qualcode.services.cases import get_or_create_case, set_case
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.store.models import Document, Participant, Segment

S3PW1 = """[Interview with S3PW1, peer worker, Site 3. Pseudonymised.]

Interviewer: Thanks for making time for this. How well did the training prepare you for the role?

S3PW1: Really well, actually. Better than I expected, if I'm honest. It was eight days and it was about how you are with somebody.

The sessions on boundaries are the ones I come back to most. We did role plays, which I hated at the time.

Interviewer: And how have you found the ward staff?

S3PW1: Mostly really good. The nurses will come and find me at handover. Staff knew who we were before we turned up, and they knew what we weren't there for.

Interviewer: What about the community teams?

S3PW1: That's harder. Sometimes I hear nothing back at all. Nobody thought to let me know when he was readmitted. I think it's because they don't really know where we fit.

Interviewer: Did you have what you needed to do the job?

S3PW1: Yes, on the whole. We've got work phones and we can claim travel without a fuss. The only thing is the bus out to the estate, it takes over an hour each way.
"""

S4PW1 = """Interviewer: How did the role start for you?

S4PW1: Slowly. Nobody on the ward knew what a peer worker was for. I spent the first month explaining myself.

Interviewer: Did anything help?

S4PW1: Our coordinator left after three months and it fell apart a bit. We had no supervision for a while. The manager never really backed us.
"""

_LABEL = re.compile(r"^(?P<label>[A-Za-z0-9]+): ", re.MULTILINE)
_SENT = re.compile(r"[^.!?]+[.!?]+|[^.!?]+$")


def store_transcript(
    project: Project, name: str, text: str, participant: str, case: str | None
) -> int:
    """Store a transcript with turns (label excluded) and sentences, like the importer does."""
    turns: list[tuple[int, int, str, bool]] = []
    marks = list(_LABEL.finditer(text))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        start = m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        label = m.group("label")
        turns.append((start, end, label, label != "Interviewer"))
    with project.transaction("test document") as s:
        case_row = get_or_create_case(s, case)[0] if case else None
        part = Participant(label=participant, case_id=case_row.id if case_row else None)
        s.add(part)
        s.flush()
        doc = Document(
            name=name,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            word_count=len(text.split()),
            participant_id=part.id,
            source_file=f"{name}.txt",
        )
        s.add(doc)
        s.flush()
        seq = 0
        for tseq, (start, end, label, is_part) in enumerate(turns, start=1):
            s.add(
                Segment(
                    document_id=doc.id,
                    kind="turn",
                    seq=tseq,
                    start=start,
                    end=end,
                    speaker=label,
                    is_participant=is_part,
                )
            )
            for para in re.finditer(r"[^\n]+", text[start:end]):
                for m in _SENT.finditer(para.group()):
                    a = start + para.start() + m.start()
                    b = start + para.start() + m.end()
                    while a < b and text[a].isspace():
                        a += 1
                    if a < b:
                        seq += 1
                        s.add(
                            Segment(
                                document_id=doc.id,
                                kind="sentence",
                                seq=seq,
                                start=a,
                                end=b,
                                speaker=label,
                                is_participant=is_part,
                            )
                        )
        return doc.id


_TEMPLATES: dict[str, Path] = {}


def make_sample_project(path: Path, coder: str = "tester") -> Project:
    """Two sites, two transcripts, modified PARIHS applied; nothing coded yet.

    Built once per test run, then copied (opening and migrating a database is the
    slow part).
    """
    template = _TEMPLATES.get("sample")
    if template is None:
        template = Path(tempfile.mkdtemp(prefix="qualcode-sample-")) / "project.db"
        # removed when the test process ends, so runs leave nothing in the temp folder
        atexit.register(shutil.rmtree, template.parent, ignore_errors=True)
        _build_sample(template, coder).engine.dispose()
        _TEMPLATES["sample"] = template
    shutil.copyfile(template, path)
    return Project.open(path, coder=coder)


def _build_sample(path: Path, coder: str) -> Project:
    project = Project.open(path, coder=coder)
    apply_framework(project, "modified-parihs")
    set_case(project, "Site 3", {"fidelity": "12", "engagement": "76%", "locality": "urban"})
    set_case(project, "Site 4", {"fidelity": "5", "engagement": "31%", "locality": "rural"})
    from qualcode.store.models import Case

    with project.transaction("groups") as s:
        for name, group in (("Site 3", "high"), ("Site 4", "low")):
            case = s.query(Case).filter(Case.name == name).one()
            case.group_name, case.group_source = group, "manual"
    store_transcript(project, "S3PW1", S3PW1, "S3PW1", "Site 3")
    store_transcript(project, "S4PW1", S4PW1, "S4PW1", "Site 4")
    return project


_WORDS = [
    "peer",
    "support",
    "ward",
    "staff",
    "discharge",
    "handover",
    "supervision",
    "coordinator",
    "training",
    "boundaries",
    "community",
    "team",
    "travel",
    "phone",
    "budget",
    "leadership",
    "culture",
    "feedback",
    "role",
    "flexible",
    "experience",
    "story",
    "trust",
    "manager",
    "meeting",
    "weekly",
    "person",
    "home",
    "people",
    "really",
    "think",
    "know",
    "felt",
    "time",
    "first",
    "month",
    "week",
    "back",
    "never",
    "always",
    "something",
]


def long_transcript(words: int, seed: int = 7) -> str:
    """A synthetic interview of about ``words`` words (deterministic)."""
    rng = random.Random(seed)
    out, count, turn = [], 0, 0
    while count < words:
        turn += 1
        label = "Interviewer" if turn % 2 else "S9PW1"
        n_sent = rng.randint(1, 2) if label == "Interviewer" else rng.randint(3, 9)
        sents = []
        for _ in range(n_sent):
            k = rng.randint(6, 22)
            sent = " ".join(rng.choice(_WORDS) for _ in range(k))
            sents.append(sent[0].upper() + sent[1:] + rng.choice(".?.!."))
            count += k
        out.append(f"{label}: " + " ".join(sents))
    return "[Synthetic long interview.]\n\n" + "\n\n".join(out) + "\n"


def make_long_project(path: Path, words: int = 50_000) -> tuple[Project, int]:
    project = Project.open(path, coder="bench")
    apply_framework(project, "modified-parihs")
    doc_id = store_transcript(project, "S9PW1", long_transcript(words), "S9PW1", "Site 9")
    return project, doc_id


async def wait_until(pilot: Any, check: Callable[[], Any], what: str, rounds: int = 5000) -> Any:
    """``check()``'s first truthy value, letting the app run between tries (no sleeping).

    ``pilot.pause()`` with no delay waits for the app to go idle; work in a task of
    its own (the command palette's search) finishes after some rounds of that.
    """
    for _ in range(rounds):
        try:
            value = check()
        except StopIteration:  # not there (yet)
            value = None
        if value:
            return value
        await pilot.pause()
    raise AssertionError(f"never happened: {what}")


def palette_highlights(app: Any, text: str) -> bool:
    """The command palette (or a picker built on it) has ``text`` in its highlighted line."""
    from textual.command import CommandList, CommandPalette

    screen = app.screen
    if not isinstance(screen, CommandPalette):
        return False
    options = screen.query_one(CommandList)
    if options.highlighted is None:
        return False
    return text in str(options.get_option_at_index(options.highlighted).prompt)
