"""Form pieces shared by the core's and the plugins' forms."""
from __future__ import annotations

from wtforms import SelectMultipleField, widgets


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
