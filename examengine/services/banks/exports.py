"""A stored bank written out in a format other tools read: Markdown, Moodle XML, QTI 2.1, the XLSX template.

The bank's current, not retired question versions are what is exported, in the bank's order: each is
turned back into the `QuestionSpec` it was imported as, so the core's exporters take it like a parsed
file. Markdown export is our own format written from those versions, so a bank that came in through
the web (or from another format) can be kept in Git from then on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from ...core.banks import BankSpec, QuestionSpec
from ...core.converters import drafts_of, formats, write_bank
from ...extensions import db
from ...models import Bank, Question, QuestionTag, QuestionVersion

MARKDOWN = "md"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes


def export_formats() -> list[str]:
    return list(formats.EXPORT_FORMATS)


def bank_by_key(key: str) -> Bank | None:
    return db.session.scalar(select(Bank).where(Bank.key == key))


def bank_spec(bank: Bank) -> BankSpec:
    """The bank as a parsed file would give it: current versions of live questions, in bank order."""
    rows = db.session.execute(
        select(Question.identity, QuestionVersion)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(Question.bank_id == bank.id, Question.retired_at.is_(None), QuestionVersion.is_current.is_(True))
        .order_by(Question.position, Question.id)
    ).all()
    tags = _tags([version.id for _identity, version in rows])
    questions = [_spec(identity, version, tags.get(version.id, [])) for identity, version in rows]
    return BankSpec(key=bank.key, title=bank.title, description=bank.description, source=bank.source_name,
                    questions=questions)


def export_bank(bank: Bank, format_name: str) -> ExportFile | None:
    """The bank in `format_name` (one of `export_formats()`), or None for an unknown format."""
    spec = bank_spec(bank)
    stem = _UNSAFE_NAME.sub("_", bank.key) or "bank"
    if format_name == MARKDOWN:
        text = write_bank(drafts_of(spec), key=spec.key, title=spec.title, description=spec.description)
        return ExportFile(f"{stem}.md", "text/markdown; charset=utf-8", text.encode("utf-8"))
    fmt = formats.get(format_name)
    if fmt is None or not fmt.writer:
        return None
    content = fmt.write(drafts_of(spec), key=spec.key, title=spec.title or spec.key)
    return ExportFile(stem + fmt.download_extension, fmt.media_type, content)


def import_template() -> ExportFile:
    """The XLSX template for questions written in a spreadsheet, with an example row per type."""
    from ...core.converters.spreadsheet import template_xlsx

    fmt = formats.get("xlsx")
    return ExportFile("题库导入模板.xlsx", fmt.media_type, template_xlsx())


def _tags(version_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(version_ids), 500):
        chunk = version_ids[start:start + 500]
        for version_id, tag in db.session.execute(
                select(QuestionTag.version_id, QuestionTag.tag)
                .where(QuestionTag.version_id.in_(chunk))
                .order_by(QuestionTag.version_id, QuestionTag.position)):
            found.setdefault(version_id, []).append(tag)
    return found


def _spec(identity: str, version: QuestionVersion, tags: list[str]) -> QuestionSpec:
    return QuestionSpec(
        qtype=version.qtype, title=version.title, line=version.source_line,
        key=None if identity.startswith("content:") else identity, points=float(version.points),
        difficulty=version.difficulty, tags=tags, dimension=version.dimension, stem=version.stem,
        explanation=version.explanation, payload=version.payload,
    )
