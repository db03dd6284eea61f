"""Migration f5c6d7e8f9a0: written answers that the old key (case and all whitespace folded) put in one
group get separate groups after the upgrade, and a reviewer sees each distinct text of a group."""
from __future__ import annotations

from flask_migrate import stamp, upgrade
from sqlalchemy import select, update

from examengine.extensions import db
from examengine.models import AttemptSlot, Exam, QuestionVersion
from examengine.services.grading import next_group
from tests.exam_builders import build_exam
from tests.grading_builders import add_reviewers, submit_attempts, version_id, written_slot
from tests.migration_helpers import previous_revision

REVISION = "f5c6d7e8f9a0"
OLD_KEY = "0" * 40  # what the case-folding key gave both answers


def test_the_upgrade_splits_groups_that_only_folding_case_joined(migrated_app):
    exam_id = build_exam(users=["ann", "bob", "cat"]).id
    rita = add_reviewers(exam_id, ["rita"])[0]
    ids = submit_attempts(exam_id, {"ann": "grep -i ERROR app.log", "bob": "GREP -I error APP.LOG", "cat": None})
    short = version_id("short")
    old_rows = [written_slot(ids[name]).id for name in ("ann", "bob")]
    db.session.execute(update(AttemptSlot).where(AttemptSlot.id.in_(old_rows)).values(response_key=OLD_KEY))
    db.session.commit()
    stamp(revision=previous_revision(REVISION))
    db.session.remove()

    upgrade(revision=REVISION)

    keys = dict(db.session.execute(select(AttemptSlot.id, AttemptSlot.response_key)
                                   .where(AttemptSlot.id.in_([*old_rows, written_slot(ids["cat"]).id]))).all())
    assert [keys[slot_id] for slot_id in old_rows] == [None, None]
    assert keys[written_slot(ids["cat"]).id] == ""  # a blank answer keeps its key
    group = next_group(db.session.get(Exam, exam_id), db.session.get(QuestionVersion, short), rita)
    assert group.size == 1 and group.variants == [(group.response, 1)]
    assert group.response in ("grep -i ERROR app.log", "GREP -I error APP.LOG")
