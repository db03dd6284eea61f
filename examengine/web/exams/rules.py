"""Admin: an exam's sections and rules, on the `admin_exams` blueprint.

Works without JavaScript: every change is a small form posting to its own URL, then back to the editor.
A refused change (invalid, locked, or the pool cannot fill the rules) shows the page again with the
reasons and status 400, and stores nothing.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import SelectChoice

from ...core.papers import DrawRule, canonical_pool
from ...models import ExamRule, ExamSection
from ...services import exams as exam_service
from ...services.banks import candidate_pool, filter_choices, rule_spec
from ...services.exams import ExamError, RuleInput, question_count
from ..auth.session import role_required
from ..http import get_or_404
from ..ui import ActionForm, type_names
from . import bp
from .blueprint_table import blueprint_context, blueprint_input
from .forms import DrawRuleForm, FixedRuleForm, MoveForm, SectionForm
from .helpers import attach_errors, exam_or_404, exam_page


def _rules_page(exam, status: int = 200, problems=(), pool_problems=(), blueprint_errors=None):
    pool = candidate_pool()
    canonical = canonical_pool(pool)
    available = {rule.id: _available(rule, canonical) for section in exam.sections for rule in section.rules}
    source = request.form if request.method == "POST" and blueprint_errors is not None else request.args
    return exam_page("exams/rules.html", exam, status, available=available,
                     shortfalls=exam_service.shortfall_messages(exam, pool), problems=list(problems),
                     pool_problems=list(pool_problems), section_form=SectionForm(formdata=None),
                     move_form=MoveForm(formdata=None), type_names=type_names(),
                     questions=question_count(exam), total_points=exam_service.uniform_total(exam, pool),
                     blueprint=blueprint_context(exam, source, pool, blueprint_errors))


def _available(rule: ExamRule, canonical) -> int:
    spec = rule_spec(rule)
    if isinstance(spec, DrawRule):
        return sum(1 for c in canonical if spec.matches(c))
    keys = {c.question_key for c in canonical}
    return sum(1 for key in spec.question_keys if key in keys)


def _refused(exam, error: ExamError):
    pool = error.errors.get("pool", [])
    others = [m for name, messages in error.errors.items() if name != "pool" for m in messages]
    return _rules_page(exam, 400, others, pool)


def _section_of(exam, section_id: int) -> ExamSection:
    section = get_or_404(ExamSection, section_id)
    if section.exam_id != exam.id:
        abort(404)
    return section


def _rule_of(exam, rule_id: int) -> ExamRule:
    rule = get_or_404(ExamRule, rule_id)
    if rule.section.exam_id != exam.id:
        abort(404)
    return rule


def _step(form: MoveForm) -> int | None:
    if not form.validate_on_submit():
        return None
    return -1 if form.direction.data == "up" else 1


def _back(exam, message: str):
    flash(message, "success")
    return redirect(url_for(".rules", exam_id=exam.id))


@bp.route("/<int:exam_id>/rules")
@role_required("admin")
def rules(exam_id: int):
    return _rules_page(exam_or_404(exam_id))


# --- sections ---

@bp.route("/<int:exam_id>/sections", methods=["POST"])
@role_required("admin")
def add_section(exam_id: int):
    exam = exam_or_404(exam_id)
    form = SectionForm()
    try:
        if not form.validate_on_submit():
            raise ExamError(_("Invalid form."))
        exam_service.add_section(exam, form.title.data)
    except ExamError as error:
        return _refused(exam, error)
    return _back(exam, _("Added a section."))


@bp.route("/<int:exam_id>/sections/<int:section_id>/rename", methods=["POST"])
@role_required("admin")
def rename_section(exam_id: int, section_id: int):
    exam = exam_or_404(exam_id)
    section = _section_of(exam, section_id)
    form = SectionForm()
    try:
        if not form.validate_on_submit():
            raise ExamError(_("Invalid form."))
        exam_service.rename_section(section, form.title.data)
    except ExamError as error:
        return _refused(exam, error)
    return _back(exam, _("Renamed the section."))


@bp.route("/<int:exam_id>/sections/<int:section_id>/delete", methods=["POST"])
@role_required("admin")
def delete_section(exam_id: int, section_id: int):
    exam = exam_or_404(exam_id)
    section = _section_of(exam, section_id)
    try:
        exam_service.delete_section(section)
    except ExamError as error:
        return _refused(exam, error)
    return _back(exam, _("Deleted the section and its rules."))


@bp.route("/<int:exam_id>/sections/<int:section_id>/move", methods=["POST"])
@role_required("admin")
def move_section(exam_id: int, section_id: int):
    exam = exam_or_404(exam_id)
    section = _section_of(exam, section_id)
    step = _step(MoveForm())
    try:
        if step is None:
            raise ExamError(_("Invalid form."))
        exam_service.move_section(section, step)
    except ExamError as error:
        return _refused(exam, error)
    return _back(exam, _("Moved the section."))


# --- the paper blueprint: the whole paper as one table, saved as draw rules in one submit ---

@bp.route("/<int:exam_id>/blueprint", methods=["POST"])
@role_required("admin")
def save_blueprint(exam_id: int):
    exam = exam_or_404(exam_id)
    try:
        if not ActionForm().validate_on_submit():
            raise ExamError(_("Invalid form."))
        if request.form.get("recount"):  # without JavaScript: the counts for the banks and difficulty chosen
            return _rules_page(exam, blueprint_errors={})
        section = exam_service.apply_blueprint(exam, blueprint_input(request.form))
    except ExamError as error:
        errors = dict(error.errors)
        pool = errors.pop("pool", [])
        loose = [m for name, messages in errors.items() if not name.startswith("row:")
                 and name not in _BLUEPRINT_FIELDS for m in messages]
        return _rules_page(exam, 400, loose, pool, blueprint_errors=errors or {"rows": []})
    flash(ngettext("Saved the blueprint as %(num)d rule in %(section)s.",
                   "Saved the blueprint as %(num)d rules in %(section)s.", len(section.rules),
                   section=section.title or _("a new section")), "success")
    return redirect(url_for(".rules", exam_id=exam.id, _anchor=f"section-{section.id}"))


_BLUEPRINT_FIELDS = ("mode", "bank_keys", "difficulty_min", "rows", "section_id", "title")


# --- rules ---

def _with_current(choices: list, current) -> list:
    """The choices plus the rule's current values that are no longer offered (e.g. a retired tag)."""
    known = {choice.value for choice in choices}
    return choices + [SelectChoice(value, value) for value in current if value and value not in known]


def _draw_choices(form: DrawRuleForm, rule: ExamRule | None) -> None:
    offered = filter_choices()
    banks = [SelectChoice(bank.key, f"{bank.title} ({bank.key})" if bank.title else bank.key)
             for bank in offered["banks"]]
    form.bank_keys.choices = _with_current(banks, rule.bank_keys if rule else ())
    form.qtype.choices = [SelectChoice("", _("Any type")), *(SelectChoice(*item) for item in type_names().items())]
    form.tags.choices = _with_current([SelectChoice(tag, tag) for tag in offered["tags"]], rule.tags if rule else ())
    dimensions = [SelectChoice(d, d) for d in offered["dimensions"]]
    form.dimension.choices = [SelectChoice("", _("Any dimension")),
                              *_with_current(dimensions, [rule.dimension] if rule else ())]


def _rule_form(exam, section: ExamSection, rule: ExamRule | None, kind: str):
    form = DrawRuleForm() if kind == "draw" else FixedRuleForm()
    if kind == "draw":
        _draw_choices(form, rule)
    if request.method == "GET":
        if rule is not None:
            form.load(RuleInput.of(rule))
        return _rule_page(exam, section, rule, form)
    if not form.validate_on_submit():
        return _rule_page(exam, section, rule, form, 400)
    try:
        if rule is None:
            exam_service.add_rule(section, form.rule_input())
        else:
            exam_service.update_rule(rule, form.rule_input())
    except ExamError as error:
        pool = error.errors.pop("pool", [])
        return _rule_page(exam, section, rule, form, 400, attach_errors(form, error), pool)
    return _back(exam, _("Saved the rule.") if rule else _("Added the rule."))


def _rule_page(exam, section, rule, form, status: int = 200, problems=(), pool_problems=()):
    return exam_page("exams/rule_form.html", exam, status, section=section, rule=rule, form=form,
                     kind="draw" if isinstance(form, DrawRuleForm) else "fixed", problems=list(problems),
                     pool_problems=list(pool_problems))


@bp.route("/<int:exam_id>/sections/<int:section_id>/draw", methods=["GET", "POST"])
@role_required("admin")
def add_draw_rule(exam_id: int, section_id: int):
    exam = exam_or_404(exam_id)
    return _rule_form(exam, _section_of(exam, section_id), None, "draw")


@bp.route("/<int:exam_id>/sections/<int:section_id>/fixed", methods=["GET", "POST"])
@role_required("admin")
def add_fixed_rule(exam_id: int, section_id: int):
    exam = exam_or_404(exam_id)
    return _rule_form(exam, _section_of(exam, section_id), None, "fixed")


@bp.route("/<int:exam_id>/rules/<int:rule_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_rule(exam_id: int, rule_id: int):
    exam = exam_or_404(exam_id)
    rule = _rule_of(exam, rule_id)
    return _rule_form(exam, rule.section, rule, rule.kind)


@bp.route("/<int:exam_id>/rules/<int:rule_id>/delete", methods=["POST"])
@role_required("admin")
def delete_rule(exam_id: int, rule_id: int):
    exam = exam_or_404(exam_id)
    rule = _rule_of(exam, rule_id)
    try:
        exam_service.delete_rule(rule)
    except ExamError as error:
        return _refused(exam, error)
    return _back(exam, _("Deleted the rule."))


@bp.route("/<int:exam_id>/rules/<int:rule_id>/move", methods=["POST"])
@role_required("admin")
def move_rule(exam_id: int, rule_id: int):
    exam = exam_or_404(exam_id)
    rule = _rule_of(exam, rule_id)
    step = _step(MoveForm())
    try:
        if step is None:
            raise ExamError(_("Invalid form."))
        exam_service.move_rule(rule, step)
    except ExamError as error:
        return _refused(exam, error)
    return _back(exam, _("Moved the rule."))
