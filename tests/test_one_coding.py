"""One coding: the row ``add_coding`` returns is the row the project then holds, however named."""

from __future__ import annotations

from dataclasses import asdict, fields

import pytest
from sqlalchemy import func, select

from qualcode.errors import ConflictError, InvalidInputError, NotFoundError
from qualcode.services.coding import (
    CodingRow,
    add_coding,
    get_coding,
    iter_codings,
    list_codings,
    remove_coding,
)
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.store.models import AuditEntry, Code, Document
from tests.conftest import add_document

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite", "postgresql"], indirect=True)

TEXT = (
    "Interviewer: How were the wards?\n\n"
    "S3PW1: The ward staff were welcoming. They saw the value of lived experience.\n"
)
WELCOMING = (TEXT.index("The ward"), TEXT.index(" They"))


@pytest.fixture
def coded(project: Project) -> Project:
    apply_framework(project, "modified-parihs")
    add_document(project, "Interview 3", TEXT, participant="S3PW1", case="Site 3")
    add_document(project, "Interview 4", TEXT.replace("S3PW1", "S4PW1"))  # no participant
    return project


def _ids(project: Project) -> tuple[int, int]:
    with project.read() as s:
        doc = s.scalar(select(Document.id).where(Document.name == "Interview 3"))
        code = s.scalar(select(Code.id).where(Code.name == "Culture"))
    assert doc is not None and code is not None
    return doc, code


@pytest.mark.parametrize(
    "document, code",
    [
        ("Interview 3", "Context/Culture"),
        ("S3PW1", "culture"),  # a participant label; a code by its name, any case
        ("interview 3", "Context / Culture "),  # the name in another case; spaces in the path
        ("id", "id"),  # both by id, as an int
        ("id-str", "id-str"),  # both by id, as digits
    ],
)
def test_the_returned_row_is_the_stored_row(coded: Project, document: str, code: str) -> None:
    doc_id, code_id = _ids(coded)
    doc_ref = {"id": doc_id, "id-str": str(doc_id)}.get(document, document)
    code_ref = {"id": code_id, "id-str": str(code_id)}.get(code, code)
    row = add_coding(coded, doc_ref, *WELCOMING, code_ref, valence="f", memo="valued")
    assert row == get_coding(coded, row.id)
    assert (row.document, row.participant, row.case) == ("Interview 3", "S3PW1", "Site 3")
    assert (row.code, row.code_path, row.valence) == (
        "Culture",
        ("Context", "Culture"),
        "facilitator",
    )
    assert row.text == "The ward staff were welcoming." and row.memo == "valued"
    assert row.coder == "tester" and row.created_at is not None


def test_another_coder_no_participant_and_a_restored_id(coded: Project) -> None:
    row = add_coding(coded, "Interview 4", 20, 40, "Context/Culture", coder="  ana ")
    assert row == get_coding(coded, row.id)
    assert (row.coder, row.participant, row.case, row.memo) == ("ana", None, None, "")
    gone = remove_coding(coded, row.id)
    again = add_coding(coded, "Interview 4", 20, 40, "Culture", coder="ana", coding_id=gone.id)
    assert again.id == gone.id and again == get_coding(coded, gone.id)


def test_refusals_keep_their_messages_and_store_nothing(coded: Project) -> None:
    with pytest.raises(NotFoundError, match="No document 'Interview 9'"):
        add_coding(coded, "Interview 9", 0, 5, "Culture")
    with pytest.raises(NotFoundError, match="No document with id 999"):
        add_coding(coded, 999, 0, 5, "Culture")
    with pytest.raises(NotFoundError, match="No code 'Cultur'.*Did you mean"):
        add_coding(coded, "Interview 3", *WELCOMING, "Cultur")
    with pytest.raises(NotFoundError, match="No code with id 99999"):
        add_coding(coded, "Interview 3", *WELCOMING, 99999)
    with pytest.raises(InvalidInputError, match="'Context' is a heading"):
        add_coding(coded, "Interview 3", *WELCOMING, "Context")
    with pytest.raises(InvalidInputError, match="outside 'Interview 3'"):
        add_coding(coded, "Interview 3", 10, 10_000, "Culture")
    first = add_coding(coded, "Interview 3", *WELCOMING, "Culture")
    with pytest.raises(ConflictError, match=f"already coded 'Culture' \\(coding {first.id}\\)"):
        add_coding(coded, "S3PW1", *WELCOMING, "Context/Culture")
    assert [r.id for r in list_codings(coded)] == [first.id]
    with coded.read() as s:  # one audit entry: the one coding that was stored
        ops = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.operation == "add coding")
        )
    assert ops == 1


def test_json_record_is_every_field_in_order(coded: Project) -> None:
    add_coding(coded, "Interview 4", 20, 40, "Culture", coder="ana")
    row = add_coding(coded, "Interview 3", *WELCOMING, "Culture", valence="b", memo="m")
    record = row.to_json()
    assert list(record) == [f.name for f in fields(CodingRow)]
    expected = {**asdict(row), "code_path": ["Context", "Culture"]}
    expected |= {"created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat()}
    assert record == expected
    streamed = [r.to_json() for r in iter_codings(coded)]
    assert streamed == [r.to_json() for r in list_codings(coded)] and record in streamed
    assert [r["document"] for r in streamed] == ["Interview 3", "Interview 4"]
