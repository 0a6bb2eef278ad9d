"""Refunds: an adjusting bill that lowers a bill already paid leaves the customer a credit (booked
1113 / 2113 at once); a bill only partly paid is simply owed less; a credit is listed for refund
from the credits list (never more than the credit) and paid out with its date, bank account and
who paid it, booked 2113 / 1111; the day's reconciliation of receipts is not disturbed.

The October bills of the 포항시 tariff: 김일번 21 ㎥ → 22,130 won; 박복지 (welfare, 15 ㎥) → 7,430 won."""
from datetime import date

import pytest
import sqlalchemy as sa
from conftest import login, post_form

from erp import ports
from erp.common.clock import local_today
from erp.extensions import db
from plugins.rates.demo import load_tariff
from plugins.rates.models import Bill, Refund
from plugins.rates.services import billing, inquiry, payments, postings, refunds
from plugins.rates.services import customers as customers_service
from plugins.rates.services.notices import payment_reference
from plugins.rates.services.payment_layouts import CsvLayout, PaymentLine

DAY = date(2026, 11, 20)


@pytest.fixture
def paid(app):
    """name → (customer id, bill id): 김일번's bill paid in full, 박복지's with 2,000 of 7,430."""
    with app.test_request_context():
        load_tariff()
        found, lines = {}, []
        for name, use, reduction, amount in (("김일번", 21, None, 22_130), ("박복지", 15, "WELFARE", 2_000)):
            person = customers_service.register(customers_service.CustomerInput(
                holder_name=name, address=f"한빛시 새길 {use}", use_type="household", route_code="1101"))
            customers_service.install_meter(person.id, f"RF-{name}", 13, date(2026, 1, 1), start_reading=1000)
            if reduction:
                customers_service.grant_reduction(person.id, reduction, date(2026, 1, 1), None, "증명서 확인")
            customers_service.read(person.id, date(2026, 10, 5), 1000 + use)
            found[name] = person.id
        billing.execute(billing.start_run("2026-10", "monthly", "", date(2026, 11, 10)).id)
        for number, (name, amount) in enumerate((("김일번", 22_130), ("박복지", 2_000))):
            bill = db.session.execute(sa.select(Bill).where(Bill.customer_id == found[name])).scalar_one()
            lines.append(PaymentLine(0, "giro", f"G-{number}", DAY, DAY, "011", "0001", "1234567", payment_reference(bill),
                                     amount, name))
            found[name] = (found[name], bill.id)
        assert payments.import_file(CsvLayout.write(lines, file_date=DAY)).new == 2
        postings.relay()
        return found


def _balances(codes):
    return {b.code: (b.debit, b.credit) for b in ports.get("accounting").account_balances(local_today().year, 12, codes)}


def _adjust(client, bill_id, use):
    post_form(client, f"/rates/bills/{bill_id}", {"a-use": str(use), "a-reason": "검침 오류 정정"})
    return db.session.execute(sa.select(Bill).where(Bill.original_id == bill_id)).scalar_one()


def test_a_lowered_paid_bill_leaves_a_credit_refunded_and_posted(app, paid, make_user):
    kim, kim_bill = paid["김일번"]
    park, park_bill = paid["박복지"]
    make_user("clerk", roles=["rates_clerk"])
    clerk = app.test_client()
    login(clerk, "clerk")
    with app.test_request_context():
        adjusting = _adjust(clerk, kim_bill, 11)  # 21 ㎥ was misread: 11 ㎥
        lowered = -adjusting.total
        assert 0 < lowered < 22_130
        assert payments.customer_credit(kim) == lowered
        assert inquiry.amount_due(kim) == 0
        postings.relay()
        # The receivable the adjusting bill lowered is back to nothing; the excess is the customer's credit.
        assert _balances(["2113"])["2113"] == (0, lowered)
        # 박복지 had paid 2,000 of 7,430: a lower bill is just owed less, no credit.
        park_adjusting = _adjust(clerk, park_bill, 10)
        assert payments.customer_credit(park) == 0
        assert inquiry.amount_due(park) == 7_430 + park_adjusting.total - 2_000 > 0
        # The day's receipts are still what the bank sent.
        assert [(r.channel, r.receipts) for r in payments.reconciliation(DAY)] == [("giro", 24_130)]

    page = clerk.get("/rates/payments/credits").get_data(as_text=True)
    assert f"{lowered:,}" in page and "김일번" in page
    # More than the credit is refused, and nothing is listed.
    page = post_form(clerk, f"/rates/payments/credits/{kim}/refund", {"amount": f"{lowered + 10:,}", "bank": "농협",
                     "account": "302-1234-5678-91", "holder": "김일번"}, page="/rates/payments/credits", follow=True)
    assert f"선수금은 {lowered:,}원" in page.get_data(as_text=True)
    page = post_form(clerk, f"/rates/payments/credits/{kim}/refund", {"amount": f"{lowered:,}", "bank": "농협",
                     "account": "302-1234-5678-91", "holder": "김일번", "reason": "요금 조정"},
                     page="/rates/payments/credits", follow=True).get_data(as_text=True)
    assert "302-1234-5678-91" in page and f"{lowered:,}" in page
    with app.test_request_context():
        assert payments.customer_credit(kim) == 0  # not to be used on the next bill as well
        refund_id = db.session.execute(sa.select(Refund.id)).scalar_one()
    assert "김일번" not in clerk.get("/rates/payments/credits").get_data(as_text=True)

    paid_on = local_today()
    page = post_form(clerk, f"/rates/payments/refunds/{refund_id}/paid", {"paid_on": paid_on.isoformat()},
                     page="/rates/payments/refunds", follow=True).get_data(as_text=True)
    assert "환불 지급을 기록했습니다" in page
    with app.test_request_context():
        refund = db.session.get(Refund, refund_id)
        assert (refund.status, refund.paid_on, refund.paid_by, refund.bank) == ("paid", paid_on, "clerk", "농협")
        postings.relay()
        assert _balances(["2113"])["2113"] == (lowered, lowered)
        assert _balances(["1111"])["1111"] == (24_130, lowered)
    # Paying it twice is refused.
    page = post_form(clerk, f"/rates/payments/refunds/{refund_id}/paid", {"paid_on": paid_on.isoformat()},
                     page="/rates/payments/refunds", follow=True).get_data(as_text=True)
    assert "지급을 기다리는 환불을 선택하십시오" in page


def test_two_refunds_of_one_credit_listed_at_once_pay_it_out_once(app, paid, monkeypatch):
    """Two clerks list a refund of the same 10,000 won credit at the same moment: one is listed,
    the other is told the credit is 0 won. On MariaDB each read the credit as 10,000 and both were
    listed — the customer paid out twice and the credit at -10,000."""
    from erp.common.errors import ServiceError
    from tests_support import race_on_payments

    kim_customer, kim_bill = paid["김일번"]
    with app.test_request_context():
        payments.record_counter(kim_bill, 10_000, "김일번")  # the bill was paid already: all of it is credit
        assert payments.customer_credit(kim_customer) == 10_000

    def refund():
        refunds.list_refund(kim_customer, 10_000, bank="농협", account="302-1234-5678-91", holder="김일번", reason="이중 납부")

    errors = race_on_payments(app, monkeypatch, refund, refund, pause_after="credit_of")
    assert len(errors) == 1 and isinstance(errors[0], ServiceError) and "0원" in errors[0].message
    with app.test_request_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Refund)).scalar() == 1
        assert payments.customer_credit(kim_customer) == 0
