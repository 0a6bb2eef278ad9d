"""Form pieces shared by the core's and the plugins' forms."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField, ValidationError, widgets
from wtforms.validators import DataRequired, Length

_WON = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")


def parse_won(text: str | None) -> int | None:
    """A typed amount in whole won: '1,234,567' → 1234567, '' → None; anything else raises
    ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    if not _WON.match(text):
        raise ValueError(text)
    return int(text.replace(",", ""))


def won_text(form, field):
    """Validator: the field holds a whole, non-negative amount in won (or nothing)."""
    try:
        parse_won(field.data)
    except ValueError:
        raise ValidationError(_l("Enter a whole, non-negative amount in won (e.g. 1,250,000).")) from None


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def flash_refusal(form, error) -> None:
    """Show a service's refusal: field errors next to their fields, the rest as a message."""
    from flask import flash

    unplaced = apply_errors(form, error.errors)
    for message in unplaced or ([] if error.errors else [error.message]):
        flash(message, "danger")


def flash_errors(errors: dict) -> None:
    """Show every message of a field → messages mapping (a form's or a refusal's) as alerts, for
    pages that redirect instead of showing the form again."""
    from flask import flash

    for messages in errors.values():
        for message in messages:
            flash(str(message), "danger")


def apply_errors(form, errors: dict[str, list[str]]) -> list[str]:
    """Put a service's field errors on the form; returns the messages that match no field."""
    unplaced = []
    for name, messages in errors.items():
        field = getattr(form, name, None) if name else None
        if field is None:
            unplaced.extend(messages)
        else:
            field.errors = list(field.errors) + list(messages)
    return unplaced



class ReturnForm(FlaskForm):
    """The 반려 form of every approver's page: why the document goes back to its drafter
    (``erp.common.approvals``)."""

    reason = TextAreaField(_l("Reason for returning"), validators=[
        DataRequired(message=_l("Give the reason for returning it.")), Length(max=300)])
