"""Chart-of-accounts pages: the chart, adding an account, taking an account in or out of use."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.web.forms import flash_refusal
from plugins.accounting.services import chart, reports
from plugins.accounting.views.blueprint import bp
from plugins.accounting.views.forms import AccountForm


def _chart_page(form: AccountForm):
    items = chart.chart()
    return render_template("accounting/accounts.html", accounts=items, levels=reports.account_levels(items), form=form,
                           can_edit=current_user.can("accounting.close"))


@bp.get("/accounts")
@permission_required("accounting.view")
def accounts():
    return _chart_page(AccountForm())


@bp.post("/accounts")
@permission_required("accounting.close")
def account_add():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            account = chart.add_account(form.code.data, form.name.data, form.name_en.data or "", form.parent_code.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Account %(code)s added.", code=account.code), "success")
            return redirect(url_for("accounting.accounts"))
    return _chart_page(form)


def _set_active(code: str, active: bool):
    try:
        chart.set_active(code, active)
    except ServiceError as error:
        flash(error.message, "danger")
    return redirect(url_for("accounting.accounts"))


@bp.post("/accounts/<code>/activate")
@permission_required("accounting.close")
def account_activate(code: str):
    return _set_active(code, True)


@bp.post("/accounts/<code>/deactivate")
@permission_required("accounting.close")
def account_deactivate(code: str):
    return _set_active(code, False)
