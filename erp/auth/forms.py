"""Forms of login and user, role and department administration."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from erp.web.forms import MultiCheckboxField

_USERNAME = Regexp(r"^[a-z0-9][a-z0-9_.\-]{2,49}$",
                   message=_l("3–50 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."))
_CODE = Regexp(r"^[A-Za-z0-9_\-]{1,50}$", message=_l("Letters, digits, '_' or '-' only."))


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class _UserFields(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    department_id = SelectField(_l("Department"), coerce=_int_or_none, validate_choice=True)
    roles = MultiCheckboxField(_l("Roles"), coerce=int)


class UserCreateForm(_UserFields):
    username = StringField(_l("User name"), validators=[DataRequired(), _USERNAME])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Initial password again"), validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class UserEditForm(_UserFields):
    active = BooleanField(_l("Active (may log in)"))


class RoleForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), _CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)])
    permissions = MultiCheckboxField(_l("Permissions"))


class DepartmentForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_\-]{1,20}$", message=_l("Letters, digits, '_' or '-' only (at most 20)."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    parent_id = SelectField(_l("Parent department"), coerce=_int_or_none, validate_choice=True)
    active = BooleanField(_l("Active"), default=True)
