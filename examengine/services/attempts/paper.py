"""The paper as the exam page shows it: one `SlotView` per question, never any key material.

The page of a fresh paper mostly reuses question cards kept by the web layer (web/attempts/cards.py),
which need only what each slot row says. So the slots are read with one light query, and the
question versions' payloads and stored HTML (the large JSON of a paper) are read and turned into
template contexts only when a page first asks a slot for its `context`: in one query, for every slot
that has no kept card.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ...core import qtypes
from ...core.markup import RENDER_VERSION
from ...extensions import db
from ...models import Attempt, AttemptSlot, QuestionVersion
from ..banks.rendered import version_renderers


@dataclass
class SlotView:
    """One question of the paper. `context` (what its type's template needs, without the key) is
    made on first use."""

    position: int
    section: int
    qtype: str
    title: str
    points: float
    template: str
    response: Any
    flagged: bool
    answered: bool
    seq: int
    section_title: str = ""
    version_id: int = 0
    option_order: list[int] | None = None
    field_name: str = ""
    # The card of an untouched slot is the same on every paper with this version, display order and
    # points (see web/attempts/cards.py); None once the slot holds an answer, a flag or a save.
    fresh_key: tuple | None = None
    # Set by the page when it reuses a kept card for this slot: then its context is never needed.
    kept_card: Any = None
    _paper: _PaperVersions | None = field(default=None, repr=False, compare=False)
    _context: dict | None = field(default=None, repr=False, compare=False)

    @property
    def context(self) -> dict:
        if self._context is None:
            self._context = self._paper.context(self)
        return self._context

    def stand_in(self, position: str) -> SlotView:
        """This slot at another position (a stand-in string for it): its field name follows."""
        return dataclasses.replace(self, position=position, field_name=f"q{position}", _context=None)


class _PaperVersions:
    """The paper's question versions, read when a context is first asked for: in one query, those of
    every slot that has no kept card by then."""

    def __init__(self) -> None:
        self.views: list[SlotView] = []
        self.versions: dict[int, QuestionVersion] = {}
        self.renderers: dict = {}

    def context(self, view: SlotView) -> dict:
        if view.version_id not in self.versions:
            wanted = {v.version_id for v in self.views if v.kept_card is None} | {view.version_id}
            versions = db.session.scalars(
                select(QuestionVersion).where(QuestionVersion.id.in_(wanted - self.versions.keys()))).all()
            self.versions.update((version.id, version) for version in versions)
            self.renderers.update(version_renderers(versions))  # the versions' stored HTML
        version = self.versions[view.version_id]
        return qtypes.get(version.qtype).template_context(
            version.payload, stem_md=version.stem, field_name=view.field_name, response=view.response,
            option_order=view.option_order, show_key=False, render=self.renderers[version.id],
        )


def paper_view(attempt: Attempt) -> list[SlotView]:
    """Every slot of the attempt in paper order, rendered WITHOUT the key (show_key=False)."""
    titles = [section.title for section in attempt.exam.sections]
    rows = db.session.execute(
        select(AttemptSlot.position, AttemptSlot.section, AttemptSlot.points, AttemptSlot.response,
               AttemptSlot.flagged, AttemptSlot.response_seq, AttemptSlot.option_order,
               QuestionVersion.id, QuestionVersion.qtype, QuestionVersion.title)
        .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(AttemptSlot.position)
    ).all()
    paper = _PaperVersions()
    views = []
    for row in rows:
        qtype = qtypes.get(row.qtype)
        view = SlotView(
            position=row.position, section=row.section, qtype=row.qtype, title=row.title, points=float(row.points),
            template=qtype.template, response=row.response, flagged=bool(row.flagged),
            answered=qtype.is_answered(row.response), seq=row.response_seq,
            section_title=titles[row.section] if 0 <= row.section < len(titles) else "",
            version_id=row.id, option_order=row.option_order, field_name=f"q{row.position}", _paper=paper,
        )
        if row.response is None and not row.flagged and not row.response_seq:
            view.fresh_key = (row.id, RENDER_VERSION, row.qtype, tuple(row.option_order or ()), view.points)
        views.append(view)
    paper.views = views
    return views
