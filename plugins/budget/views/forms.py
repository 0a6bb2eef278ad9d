"""Forms of the budget pages; amounts typed as "1,250,000" become whole won here."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from erp.web.forms import won_text

def _date():
    return DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])


class ProjectForm(FlaskForm):
    level = SelectField(_l("Level"), choices=[("policy", _l("Policy programme")), ("unit", _l("Unit project")),
                                              ("detail", _l("Detail project"))])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    parent_code = StringField(_l("Parent project code"), validators=[Optional(), Length(max=20)])
    department_code = StringField(_l("Department code"), validators=[Optional(), Length(max=20)])


class LineForm(FlaskForm):
    part = SelectField(_l("Part"), choices=[("revenue", _l("Revenue part")), ("capital", _l("Capital part"))])
    side = SelectField(_l("Side"), choices=[("expenditure", _l("Expenditure")), ("income", _l("Income"))])
    project_code = StringField(_l("Detail project code"), validators=[Optional(), Length(max=20)])
    item_code = StringField(_l("Item (편성목)"), validators=[DataRequired(), Length(max=3)])
    sub_code = StringField(_l("Sub-item (통계목)"), validators=[Optional(), Length(max=2)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    account_code = StringField(_l("Accounting account"), validators=[DataRequired(), Length(max=20)])


class BasisForm(FlaskForm):
    line_id = SelectField(_l("Budget line"), coerce=int, validate_choice=False)
    description = StringField(_l("What for"), validators=[DataRequired(), Length(max=200)])
    unit_price = StringField(_l("Unit price"), validators=[DataRequired(), Length(max=20)])
    quantity = StringField(_l("Quantity"), validators=[DataRequired(), Length(max=20)])
    months = IntegerField(_l("Months"), default=1, validators=[DataRequired(), NumberRange(min=1, max=12)])


class AdjustForm(FlaskForm):
    line_id = SelectField(_l("Budget line"), coerce=int, validate_choice=False)
    adjusted = StringField(_l("Budget office figure (empty: the request stands)"), validators=[won_text])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class TransferForm(FlaskForm):
    from_line_id = SelectField(_l("From line"), coerce=int, validate_choice=False)
    to_line_id = SelectField(_l("To line"), coerce=int, validate_choice=False)
    amount = StringField(_l("Amount"), validators=[DataRequired(), won_text])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class CommitmentForm(FlaskForm):
    line_id = SelectField(_l("Budget line"), coerce=int, validate_choice=False)
    committed_on = _date()
    vendor = StringField(_l("Counterparty"), validators=[DataRequired(), Length(max=120)])
    description = StringField(_l("What is bought"), validators=[DataRequired(), Length(max=300)])
    amount = StringField(_l("Amount"), validators=[DataRequired(), won_text])


class StepForm(FlaskForm):
    on = _date()


class CarryForm(FlaskForm):
    line_id = SelectField(_l("Budget line"), coerce=int, validate_choice=False)
    amount = StringField(_l("Amount"), validators=[DataRequired(), won_text])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class GrowthForm(FlaskForm):
    scope = StringField(_l("Part (revenue, capital) or line code"), validators=[DataRequired(), Length(max=40)])
    rate = StringField(_l("Growth a year (%)"), validators=[DataRequired(), Length(max=10)])
