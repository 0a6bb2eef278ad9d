"""The citizens' bill inquiry (no login): the right name or phone shows the bills, payments, the
amount due and how to pay; a wrong name is answered like an unknown number; failed look-ups are
rate limited by connection and by customer number; the bill's PDF is served only to the session
that looked it up; an application for e-billing or auto-debit is recorded and a clerk processes it.

The October bill of 김일번 (21 ㎥ on the 포항시 tariff) is 22,130 won (see test_rates_payments)."""
from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from conftest import csrf_from, login, post_form
from pypdf import PdfReader

from erp.extensions import db
from plugins.rates.demo import load_tariff
from plugins.rates.models import Application, Bill, Customer
from plugins.rates.services import billing, inquiry, payments
from plugins.rates.services import customers as customers_service
from plugins.rates.services import arrears
from plugins.rates.services.notices import payment_reference
from plugins.rates.services.payment_layouts import CsvLayout, PaymentLine

DAY = date(2026, 11, 20)


@pytest.fixture
def customer(app, monkeypatch):
    """김일번 with an October bill of 22,130 won, looked up on 5 November (before its due date, so
    before any late charge): (customer id, account number, bill id, e-payment number)."""
    monkeypatch.setattr(arrears, "local_today", lambda: date(2026, 11, 5))
    with app.test_request_context():
        load_tariff()
        person = customers_service.register(customers_service.CustomerInput(
            holder_name="김일번", phone="010-2345-6789", address="한빛시 한빛로 21", use_type="household", route_code="1101",
            virtual_account="농협 790-0000-0001"))
        customers_service.install_meter(person.id, "P-INQ-1", 13, date(2026, 1, 1), start_reading=1000)
        customers_service.read(person.id, date(2026, 10, 5), 1021)
        billing.execute(billing.start_run("2026-10", "monthly", "", date(2026, 11, 10)).id)
        bill = db.session.execute(sa.select(Bill).where(Bill.customer_id == person.id)).scalar_one()
        assert bill.total == 22_130
        return person.id, person.account_no, bill.id, payment_reference(bill)


def _look_up(client, account_no, secret, ip="10.0.0.1"):
    form = client.get("/rates/inquiry")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    return client.post("/rates/inquiry", data={"account_no": account_no, "secret": secret, "csrf_token": csrf_from(html)},
                       environ_base={"REMOTE_ADDR": ip}, follow_redirects=True)


def test_the_right_name_shows_the_bills_the_amount_due_and_how_to_pay(app, client, customer):
    customer_id, account_no, bill_id, epay = customer
    page = _look_up(client, account_no, "김 일번")  # spaces in the name do not matter
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="amount-due">22,130<' in html
    assert epay in html and "농협 790-0000-0001" in html  # the e-payment number and the virtual account to pay with
    # The number typed without hyphens and the registered phone work as well.
    client2 = app.test_client()
    html = _look_up(client2, account_no.replace("-", ""), "01023456789").get_data(as_text=True)
    assert 'id="amount-due">22,130<' in html

    # The bank's file pays it: the citizen sees nothing owed, and the payment.
    with app.test_request_context():
        line = PaymentLine(0, "giro", "G-1", DAY, DAY, "011", "0001", "1234567", epay, 22_130, "김일번")
        assert payments.import_file(CsvLayout.write([line], file_date=DAY)).new == 1
        assert inquiry.amount_due(customer_id) == 0
    html = client.get("/rates/inquiry/result").get_data(as_text=True)
    assert 'id="amount-due">0<' in html and 'id="nothing-owed"' in html and "지로" in html


def test_after_the_due_date_the_amount_due_includes_the_late_charge(app, client, customer, monkeypatch):
    customer_id, account_no, bill_id, epay = customer
    with app.app_context():
        due_on = db.session.get(Bill, bill_id).due_on
    monkeypatch.setattr(arrears, "local_today", lambda: due_on + timedelta(days=1))
    html = _look_up(client, account_no, "김일번").get_data(as_text=True)
    # 3 % of 22,130 is 663.9 won, 660 once the won below ten are dropped.
    assert 'id="amount-due">22,790<' in html and 'id="inquiry-late-charges">660 ' in html
    with app.test_request_context():
        assert inquiry.amount_due(customer_id) == 22_790


def test_the_bill_pdf_only_for_the_session_that_looked_it_up(app, client, customer):
    customer_id, account_no, bill_id, epay = customer
    assert client.get(f"/rates/inquiry/bills/{bill_id}.pdf").status_code == 404
    _look_up(client, account_no, "김일번")
    response = client.get(f"/rates/inquiry/bills/{bill_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    assert "22,130" in text and account_no in text
    # Another bill (another customer's) is not shown to this session.
    with app.test_request_context():
        other = customers_service.register(customers_service.CustomerInput(
            holder_name="남남", address="한빛시 2", use_type="household", route_code="1101"))
        customers_service.install_meter(other.id, "P-INQ-2", 13, date(2026, 1, 1), start_reading=0)
        customers_service.read(other.id, date(2026, 11, 5), 10)
        billing.execute(billing.start_run("2026-11", "monthly", "", date(2026, 12, 10)).id)
        other_bill = db.session.execute(sa.select(Bill.id).where(Bill.customer_id == other.id)).scalar_one()
    assert client.get(f"/rates/inquiry/bills/{other_bill}.pdf").status_code == 404
    # Ending the inquiry ends the access.
    post_form(client, "/rates/inquiry/end", {}, page="/rates/inquiry/result")
    assert client.get(f"/rates/inquiry/bills/{bill_id}.pdf").status_code == 404


def test_a_wrong_name_is_answered_like_an_unknown_number(app, client, customer):
    customer_id, account_no, bill_id, epay = customer
    wrong_name = _look_up(client, account_no, "이순신").get_data(as_text=True)
    unknown = _look_up(client, "9999-99999-9", "김일번").get_data(as_text=True)
    message = "고객번호와 이름 또는 전화번호가 일치하는 수용가가 없습니다"
    assert message in wrong_name and message in unknown
    assert "22,130" not in wrong_name and 'id="amount-due"' not in wrong_name
    assert client.get("/rates/inquiry/result").status_code == 302  # nothing was opened


def test_inquiries_are_limited_by_address_and_by_customer_number(app_factory):
    app = app_factory(ERP_RATELIMIT_BILL_INQUIRY="3 per 10 minutes")
    client = app.test_client()
    with app.test_request_context():
        load_tariff()
        person = customers_service.register(customers_service.CustomerInput(
            holder_name="김일번", address="한빛시 1", use_type="household", route_code="1101"))
        account_no = person.account_no
    limited = "짧은 시간에 요청이 너무 많습니다"
    # By address: three look-ups of any numbers, then even the right pair is refused from there.
    for number in ("1111-11111-1", "2222-22222-2", "3333-33333-3"):
        assert limited not in _look_up(client, number, "누구", ip="10.0.0.9").get_data(as_text=True)
    html = _look_up(client, account_no, "김일번", ip="10.0.0.9").get_data(as_text=True)
    assert limited in html and 'id="amount-due"' not in html
    # By customer number: three tries from different addresses (typed with and without hyphens),
    # then the number is closed for everyone for a while.
    for ip, typed in (("10.0.1.1", account_no), ("10.0.1.2", account_no.replace("-", "")), ("10.0.1.3", account_no)):
        _look_up(app.test_client(), typed, "아무개", ip=ip)
    html = _look_up(app.test_client(), account_no, "김일번", ip="10.0.1.4").get_data(as_text=True)
    assert limited in html and 'id="amount-due"' not in html
    # Another customer number from a fresh address still works (the limit is no wall).
    html = _look_up(app.test_client(), "9999-99999-9", "누구", ip="10.0.2.1").get_data(as_text=True)
    assert limited not in html and "일치하는 수용가가 없습니다" in html


def test_an_auto_debit_application_is_recorded_and_a_clerk_turns_cms_on(app, client, customer, make_user):
    customer_id, account_no, bill_id, epay = customer
    _look_up(client, account_no, "김일번")
    # A bad application changes nothing and says why.
    page = post_form(client, "/rates/inquiry/apply", {"kind": "auto_debit", "bank": "농협", "account": "", "holder": "김일번"},
                     page="/rates/inquiry/result")
    assert "계좌번호를 숫자로" in page.get_data(as_text=True)
    page = post_form(client, "/rates/inquiry/apply", {"kind": "auto_debit", "bank": "농협", "account": "302-1234-5678-91",
                                                     "holder": "김일번", "phone": "010-2345-6789"},
                     page="/rates/inquiry/result", follow=True)
    assert "신청이 접수되었습니다" in page.get_data(as_text=True)
    page = post_form(client, "/rates/inquiry/apply", {"kind": "e_billing", "email": "kim@example.com"},
                     page="/rates/inquiry/result", follow=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Application)).scalar() == 2

    make_user("clerk", roles=["rates_clerk"])
    clerk = app.test_client()
    login(clerk, "clerk")
    html = clerk.get("/rates/applications").get_data(as_text=True)
    assert "302-1234-5678-91" in html and "kim@example.com" in html
    with app.app_context():
        debit, ebill = db.session.execute(sa.select(Application).order_by(Application.id)).scalars().all()
        debit_id, ebill_id = debit.id, ebill.id
    post_form(clerk, f"/rates/applications/{debit_id}", {"action": "accept"}, page="/rates/applications")
    page = post_form(clerk, f"/rates/applications/{ebill_id}", {"action": "refuse", "note": ""}, page="/rates/applications",
                     follow=True)
    assert "거절 사유를" in page.get_data(as_text=True)
    with app.app_context():
        person = db.session.get(Customer, customer_id)
        assert (person.auto_debit, person.e_billing) == (True, False)
        assert db.session.get(Application, debit_id).status == "done"
        assert db.session.get(Application, ebill_id).status == "received"
    # The citizen sees auto-debit on.
    html = client.get("/rates/inquiry/result").get_data(as_text=True)
    assert "자동이체 예" in html


def test_the_inquiry_is_in_the_public_navigation(client):
    html = client.get("/rates/calculator").get_data(as_text=True)
    assert 'href="/rates/inquiry"' in html
