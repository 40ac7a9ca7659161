"""What the REFI-QDA import mixins share: the open session and the lookup tables."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qualcode.exchange.refi_read import RefiProjectData
from qualcode.exchange.refi_report import RefiImportReport
from qualcode.store.models import Case, Document


class StoreState:
    """State and helpers provided by ``RefiStore`` to the storing mixins."""

    s: Session
    data: RefiProjectData
    report: RefiImportReport
    default_coder_name: str
    coder_by_user: dict[str, int]
    code_by_guid: dict[str, int]
    case_by_guid: dict[str, Case]
    case_of_source: dict[str, Case]
    doc_by_source: dict[str, Document]
    note_targets: dict[str, list[tuple[str, int | None]]]

    def coder_for(self, user: str | None) -> int:
        raise NotImplementedError
