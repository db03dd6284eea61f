"""Import parsed Markdown banks into the database: all or nothing, keeping every question version.

The whole import (one or several files) is parsed first; only when every file is clean is anything
written, in one transaction. Questions are matched by `QuestionSpec.identity` (their `id:` or, without
one, their content), so re-importing a bank versions changed questions and retires missing ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from ...core.banks import BankError, BankSpec, QuestionSpec, load_bank_bytes
from ...core.qtypes import render_fragments
from ...extensions import db
from ...models import Bank, Question, QuestionTag, QuestionVersion
from ...models._time import utcnow
from ..messages import _
from .checks import check_bank_limits, check_duplicate_keys

# Ids per `IN (...)` list: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 500


@dataclass(frozen=True)
class QuestionRef:
    identity: str
    title: str


@dataclass
class BankReport:
    key: str
    title: str
    source: str
    created: bool = False
    added: list[QuestionRef] = field(default_factory=list)
    changed: list[QuestionRef] = field(default_factory=list)
    restored: list[QuestionRef] = field(default_factory=list)
    retired: list[QuestionRef] = field(default_factory=list)
    unchanged: list[QuestionRef] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in ("added", "changed", "restored", "retired", "unchanged")}


@dataclass
class ImportReport:
    banks: list[BankReport] = field(default_factory=list)
    errors: list[BankError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Existing:
    """One stored question with its current version, as needed to compare with the file."""

    question_id: int
    position: int
    retired: bool
    number: int
    fingerprint: str
    title: str


def import_banks(files: list[tuple[str, bytes]], *, max_bytes: int) -> ImportReport:
    """Parse every file; store all banks in one transaction, or nothing if any file has an error."""
    banks, errors = parse_all(files, max_bytes=max_bytes)
    if errors:
        return ImportReport(errors=errors)
    try:
        reports = [_store_bank(spec) for spec in banks]
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        return ImportReport(errors=[_database_error(error)])
    return ImportReport(banks=reports)


def parse_all(files: list[tuple[str, bytes]], *, max_bytes: int) -> tuple[list[BankSpec], list[BankError]]:
    banks: list[BankSpec] = []
    errors: list[BankError] = []
    for source, data in files:
        result = load_bank_bytes(data, source=source, max_bytes=max_bytes)
        errors.extend(result.errors)
        if result.bank is not None and not result.errors:
            errors.extend(check_bank_limits(result.bank, data))
            banks.append(result.bank)
    errors.extend(check_duplicate_keys(banks, dict(files)))
    if not files:
        errors.append(BankError("", 0, _("No bank files were given."), ""))
    return banks, errors


def _database_error(error: SQLAlchemyError) -> BankError:
    detail = (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0][:300]
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        message = _("The database is not set up (%(detail)s), so nothing was stored. "
                    "Run “flask --app wsgi db upgrade” and import again.", detail=detail)
    else:
        message = _("The database refused the import, so nothing was stored (%(detail)s). "
                    "If another import was running at the same time, try again.", detail=detail)
    return BankError("", 0, message, "")


def _store_bank(spec: BankSpec) -> BankReport:
    bank, created = _upsert_bank(spec)
    report = BankReport(key=spec.key, title=spec.title, source=spec.source, created=created)
    existing = {} if created else _load_existing(bank.id)
    now = utcnow()
    new_specs: list[tuple[int, QuestionSpec]] = []
    new_versions: list[tuple[int, int, QuestionSpec]] = []  # (question id, version number, spec)
    moved: list[dict] = []
    for position, spec_q in enumerate(spec.questions):
        ref = QuestionRef(spec_q.identity, spec_q.title)
        old = existing.pop(spec_q.identity, None)
        if old is None:
            new_specs.append((position, spec_q))
            report.added.append(ref)
            continue
        if old.position != position or old.retired:
            moved.append({"id": old.question_id, "position": position, "retired_at": None})
        changed = old.fingerprint != spec_q.fingerprint
        if changed:
            new_versions.append((old.question_id, old.number + 1, spec_q))
        # A question back from retirement is reported once, as restored, even if it also changed.
        outcome = report.restored if old.retired else report.changed if changed else report.unchanged
        outcome.append(ref)
    _retire(existing, now, report)
    _update_questions(moved)
    _close_versions([qid for qid, _number, _spec in new_versions])
    new_ids = _insert_questions(bank.id, new_specs, now)
    new_versions.extend((qid, 1, spec_q) for qid, (_pos, spec_q) in zip(new_ids, new_specs, strict=True))
    _insert_versions(bank.id, new_versions, now)
    if report.added or report.changed or report.restored or report.retired:
        bank.updated_at = now
    return report


def _upsert_bank(spec: BankSpec) -> tuple[Bank, bool]:
    bank = db.session.scalar(select(Bank).where(Bank.key == spec.key))
    created = bank is None
    if created:
        bank = Bank(key=spec.key)
        db.session.add(bank)
    bank.title = spec.title or spec.key
    bank.description = spec.description or ""
    bank.source_name = (spec.source or "")[-255:]
    db.session.flush()
    return bank, created


def _load_existing(bank_id: int) -> dict[str, _Existing]:
    """Every question of the bank with its current version, in one query."""
    rows = db.session.execute(
        select(Question.id, Question.identity, Question.position, Question.retired_at,
               QuestionVersion.number, QuestionVersion.fingerprint, QuestionVersion.title)
        .outerjoin(QuestionVersion, (QuestionVersion.question_id == Question.id) & QuestionVersion.is_current)
        .where(Question.bank_id == bank_id)
    )
    existing = {}
    for qid, identity, position, retired_at, number, fingerprint, title in rows:
        existing[identity] = _Existing(qid, position, retired_at is not None, number or 0,
                                       fingerprint or "", title or "")
    return existing


def _retire(missing: dict[str, _Existing], now, report: BankReport) -> None:
    """Questions no longer in the file are retired, never deleted: attempts may reference them."""
    live = {identity: old for identity, old in missing.items() if not old.retired}
    report.retired.extend(QuestionRef(identity, old.title) for identity, old in live.items())
    for chunk in _chunks([old.question_id for old in live.values()]):
        db.session.execute(update(Question).where(Question.id.in_(chunk)).values(retired_at=now),
                           execution_options={"synchronize_session": False})


def _update_questions(rows: list[dict]) -> None:
    if rows:
        db.session.execute(update(Question), rows)  # executemany, by primary key


def _close_versions(question_ids: list[int]) -> None:
    for chunk in _chunks(question_ids):
        db.session.execute(
            update(QuestionVersion)
            .where(QuestionVersion.question_id.in_(chunk), QuestionVersion.is_current)
            .values(is_current=False),
            execution_options={"synchronize_session": False},
        )


# Inserts are plain executemany and the new ids come back from one SELECT per bank: INSERT ... RETURNING
# of thousands of rows is several times slower on psycopg (each long multi-row statement is re-parsed
# client-side), and neither table needs ids in file order otherwise. They are Core inserts into the
# tables: the ORM's bulk insert spends more time preparing each row than the database takes to store it.

def _insert_questions(bank_id: int, specs: list[tuple[int, QuestionSpec]], now) -> list[int]:
    if not specs:
        return []
    db.session.execute(insert(Question.__table__), [
        {"bank_id": bank_id, "identity": spec.identity, "position": position, "created_at": now}
        for position, spec in specs
    ])
    ids = dict(db.session.execute(select(Question.identity, Question.id).where(Question.bank_id == bank_id)).all())
    return [ids[spec.identity] for _position, spec in specs]


def _insert_versions(bank_id: int, items: list[tuple[int, int, QuestionSpec]], now) -> None:
    if not items:
        return
    db.session.execute(insert(QuestionVersion.__table__),
                       [_version_row(qid, number, spec, now) for qid, number, spec in items])
    current = dict(db.session.execute(
        select(QuestionVersion.question_id, QuestionVersion.id).join(QuestionVersion.question)
        .where(Question.bank_id == bank_id, QuestionVersion.is_current.is_(True))
    ).all())
    tags = [{"version_id": current[qid], "tag": tag, "position": index}
            for qid, _number, spec in items for index, tag in enumerate(_unique(spec.tags))]
    if tags:
        db.session.execute(insert(QuestionTag.__table__), tags)


def _version_row(question_id: int, number: int, spec: QuestionSpec, now) -> dict:
    return {
        "question_id": question_id, "number": number, "is_current": True, "qtype": spec.qtype,
        "title": spec.title or "", "points": float(spec.points), "difficulty": spec.difficulty,
        "dimension": spec.dimension or "", "stem": spec.stem or "", "explanation": spec.explanation or "",
        "payload": spec.payload, "fingerprint": spec.fingerprint, "source_line": spec.line, "created_at": now,
        # Rendered once, here: every page of the version shows this HTML (services.banks.rendered).
        "rendered": render_fragments(spec.qtype, spec.payload, spec.stem or "", spec.explanation or ""),
    }


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items or ()))


def _chunks(items: list) -> list[list]:
    return [items[start:start + CHUNK] for start in range(0, len(items), CHUNK)]
