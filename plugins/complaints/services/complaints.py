"""Complaints: filing and tracking by citizens, handling by officials, deadlines kept current.

States: received (접수) → transferred (이송) / assigned (배정) → supplement (보완요구) → in_progress
/ extended (연장) → completed, refused, returned or withdrawn. An action that the current state
does not allow is refused with a clear message.
"""
from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.auth import scope
from erp.common import docnumbers, tx
from erp.common.calendar import working_hours_between
from erp.common.clock import local_day_start_utc, local_now, to_local, to_utc, utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from erp.extensions import db
from plugins.complaints.models import Attachment, Complaint, ComplaintType, Event
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services import deadlines, storage
from plugins.complaints.services.notices import notify

CLOSED = ("completed", "refused", "returned", "withdrawn")
HANDLING = ("assigned", "in_progress", "extended")
_PHONE = re.compile(r"^01[016789]\d{7,8}$|^0\d{8,10}$")
_RECEIPT = re.compile(r"^\d{4}-MW-\d{6}$")



def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s\-()]", "", phone or "")


def add_event(complaint: Complaint, kind: str, text: str = "", *, internal: bool = False, actor: str | None = None) -> None:
    complaint.events.append(Event(kind=kind, text=text, internal=internal, actor=actor or audit.current_actor()[1], at=utcnow()))


def recompute_due(complaint: Complaint) -> None:
    """The due date, from the filing time, the time paused for supplements and extensions."""
    kind = complaint.type
    local_due = deadlines.due(to_local(complaint.filed_at), kind.deadline_value, kind.deadline_unit,
                              complaint.paused_minutes, complaint.extension_days)
    complaint.due_at = to_utc(local_due)


def _store(complaint: Complaint, uploads: list, by: str) -> None:
    for upload, mime in storage.check(uploads):
        complaint.attachments.append(Attachment(stored_name=storage.save(upload.content, mime), uploaded_by=by,
                                                original_name=storage.display_name(upload.original_name),
                                                content_type=mime, size=len(upload.content)))


# --- citizens --------------------------------------------------------------------------------

@transactional
def file(type_code: str, *, title: str, body: str, name: str, phone: str, email: str = "", address: str = "",
         customer_no: str = "", uploads: list | None = None, ip: str = "") -> Complaint:
    """A citizen files a complaint; returns it with its receipt number and due date."""
    kind = repo.type_by_code(type_code)
    if kind is None or not kind.active:
        refuse(_("Choose the kind of complaint."), "type_code")
    phone = normalise_phone(phone)
    if not _PHONE.match(phone):
        refuse(_("Enter a telephone number such as 010-1234-5678."), "phone")
    for value, field, limit in ((title, "title", 200), (body, "body", 20000), (name, "name", 50)):
        if not (value or "").strip():
            refuse(_("This field is required."), field)
        if len(value) > limit:
            refuse(_("At most %(n)d characters.", n=limit), field)
    now = utcnow()
    complaint = Complaint(receipt_no=docnumbers.next_number("MW", to_local(now).year), type=kind, title=title.strip(),
                          body=body.strip(), name=name.strip(), phone=phone, email=(email or "").strip()[:200],
                          address=(address or "").strip()[:300], customer_no=(customer_no or "").strip()[:30],
                          status="received", department_code=kind.department_code, filed_at=now, ip=ip[:64],
                          paused_minutes=0, extension_days=0, extensions=0)
    _store(complaint, uploads or [], "citizen")
    recompute_due(complaint)
    db.session.add(complaint)
    add_event(complaint, "filed", actor=_("citizen"))
    db.session.flush()
    notify(db.session, complaint.id, "receipt", phone,
           _("Your complaint %(no)s was received. It is due by %(due)s.", no=complaint.receipt_no,
             due=to_local(complaint.due_at).strftime("%Y-%m-%d %H:%M")))
    tx.commit()
    return complaint


def _lookup(receipt_no: str, phone: str, ip: str) -> Complaint:
    """The complaint, if the number and phone match; a wrong pair says nothing about which was wrong.
    Guessing is slowed by the rate limits of the pages that call this (erp.web.limits)."""
    receipt_no = (receipt_no or "").strip().upper()
    complaint = repo.by_receipt(receipt_no) if _RECEIPT.match(receipt_no) else None
    if complaint is None or complaint.phone != normalise_phone(phone):
        refuse(_("No complaint matches this receipt number and telephone number."))
    return complaint


@transactional
def look_up(receipt_no: str, phone: str, ip: str = "") -> Complaint:
    """What a citizen sees with the receipt number and phone number."""
    return _lookup(receipt_no, phone, ip)


@transactional
def supply(receipt_no: str, phone: str, text: str, uploads: list | None = None, ip: str = "") -> Complaint:
    """The citizen supplies what was asked for; the deadline runs again."""
    complaint = _lookup(receipt_no, phone, ip)
    if complaint.status != "supplement":
        refuse(_("Nothing was asked of you for this complaint."))
    if not (text or "").strip() and not uploads:
        refuse(_("Write what you supply or attach it."), "text")
    _store(complaint, uploads or [], "citizen")
    _resume(complaint)
    add_event(complaint, "supplied", (text or "").strip()[:5000], actor=_("citizen"))
    tx.commit()
    return complaint


@transactional
def withdraw(receipt_no: str, phone: str, ip: str = "") -> Complaint:
    complaint = _lookup(receipt_no, phone, ip)
    if complaint.status in CLOSED:
        refuse(_("This complaint is closed already."))
    complaint.status, complaint.closed_at = "withdrawn", utcnow()
    add_event(complaint, "withdrawn", actor=_("citizen"))
    tx.commit()
    return complaint


def _resume(complaint: Complaint) -> None:
    if complaint.paused_since is not None:
        minutes = working_hours_between(to_local(complaint.paused_since), to_local(utcnow())) * 60
        complaint.paused_minutes += int(round(minutes))
        complaint.paused_since = None
    complaint.status = "in_progress"
    recompute_due(complaint)


# --- officials -------------------------------------------------------------------------------

ALL_DEPARTMENTS = "complaints.all_departments"


def may_act_on(complaint: Complaint) -> bool:
    """Whether the official of this request may act on ``complaint``: one of its department, or
    one who handles every department's (the others may read it)."""
    return scope.may_act_for(complaint.department_code, ALL_DEPARTMENTS)


def require_own_department(complaint: Complaint) -> None:
    """Refuse an action on a complaint of another department (see :func:`may_act_on`)."""
    scope.require_department(complaint.department_code, ALL_DEPARTMENTS,
                             _("Complaint %(no)s belongs to another department (%(dept)s): you may read it, "
                               "but only that department acts on it.", no=complaint.receipt_no,
                               dept=complaint.department_code))


def may_handle(user, department_code: str) -> bool:
    """Whether ``user`` may be given a complaint of ``department_code``: an active official who
    handles complaints, of that department or of all."""
    return user.active and user.can("complaints.handle") and scope.covers(user, department_code, ALL_DEPARTMENTS)


def assignable_officials(complaint: Complaint) -> list:
    """The officials ``complaint`` may be assigned to (see :func:`may_handle`)."""
    from erp.auth import services as auth

    return [user for user in auth.search_users("", 1, 1000).items if may_handle(user, complaint.department_code)]


def _open(complaint_id: int, allowed: tuple[str, ...]) -> Complaint:
    complaint = repo.get(complaint_id, lock=True)
    if complaint is None:
        raise LookupError(complaint_id)
    require_own_department(complaint)
    if complaint.status not in allowed:
        refuse(_("This cannot be done while the complaint is %(status)s.", status=status_label(complaint.status)))
    return complaint


@transactional
def assign(complaint_id: int, user_id: int) -> Complaint:
    """Give the complaint to an official who handles complaints of its department (or of all)."""
    from erp.auth import services as auth

    complaint = _open(complaint_id, ("received", "transferred") + HANDLING)
    try:
        user = auth.get_user(user_id)
    except LookupError:
        refuse(_("Choose an official."), "user_id")
    if not may_handle(user, complaint.department_code):
        refuse(_("%(name)s does not handle the complaints of department %(dept)s: choose an official who does.",
                 name=user.name, dept=complaint.department_code), "user_id")
    complaint.assignee_id, complaint.assignee_name = user.id, user.name
    if complaint.status in ("received", "transferred"):
        complaint.status = "assigned"
    add_event(complaint, "assigned", user.name)
    tx.commit()
    return complaint


@transactional
def transfer(complaint_id: int, department_code: str, reason: str) -> Complaint:
    """이송: send the complaint to another department (its deadline keeps running)."""
    from erp.auth.services import department_codes

    complaint = _open(complaint_id, ("received", "transferred", "assigned", "in_progress"))
    if department_code not in department_codes():
        refuse(_("Choose a department."), "department_code")
    if department_code == complaint.department_code:
        refuse(_("The complaint is with this department already."), "department_code")
    if not (reason or "").strip():
        refuse(_("Give the reason."), "reason")
    complaint.department_code, complaint.assignee_id, complaint.assignee_name = department_code, None, ""
    complaint.status = "transferred"
    add_event(complaint, "transferred", f"{department_code}: {reason.strip()}")
    tx.commit()
    return complaint


@transactional
def request_supplement(complaint_id: int, text: str) -> Complaint:
    """Ask the citizen for documents or facts; the deadline stops until they are supplied."""
    complaint = _open(complaint_id, HANDLING)
    if not (text or "").strip():
        refuse(_("Say what the citizen must supply."), "text")
    complaint.status, complaint.paused_since = "supplement", utcnow()
    add_event(complaint, "supplement_requested", text.strip())
    notify(db.session, complaint.id, "supplement", complaint.phone,
           _("Complaint %(no)s: please supply: %(text)s", no=complaint.receipt_no, text=text.strip()[:200]))
    tx.commit()
    return complaint


@transactional
def extend(complaint_id: int, days: int, reason: str, consent: bool = False) -> Complaint:
    """Extend the deadline once with a reason; a second time only with the citizen's consent."""
    complaint = _open(complaint_id, HANDLING)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
        refuse(_("An extension is 1 to 30 days."), "days")
    if not (reason or "").strip():
        refuse(_("Give the reason."), "reason")
    if complaint.extensions >= 2:
        refuse(_("The deadline was extended twice already."), "days")
    if complaint.extensions == 1 and not consent:
        refuse(_("A second extension needs the citizen's consent; record it first."), "consent")
    complaint.extensions += 1
    complaint.extension_days += days
    complaint.status = "extended"
    recompute_due(complaint)
    add_event(complaint, "extended", f"+{days}: {reason.strip()}" + (" (" + _("citizen consented") + ")" if consent else ""))
    notify(db.session, complaint.id, "extension", complaint.phone,
           _("Complaint %(no)s: the deadline is extended to %(due)s. Reason: %(reason)s", no=complaint.receipt_no,
             due=to_local(complaint.due_at).strftime("%Y-%m-%d %H:%M"), reason=reason.strip()[:200]))
    tx.commit()
    return complaint


@transactional
def add_note(complaint_id: int, text: str) -> Complaint:
    """An internal note: officials only."""
    complaint = _open(complaint_id, tuple(repo.OPEN) + CLOSED)
    if not (text or "").strip():
        refuse(_("Write the note."), "text")
    add_event(complaint, "note", text.strip()[:5000], internal=True)
    tx.commit()
    return complaint


@transactional
def reply(complaint_id: int, text: str) -> Complaint:
    """Write (or rewrite) the official reply the citizen will read."""
    complaint = _open(complaint_id, HANDLING)
    if not (text or "").strip():
        refuse(_("Write the reply."), "text")
    complaint.reply = text.strip()[:20000]
    if complaint.status == "assigned":
        complaint.status = "in_progress"
    add_event(complaint, "replied", complaint.reply)
    tx.commit()
    return complaint


@transactional
def close(complaint_id: int, outcome: str, reason: str = "") -> Complaint:
    """Complete (with a reply), refuse or return (with a reason), or mark withdrawn."""
    if outcome not in ("completed", "refused", "returned", "withdrawn"):
        refuse(_("Choose how the complaint ends."))
    complaint = _open(complaint_id, ("received", "transferred") + HANDLING + ("supplement",))
    if outcome == "completed" and (complaint.status not in HANDLING or not complaint.reply):
        refuse(_("Reply to the citizen before completing."), "text")
    if outcome in ("refused", "returned") and not (reason or "").strip():
        refuse(_("Give the reason."), "reason")
    if outcome in ("refused", "returned"):
        complaint.reply = reason.strip()[:20000]
    complaint.status, complaint.closed_at = outcome, utcnow()
    add_event(complaint, outcome, (reason or "").strip())
    notify(db.session, complaint.id, "result", complaint.phone,
           _("Complaint %(no)s: %(status)s. See the reply with your receipt number.", no=complaint.receipt_no,
             status=status_label(outcome)))
    tx.commit()
    return complaint



def status_label(status: str) -> str:
    labels = {
        "received": _("received"), "transferred": _("transferred"), "assigned": _("assigned"),
        "supplement": _("waiting for the citizen's supplement"), "in_progress": _("in progress"),
        "extended": _("extended"), "completed": _("completed"), "refused": _("refused"),
        "returned": _("returned"), "withdrawn": _("withdrawn"),
    }
    return labels.get(status, status)


def overdue_now() -> int:
    """How many open complaints are past their deadline now (the same rule as ``is_overdue``)."""
    return repo.overdue_count(utcnow())


def is_overdue(complaint: Complaint) -> bool:
    return complaint.status in repo.OPEN and complaint.status != "supplement" and complaint.due_at is not None \
        and complaint.due_at < utcnow()


def queue(*, department: str | None = None, assignee_id: int | None = None, status: str | None = None,
          type_id: int | None = None, text: str | None = None) -> list[Complaint]:
    """Open complaints: overdue first, then due today, then by due date. ``text`` searches the
    receipt number, the citizen's name and telephone number — and then closed complaints too,
    since a citizen calling about one may mean any of theirs."""
    text = (text or "").strip()[:50] or None
    items = repo.queue(department=department, assignee_id=assignee_id, status=status, type_id=type_id, text=text,
                       open_only=text is None)
    today = to_local(utcnow()).date()

    def rank(c: Complaint):
        if is_overdue(c):
            return (0, c.due_at)
        if c.due_at and to_local(c.due_at).date() == today:
            return (1, c.due_at)
        return (2, c.due_at or utcnow() + timedelta(days=3650))

    return sorted(items, key=rank)


def due_within(hours: int = 24) -> list[Complaint]:
    horizon = utcnow() + timedelta(hours=hours)
    return [c for c in repo.open_complaints() if c.status != "supplement" and c.due_at and c.due_at <= horizon]


@transactional
def remind(hours: int = 24) -> list[Complaint]:
    """Notify the officials (the assignee, else the department) of complaints due within ``hours``
    (overdue ones included); returns them. A complaint is reminded of once a day at most, so the
    daily job run again (after its worker was stopped) or by hand notifies nobody twice."""
    items = due_within(hours)
    done_today = repo.reminded_since([c.id for c in items], local_day_start_utc(local_now().date()))
    for complaint in items:
        if complaint.id in done_today:
            continue
        recipient = complaint.assignee_name or complaint.department_code
        text = _("%(no)s is due by %(due)s.", no=complaint.receipt_no, due=to_local(complaint.due_at).strftime("%Y-%m-%d %H:%M"))
        notify(db.session, complaint.id, "reminder", recipient, text, channel="internal")
        # On the complaint's timeline too, where the official sees it (never the citizen).
        add_event(complaint, "reminded", f"{recipient}: {text}", internal=True)
    tx.commit()
    return items


# --- types -----------------------------------------------------------------------------------

# (code, name, category, department, value, unit, statutory, documents)
STANDARD_TYPES = [
    ("HOLDER_CHANGE", "명의변경", "statutory", "WS-RATE", 3, "days", True, "매매계약서 또는 등기부등본, 신분증"),
    ("MOVE_OUT", "이사정산", "statutory", "WS-RATE", 1, "days", True, "이사일자, 계량기 지침"),
    ("HOUSEHOLD_SPLIT", "가구분할", "statutory", "WS-RATE", 1, "days", True, "주민등록등본 (세대별)"),
    ("BILL_OBJECTION", "요금 이의신청", "statutory", "WS-RATE", 60, "days", True, "고지서, 이의 사유"),
    ("LEAK_REPORT", "누수 신고", "report", "WS-SUP", 1, "days", False, ""),
    ("LEAK_REDUCTION", "누수감면 신청", "statutory", "WS-RATE", 7, "days", True, "누수 수리 확인서 (영수증, 사진)"),
    ("WATER_QUALITY", "수질 민원", "report", "WS-PUR", 7, "days", False, ""),
    ("OUTAGE", "단수·출수불량 신고", "report", "WS-SUP", 4, "hours", False, ""),
    ("METER", "계량기 고장·동파", "report", "WS-SUP", 3, "days", False, ""),
    ("E_BILLING", "전자고지 신청·해지", "statutory", "WS-RATE", 0, "immediate", True, ""),
    ("QUESTION", "질의", "question", "WS-MGT", 7, "days", False, ""),
    ("SUGGESTION", "건의", "suggestion", "WS-MGT", 14, "days", False, ""),
    ("GRIEVANCE", "고충민원", "grievance", "WS-MGT", 7, "days", False, ""),
]


@transactional
def seed_types() -> str:
    """The water utility's usual complaint types (missing ones only; edited ones are kept)."""
    added = 0
    for code, name, category, dept, value, unit, statutory, documents in STANDARD_TYPES:
        if repo.type_by_code(code) is None:
            repo.add(ComplaintType(code=code, name=name, category=category, department_code=dept, deadline_value=value,
                                   deadline_unit=unit, statutory=statutory, documents=documents))
            added += 1
    tx.commit()
    return f"{added} complaint type(s) added"


@transactional
def update_type(type_id: int, *, name: str, department_code: str, deadline_value: int, deadline_unit: str,
                documents: str, active: bool) -> ComplaintType:
    """Change a complaint type's name, department, deadline, documents or use."""
    from erp.auth.services import department_codes

    kind = db.session.get(ComplaintType, type_id)
    if kind is None:
        raise LookupError(type_id)
    if deadline_unit not in ("days", "hours", "immediate"):
        refuse(_("Choose the unit of the deadline."), "deadline_unit")
    if deadline_unit != "immediate" and not 1 <= (deadline_value or 0) <= 365:
        refuse(_("The deadline is 1 to 365."), "deadline_value")
    if department_code not in department_codes():
        refuse(_("Choose a department."), "department_code")
    kind.name, kind.department_code, kind.documents, kind.active = name.strip(), department_code, documents.strip(), active
    kind.deadline_value, kind.deadline_unit = (deadline_value or 0), deadline_unit
    tx.commit()
    return kind
