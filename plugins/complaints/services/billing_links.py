"""Links from a complaint to billing, through the rates port: an upheld bill objection issues an
adjusting bill, a leak report or leak-reduction application a leak reduction, a move-out request
the settlement bill. The complaint's receipt number is the reference the rates plugin keeps, so
asking twice — a double click, a retry after an error — never issues a second bill.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _

from erp import ports
from erp.audit import services as audit
from erp.common import tx
from erp.common.errors import refuse
from erp.common.tx import transactional
from plugins.complaints.models import BillingLink
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services.complaints import CLOSED, add_event, require_own_department

# complaint type → the billing action it may take
ACTIONS = {"BILL_OBJECTION": "adjusting_bill", "LEAK_REPORT": "leak_reduction", "LEAK_REDUCTION": "leak_reduction",
           "MOVE_OUT": "settlement"}


def action_for(complaint) -> str | None:
    """The billing action this complaint's type can take, if billing is reachable here."""
    action = ACTIONS.get(complaint.type.code)
    if action is None:
        return None
    try:
        ports.get("rates")
    except ports.PortError:
        return None
    return action


def latest_bill(complaint):
    """The latest bill of the complaint's customer (to default the form), or None."""
    if not complaint.customer_no:
        return None
    try:
        return ports.get("rates").latest_bill(complaint.customer_no)
    except ports.PortError:
        return None


@transactional
def link(complaint_id: int, *, bill_number: str = "", corrected_use: int | None = None, on: date | None = None,
         final_reading: int | None = None, reason: str = "") -> BillingLink:
    """Take the complaint's billing action and record the bill it produced on the complaint.

    The bill is issued through the rates port, which applies the customer's credit under row
    locks and so needs its work begun in READ COMMITTED: in one process the port's call joins
    this transaction, which therefore begins so (a no-op over HTTP and on SQLite)."""
    tx.read_committed(BillingLink.__table__)
    complaint = repo.get(complaint_id)
    if complaint is None:
        raise LookupError(complaint_id)
    require_own_department(complaint)
    if complaint.status in CLOSED:
        refuse(_("This complaint is closed."))
    action = action_for(complaint)
    if action is None:
        refuse(_("This kind of complaint has no billing action."))
    done = next((item for item in complaint.billing_links if item.action == action), None)
    if done is not None:
        return done
    reason = (reason or "").strip() or complaint.type.name
    reference = complaint.receipt_no
    rates = ports.get("rates")
    try:
        if action == "settlement":
            if not complaint.customer_no:
                refuse(_("Enter the customer number on the complaint first."), "customer_no")
            if on is None or final_reading is None:
                refuse(_("Enter the move-out date and the final reading."), "final_reading")
            bill = rates.settle_move_out(complaint.customer_no, on=on, final_reading=final_reading, reference=reference)
        else:
            number = (bill_number or "").strip()
            if not number:
                refuse(_("Enter the number of the bill concerned."), "bill_number")
            if action == "adjusting_bill":
                if corrected_use is None:
                    refuse(_("Enter the corrected use."), "corrected_use")
                bill = rates.adjust_bill(number, corrected_use=corrected_use, reason=reason, reference=reference)
            else:
                bill = rates.leak_reduction(number, reason=reason, reference=reference)
    except ports.PortError as error:
        # The detail (which address, what failed) is for the log; the official learns that nothing
        # happened and that asking again is safe (the receipt number keeps it to one bill).
        current_app.logger.warning("billing action of complaint %s: %s", complaint.receipt_no, error)
        refuse(_("The water rates service cannot be reached, so no bill was issued and nothing was recorded. "
                 "Try again in a moment."))
    item = BillingLink(complaint_id=complaint.id, action=action, bill_number=bill.number, original_number=bill.original_number,
                       amount=bill.total, created_by=audit.current_actor()[1])
    complaint.billing_links.append(item)
    add_event(complaint, "billing", _("Bill %(no)s issued: %(amount)s won.", no=bill.number, amount=f"{bill.total:,}"), internal=True)
    tx.commit()
    return item
