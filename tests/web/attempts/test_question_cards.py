"""The exam page keeps the card of an untouched question and reuses it on other papers
(web/attempts/cards.py): what every page shows must be exactly what rendering it afresh shows."""
from __future__ import annotations

import re

import pytest

from tests.exam_builders import make_exam, option_orders, shown
from tests.web.exam_fixtures import employee_client, positions, save, start

STAND_IN_BANK = """---
id: sb
title: Stand-in bank
---

## [single] Licence
id: licence

Is licence **987654321** or 987654322 the valid one (ticket 987654323)?

- [x] 987654321
- [ ] 987654322
"""


def _page(client, attempt_id: int) -> str:
    response = client.get(f"/attempts/{attempt_id}")
    assert response.status_code == 200
    # The CSRF token differs per session and per page; nothing else may.
    return re.sub(r'(data-csrf-token|value)="[\w.-]{40,}"', r'\1="TOKEN"', response.text)


def _fresh(app, client, attempt_id: int) -> str:
    """The page as it is when no card is kept or reused."""
    app.config["EXAMENGINE_CARD_CACHE"] = False
    try:
        return _page(client, attempt_id)
    finally:
        app.config["EXAMENGINE_CARD_CACHE"] = True


def _kept(app) -> int:
    return len(app.extensions.get("examengine_question_cards") or ())


@pytest.fixture
def two_papers(app):
    """alice and bob on one exam with the same order of questions and options, so bob's paper can
    reuse every card alice's first page kept."""
    exam_id = make_exam(app, users=["alice", "bob"], shuffle_questions=False, shuffle_options=False)
    alice, bob = employee_client(app, "alice"), employee_client(app, "bob")
    return alice, start(alice, exam_id), bob, start(bob, exam_id)


def test_a_second_paper_reuses_the_kept_cards_and_shows_what_a_fresh_page_shows(app, two_papers):
    alice, alice_attempt, bob, bob_attempt = two_papers
    alice_page = _page(alice, alice_attempt)
    questions = alice_page.count('data-testid="question"')
    assert questions >= 5 and _kept(app) == questions

    bob_page = _page(bob, bob_attempt)
    assert _kept(app) == questions  # reused, none added
    assert bob_page == _fresh(app, bob, bob_attempt)
    assert alice_page == _fresh(app, alice, alice_attempt)
    # Each page's cards carry its own attempt, positions and numbers.
    assert f"/attempts/{bob_attempt}/slots/" in bob_page and f"/attempts/{alice_attempt}/" not in bob_page
    numbers = re.findall(r'data-testid="question" aria-labelledby="q-(\d+)-label"', bob_page)
    assert len(set(numbers)) == questions
    assert "987654" not in bob_page


def test_an_answered_or_flagged_question_shows_its_own_state_next_to_kept_cards(app, two_papers):
    alice, alice_attempt, bob, bob_attempt = two_papers
    _page(alice, alice_attempt)  # keeps every card
    where = positions(app, alice_attempt)
    with app.app_context():
        order = option_orders(alice_attempt)[where["single"]]
    assert save(alice, alice_attempt,
                {"slot": where["single"], "seq": 1, "response": shown(1, order)},
                {"slot": where["fill"], "seq": 1, "flagged": True}).status_code == 200

    page = _page(alice, alice_attempt)
    assert page == _fresh(app, alice, alice_attempt)
    single = page.split(f'id="q-{where["single"]}"', 1)[1].split("</section>", 1)[0]
    assert single.count("checked") == 1
    flag = re.search(rf'<input[^>]*id="flag-{where["fill"]}"[^>]*>', page).group(0)
    assert "checked" in flag
    # bob's untouched paper still shows nothing chosen and nothing flagged.
    assert "checked" not in _page(bob, bob_attempt).split('id="exam-form"', 1)[1]


def test_a_question_whose_text_holds_a_stand_in_is_shown_intact_and_never_kept(app):
    exam_id = make_exam(app, bank_md=STAND_IN_BANK, rules=[{"count": 1}], users=["alice", "bob"])
    for name in ("alice", "bob"):
        client = employee_client(app, name)
        attempt_id = start(client, exam_id)
        page = _page(client, attempt_id)
        assert "Is licence <strong>987654321</strong> or 987654322 the valid one (ticket 987654323)?" in page
        assert page == _fresh(app, client, attempt_id)
    assert _kept(app) == 0


def test_each_language_has_its_own_cards(app, two_papers):
    alice, alice_attempt, bob, bob_attempt = two_papers
    assert "Question 1" in _page(alice, alice_attempt)
    bob.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    chinese = _page(bob, bob_attempt)
    assert "第 1 题" in chinese and "标记待检查" in chinese
    assert "Question 1" not in chinese and "Flag for review" not in chinese
    assert chinese == _fresh(app, bob, bob_attempt)
