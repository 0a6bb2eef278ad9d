"""Forms of the accounting pages. Amounts are typed as text ("1,234,567") and turned into whole
won here; whether an entry is acceptable is the journal service's decision."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from erp.web.forms import won_text

class LineForm(Form):
    # Typed or picked from a list as "code name"; the code is what counts.
    account = StringField(_l("Account"), validators=[Optional(), Length(max=160)])
    debit = StringField(_l("Debit"), validators=[won_text])
    credit = StringField(_l("Credit"), validators=[won_text])
    memo = StringField(_l("Line memo"), validators=[Optional(), Length(max=200)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=140)])


class EntryForm(FlaskForm):
    entry_date = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    memo = StringField(_l("Entry description"), validators=[DataRequired(), Length(max=300)])
    lines = FieldList(FormField(LineForm), min_entries=6, max_entries=40)


class ReverseForm(FlaskForm):
    entry_date = DateField(_l("Reversal date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class AssetForm(FlaskForm):
    name = StringField(_l("Asset name"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Category"))
    acquired_on = DateField(_l("Acquisition date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    cost = StringField(_l("Acquisition cost (won)"), validators=[DataRequired(), won_text])
    residual_value = StringField(_l("Residual value (won)"), validators=[won_text])
    useful_life_years = IntegerField(_l("Useful life (years)"), validators=[DataRequired(), NumberRange(min=1, max=100)])
    method = SelectField(_l("Method"), choices=[("straight_line", _l("Straight-line")), ("declining_balance", _l("Declining balance"))])
    department_code = StringField(_l("Department code"), validators=[Optional(), Length(max=20)])
    paid_from = SelectField(_l("Acquisition entry"), choices=[("", _l("Already in the books (no entry)")),
                                                              ("1111", _l("Paid from cash and deposits (1111)")),
                                                              ("2111", _l("Owed to the supplier (2111)"))])


class DisposeForm(FlaskForm):
    disposed_on = DateField(_l("Disposal date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    proceeds = StringField(_l("Proceeds (won)"), validators=[won_text])


class RunForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    month = IntegerField(_l("Month"), validators=[DataRequired(), NumberRange(min=1, max=12)])


class AccountForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Account"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=150)])
    parent_code = StringField(_l("Parent account code"), validators=[DataRequired(), Length(max=20)])
