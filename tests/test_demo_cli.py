"""`flask erp demo`, `create-admin`, `reset-password` and `sync-permissions`."""
import re

import sqlalchemy as sa
from conftest import login

from erp.auth.models import Role, User
from erp.extensions import db


def test_demo_creates_an_organisation_and_one_working_login_per_role(app, runner):
    result = runner.invoke(args=["erp", "demo"])
    assert result.exit_code == 0, result.output
    logins = dict(re.findall(r"^\s+(\w+)\s+(\S+)\s+\S+ \((\w+)\)$", result.output, re.M)[i][:2] for i in range(11))
    assert set(logins) == {"admin", "budget", "budgetdept", "budgetlead", "acct", "chiefacct", "rates", "reader", "civil",
                           "civilhead", "auditor"}
    with app.app_context():
        roles = {u.username: [r.code for r in u.roles] for u in db.session.execute(sa.select(User)).scalars()}
        assert roles["chiefacct"] == ["chief_accountant"]
        assert db.session.execute(sa.select(User).where(User.username == "rates")).scalar_one().department.name == "요금관리과"
    client = app.test_client()
    assert login(client, "auditor", logins["auditor"]).headers["Location"] == "/"
    again = runner.invoke(args=["erp", "demo", "--if-empty"])
    assert again.exit_code == 0 and "skipped" in again.output
    # Nothing is left in the outboxes (the bill runs and payments reached the books before the
    # months were locked), and each month's water revenue is booked once: by the bill runs for
    # the months they billed, by hand for the others.
    from plugins.accounting.models import Account, JournalEntry, JournalLine
    from plugins.budget.models import Outbox as BudgetOutbox
    from plugins.rates.models import Outbox as RatesOutbox

    with app.app_context():
        for outbox in (RatesOutbox, BudgetOutbox):
            rows = db.session.execute(sa.select(outbox.key, outbox.status, outbox.last_error)).all()
            assert rows and all(status == "delivered" for _key, status, _error in rows), rows
        sources = db.session.execute(
            sa.select(sa.func.extract("year", JournalEntry.entry_date), sa.func.extract("month", JournalEntry.entry_date),
                      JournalEntry.source)
            .join(JournalLine, JournalLine.entry_id == JournalEntry.id).join(Account, JournalLine.account_id == Account.id)
            .where(Account.code.like("611-%"), JournalEntry.status == "posted", JournalLine.credit > 0).distinct()).all()
        by_month = {}
        for year, month, source in sources:
            by_month.setdefault((int(year), int(month)), set()).add("rates" if source.startswith("rates:") else source)
        assert len(by_month) >= 13 and all(len(kinds) == 1 for kinds in by_month.values()), by_month
        assert sum(kinds == {"rates"} for kinds in by_month.values()) >= 5  # the bill runs' months
    # Most complaints are answered on time, as the statistics and the officer's home page show.
    from datetime import date, timedelta

    from erp.common.clock import local_today
    from plugins.complaints.services import stats

    with app.app_context():
        months = stats.statistics(local_today() - timedelta(days=120), local_today(), by="month")
        completed, on_time = sum(row.completed for row in months), sum(row.on_time for row in months)
        assert completed >= 15 and on_time / completed >= 0.8, (completed, on_time)
    # The budget's execution matches the books: this year's salaries, power and chemicals are
    # paid through commitments whose postings reached accounting, and booked nowhere else.
    from plugins.budget.models import Commitment, Line

    with app.app_context():
        year = local_today().year
        for code in ("5110", "5208", "5209"):
            executed = db.session.execute(
                sa.select(sa.func.coalesce(sa.func.sum(Commitment.amount), 0)).join(Line, Commitment.line_id == Line.id)
                .where(Line.year == year, Line.account_code == code, Commitment.status == "paid")).scalar_one()
            booked = db.session.execute(
                sa.select(sa.func.coalesce(sa.func.sum(JournalLine.debit - JournalLine.credit), 0))
                .join(JournalEntry, JournalLine.entry_id == JournalEntry.id).join(Account, JournalLine.account_id == Account.id)
                .where(Account.code == code, JournalEntry.status == "posted",
                       JournalEntry.entry_date.between(date(year, 1, 1), date(year, 12, 31)))).scalar_one()
            assert executed > 0 and int(booked) == int(executed), (code, executed, booked)
    # The water bills are collected through the banks' payment files (booked as receipts), a few
    # customers owe, and the arrears run charged them.
    from plugins.complaints.models import Attachment
    from plugins.complaints.services import storage
    from plugins.rates.models import Payment
    from plugins.rates.services import arrears

    with app.app_context():
        collected = db.session.execute(sa.select(sa.func.sum(Payment.applied))).scalar_one()
        receipts = db.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(JournalLine.credit), 0))
            .join(JournalEntry, JournalLine.entry_id == JournalEntry.id).join(Account, JournalLine.account_id == Account.id)
            .where(Account.code == "1113", JournalEntry.status == "posted", JournalEntry.source.like("rates:receipts:%"))
        ).scalar_one()
        assert collected > 0 and int(receipts) == int(collected), (collected, receipts)
        _rows, total = arrears.ageing()
        assert 0 < total.total < collected, (total.total, collected)
        assert db.session.execute(sa.select(sa.func.count()).select_from(JournalEntry).where(
            JournalEntry.status == "posted", JournalEntry.source.like("rates:late-charges:%"))).scalar_one() >= 1
        # One complaint carries the receipt it mentions, stored as a PDF.
        attachment = db.session.execute(sa.select(Attachment)).scalar_one()
        assert attachment.original_name == "누수수리_영수증.pdf" and attachment.content_type == "application/pdf"
        assert storage.path_of(attachment.stored_name).read_bytes().startswith(b"%PDF")


def test_create_admin_then_log_in(app, runner):
    result = runner.invoke(args=["erp", "create-admin", "--username", "root1", "--password", "Admin-Pass-2026"])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "root1", "Admin-Pass-2026").headers["Location"] == "/"


def test_create_admin_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["erp", "create-admin", "--password", "weak"])
    assert result.exit_code != 0
    assert "9" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(User)).first() is None


def test_reset_password_prints_a_working_password(app, runner, make_user):
    make_user("kim", roles=["auditor"])
    result = runner.invoke(args=["erp", "reset-password", "kim"])
    password = result.output.strip().rsplit(" ", 1)[1]
    assert login(app.test_client(), "kim", password).headers["Location"] == "/"


def test_sync_grants_new_permissions_once_and_keeps_administrators_changes(app, runner):
    from erp.auth import services

    with app.app_context():
        auditor = db.session.execute(sa.select(Role).where(Role.code == "auditor")).scalar_one()
        assert "core.audit" in auditor.permission_codes and "accounting.view" in auditor.permission_codes
        # An administrator takes a default grant away; a later sync must not put it back.
        services.save_role(auditor.id, code="auditor", name=auditor.name, description="",
                           permissions=sorted(auditor.permission_codes - {"accounting.view"}),
                           known=set(app.extensions["erp"]["permissions"]))
    result = runner.invoke(args=["erp", "sync-permissions"])
    assert "up to date" in result.output
    with app.app_context():
        auditor = db.session.execute(sa.select(Role).where(Role.code == "auditor")).scalar_one()
        assert "accounting.view" not in auditor.permission_codes
