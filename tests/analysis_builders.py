"""Exams sat with marks known in advance, for the analysis tests: a bank of six single-choice questions
(sim/q0 … sim/q5, titled Q0 … Q5, 1–3 points), and examinees who answer by a rule or by chance."""
from __future__ import annotations

import numpy as np

from examengine.extensions import db
from examengine.models import Exam
from examengine.services.attempts import start_or_resume, submit
from tests.exam_builders import build_exam, ensure_user

QUESTIONS = 6
KEYS = [f"sim/q{i}" for i in range(QUESTIONS)]


def bank() -> str:
    parts = ["---\nid: sim\ntitle: Simulated\n---\n"]
    for i in range(QUESTIONS):
        parts.append(f"## [single] Q{i}\nid: q{i}\ndifficulty: 3\npoints: {1 + i % 3}\n\nQuestion {i}?\n\n"
                     f"- [x] right {i}\n- [ ] wrong {i}\n- [ ] other {i}\n")
    return "\n".join(parts)


def make(keys, users, **fields) -> Exam:
    """An exam of the fixed questions `keys`, not shuffled, assigned to `users` (inside an app context)."""
    return build_exam(bank_md=bank(), rules=[{"question_keys": keys}], shuffle_questions=False, users=users, **fields)


def sit_by_rule(exam: Exam, usernames, right) -> None:
    """Examinee k answers question number i right when `right(k, i)`, else picks a wrong option."""
    for k, username in enumerate(usernames):
        attempt = start_or_resume(exam.id, ensure_user(username))
        for slot in attempt.slots:
            slot.response = 0 if right(k, int(slot.version.title[1:])) else 1
        db.session.commit()
        submit(attempt)


def sit_at_random(exam: Exam, usernames, rng, *, broken: int | None = None) -> None:
    """Each examinee answers right with a probability rising with their ability (falling for `broken`)."""
    abilities = {username: rng.normal() for username in usernames}
    draws = {}

    def right(k, number):
        ability = abilities[usernames[k]]
        p = 1 / (1 + np.exp(-(ability - (number - 2) * 0.4) * 2))
        if number == broken:
            p = 1 - p
        draws[k, number] = rng.random() < p
        return draws[k, number]

    sit_by_rule(exam, list(usernames), right)


def graded_pattern(k: int, number: int) -> bool:
    """30 examinees: Q0–Q3 right for the stronger ones (a clean scale), Q4 right for the eight weakest only
    (negative discrimination), Q5 right for everyone (too easy)."""
    if number == 4:
        return k < 8
    if number == 5:
        return True
    return k >= 5 * (number + 1)
