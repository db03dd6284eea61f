"""Every page shows a question version's HTML rendered once and stored with it; a changed question's new
version shows its own, while attempts on the old version keep the old one."""
from __future__ import annotations

from sqlalchemy import select, update

from examengine.core.markup import RENDER_VERSION
from examengine.extensions import db
from examengine.models import QuestionVersion
from tests.exam_builders import import_bank, make_exam
from tests.web.exam_fixtures import employee_client, start

BANK = """---
id: rb
title: Render bank
---

## [single] Port
id: port

{stem}

- [ ] 80
- [x] 443
"""
OLD, NEW = "Which **OLD-STEM** port does HTTPS use?", "Which *NEW-STEM* port does HTTPS use?"
RULES = [{"count": 1, "qtype": "single"}]


def _versions(app) -> list[QuestionVersion]:
    with app.app_context():
        versions = db.session.scalars(select(QuestionVersion).order_by(QuestionVersion.number)).all()
        db.session.expunge_all()
        return versions


def test_a_reimported_question_renders_its_new_html_while_the_old_attempt_keeps_the_old(app):
    exam_id = make_exam(app, bank_md=BANK.format(stem=OLD), rules=RULES, users=["alice", "bob"])
    alice = employee_client(app, "alice")
    old_attempt = start(alice, exam_id)
    assert "<strong>OLD-STEM</strong>" in alice.get(f"/attempts/{old_attempt}").text

    import_bank(app, BANK.format(stem=NEW))
    old, new = _versions(app)
    assert (old.is_current, new.is_current) == (False, True)
    assert "<strong>OLD-STEM</strong>" in str(old.rendered["html"]) and "NEW-STEM" not in str(old.rendered["html"])
    assert "<em>NEW-STEM</em>" in str(new.rendered["html"]) and "OLD-STEM" not in str(new.rendered["html"])

    page = alice.get(f"/attempts/{old_attempt}").text
    assert "<strong>OLD-STEM</strong>" in page and "NEW-STEM" not in page
    bob = employee_client(app, "bob")
    new_page = bob.get(f"/attempts/{start(bob, exam_id)}").text
    assert "<em>NEW-STEM</em>" in new_page and "OLD-STEM" not in new_page


def test_the_exam_page_shows_the_stored_html(app):
    """What is stored is what the page shows (the import stored it; nothing renders it again)."""
    exam_id = make_exam(app, bank_md=BANK.format(stem=OLD), rules=RULES, users=["alice"])
    (version,) = _versions(app)
    stored = dict(version.rendered)
    stored["html"] = {source: html.replace("OLD-STEM", "FROM-THE-STORE") for source, html in stored["html"].items()}
    with app.app_context():
        db.session.execute(update(QuestionVersion).where(QuestionVersion.id == version.id).values(rendered=stored))
        db.session.commit()
    alice = employee_client(app, "alice")
    page = alice.get(f"/attempts/{start(alice, exam_id)}").text
    assert "<strong>FROM-THE-STORE</strong>" in page and "OLD-STEM" not in page


def test_a_version_without_html_or_with_a_stale_render_version_is_rendered_and_stored(app):
    exam_id = make_exam(app, bank_md=BANK.format(stem=OLD), rules=RULES, users=["alice", "bob"])
    (version,) = _versions(app)
    stale = {"v": RENDER_VERSION - 1, "nonce": "0" * 16, "html": {OLD: "<p>STALE</p>"}}
    # A kept question card (web/attempts/cards.py) would spare the second page reading the version at all.
    app.config["EXAMENGINE_CARD_CACHE"] = False
    alice = employee_client(app, "alice")
    attempt_id = start(alice, exam_id)
    for value in (None, stale):
        with app.app_context():
            db.session.execute(update(QuestionVersion).where(QuestionVersion.id == version.id).values(rendered=value))
            db.session.commit()
        page = alice.get(f"/attempts/{attempt_id}").text
        assert "<strong>OLD-STEM</strong>" in page and "STALE" not in page
        (stored,) = _versions(app)
        assert stored.rendered["v"] == RENDER_VERSION
        assert "<strong>OLD-STEM</strong>" in str(stored.rendered["html"])


def test_a_migrated_database_stores_the_rendered_html(migrated_app):
    import_bank(None, BANK.format(stem=OLD))
    version = db.session.scalar(select(QuestionVersion))
    assert version.rendered["v"] == RENDER_VERSION
    assert "<strong>OLD-STEM</strong>" in str(version.rendered["html"])
