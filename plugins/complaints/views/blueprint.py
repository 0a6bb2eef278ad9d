"""The complaints blueprint and what its pages share: labels of the timeline, telephone numbers
as Koreans write them, uploaded files."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from erp.i18n import N_
from plugins.complaints.services import complaints as service
from plugins.complaints.services import storage
from plugins.complaints.services.deadlines import describe

bp = Blueprint("complaints", __name__, url_prefix="/complaints", template_folder="../templates")

EVENT_LABELS = {
    "filed": N_("filed"), "assigned": N_("assigned to an official"), "transferred": N_("transferred to another department"),
    "supplement_requested": N_("supplement requested"), "supplied": N_("supplement received"), "extended": N_("deadline extended"),
    "note": N_("internal note"), "replied": N_("reply written"), "completed": N_("completed"), "refused": N_("refused"),
    "returned": N_("returned"), "withdrawn": N_("withdrawn"), "billing": N_("billing action"),
    "reminded": N_("deadline reminder"),
}


@bp.context_processor
def helpers():
    return {"status_label": service.status_label, "is_overdue": service.is_overdue, "deadline_text": describe,
            "may_act": lambda complaint: current_user.can("complaints.handle") and service.may_act_on(complaint),
            "event_label": lambda kind: _(EVENT_LABELS.get(kind, kind)), "phone": format_phone}


def format_phone(digits: str) -> str:
    """01012345678 → 010-1234-5678 (as Koreans write telephone numbers)."""
    if digits.startswith("02") and len(digits) in (9, 10):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    if len(digits) in (10, 11):
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    return digits


def uploads(field) -> list[storage.Upload]:
    """The files of a multiple-file field (an empty file input sends one nameless part)."""
    result = []
    for item in field.data or []:
        if getattr(item, "filename", ""):
            result.append(storage.Upload(item.filename, item.read()))
    return result
