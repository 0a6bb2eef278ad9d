"""The form of a service check (erp.ops.checks)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp


class CheckForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    service = StringField(_l("Service"), default="core",
                          validators=[DataRequired(), Length(max=40), Regexp(r"^[a-z][a-z0-9_]*$")])
    url = StringField(_l("Address (a path such as /login, or a full URL)"), validators=[Optional(), Length(max=500)])
    expected_status = IntegerField(_l("Expected status"), default=200, validators=[Optional(), NumberRange(min=100, max=599)])
    expected_text = StringField(_l("Expected text"), validators=[Optional(), Length(max=200)])
    max_ms = IntegerField(_l("Maximum time (ms)"), validators=[Optional(), NumberRange(min=1, max=600000)])
    steps = TextAreaField(_l("Scenario steps (JSON; instead of the address)"), validators=[Optional(), Length(max=20000)])
    interval_minutes = IntegerField(_l("Every (minutes)"), default=5, validators=[DataRequired(), NumberRange(min=1, max=1440)])
    active = BooleanField(_l("In use"), default=True)


class RepostForm(FlaskForm):
    """Ask to post a refused delivery again on another (open) date."""

    repost_on = DateField(_l("Post it on"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])


class ApproveRepostForm(FlaskForm):
    """The approval of an asked repost (the CSRF token is its only field)."""
