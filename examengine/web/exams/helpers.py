"""What the admin's exam pages share: the exam by id, its page frame, errors on form fields."""
from __future__ import annotations

from flask import current_app, render_template

from ...models import Exam, User
from ...services.exams import ExamError, exam_status, is_locked
from ..http import get_or_404
from ..ui import ActionForm


def exam_or_404(exam_id: int) -> Exam:
    return get_or_404(Exam, exam_id)


def attach_errors(form, error: ExamError) -> list[str]:
    """Put each message on its form field; return those that belong to no field (shown above the form)."""
    loose = []
    for name, messages in error.errors.items():
        field = form._fields.get(name) if form is not None else None
        if field is None:
            loose += messages
        else:
            field.errors = [*field.errors, *messages]
    return loose


def exam_page(template: str, exam: Exam, status: int = 200, **context):
    """A page of one exam: the header shows its status and lock."""
    context.setdefault("locked", is_locked(exam))
    return render_template(template, exam=exam, status=exam_status(exam), action_form=ActionForm(),
                           **context), status


def user_label(user: User) -> str:
    return user.username if user.name == user.username else f"{user.username} ({user.name})"


def form_zone() -> str:
    return current_app.config["EXAMENGINE_TIMEZONE"]
