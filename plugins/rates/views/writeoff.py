"""Write-off pages (결손처분): the lapsed bills to propose, the proposals, and their approval by
the chief accountant."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.web.forms import flash_errors
from plugins.rates.repositories import collection as repo
from plugins.rates.services import writeoff
from plugins.rates.views.pages import bp

SEE = ("rates.view", "rates.writeoff_approve")


@bp.app_template_global("rates_write_off_of")
def write_off_of(bill_id: int):
    """(approved write-off or None, recovered since) of a bill, for the bill page."""
    return writeoff.of_bill(bill_id)


@bp.route("/write-offs")
@permission_required(*SEE)
def write_offs():
    """Write-off proposals, newest first, and the number of lapsed bills not proposed yet."""
    return render_template("rates/write_offs.html", write_offs=repo.write_offs(), cutoff=writeoff.cutoff(),
                           years=writeoff.limitation_years(), waiting=len(writeoff.candidates(limit=None)))


@bp.route("/write-offs/candidates", methods=["GET", "POST"])
@permission_required(*SEE)
def write_off_candidates():
    """The lapsed bills still owing; a rates clerk drafts a proposal of the chosen ones."""
    if request.method == "POST":
        if not current_user.can("rates.writeoff"):
            abort(403)
        try:
            ids = [int(v) for v in request.form.getlist("bill_id")]
        except ValueError:
            abort(400)
        try:
            proposal = writeoff.draft(ids, request.form.get("reason", ""))
        except ServiceError as error:
            flash_errors(error.errors or {"": [error.message]})
        else:
            flash(_("Write-off %(no)s drafted: %(amount)s won.", no=proposal.number, amount=f"{proposal.total:,}"), "success")
            return redirect(url_for("rates.write_off_detail", write_off_id=proposal.id))
    return render_template("rates/write_off_candidates.html", candidates=writeoff.candidates(), cutoff=writeoff.cutoff(),
                           years=writeoff.limitation_years())


@bp.route("/write-offs/<id:write_off_id>")
@permission_required(*SEE)
def write_off_detail(write_off_id: int):
    proposal = repo.write_off(write_off_id) or abort(404)
    recovered = repo.recoveries_of([line.bill_id for line in proposal.bills])
    return render_template("rates/write_off.html", w=proposal, recovered=recovered)


@bp.route("/write-offs/<id:write_off_id>/approve", methods=["POST"])
@permission_required("rates.writeoff_approve")
def write_off_approve(write_off_id: int):
    try:
        proposal = writeoff.approve(write_off_id)
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
    else:
        flash(_("Write-off %(no)s approved and owed to accounting.", no=proposal.number), "success")
    return redirect(url_for("rates.write_off_detail", write_off_id=write_off_id))


@bp.route("/write-offs/<id:write_off_id>/withdraw", methods=["POST"])
@permission_required("rates.writeoff", "rates.writeoff_approve")
def write_off_withdraw(write_off_id: int):
    try:
        writeoff.withdraw(write_off_id, request.form.get("note", ""))
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
    else:
        flash(_("The write-off is withdrawn."), "info")
    return redirect(url_for("rates.write_off_detail", write_off_id=write_off_id))
