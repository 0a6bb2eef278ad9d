"""Write-off (결손처분) of lapsed water charges: the lapsed bills listed, a proposal drafted by a
rates clerk, refused when its drafter approves it, approved by another (the chief accountant) and
posted — against the allowance as far as it goes, the rest as bad-debt expense — and a later
payment on a written-off bill still matched, booked as a recovery and shown.

The October 2022 bills of the 포항시 tariff (in force since 2014), due 10 November 2022, lapsed
three years later: 김일번 21 ㎥ → 22,130 won; 박복지 (welfare, 15 ㎥) → 7,430 won, of which 2,000 paid."""
from datetime import date

import pytest
import sqlalchemy as sa
from conftest import login, post_form

from erp import ports
from erp.audit import services as audit
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.rates.demo import load_tariff
from plugins.rates.models import Bill, Outbox, WriteOff, WriteOffRecovery
from plugins.rates.services import billing, inquiry, payments, postings, writeoff
from plugins.rates.services import customers as customers_service
from plugins.rates.services.notices import payment_reference
from plugins.rates.services.payment_layouts import CsvLayout, PaymentLine

PAID_ON = date(2022, 11, 8)


def _line(txn, reference, amount, on):
    return PaymentLine(0, "giro", txn, on, on, "011", "0001", "1234567", reference, amount, "납부자")


@pytest.fixture
def lapsed(app):
    """name → (customer id, bill id, e-payment number) of two October 2022 bills, one partly paid."""
    with app.test_request_context():
        load_tariff()
        found = {}
        for name, use, reduction in (("김일번", 21, None), ("박복지", 15, "WELFARE")):
            person = customers_service.register(customers_service.CustomerInput(
                holder_name=name, address=f"한빛시 옛길 {use}", use_type="household", route_code="1101"))
            customers_service.install_meter(person.id, f"WO-{name}", 13, date(2022, 1, 1), start_reading=1000)
            if reduction:
                customers_service.grant_reduction(person.id, reduction, date(2022, 1, 1), None, "증명서 확인")
            customers_service.read(person.id, date(2022, 10, 5), 1000 + use)
            found[name] = person.id
        billing.execute(billing.start_run("2022-10", "monthly", "", date(2022, 11, 1), date(2022, 11, 10)).id)
        for name, customer_id in found.items():
            bill = db.session.execute(sa.select(Bill).where(Bill.customer_id == customer_id)).scalar_one()
            found[name] = (customer_id, bill.id, payment_reference(bill), bill.total)
        assert [found[n][3] for n in ("김일번", "박복지")] == [22_130, 7_430]
        payments.import_file(CsvLayout.write([_line("OLD-1", found["박복지"][2], 2_000, PAID_ON)], file_date=PAID_ON))
        # An allowance for doubtful receivables of 10,000 won set up this year.
        postings.owe_posting("test:allowance", local_today(), "대손충당금 설정",
                             [("5218", 10_000, 0, "대손상각비"), ("1114", 0, 10_000, "대손충당금")])
        postings.relay()
        return found


def _clerk_and_chief(make_user) -> dict[str, int]:
    """A rates clerk who drafts write-offs and a chief accountant who approves them: name → user id."""
    return {"clerk": make_user("clerk", roles=["rates_clerk"]), "chief": make_user("chief", roles=["chief_accountant"])}


def _balances(codes):
    return {b.code: (b.debit, b.credit) for b in ports.get("accounting").account_balances(local_today().year, 12, codes)}


def test_write_off_drafted_approved_by_another_posted_and_a_later_payment_recognised(app, lapsed, make_user):
    kim_customer, kim_bill, kim_epay, _total = lapsed["김일번"]
    park_customer, park_bill, _epay, _total = lapsed["박복지"]
    make_user("clerk", roles=["rates_clerk"])
    make_user("both", roles=["rates_clerk", "chief_accountant"])
    make_user("chief", roles=["chief_accountant"])
    with app.test_request_context():
        assert writeoff.cutoff(date(2026, 11, 26)) == date(2023, 11, 25)
        assert [(bill.id, owed) for bill, owed in writeoff.candidates()] == [(kim_bill, 22_130), (park_bill, 5_430)]
        # Owed with its one-time late charge (3 % of 22,130, below 10 won dropped) until written off.
        assert inquiry.amount_due(kim_customer) == 22_130 + 660

    # Drafted by a clerk who also holds the chief accountant's role: that person cannot approve it.
    both = app.test_client()
    login(both, "both")
    page = both.get("/rates/write-offs/candidates").get_data(as_text=True)
    assert "22,130" in page and "5,430" in page
    page = post_form(both, "/rates/write-offs/candidates", {"bill_id": [str(kim_bill), str(park_bill)], "reason": "소멸시효 완성"},
                     follow=True).get_data(as_text=True)
    assert "27,560" in page and "결재 대기" in page
    with app.app_context():
        proposal_id = db.session.execute(sa.select(WriteOff.id)).scalar_one()
    page = post_form(both, f"/rates/write-offs/{proposal_id}/approve", {}, page=f"/rates/write-offs/{proposal_id}",
                     follow=True).get_data(as_text=True)
    assert "결손처분은 기안자가 아닌 사람이 승인합니다" in page
    # A rates clerk alone may not approve at all.
    clerk = app.test_client()
    login(clerk, "clerk")
    assert post_form(clerk, f"/rates/write-offs/{proposal_id}/approve", {}, page=f"/rates/write-offs/{proposal_id}").status_code == 403
    with app.app_context():
        assert db.session.get(WriteOff, proposal_id).status == "draft"
        assert db.session.execute(sa.select(Outbox).where(Outbox.key.like("rates:write-off:%"))).first() is None

    chief = app.test_client()
    login(chief, "chief")
    page = post_form(chief, f"/rates/write-offs/{proposal_id}/approve", {}, page=f"/rates/write-offs/{proposal_id}",
                     follow=True).get_data(as_text=True)
    assert 'id="write-off-status">승인' in page
    with app.test_request_context():
        postings.relay()
        # 27,560 written off: 10,000 against the allowance, 17,560 as bad-debt expense.
        assert _balances(["1114", "5218"]) == {"1114": (10_000, 10_000), "5218": (27_560, 0)}
        assert _balances(["1113"])["1113"][1] == 27_560
        assert writeoff.candidates() == []  # written off once
        assert inquiry.amount_due(kim_customer) == 0  # the lapsed claim is no longer asked for
        # A second approval is refused.
        with pytest.raises(ServiceError):
            writeoff.approve(proposal_id)

        # Years later 김일번 pays the written-off bill anyway: matched, booked as a recovery once.
        paid_on = local_today()
        result = payments.import_file(CsvLayout.write([_line("LATE-1", kim_epay, 22_130, paid_on)], file_date=paid_on))
        assert (result.new, result.matched, result.suspense) == (1, 1, 0)
        assert payments.balance(db.session.get(Bill, kim_bill)).status == "paid"
        payments.import_file(CsvLayout.write([_line("LATE-1", kim_epay, 22_130, paid_on)], file_date=paid_on))  # again
        assert db.session.execute(sa.select(sa.func.count()).select_from(WriteOffRecovery)).scalar() == 1
        postings.relay()
        # The allowance is restored by what was recovered; the receivable of the bill is collected.
        assert _balances(["1114"])["1114"] == (10_000, 32_130)
        assert _balances(["1113"])["1113"][0] == 22_130
    page = chief.get(f"/rates/write-offs/{proposal_id}").get_data(as_text=True)
    assert "22,130" in page
    clerk_page = clerk.get(f"/rates/bills/{kim_bill}").get_data(as_text=True)
    assert "회수 금액: 22,130원" in clerk_page and "납부완료" in clerk_page


def test_a_reversed_recovery_is_booked_back_and_a_bill_paid_before_approval_drops_out(app, lapsed, make_user):
    kim_customer, kim_bill, kim_epay, _total = lapsed["김일번"]
    park_customer, park_bill, park_epay, _total = lapsed["박복지"]
    ids = _clerk_and_chief(make_user)
    with app.test_request_context():
        with audit.acting_as(ids["clerk"], "clerk"):
            proposal = writeoff.draft([kim_bill, park_bill], "소멸시효 완성")
            with pytest.raises(ServiceError, match="기안자가 아닌"):
                writeoff.approve(proposal.id)
        # 박복지 pays the rest before the approval: the bill drops out of the write-off.
        payments.import_file(CsvLayout.write([_line("P-2", park_epay, 5_430, local_today())], file_date=local_today()))
        with audit.acting_as(ids["chief"], "chief"):
            proposal = writeoff.approve(proposal.id)
        assert ([line.bill_id for line in proposal.bills], proposal.total) == ([kim_bill], 22_130)
        assert db.session.execute(sa.select(sa.func.count()).select_from(WriteOffRecovery)).scalar() == 0

        payment = payments.record_counter(kim_bill, 22_130, "김일번")
        payments.reverse(payment.id, "잘못 받은 돈")
        recovered = db.session.execute(sa.select(WriteOffRecovery.amount).order_by(WriteOffRecovery.id)).scalars().all()
        assert recovered == [22_130, -22_130]
        postings.relay()
        # Restored and taken back: the allowance is where the write-off left it.
        assert _balances(["1114"])["1114"] == (32_130, 32_130)


def test_a_bill_lowered_by_an_adjusting_bill_is_written_off_for_what_the_two_still_ask(app, lapsed, make_user):
    kim_customer, kim_bill, _epay, _total = lapsed["김일번"]
    ids = _clerk_and_chief(make_user)
    with app.test_request_context():
        from plugins.rates.services import adjustments

        adjusting = adjustments.adjust(kim_bill, use=11, reason="검침 오류 정정")
        owed = 22_130 + adjusting.total
        assert 0 < owed < 22_130
        # The adjusting bill is not a candidate of its own: the original stands for both.
        assert [(bill.id, amount) for bill, amount in writeoff.candidates() if bill.customer_id == kim_customer] == [(kim_bill, owed)]
        with audit.acting_as(ids["clerk"], "clerk"):
            proposal = writeoff.draft([kim_bill], "소멸시효 완성")
        with audit.acting_as(ids["chief"], "chief"):
            proposal = writeoff.approve(proposal.id)
        assert proposal.total == owed
        assert inquiry.amount_due(kim_customer) == 0
        postings.relay()
        # Written off is what was still owed: the bill's receivable less the adjustment's.
        from_allowance = min(10_000, owed)
        assert _balances(["1114", "5218"]) == {"1114": (from_allowance, 10_000), "5218": (10_000 + owed - from_allowance, 0)}


def test_a_written_off_bill_is_asked_for_nowhere_in_collection(app, lapsed, make_user):
    """Once approved, a written-off claim is out of collection: no late charge is assessed on it,
    it is not carried onto the next bill (체납액), no reminder or disconnection notice asks for it,
    credit is not spent on it and the ageing report no longer counts it — while the bill beside it
    that was not written off stays in every one of them."""
    kim_customer, kim_bill, _epay, _total = lapsed["김일번"]
    park_customer, park_bill, _epay, _total = lapsed["박복지"]
    ids = _clerk_and_chief(make_user)
    with app.test_request_context():
        from plugins.rates.models import LateCharge, Payment
        from plugins.rates.services import arrears

        with audit.acting_as(ids["clerk"], "clerk"):
            proposal = writeoff.draft([kim_bill], "소멸시효 완성")
        with audit.acting_as(ids["chief"], "chief"):
            writeoff.approve(proposal.id)

        assert arrears.amount_due(kim_customer).items == []
        assert [(item.bill.id, item.balance) for item in arrears.amount_due(park_customer).items] == [(park_bill, 5_430)]
        from plugins.rates.services import adjustments

        with pytest.raises(ServiceError, match="결손처분"):  # nor is it adjusted: its claim is closed
            adjustments.adjust(kim_bill, use=11, reason="검침 오류 정정")
        _rows, total = arrears.ageing()
        assert (sum(total.bills), sum(total.amounts)) == (1, 5_430)  # 박복지's alone
        assert [r.customer.id for r in arrears.reminders("1101")] == [park_customer]

        arrears.run(local_today())
        charged = db.session.execute(sa.select(LateCharge.bill_id, sa.func.sum(LateCharge.amount))
                                     .group_by(LateCharge.bill_id)).all()
        assert [bill_id for bill_id, _amount in charged] == [park_bill]
        late = int(charged[0][1])

        for customer_id in (kim_customer, park_customer):
            customers_service.read(customer_id, date(2026, 10, 5), 1100)
        billing.execute(billing.start_run("2026-10", "monthly", "", date(2026, 11, 1), date(2026, 11, 10)).id)
        new = {customer_id: (bill_id, total, carried) for bill_id, customer_id, total, carried in db.session.execute(
            sa.select(Bill.id, Bill.customer_id, Bill.total, Bill.arrears).where(Bill.period == "2026-10"))}
        assert (new[kim_customer][2], new[park_customer][2]) == (0, 5_430 + late)
        # 박복지 is a protected household (welfare); 김일번's only overdue claim is written off.
        assert arrears.disconnection_list(date(2026, 11, 26)) == []

        # 김일번 overpays the new bill by 3,000 won: the credit waits for a live bill.
        kim_new, kim_new_total, _carried = new[kim_customer]
        counter = payments.record_counter(kim_new, kim_new_total + 3_000, "김일번")
        assert counter.credit == 3_000
        arrears.run(local_today())
        assert db.session.execute(sa.select(sa.func.count()).select_from(Payment)
                                  .where(Payment.channel == "credit", Payment.bill_id == kim_bill)).scalar() == 0
        assert payments.customer_credit(kim_customer) == 3_000
        # A deposit into 김일번's virtual account names no bill: with nothing live owing, it is credit.
        from plugins.rates.models import Customer
        db.session.get(Customer, kim_customer).virtual_account = "농협 790-1101-00001-01"
        db.session.commit()
        deposit = PaymentLine(0, "va", "VA-1", local_today(), local_today(), "011", "0001", "", "농협 790-1101-00001-01", 1_000, "김일번")
        assert payments.import_file(CsvLayout.write([deposit], file_date=local_today())).matched == 1
        assert payments.balance(db.session.get(Bill, kim_bill)).balance == 22_130
        assert payments.customer_credit(kim_customer) == 4_000


def test_a_lapsed_bill_is_written_off_with_its_late_charges_and_not_while_an_instalment_plan_covers_it(app, lapsed, make_user):
    """The late charges (가산금) booked on a lapsed bill lapse with it: the write-off takes them off the
    receivables too. A bill in a kept instalment plan is not lapsed (the plan acknowledges the debt)."""
    kim_customer, kim_bill, _epay, _total = lapsed["김일번"]
    park_customer, park_bill, _epay, _total = lapsed["박복지"]
    ids = _clerk_and_chief(make_user)
    with app.test_request_context():
        from plugins.rates.services import arrears, instalments

        arrears.run(local_today())  # the one-time 3 %: 22,130 → 660, 5,430 → 160
        postings.relay()
        assert [(bill.id, owed) for bill, owed in writeoff.candidates()] == [(kim_bill, 22_790), (park_bill, 5_590)]
        instalments.create_plan(park_customer, 3, local_today(), "분납 약정")
        assert [(bill.id, owed) for bill, owed in writeoff.candidates()] == [(kim_bill, 22_790)]
        with audit.acting_as(ids["clerk"], "clerk"):
            proposal = writeoff.draft([kim_bill], "소멸시효 완성")
        with audit.acting_as(ids["chief"], "chief"):
            assert writeoff.approve(proposal.id).total == 22_790
        postings.relay()
        # This year's receivables: the two late charges booked (820), 22,790 written off — the bill's
        # 22,130 and its 660; 10,000 of it against the allowance, 12,790 as bad-debt expense.
        assert _balances(["1113"])["1113"] == (820, 22_790)
        assert _balances(["1114", "5218"]) == {"1114": (10_000, 10_000), "5218": (10_000 + 12_790, 0)}


def test_the_receivables_chart_takes_a_write_off_off_and_a_later_recovery_lowers_nothing(app, lapsed, make_user):
    """The home page's receivables panel (billed − collected, month by month): what an approved
    write-off took off the bills is no longer outstanding — without the late charges it took too,
    which the bills' totals never held — and a payment on the written-off bill afterwards is
    collected on a bill already off the receivables."""
    kim_customer, kim_bill, kim_epay, _total = lapsed["김일번"]
    ids = _clerk_and_chief(make_user)
    with app.test_request_context():
        from plugins.rates.services import arrears
        from plugins.rates.views.home import receivables

        def panel():
            found = receivables()
            # figures: outstanding, collected this month; series: billed, collected, written off, outstanding
            return found.figures[0].value, found.figures[1].value, found.chart.series[2].values[-1]

        arrears.run(local_today())  # late charges 660 and 160: owed, but not bills' totals
        # 22,130 + 7,430 billed in 2022, 2,000 paid.
        assert panel() == (27_560, 0, 0)
        with audit.acting_as(ids["clerk"], "clerk"):
            proposal = writeoff.draft([kim_bill], "소멸시효 완성")
        with audit.acting_as(ids["chief"], "chief"):
            assert writeoff.approve(proposal.id).total == 22_130 + 660
        assert panel() == (5_430, 0, 22_130)
        # 김일번 pays the written-off bill: collected this month, and still 5,430 outstanding.
        paid_on = local_today()
        payments.import_file(CsvLayout.write([_line("LATE-9", kim_epay, 22_130, paid_on)], file_date=paid_on))
        assert payments.balance(db.session.get(Bill, kim_bill)).status == "paid"
        assert panel() == (5_430, 22_130, 22_130)


def test_a_payment_recorded_in_the_same_second_before_the_approval_is_no_recovery(app, lapsed, make_user, monkeypatch):
    """A payment recorded from the approval on is a recovery; one recorded before it is in the
    amount written off — even within the same second (MariaDB kept whole seconds, and counted
    such a payment as recovered again)."""
    from datetime import datetime, timedelta

    from plugins.rates.services import payments as payments_service
    from plugins.rates.services import writeoff as writeoff_service

    kim_customer, kim_bill, kim_epay, _total = lapsed["김일번"]
    park_customer, park_bill, park_epay, _total = lapsed["박복지"]
    ids = _clerk_and_chief(make_user)
    second = datetime(2030, 1, 2, 3, 4, 5)  # every earlier payment was recorded before it
    with app.test_request_context():
        with audit.acting_as(ids["clerk"], "clerk"):
            proposal = writeoff.draft([kim_bill, park_bill], "소멸시효 완성")
        paid_on = local_today()
        monkeypatch.setattr(payments_service, "utcnow", lambda: second + timedelta(microseconds=100_000))
        payments.import_file(CsvLayout.write([_line("SAME-1", park_epay, 1_000, paid_on)], file_date=paid_on))
        monkeypatch.setattr(writeoff_service, "utcnow", lambda: second + timedelta(microseconds=200_000))
        with audit.acting_as(ids["chief"], "chief"):
            assert writeoff.approve(proposal.id).total == 22_130 + 4_430  # 박복지's 1,000 paid before the approval
        monkeypatch.setattr(payments_service, "utcnow", lambda: second + timedelta(microseconds=300_000))
        payments.import_file(CsvLayout.write([_line("SAME-2", kim_epay, 5_000, paid_on)], file_date=paid_on))
        recovered = db.session.execute(sa.select(WriteOffRecovery.bill_id, WriteOffRecovery.amount)).all()
        assert [tuple(row) for row in recovered] == [(kim_bill, 5_000)]


def test_a_payment_imported_while_the_write_off_is_approved_is_taken_off_it(app, lapsed, make_user, monkeypatch):
    """The chief approves a write-off while a bank file paying one of its bills is being imported:
    the approval waits for the file and writes off only what is still owed. On MariaDB it wrote
    off the bill in full from what it read before the file's commit — the receivable taken off
    twice, by the payment and by the write-off, and the payment no recovery either."""
    from tests_support import race_on_payments

    _kim_customer, kim_bill, kim_epay, _total = lapsed["김일번"]
    _park_customer, park_bill, _epay, _total = lapsed["박복지"]
    ids = _clerk_and_chief(make_user)
    with app.test_request_context():
        with audit.acting_as(ids["clerk"], "clerk"):
            proposal_id = writeoff.draft([kim_bill, park_bill], "소멸시효 완성").id

    def approve():
        with audit.acting_as(ids["chief"], "chief"):
            writeoff.approve(proposal_id)

    errors = race_on_payments(app, monkeypatch, lambda: payments.import_file(CsvLayout.write(
        [_line("LATE-1", kim_epay, 22_130, local_today())], file_date=local_today())), approve)
    assert errors == []
    with app.test_request_context():
        proposal = db.session.get(WriteOff, proposal_id)
        assert (proposal.status, [line.bill_id for line in proposal.bills], proposal.total) == ("approved", [park_bill], 5_430)
        assert db.session.execute(sa.select(sa.func.count()).select_from(WriteOffRecovery)).scalar() == 0


def test_a_payment_held_in_suspense_and_matched_after_the_approval_is_a_recovery(app, lapsed, make_user):
    """Two deposits nobody can read wait in suspense (가수금) from before a write-off. The one a
    clerk matches to a bill before the approval takes that bill out of it; the one matched after
    the approval to a written-off bill is a recovery — the allowance restored — as a payment
    recorded after the approval is. Matched lines were never recoveries: their recording time,
    before the approval, was all that was compared."""
    from plugins.rates.models import Payment

    _kim_customer, kim_bill, kim_epay, _total = lapsed["김일번"]
    _park_customer, park_bill, park_epay, _total = lapsed["박복지"]
    ids = _clerk_and_chief(make_user)
    with app.test_request_context():
        today = local_today()
        result = payments.import_file(CsvLayout.write([_line("SUS-1", "0000", 22_130, today), _line("SUS-2", "0001", 5_430, today)],
                                                      file_date=today))
        assert (result.new, result.suspense) == (2, 2)
        held = dict(db.session.execute(sa.select(Payment.txn_id, Payment.id).where(Payment.status == "suspense")).all())
        with audit.acting_as(ids["clerk"], "clerk"):
            proposal_id = writeoff.draft([kim_bill, park_bill], "소멸시효 완성").id
            payments.match(held["SUS-2"], park_epay)  # before the approval
        with audit.acting_as(ids["chief"], "chief"):
            proposal = writeoff.approve(proposal_id)
        assert ([line.bill_id for line in proposal.bills], proposal.total) == ([kim_bill], 22_130)
        with audit.acting_as(ids["clerk"], "clerk"):
            payments.match(held["SUS-1"], kim_epay)  # after it
        assert db.session.execute(sa.select(WriteOffRecovery.bill_id, WriteOffRecovery.amount)).all() == [(kim_bill, 22_130)]
        postings.relay()
        # 10,000 of the allowance used by the write-off, 22,130 restored by the recovery.
        assert _balances(["1114"])["1114"] == (10_000, 32_130)
