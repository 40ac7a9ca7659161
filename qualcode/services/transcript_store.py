"""An import's run: prepare each file (read, parse, segment), then store it in one transaction.

A large job prepares files in a second process (``segment_child``) while this one
stores them; the stored rows are the same either way. What is new, changed or the
same as a stored document is decided here; :mod:`transcript_writer` stores each file.

Each file is one transaction on the run's one Core connection, with statements
built once (on SQLite its document, segment and audit rows go to the driver
directly): per-file ORM work, or building statements per file, would cost more
than the inserts themselves. Storing happens on the caller's
thread: a writer thread would fight spaCy for the GIL (SQLite gives it up on
every row and then waits a whole switch interval to get it back), which
measured slower than storing in line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select

from qualcode.errors import InvalidInputError, QualcodeError
from qualcode.ingest.layouts import where
from qualcode.ingest.participants import (
    ParticipantId,
    ParticipantPattern,
    identify_participant,
)
from qualcode.ingest.readers import IngestWarning
from qualcode.ingest.segment import load_pipeline, sentence_spans_many
from qualcode.ingest.segment_worker import Read, read_one
from qualcode.ingest.turns import ParsedTurns, SpeakerLabels, Turn
from qualcode.services.project import Project
from qualcode.services.segment_child import SegmentChild, start_segmenter
from qualcode.services.transcript_rows import prepare
from qualcode.services.transcript_writer import TranscriptWriter
from qualcode.store.models import (
    Coding,
    Document,
)

if TYPE_CHECKING:
    from qualcode.services.importing import ImportOptions, ImportReport

# Words read and parsed before a chunk is segmented (in one spaCy stream) and stored.
CHUNK_WORDS = 200_000
# Bytes of files the child reads in one item (about CHUNK_WORDS words of plain text).
CHUNK_BYTES = 1_200_000
# Chunks parsed ahead of the one being stored while a child segments (while it loads
# spaCy, this process parses on): a bound on the memory they hold (about 1.5 MB each).
AHEAD_CHUNKS = 16


@dataclass
class _Parsed:
    """A transcript read and parsed, waiting for its sentences."""

    path: Path
    values: dict[str, Any]  # the document row
    turns: list[Turn]
    participant: ParticipantId | None
    replace_id: int | None
    warnings: list[IngestWarning]
    before: tuple[Any, Any]  # the run's lookups for its name and text, before it
    times: list[tuple[int, int]] = field(default_factory=list)  # (offset, ms) of each cue

    @property
    def text(self) -> str:
        return self.values["text"]

    @property
    def ranges(self) -> list[tuple[int, int]]:
        return [(t.start, t.end) for t in self.turns]


@dataclass
class _Skipped:
    """A file not stored: reported (``error``) or found stored already (None)."""

    path: Path
    error: QualcodeError | None


_Entry = _Parsed | _Skipped


def _by_size(paths: list[Path]) -> Iterator[list[Path]]:
    """Files in parts of about ``CHUNK_BYTES`` for the child to read."""
    part: list[Path] = []
    size = 0
    for path in paths:
        part.append(path)
        try:
            size += path.stat().st_size
        except OSError:
            pass  # the child reports it
        if size >= CHUNK_BYTES:
            yield part
            part, size = [], 0
    if part:
        yield part


class _Q:
    """Statements built once: constructing them per file costs more than running them."""

    all_documents = select(Document.id, Document.name, Document.sha256).order_by(Document.id)
    count_codings = (
        select(func.count()).select_from(Coding).where(Coding.document_id == bindparam("doc"))
    )


class TranscriptImporter:
    """What every transcript of one run shares: options, patterns, spaCy, lookups."""

    def __init__(
        self,
        project: Project,
        options: ImportOptions,
        report: ImportReport,
        segmenter: SegmentChild | None = None,
    ) -> None:
        self.project, self.options, self.report = project, options, report
        self.segmenter = segmenter  # a child started early by the caller, if any
        self.pattern = ParticipantPattern(options.participant_pattern, options.case_template)
        self.labels = SpeakerLabels().with_extra(options.speaker_labels)
        self._nlp: Any = None
        self._pipeline_noted = False
        self._by_sha: dict[str, tuple[int | None, str]] | None = None  # stored, loaded once
        self._by_name: dict[str, tuple[int | None, str]] = {}
        self.writer = TranscriptWriter(project, self.pattern, report)

    def import_files(self, paths: Sequence[Path], done: Callable[[Path], None]) -> None:
        """Import transcripts, each in its own transaction.

        Files are read and parsed a few at a time (about ``CHUNK_WORDS`` words),
        segmented together in one spaCy stream, then stored one by one. A large job
        has a second process (``segment_child``): while it loads spaCy this one parses
        and sends it the texts; once it has loaded, it reads, parses and segments the
        remaining files itself, while this one stores. A file that cannot be read or
        stored is reported and the others go on; ``done(path)`` is called once per
        file, in order, whatever happened to it.
        """
        child = self.segmenter or start_segmenter(self.options.spacy_model, paths)
        if child is not None:
            child.model = self.options.spacy_model
        pending: deque[list[_Entry] | list[Path]] = deque()  # sent to the child, not stored
        try:
            self.writer.conn = self.project.engine.connect()
            if child is None:
                for chunk in self._chunks(paths):
                    self._segment_and_store(chunk, done)
                return
            rest = iter(paths)
            for chunk in self._chunks(rest):
                texts = [(e.text, e.ranges) for e in chunk if isinstance(e, _Parsed)]
                if texts:
                    child.send(texts)
                pending.append(chunk)
                if child.loaded() or len(pending) >= AHEAD_CHUNKS:
                    break
            for part in _by_size(list(rest)):
                child.send_paths(self.labels, self.pattern, part)
                pending.append(part)
            while pending:
                self._store_answered(pending.popleft(), child, done)
        except BaseException:
            for chunk in reversed(pending):  # parsed ahead, never stored
                self._forget_all(chunk)
            raise
        finally:
            if self.writer.conn is not None:
                self.writer.conn.close()
                self.writer.conn = None
            if child is not None:
                child.close()

    def _chunks(self, paths: Sequence[Path]) -> Iterator[list[_Entry]]:
        """The files read and parsed, in order, about ``CHUNK_WORDS`` words at a time."""
        chunk: list[_Entry] = []
        words = 0
        for path in paths:
            parsed = self._entry(path)
            chunk.append(parsed)
            if isinstance(parsed, _Parsed):
                words += parsed.values["word_count"]
                if words >= CHUNK_WORDS:
                    yield chunk
                    chunk, words = [], 0
        if chunk:
            yield chunk

    def _store_answered(
        self, chunk: list[_Entry] | list[Path], child: SegmentChild, done: Callable[[Path], None]
    ) -> None:
        """Store a chunk with the child's work (done here if the child failed)."""
        if chunk and isinstance(chunk[0], Path):  # files the child was to read
            paths: list[Path] = chunk  # type: ignore[assignment]
            answer = child.result()
            if answer is None:
                for part in self._chunks(paths):
                    self._segment_and_store(part, done)
                return
            self._note_pipeline(child.warning)
            entries, sentences = self._parse_read(paths, *answer)
            self._segment_and_store(entries, done, sentences)
            return
        entries: list[_Entry] = chunk  # type: ignore[no-redef]
        sentences = None
        if any(isinstance(e, _Parsed) for e in entries):
            sentences = child.result()
            self._note_pipeline(child.warning)
        self._segment_and_store(entries, done, sentences)

    def _parse_read(
        self, paths: list[Path], files: list[Read], sentences: list[Any]
    ) -> tuple[list[_Entry], list[Any]]:
        """The child's reading finished here, file by file in order (as ``_chunks`` does),
        with the sentences of the files to store."""
        entries: list[_Entry] = []
        kept: list[Any] = []
        answers = iter(sentences)
        for path, read in zip(paths, files, strict=True):
            if isinstance(read, str):  # the child could not read it: its message
                entries.append(_Skipped(path, QualcodeError(read)))
                continue
            sents = next(answers)  # one per file read, whatever happens to it here
            parsed = self._entry(path, read)
            if isinstance(parsed, _Parsed):
                kept.append(sents)
            entries.append(parsed)
        return entries, kept

    def _entry(self, path: Path, read: Read | None = None) -> _Entry:
        """The file parsed (see :meth:`_parse`), or skipped: not stored, or why not."""
        try:
            parsed = self._parse(path, read)
        except QualcodeError as e:
            return _Skipped(path, e)
        return parsed if parsed is not None else _Skipped(path, None)

    def _segment_and_store(
        self,
        chunk: list[_Entry],
        done: Callable[[Path], None],
        sentences: list[Any] | None = None,
    ) -> None:
        parsed = [e for e in chunk if isinstance(e, _Parsed)]
        if sentences is None and parsed:
            try:
                sentences = self._sentences(parsed)
            except InvalidInputError:  # find which file spaCy refused; the others go on
                sentences = []
                for one in parsed:
                    try:
                        sentences.append(self._sentences([one])[0])
                    except InvalidInputError as e:
                        sentences.append(e)
        answers = iter(sentences or ())
        for i, entry in enumerate(chunk):
            if isinstance(entry, _Skipped):
                if entry.error is not None:
                    self._fail(entry.path, entry.error)
                done(entry.path)
                continue
            sents = next(answers)
            try:
                if isinstance(sents, QualcodeError):
                    raise sents
                self.writer.store(prepare(entry, sents))
            except BaseException as e:
                self._forget(entry)  # not stored: a later file like it is new again
                if not isinstance(e, QualcodeError):
                    self._forget_all(chunk[i + 1 :])
                    raise
                self._fail(entry.path, e)
            done(entry.path)

    def _forget_all(self, entries: list[_Entry]) -> None:
        for entry in reversed(entries):  # last first: each restores what was before it
            if isinstance(entry, _Parsed):
                self._forget(entry)

    def _sentences(self, chunk: list[_Parsed]) -> list[list[tuple[int, int, int]]]:
        try:
            return sentence_spans_many([(p.text, p.ranges) for p in chunk], self.nlp())
        except ValueError as e:  # e.g. a turn longer than a trained pipeline's max_length
            where = (
                chunk[0].path
                if len(chunk) == 1
                else "one of " + ", ".join(p.path.name for p in chunk)
            )
            raise InvalidInputError(
                f"{where}: spaCy could not split it into sentences "
                f"({str(e).splitlines()[0][:120]})."
            ) from e

    def _fail(self, path: Path, error: QualcodeError) -> None:
        message = str(error)
        self.report.failed.append(message if path.name in message else f"{path}: {message}")

    def _parse(self, path: Path, read: Read | None = None) -> _Parsed | None:
        """Read, check for a stored copy, find turns and the participant; None: not stored.

        ``read``: the file already read and parsed (by the child).
        """
        if read is None:
            read = read_one(path, self.labels, self.pattern)
        src, turns, sha, words = read  # type: ignore[misc]
        text = turns.text if turns.text is not None else src.text
        name = self.options.as_new or path.stem
        target = self._stored_target(path, name, sha)
        if target is False:
            return None
        warnings = src.warnings + parse_warnings(src, turns)
        pid, notes = identify_participant(path.stem, turns.participant_ids, self.pattern)
        warnings += [IngestWarning(path.name, n) for n in notes]
        values = {
            "name": name,
            "source_file": path.name,
            "file_format": src.file_format,
            "encoding": src.encoding,
            "sha256": sha,
            "text": text,
            "word_count": words,
        }
        by_sha = self._by_sha
        assert by_sha is not None  # loaded by _stored_target
        parsed = _Parsed(
            path,
            values,
            turns.turns,
            pid,
            target,
            warnings,
            (self._by_name.get(name), by_sha.get(sha)),
            turns.times,
        )
        self._by_name[name] = (target, sha)  # later files of this run see it as stored
        by_sha.setdefault(sha, (target, name))
        return parsed

    def _forget(self, parsed: _Parsed) -> None:
        name, sha = parsed.values["name"], parsed.values["sha256"]
        for index, key, before in (
            (self._by_name, name, parsed.before[0]),
            (self._by_sha, sha, parsed.before[1]),
        ):
            if before is None:
                index.pop(key, None)  # type: ignore[union-attr]
            else:
                index[key] = before  # type: ignore[index]

    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp, warning = load_pipeline(self.options.spacy_model)
            self._note_pipeline(warning)
        return self._nlp

    def _note_pipeline(self, warning: str | None) -> None:
        """Report the pipeline's warning once, whichever process loaded it first."""
        if warning and not self._pipeline_noted:
            self._pipeline_noted = True
            self.report.warnings.append(IngestWarning("spaCy", warning))

    def _stored_target(self, path: Path, name: str, sha: str) -> int | None | bool:
        """None: a new document; an id: replace that document; False: not stored (reported)."""
        if self._by_sha is None:  # one query per run, not one per file
            with self.project.engine.connect() as conn:
                stored = conn.execute(_Q.all_documents).all()
            self._by_sha = {}
            for row in stored:
                self._by_sha.setdefault(row.sha256, (row.id, row.name))
                self._by_name[row.name] = (row.id, row.sha256)
        same = self._by_sha.get(sha)
        named = self._by_name.get(name)
        doc_id = named[0] if named is not None else None
        codings = 0
        if doc_id is not None:
            with self.project.engine.connect() as conn:
                codings = conn.execute(_Q.count_codings, {"doc": doc_id}).scalar() or 0
        if same is not None:
            if self.options.replace and same[1] == name and doc_id is not None and not codings:
                return doc_id  # same text, parsed again (e.g. with new speaker labels)
            where = "" if same[1] == name else f" as {same[1]!r}"
            kept = (
                f", kept: it has {codings} codings (re-read its speakers in place with "
                f"`qualcode reparse {name!r} --speakers ...`)"
                if self.options.replace and codings
                else ""
            )
            self.report.unchanged.append(f"{path.name}{where}{kept}")
            return False
        if named is None:
            return None
        if not self.options.replace or codings or doc_id is None:
            self.report.changed.append(_changed_message(path, name, codings))
            return False
        return doc_id


def parse_warnings(src: Any, parsed: ParsedTurns) -> list[IngestWarning]:
    """The parse's notices and every line it could not place, at their file lines."""
    out = [where(src, n.offset, n.message, n.line) for n in parsed.notices]
    if parsed.unplaced:
        count = sum(u.lines for u in parsed.unplaced)
        out.append(
            IngestWarning(
                src.path.name,
                f"{count} line{'s' * (count != 1)} not placed "
                "in a speaker turn (listed below); run `qualcode import "
                f"--check {src.path.name}` to see the file's turns.",
            )
        )
        out += [
            where(src, u.offset, f"not placed ({u.reason}): {u.text[:60]!r}", u.line)
            for u in parsed.unplaced
        ]
    return out


def _changed_message(path: Path, name: str, codings: int) -> str:
    if codings:
        return (
            f"{path}: its text differs from the stored document {name!r}, which has "
            f"{codings} codings pointing into its text, so it was not replaced. Import "
            "the new version under another name with --as-new NAME."
        )
    return (
        f"{path}: its text differs from the stored document {name!r}. Import it with "
        "--replace to replace the stored text (it has no codings), or with --as-new "
        "NAME to keep both."
    )
