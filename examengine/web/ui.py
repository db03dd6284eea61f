"""Presentation pieces every role's pages share: what the per-type question partials
(`templates/questions/*.html`) need, built from a stored version; type labels; generic form pieces."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from ..core import qtypes
from ..models import QuestionVersion
from ..services import banks
from .i18n import current_language

TYPE_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "truefalse": _l("True/false"),
    "fill": _l("Fill in the blanks"),
    "short": _l("Short answer"),
    "analysis": _l("Case analysis"),
}


def type_label(name: str) -> str:
    return str(TYPE_LABELS.get(name, name))


def type_names() -> dict[str, str]:
    """Every registered type's display name, in registry order (for filters and badges)."""
    return {qtype.name: type_label(qtype.name) for qtype in qtypes.all_types()}


def question_context(version: QuestionVersion, *, show_key: bool = False, field_name: str = "answer",
                     response=None, option_order: list[int] | None = None) -> dict:
    """The partial's template name and context: the examinee's view, plus the key when `show_key`.
    The HTML is the version's stored HTML (`services.banks.version_renderer`)."""
    qtype = qtypes.get(version.qtype)
    context = qtype.template_context(
        version.payload or {}, stem_md=version.stem, field_name=field_name, response=response,
        option_order=option_order, show_key=show_key, explanation_md=version.explanation or "",
        render=banks.version_renderer(version),
    )
    context["template"] = qtype.template
    context["auto_graded"] = qtype.auto_graded
    return context


def percent(value, *, fraction: bool = False) -> str:
    """A percentage as every page and export shows it: one decimal, rounded half up, a trailing ".0"
    dropped ("62.5%", "62%"); "—" for None. `fraction`: `value` is a share from 0 to 1."""
    if value is None:
        return "—"
    try:
        number = Decimal(str(value)) * (100 if fraction else 1)
        rounded = number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return "—"
    text = f"{rounded:f}".removesuffix(".0")
    return ("0" if text == "-0" else text) + "%"


def colon() -> str:
    """The colon after a label, in the reader's punctuation: full-width `：` in Chinese, `: ` in English."""
    return "：" if current_language() == "zh_CN" else ": "


def init_app(app) -> None:
    """The template filters and helpers every page shares."""
    app.add_template_filter(percent, "percent")
    app.add_template_global(colon, "colon")


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: clearer than a multi-select box for a handful of choices."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
