"""Transfers between budget lines (이용, 전용): requesting, approving, rejecting."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.web.forms import ReturnForm, flash_errors, flash_refusal, parse_won
from plugins.budget.repositories import budget as repo
from plugins.budget.services import transfers
from plugins.budget.views.blueprint import bp, line_choices, refused, year_arg
from plugins.budget.views.forms import TransferForm


def _page(year: int, form: TransferForm):
    return render_template("budget/transfers.html", year=year, transfers=repo.transfers(year), form=form,
                           return_form=ReturnForm())


def _form(year: int) -> TransferForm:
    form = TransferForm()
    form.from_line_id.choices = form.to_line_id.choices = line_choices(year)
    return form


@bp.get("/transfers")
@permission_required("budget.view")
def transfer_list():
    year = year_arg()
    return _page(year, _form(year))


@bp.post("/transfers")
@permission_required("budget.review")
def transfer_request():
    year = year_arg()
    form = _form(year)
    if form.validate_on_submit():
        try:
            transfers.request(form.from_line_id.data, form.to_line_id.data, parse_won(form.amount.data) or 0, form.reason.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Transfer requested; it takes effect on approval."), "success")
            return redirect(url_for("budget.transfer_list", year=year))
    return _page(year, form)


@bp.post("/transfers/<id:transfer_id>/approve")
@permission_required("budget.approve")
def transfer_approve(transfer_id: int):
    try:
        transfer = transfers.decide(transfer_id, True)
    except ServiceError as error:
        refused(error)
        return redirect(url_for("budget.transfer_list"))
    except LookupError:
        abort(404)
    flash(_("Transfer approved."), "success")
    return redirect(url_for("budget.transfer_list", year=transfer.year))


@bp.post("/transfers/<id:transfer_id>/return")
@permission_required("budget.approve")
def transfer_return(transfer_id: int):
    form = ReturnForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("budget.transfer_list", year=year_arg()))
    try:
        transfer = transfers.return_transfer(transfer_id, form.reason.data)
    except ServiceError as error:
        refused(error)
        return redirect(url_for("budget.transfer_list", year=year_arg()))
    except LookupError:
        abort(404)
    flash(_("The transfer went back to its requester with your reason."), "success")
    return redirect(url_for("budget.transfer_list", year=transfer.year))


@bp.post("/transfers/<id:transfer_id>/resubmit")
@permission_required("budget.review")
def transfer_resubmit(transfer_id: int):
    amount_text, reason = request.form.get("amount", ""), request.form.get("reason")
    try:
        amount = parse_won(amount_text)
    except ValueError:
        flash(_("Enter a whole, non-negative amount in won (e.g. 1,250,000)."), "danger")
        return redirect(url_for("budget.transfer_list", year=year_arg()))
    try:
        transfer = transfers.resubmit(transfer_id, amount, reason)
    except ServiceError as error:
        refused(error)
        return redirect(url_for("budget.transfer_list", year=year_arg()))
    except LookupError:
        abort(404)
    flash(_("Transfer requested again; it takes effect on approval."), "success")
    return redirect(url_for("budget.transfer_list", year=transfer.year))
