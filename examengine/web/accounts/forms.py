"""Forms of the admin pages for users, groups and the CSV import."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from ...models import ROLES
from ...services.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    check_display_name,
    check_group_name,
    check_username,
    find_user,
)
from ..ui import MultiCheckboxField

ROLE_LABELS = {"admin": _l("Administrator"), "reviewer": _l("Reviewer"), "employee": _l("Employee")}
assert set(ROLE_LABELS) == set(ROLES), "every role needs a label"
PASSWORD_MAX = 200


def _service_check(check):
    """A WTForms validator from a service check that raises AccountError."""

    def validate(form, field):
        try:
            field.data = check(field.data)
        except AccountError as error:
            raise ValidationError(str(error)) from None

    return validate


def _username_free(form, field):
    if field.data and find_user(field.data) is not None:
        # gettext, not a lazy string: Jinja takes a lazy string as safe HTML and would not escape the name.
        raise ValidationError(_("The username %(name)s is taken.", name=field.data))


def _password_fields():
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=PASSWORD_MAX, message=_l(
            "The password must have %(min)d to %(max)d characters.",
            min=MIN_PASSWORD_LENGTH, max=PASSWORD_MAX))],
        description=_l("Leave empty to generate one; it is shown once."),
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[EqualTo("password", message=_l("The passwords do not match."))]
    )
    return password, confirm


class _UserFields(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[_service_check(check_display_name)])
    roles = MultiCheckboxField(
        _l("Roles"), choices=[SelectChoice(role, label) for role, label in ROLE_LABELS.items()],
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )
    # Choices are the current groups, set by the view.
    groups = MultiCheckboxField(_l("Groups"), coerce=int, choices=[])


class CreateUserForm(_UserFields):
    username = StringField(_l("Username"), validators=[_service_check(check_username), _username_free])
    password, confirm = _password_fields()


class EditUserForm(_UserFields):
    active = BooleanField(_l("Active (can log in)"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _password_fields()


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), validators=[_service_check(check_group_name)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])


