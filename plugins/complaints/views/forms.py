"""Forms of the complaint pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class FilingForm(FlaskForm):
    type_code = SelectField(_l("Kind of complaint"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("What happened, and what you ask for"), validators=[DataRequired(), Length(max=20000)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=50)])
    phone = StringField(_l("Telephone"), validators=[DataRequired(), Length(max=20)])
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address (optional)"), validators=[Optional(), Length(max=300)])
    customer_no = StringField(_l("Customer number on your water bill (optional)"), validators=[Optional(), Length(max=30)])
    attachments = MultipleFileField(_l("Attachments (PDF, PNG, JPEG or GIF; up to 3)"))
    agree = BooleanField(_l("I agree that my name and telephone number are used to handle this complaint."),
                         validators=[DataRequired(message=_l("Your consent is needed to handle the complaint."))])


class LookupForm(FlaskForm):
    receipt_no = StringField(_l("Receipt number"), validators=[DataRequired(), Length(max=20)])
    phone = StringField(_l("Telephone"), validators=[DataRequired(), Length(max=20)])


class SupplyForm(FlaskForm):
    text = TextAreaField(_l("What you supply"), validators=[Optional(), Length(max=5000)])
    attachments = MultipleFileField(_l("Attachments (PDF, PNG, JPEG or GIF; up to 3)"))


class ActionForm(FlaskForm):
    """One form for the officials' actions; which fields count depends on the action."""

    text = TextAreaField(_l("Reply, reason or note"), validators=[Optional(), Length(max=20000)])
    user_id = SelectField(_l("Official"), coerce=int, validate_choice=False)
    department_code = SelectField(_l("Department"), validate_choice=False)
    days = IntegerField(_l("Days"), validators=[Optional(), NumberRange(min=1, max=30)])
    consent = BooleanField(_l("The citizen consented (second extension)"))
    bill_number = StringField(_l("Bill number"), validators=[Optional(), Length(max=30)])
    corrected_use = IntegerField(_l("Corrected use (㎥)"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    on = DateField(_l("Move-out date"), validators=[Optional()])
    final_reading = IntegerField(_l("Final reading"), validators=[Optional(), NumberRange(min=0)])


class TypeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    department_code = StringField(_l("Department code"), validators=[DataRequired(), Length(max=20)])
    deadline_value = IntegerField(_l("Deadline"), validators=[Optional(), NumberRange(min=0, max=365)])
    deadline_unit = SelectField(_l("Unit"), choices=[("days", _l("days")), ("hours", _l("working hours")),
                                                    ("immediate", _l("immediately"))])
    documents = StringField(_l("Documents needed"), validators=[Optional(), Length(max=300)])
    active = BooleanField(_l("In use"))
