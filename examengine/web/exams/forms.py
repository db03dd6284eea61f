"""Forms of the admin exam pages, and the site time zone conversion of their date-times.

Range checks live in the services (`exam_admin`, `exam_rules`, `exam_overrides`), which report them per
field; these forms only parse the input. Date-times are typed in the site's time zone
(`EXAMENGINE_TIMEZONE`) and stored as naive UTC.
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from ...services.exams import ExamSettings, RuleInput, min_responses
from ..ui import MultiCheckboxField

# The first format is how the field renders: what <input type="datetime-local"> expects.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

RELEASE_LABELS = {
    "immediately": _l("Immediately after the attempt"),
    "after_close": _l("After the exam closes"),
    "after_grading": _l("When grading is complete"),
    "manual": _l("When an admin releases the results"),
    "never": _l("Never"),
}
MULTIPLE_SCORING_LABELS = {
    "all-or-nothing": _l("All or nothing"),
    "partial": _l("Partial credit"),
}
DIFFICULTY_SOURCE_LABELS = {
    "author": _l("The author's difficulty labels"),
    "measured": _l("Measured difficulty where available"),
}
DIFFICULTY_CHOICES = [SelectChoice(level, str(level)) for level in range(1, 6)]


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["EXAMENGINE_TIMEZONE"])


def to_utc(local: datetime | None) -> datetime | None:
    """A naive date-time typed in the site's zone, as naive UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=site_zone()).astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime | None) -> datetime | None:
    """A stored naive UTC date-time, as naive site time (what the form shows)."""
    if utc is None:
        return None
    return utc.replace(tzinfo=UTC).astimezone(site_zone()).replace(tzinfo=None)


def _local_field(label, *, required: bool, description=None):
    validators = [InputRequired(message=_l("Enter a date and time."))] if required else [Optional()]
    return DateTimeLocalField(label, format=LOCAL_FORMATS, validators=validators, description=description)


def _number_validators():
    return [InputRequired(message=_l("Enter a number."))]


class ExamForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(message=_l("Enter a title."))])
    instructions = TextAreaField(
        _l("Instructions"), render_kw={"rows": 6},
        description=_l("Markdown. Shown to the examinee before they start."))
    time_limit_minutes = IntegerField(_l("Time limit (minutes)"), validators=_number_validators())
    opens_at = _local_field(_l("Opens"), required=True)
    closes_at = _local_field(_l("Closes"), required=True, description=_l(
        "An attempt ends at the time limit or at the close time, whichever comes first."))
    attempts_allowed = IntegerField(_l("Attempts allowed"), validators=_number_validators())
    pass_percent = FloatField(_l("Pass mark (%)"), validators=_number_validators())
    groups = MultiCheckboxField(_l("Groups"), coerce=int, choices=[])
    users = MultiCheckboxField(_l("Users"), coerce=int, choices=[])
    # When the examinee sees each item of feedback (core/release.py).
    release_score = SelectField(_l("The score (total, pass or fail, grade)"), choices=_choices(RELEASE_LABELS),
                                default="after_grading")
    release_marks = SelectField(_l("The marks of each question"), choices=_choices(RELEASE_LABELS),
                                default="after_grading")
    release_answers = SelectField(
        _l("The answer key, reference answers and explanations"), choices=_choices(RELEASE_LABELS),
        default="after_close", description=_l(
            "With the marks, also whether each answer was right. Never while the examinee has attempts left."))
    release_feedback = SelectField(
        _l("The reviewers' feedback (rubric and comments)"), choices=_choices(RELEASE_LABELS),
        default="after_grading", description=_l("Never while the examinee has attempts left."))
    multiple_scoring = RadioField(
        _l("Multiple-choice scoring"), choices=_choices(MULTIPLE_SCORING_LABELS),
        validators=[InputRequired(message=_l("Choose how multiple-choice questions are scored."))],
        description=_l("All or nothing: full points only for exactly the right options. Partial credit: "
                       "choosing any wrong option scores 0; choosing only right options, but not all of "
                       "them, scores half the points; exactly the right options score full points."))
    shuffle_questions = BooleanField(_l("Shuffle the questions within each section"))
    shuffle_options = BooleanField(
        _l("Shuffle the options of choice questions"),
        description=_l("Questions whose bank says shuffle: false keep their order."))
    difficulty_source = SelectField(
        _l("Balance papers on"), choices=_choices(DIFFICULTY_SOURCE_LABELS), default="author")
    difficulty_tolerance = IntegerField(
        _l("Difficulty tolerance (points)"), validators=[Optional()], default=0,
        description=_l("How many points the total difficulty of a paper (the sum of its questions' levels) "
                       "may differ from the exam's target. 0: every paper is equally difficult, and papers "
                       "vary which equally difficult questions they use, so that questions appear as evenly "
                       "as the pool allows. A higher tolerance lets questions appear more evenly (fewer on "
                       "most papers, fewer on none), at the cost of papers differing by up to this many "
                       "points. The preview shows both."))
    # Leave-page evidence: its own block on the settings page.
    leave_notice = BooleanField(_l("Tell the examinee that leaving the page is recorded"), description=_l(
        "The exam page then shows how many times they left it and for how many seconds."))
    leave_limit = IntegerField(_l("Submit the attempt after this many leaves"), validators=[Optional()],
                               description=_l("Empty: no limit. Reloading the page or closing one of two tabs "
                                              "is not a leave."))
    fullscreen_on_start = BooleanField(_l("Ask for full screen when the exam starts"), description=_l(
        "Advisory: the examinee may refuse, and that is not recorded."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.difficulty_source.description = _(
            "Every paper gets the same number of questions of each difficulty level. Measured where "
            "available: a question version with at least %(n)d graded responses (over all exams) counts at "
            "the level its facility shows (the share of points examinees scored: 85%% or more is level 1, "
            "70%% level 2, 50%% level 3, 30%% level 4, less is level 5); the others keep the author's label. "
            "The measured levels are frozen when the first attempt starts. Draw rules still select on the "
            "author's labels.", n=min_responses())

    def settings(self) -> ExamSettings:
        return ExamSettings(
            title=self.title.data or "", instructions=self.instructions.data or "",
            time_limit_minutes=self.time_limit_minutes.data, opens_at=to_utc(self.opens_at.data),
            closes_at=to_utc(self.closes_at.data), attempts_allowed=self.attempts_allowed.data,
            pass_percent=self.pass_percent.data, release_score=self.release_score.data,
            release_marks=self.release_marks.data, release_answers=self.release_answers.data,
            release_feedback=self.release_feedback.data,
            multiple_scoring=self.multiple_scoring.data, shuffle_questions=self.shuffle_questions.data,
            shuffle_options=self.shuffle_options.data, difficulty_source=self.difficulty_source.data or "",
            difficulty_tolerance=0 if self.difficulty_tolerance.data is None else self.difficulty_tolerance.data,
            leave_notice=self.leave_notice.data, leave_limit=self.leave_limit.data,
            fullscreen_on_start=self.fullscreen_on_start.data)

    def load(self, settings: ExamSettings) -> None:
        for name, value in vars(settings).items():
            getattr(self, name).data = to_local(value) if name in ("opens_at", "closes_at") else value


class SectionForm(FlaskForm):
    title = StringField(_l("Section title"))


class DrawRuleForm(FlaskForm):
    count = IntegerField(_l("Number of questions"), validators=_number_validators())
    bank_keys = MultiCheckboxField(_l("Banks (any of)"), choices=[],
                                   description=_l("None checked: every bank."))
    qtype = SelectField(_l("Question type"), choices=[])
    tags = MultiCheckboxField(_l("Tags (all of)"), choices=[],
                              description=_l("A question must carry every checked tag."))
    dimension = SelectField(_l("Dimension"), choices=[])
    difficulty_min = SelectField(_l("Difficulty from"), coerce=int, choices=DIFFICULTY_CHOICES, default=1)
    difficulty_max = SelectField(_l("Difficulty to"), coerce=int, choices=DIFFICULTY_CHOICES, default=5)
    points = FloatField(_l("Points per question"), validators=[Optional()],
                        description=_l("Leave empty to use each question's own points."))

    def rule_input(self) -> RuleInput:
        return RuleInput(kind="draw", count=self.count.data, bank_keys=self.bank_keys.data or [],
                         qtype=self.qtype.data or None, tags=self.tags.data or [],
                         dimension=self.dimension.data or None, difficulty_min=self.difficulty_min.data,
                         difficulty_max=self.difficulty_max.data, points=self.points.data)

    def load(self, data: RuleInput) -> None:
        for name in ("count", "bank_keys", "qtype", "tags", "dimension", "difficulty_min", "difficulty_max",
                     "points"):
            value = getattr(data, name)
            getattr(self, name).data = "" if value is None and name in ("qtype", "dimension") else value


class FixedRuleForm(FlaskForm):
    question_keys = TextAreaField(
        _l("Questions"), render_kw={"rows": 8},
        description=_l("One question per line as bank/id, in the order they appear on the paper. The "
                       "question browser shows each question's bank and id."))
    points = FloatField(_l("Points per question"), validators=[Optional()],
                        description=_l("Leave empty to use each question's own points."))

    def rule_input(self) -> RuleInput:
        return RuleInput(kind="fixed", question_keys=(self.question_keys.data or "").splitlines(),
                         points=self.points.data)

    def load(self, data: RuleInput) -> None:
        self.question_keys.data = "\n".join(data.question_keys)
        self.points.data = data.points


class OverrideForm(FlaskForm):
    user_id = SelectField(_l("User"), coerce=int, choices=[],
                          validators=[InputRequired(message=_l("Choose a user."))])
    extra_minutes = IntegerField(_l("Extra minutes"), default=0, validators=_number_validators())
    extra_attempts = IntegerField(_l("Extra attempts"), default=0, validators=_number_validators())
    closes_at = _local_field(_l("Later close"), required=False, description=_l(
        "Optional: this user may start and work until then."))


class MoveForm(FlaskForm):
    direction = SelectField(choices=[SelectChoice("up", "up"), SelectChoice("down", "down")])
