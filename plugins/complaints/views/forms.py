"""Forms of the complaint pages: one per action, so each button posts only what it needs."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

ATTACHMENTS = _l("Attachments (PDF, image, HWP/HWPX or XLSX; up to 3)")


class FilingForm(FlaskForm):
    type_code = SelectField(_l("Kind of complaint"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("What happened, and what you ask for"), validators=[DataRequired(), Length(max=20000)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=50)])
    phone = StringField(_l("Telephone"), validators=[DataRequired(), Length(max=20)])
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address (optional)"), validators=[Optional(), Length(max=300)])
    customer_no = StringField(_l("Customer number on your water bill (optional)"), validators=[Optional(), Length(max=30)])
    attachments = MultipleFileField(ATTACHMENTS)
    agree = BooleanField(_l("I have read the notice on personal information above and agree to its collection and use."),
                         validators=[DataRequired(message=_l("Your consent is needed to handle the complaint."))])


class LookupForm(FlaskForm):
    receipt_no = StringField(_l("Receipt number"), validators=[DataRequired(), Length(max=20)])
    phone = StringField(_l("Telephone"), validators=[DataRequired(), Length(max=20)])


class SupplyForm(FlaskForm):
    text = TextAreaField(_l("What you supply"), validators=[Optional(), Length(max=5000)])
    attachments = MultipleFileField(ATTACHMENTS)


class WithdrawForm(FlaskForm):
    """Only the token: withdrawing needs nothing else."""


class CaseForm(FlaskForm):
    """An official's action on a complaint. Several of these forms share one page, so each has a
    prefix for its fields; the page's token is checked by CSRFProtect on every POST."""

    class Meta:
        csrf = False


class AssignForm(CaseForm):
    # The list offers only those who may take the complaint; the service decides (and says why) for
    # any other id, so the form does not refuse it first with a bare "Not a valid choice".
    user_id = SelectField(_l("Official"), coerce=int, validate_choice=False,
                          validators=[NumberRange(min=1, message=_l("Choose an official."))])


class TransferForm(CaseForm):
    department_code = SelectField(_l("Department to transfer to"),
                                  validators=[DataRequired(message=_l("Choose the department the complaint goes to."))])
    reason = TextAreaField(_l("Reason for the transfer"), validators=[DataRequired(message=_l("Give the reason.")),
                                                                      Length(max=2000)])


class SupplementForm(CaseForm):
    text = TextAreaField(_l("What the citizen must supply"), validators=[DataRequired(message=_l("Say what the citizen must supply.")),
                                                                        Length(max=5000)])


class ExtendForm(CaseForm):
    days = IntegerField(_l("Days"), validators=[InputRequired(message=_l("An extension is 1 to 30 days.")),
                                                NumberRange(min=1, max=30, message=_l("An extension is 1 to 30 days."))])
    reason = TextAreaField(_l("Reason for the extension"), validators=[DataRequired(message=_l("Give the reason.")),
                                                                       Length(max=2000)])
    consent = BooleanField(_l("The citizen consented (second extension)"))


class ReplyForm(CaseForm):
    text = TextAreaField(_l("Reply to the citizen"), validators=[DataRequired(message=_l("Write the reply.")), Length(max=20000)])


class NoteForm(CaseForm):
    text = TextAreaField(_l("Internal memo (officials only)"), validators=[DataRequired(message=_l("Write the note.")),
                                                                          Length(max=5000)])


class CloseForm(CaseForm):
    reason = TextAreaField(_l("Reason for refusing or returning"), validators=[Optional(), Length(max=20000)])


class BillingForm(CaseForm):
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
