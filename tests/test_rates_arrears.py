"""Arrears: late charges (가산금) of both kinds before, on and after the due date and month by month
up to the cap, truncated below 10 won; the arrears run repeated; the 체납액 line on the next bill
and on the printed bill; credits applied and booked; instalment plans kept and missed; the
ageing buckets; the reminders' text; the disconnection list's exclusions; disconnection and
reconnection on the customer page.

The October bills of the 포항시 demo tariff (see test_rates_payments): 김일번 21 ㎥ → 22,130 won;
이아파트 (3 households, 70 ㎥) → 75,450 won; 박복지 (basic-livelihood reduction, 15 ㎥) → 7,430 won.
They are issued on 10 November 2026 and due on 30 November 2026."""
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
from conftest import login, post_form
from pypdf import PdfReader

from erp import ports
from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.rates.demo import load_tariff
from plugins.rates.models import Bill, LateCharge, Outbox, Payment, Refund, Tariff
from plugins.rates.services import arrears, billing, instalments, payments, postings
from plugins.rates.services import customers as customers_service
from plugins.rates.services.calculation import late_charge, late_charge_sql
from plugins.rates.services.notices import payment_reference
from plugins.rates.services.payment_layouts import CsvLayout, PaymentLine

DUE = date(2026, 11, 30)


def _customer(name, use, households=1, reduction=None, account="", route="1101"):
    customer = customers_service.register(customers_service.CustomerInput(
        holder_name=name, address=f"한빛시 한빛로 {use}", use_type="household", route_code=route, households=households,
        virtual_account=account))
    customers_service.install_meter(customer.id, f"A-{name}", 13, date(2026, 1, 1), start_reading=1000)
    if reduction:
        customers_service.grant_reduction(customer.id, reduction, date(2026, 1, 1), None, "증명서 확인")
    customers_service.read(customer.id, date(2026, 10, 5), 1000 + use)
    return customer


def _settings(**values):
    tariff = db.session.execute(sa.select(Tariff)).scalars().one()
    for name, value in values.items():
        setattr(tariff, name, value)
    db.session.commit()


@pytest.fixture
def october(app):
    """The October bills, unpaid: name → (customer, bill)."""
    with app.test_request_context():
        load_tariff()
        people = {"single": _customer("김일번", 21, account="농협 790-0000-0001"),
                  "apartment": _customer("이아파트", 70, households=3, account="농협 790-0000-0002"),
                  "welfare": _customer("박복지", 15, reduction="WELFARE", account="농협 790-0000-0003", route="1102")}
        billing.execute(billing.start_run("2026-10", "monthly", "", date(2026, 11, 10)).id)
        found = {}
        for key, customer in people.items():
            bill = db.session.execute(sa.select(Bill).where(Bill.customer_id == customer.id)).scalar_one()
            found[key] = (customer.id, bill.id)
        assert db.session.get(Bill, found["single"][1]).due_on == DUE
        return found


def _pay(reference, amount, txn, on):
    line = PaymentLine(0, "va", txn, on, on, "011", "0001", "1234567", reference, amount, "납부자")
    result = payments.import_file(CsvLayout.write([line], file_date=on, giro_no="1234567"), "csv", "test")
    assert not result.errors, result.errors


def _charges(bill_id):
    return [(c.kind, c.seq, c.base, c.amount) for c in
            db.session.execute(sa.select(LateCharge).where(LateCharge.bill_id == bill_id)
                               .order_by(LateCharge.kind.desc(), LateCharge.seq)).scalars()]


def _balances(codes):
    return {b.code: (b.debit, b.credit) for b in ports.get("accounting").account_balances(2026, 12, codes)}


def test_the_sql_charge_is_the_python_rule():
    """The run's set-based charge and the service's own are one rule: 3 % and 1.2 %, below 10 won dropped."""
    for base in (1, 9, 333, 22_130, 75_450, 123_456_789):
        for rate in (Decimal("0.03"), Decimal("0.012"), Decimal("0.0125")):
            expected = late_charge(base, rate)
            assert expected % 10 == 0 and expected <= base * rate < expected + 10
            assert late_charge_sql(sa.literal(base), rate) is not None
    assert late_charge(22_130, Decimal("0.03")) == 660  # 663.9 → 660
    assert late_charge(22_130, Decimal("0.012")) == 260  # 265.56 → 260
    assert late_charge(333, Decimal("0.03")) == 0  # 9.99 → 0


def test_one_time_charge_before_on_and_after_the_due_date(app, october):
    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"), late_monthly_rate=Decimal("0"))
        customer_id, bill_id = october["single"]
        assert arrears.amount_due(customer_id, date(2026, 11, 29)).total == 22_130
        assert arrears.run(date(2026, 11, 29)).charges == 0
        assert arrears.run(DUE).charges == 0  # on the due date it is not late yet
        assert arrears.amount_due(customer_id, DUE).total == 22_130
        # The day after, before any run: the amount due already says what the run will charge.
        assert arrears.amount_due(customer_id, date(2026, 12, 1)).total == 22_790
        result = arrears.run(date(2026, 12, 1))
        assert result.charges == 3 and result.amount == 660 + 2_260 + 220  # 75,450 → 2,263.5; 7,430 → 222.9
        assert _charges(bill_id) == [("once", 0, 22_130, 660)]
        assert arrears.amount_due(customer_id, date(2026, 12, 1)).total == 22_790
        # Run again, the same day or later: the one-time charge stays one.
        assert arrears.run(date(2026, 12, 1)).charges == 0
        assert arrears.run(date(2027, 1, 31)).charges == 0
        assert _charges(bill_id) == [("once", 0, 22_130, 660)]
        item = arrears.amount_due(customer_id, date(2027, 1, 31)).items[0]
        assert (item.balance, item.late_charges, item.days_overdue) == (22_130, 660, 62)
        # Booked once: receivable against 661-07 가산금수익.
        postings.relay()
        assert _balances(["661-07"])["661-07"] == (0, 3_140)
        keys = [row.key for row in db.session.execute(sa.select(Outbox).where(Outbox.key.like("rates:late-charges:%"))).scalars()]
        assert keys == ["rates:late-charges:2026-12-01"]


def test_monthly_addition_month_by_month_up_to_the_cap_and_threshold(app, october):
    with app.test_request_context():
        _settings(late_rate=Decimal("0"), late_monthly_rate=Decimal("0.012"), late_monthly_months=3,
                  late_monthly_threshold=20_000)
        single, welfare = october["single"][1], october["welfare"][1]
        assert arrears.run(date(2026, 12, 30)).charges == 0  # a month after the due date is 30 December: not passed
        assert arrears.run(date(2026, 12, 31)).charges == 2  # month 1 (the welfare bill is under the threshold)
        assert _charges(single) == [("monthly", 1, 22_130, 260)]
        assert _charges(welfare) == []
        # A run missed in between is caught up month by month, and the cap holds.
        assert arrears.run(date(2027, 3, 31)).charges == 4
        assert _charges(single) == [("monthly", 1, 22_130, 260), ("monthly", 2, 22_130, 260), ("monthly", 3, 22_130, 260)]
        assert arrears.run(date(2027, 6, 30)).charges == 0
        assert arrears.amount_due(october["single"][0], date(2027, 6, 30)).total == 22_130 + 780


def _november(app, october, use=10):
    """November's readings and bill run (issued 10 December, after October's due date)."""
    for name, (customer_id, _bill) in october.items():
        customers_service.read(customer_id, date(2026, 11, 5), 1000 + {"single": 21, "apartment": 70, "welfare": 15}[name] + use)
    run = billing.execute(billing.start_run("2026-11", "monthly", "", date(2026, 12, 10)).id)
    return {name: db.session.execute(sa.select(Bill).where(Bill.customer_id == customer_id, Bill.run_id == run.id)).scalar_one()
            for name, (customer_id, _bill) in october.items()}


def test_arrears_carried_onto_the_next_bill_and_paid_through_it(app, october):
    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"))
        arrears.run(date(2026, 12, 1))
        single_oct = db.session.get(Bill, october["single"][1])
        _pay(payment_reference(db.session.get(Bill, october["apartment"][1])), 75_450 + 2_260, "T-APT", date(2026, 12, 5))
        november = _november(app, october)
        bill = november["single"]
        assert bill.arrears == 22_130 + 660  # October's bill and its late charge
        assert november["apartment"].arrears == 0  # paid with its late charge before November's bills
        assert bill.total > 0 and bill.total != bill.arrears
        due = arrears.amount_due(bill.customer_id, date(2026, 12, 20))
        assert due.total == bill.total + bill.arrears
        # The customer pays what the bill asks — this month's charges and the 체납액 — with its number.
        _pay(payment_reference(bill), bill.total + bill.arrears, "T-NOV", date(2026, 12, 20))
        assert payments.balance(bill).balance == 0
        assert payments.customer_credit(bill.customer_id) == 22_790  # until the run applies it
        assert arrears.amount_due(bill.customer_id, date(2026, 12, 20)).total == 0
        arrears.run(date(2026, 12, 21))
        assert payments.balance(single_oct).balance == 0
        assert payments.customer_credit(bill.customer_id) == 0
        assert _charges(single_oct.id) == [("once", 0, 22_130, 660)]
        assert db.session.execute(sa.select(LateCharge.paid).where(LateCharge.bill_id == single_oct.id)).scalar() == 660
        # Receivables hold each amount once: everything billed and charged was paid.
        postings.relay()
        balances = _balances(["1113", "2113", "661-07"])
        owed = sum(arrears.amount_due(customer_id, date(2026, 12, 21)).owed for customer_id, _bill in october.values())
        assert balances["1113"][0] - balances["1113"][1] == owed
        assert balances["661-07"] == (0, 660 + 2_260 + 220)
        assert balances["2113"][0] == balances["2113"][1]


def test_the_printed_bill_shows_the_arrears_line(app, october):
    from plugins.rates.reports.bills import bills_pdf

    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"))
        arrears.run(date(2026, 12, 1))
        bill = _november(app, october)["single"]
        text = PdfReader(BytesIO(bills_pdf([bill], "한빛시 상수도사업소"))).pages[0].extract_text()
        assert "체납액" in text and "22,790" in text
        assert f"{bill.total + bill.arrears:,}" in text  # 납기내 납부금액: this month's and the arrears


def test_credit_applied_to_the_next_bill_and_booked(app, october):
    with app.test_request_context():
        reference = payment_reference(db.session.get(Bill, october["single"][1]))
        _pay(reference, 30_000, "T-OVER", date(2026, 11, 20))
        assert payments.customer_credit(october["single"][0]) == 7_870
        bill = _november(app, october)["single"]
        assert payments.balance(bill).paid == min(7_870, bill.total)
        assert payments.customer_credit(october["single"][0]) == max(0, 7_870 - bill.total)
        assert bill.arrears == 0
        postings.relay()
        advances = _balances(["2113"])["2113"]
        assert advances == (min(7_870, bill.total), 7_870)


def test_instalments_kept_stop_late_charges_and_missed_end_the_plan(app, october, monkeypatch):
    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"), late_monthly_rate=Decimal("0.012"), late_monthly_months=60)
        customer_id, bill_id = october["apartment"]
        monkeypatch.setattr(instalments, "local_today", lambda: date(2026, 12, 15))
        arrears.run(date(2026, 12, 1))
        assert arrears.amount_due(customer_id, date(2026, 12, 15)).overdue == 75_450 + 2_260
        plan = instalments.create_plan(customer_id, 3, date(2026, 12, 31), "생계 곤란")
        assert [(i.due_on, i.amount) for i in plan.instalments] == [
            (date(2026, 12, 31), 25_904), (date(2027, 1, 31), 25_903), (date(2027, 2, 28), 25_903)]
        with pytest.raises(ServiceError):
            instalments.create_plan(customer_id, 3, date(2026, 12, 31))
        # The first instalment paid at the counter: no late charge while the plan is kept.
        payments.record_counter(bill_id, 25_904)
        assert arrears.run(date(2027, 1, 5)).charges == 2  # month 1 of the other two customers' bills
        assert [c[:2] for c in _charges(bill_id)] == [("once", 0)]
        assert [s.status for s in instalments.progress(plan, date(2027, 1, 5)).states] == ["paid", "due", "due"]
        assert october["apartment"][0] not in {c.customer.id for c in arrears.disconnection_list(date(2027, 3, 5))}
        # The second is not paid by 31 January: the run of 1 February ends the plan, and charges resume.
        result = arrears.run(date(2027, 2, 1))
        assert result.plans_ended == 1
        db.session.refresh(plan)
        assert plan.status == "ended" and "2회차 미납" in plan.note
        assert [c[:2] for c in _charges(bill_id)] == [("once", 0), ("monthly", 1), ("monthly", 2)]


def test_ageing_buckets(app, october):
    with app.test_request_context():
        _settings(late_rate=Decimal("0"))
        # 30 days past due → first bucket; 31 → second; 366 → the last.
        for as_of, bucket in ((date(2026, 12, 30), 0), (date(2026, 12, 31), 1), (date(2027, 3, 1), 3),
                              (date(2027, 11, 30), 4), (date(2027, 12, 1), 5)):
            rows, total = arrears.ageing(as_of, "route")
            assert total.amounts == [75_450 + 22_130 + 7_430 if i == bucket else 0 for i in range(6)], as_of
            assert {row.key: row.total for row in rows} == {"1101": 97_580, "1102": 7_430}
        rows, total = arrears.ageing(DUE, "use_type")
        assert total.total == 0  # on the due date nothing is overdue
        _pay(payment_reference(db.session.get(Bill, october["single"][1])), 10_000, "T-PART", date(2026, 12, 2))
        rows, total = arrears.ageing(date(2026, 12, 5), "use_type")
        assert [(row.key, row.bills[0], row.amounts[0]) for row in rows] == [("household", 3, 75_450 + 12_130 + 7_430)]


def test_reminders_pdf_of_a_route(app, october):
    from plugins.rates.reports.reminders import reminders_pdf

    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"))
        arrears.run(date(2026, 12, 1))
        _pay(payment_reference(db.session.get(Bill, october["apartment"][1])), 77_710, "T-APT", date(2026, 12, 2))
        found = arrears.reminders("1101", date(2026, 12, 15))
        assert [r.customer.holder_name for r in found] == ["김일번"]  # the apartment has paid
        data = reminders_pdf("1101", date(2026, 12, 15), date(2026, 12, 25), found, "한빛시 상수도사업소")
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
        for expected in ("상하수도요금 독촉장", "김일번", "22,130", "660", "22,790", "납부기한: 2026-12-25"):
            assert expected in text, expected
        assert "이아파트" not in text
        with pytest.raises(ServiceError):
            arrears.reminders("9999", date(2026, 12, 15))


def test_disconnection_list_leaves_out_protected_and_plans(app, october, monkeypatch):
    with app.test_request_context():
        _settings(late_rate=Decimal("0"), disconnect_months=3, disconnect_amount=0, protected_reductions="WELFARE")
        assert arrears.disconnection_list(date(2027, 2, 28)) == []  # three months after 30 November: not yet
        found = arrears.disconnection_list(date(2027, 3, 1))
        # The basic-livelihood household (WELFARE) is protected.
        assert sorted(c.customer.holder_name for c in found) == ["김일번", "이아파트"]
        assert {c.owed for c in found} == {22_130, 75_450}
        monkeypatch.setattr(instalments, "local_today", lambda: date(2027, 3, 1))
        instalments.create_plan(october["apartment"][0], 4, date(2027, 3, 31))
        assert [c.customer.holder_name for c in arrears.disconnection_list(date(2027, 3, 1))] == ["김일번"]
        # By amount: 50,000 won or more, whatever the months.
        _settings(disconnect_months=0, disconnect_amount=20_000)
        assert [c.customer.holder_name for c in arrears.disconnection_list(date(2026, 12, 1))] == ["김일번"]


def test_pages_run_button_ageing_reminders_disconnection_and_supply(app, client, make_user, october):
    make_user("clerk", roles=["rates_clerk"])
    make_user("viewer", roles=["auditor"])
    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"))
    login(client, "clerk")
    response = post_form(client, "/rates/arrears/run", {"as_of": "2026-12-01"}, page="/rates/arrears", follow=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "3,140" in html  # the run's late charges, shown in the runs table
    assert post_form(client, "/rates/arrears/run", {"as_of": "12/01/2026"}, page="/rates/arrears").status_code == 302
    page = client.get("/rates/arrears/ageing?as_of=2026-12-15&by=use_type").get_data(as_text=True)
    assert 'id="chart-ageing"' in page and "108,150" in page  # 22,790 + 77,710 + 7,650
    assert client.get("/rates/arrears/ageing?as_of=2026-13-01").status_code == 400
    assert client.get("/rates/arrears/ageing?by=x").status_code == 400
    pdf = client.get("/rates/arrears/ageing?as_of=2026-12-15&format=pdf")
    assert pdf.mimetype == "application/pdf" and "108,150" in "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    xlsx = client.get("/rates/arrears/ageing?as_of=2026-12-15&format=xlsx")
    from openpyxl import load_workbook
    sheet = load_workbook(BytesIO(xlsx.data)).active
    assert 108_150 in [cell.value for row in sheet.iter_rows() for cell in row]
    customer_id = october["single"][0]
    page = client.get(f"/rates/customers/{customer_id}/arrears").get_data(as_text=True)
    assert 'id="amount-due-total"' in page
    response = post_form(client, f"/rates/customers/{customer_id}/arrears",
                         {"action": "supply", "s-kind": "disconnect", "s-on": "2026-11-01", "s-reason": "3개월 체납"}, follow=True)
    page = client.get(f"/rates/customers/{customer_id}").get_data(as_text=True)
    assert "3개월 체납" in page and "clerk" in page
    # A reason is required; a second disconnection is refused; nothing is recorded.
    post_form(client, f"/rates/customers/{customer_id}/arrears",
              {"action": "supply", "s-kind": "disconnect", "s-on": "2026-11-02", "s-reason": "again"}, follow=True)
    with app.test_request_context():
        assert [e.kind for e in arrears.supply_events(customer_id)] == ["disconnect"]
    post_form(client, f"/rates/customers/{customer_id}/arrears",
              {"action": "supply", "s-kind": "reconnect", "s-on": "2026-11-02", "s-reason": "완납"}, follow=True)
    with app.test_request_context():
        assert [e.kind for e in arrears.supply_events(customer_id)] == ["reconnect", "disconnect"]
    response = post_form(client, "/rates/arrears/reminders", {"rm-route_code": "1101", "rm-due_on": "2099-12-31"},
                         page="/rates/arrears")
    assert response.mimetype == "application/pdf" and "독촉장" in PdfReader(BytesIO(response.data)).pages[0].extract_text()
    # An auditor sees, but may not run or record.
    viewer = app.test_client()
    login(viewer, "viewer")
    page = viewer.get("/rates/arrears")
    assert page.status_code == 200 and "3,140" in page.get_data(as_text=True)
    assert 'action="/rates/arrears/run"' not in page.get_data(as_text=True)
    assert post_form(viewer, "/rates/arrears/run", {"as_of": "2026-12-01"}, page="/rates/customers").status_code == 403


def test_cli_arrears_run_twice(app, runner, october):
    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"))
    first = runner.invoke(args=["rates", "arrears-run", "--as-of", "2026-12-01"])
    assert first.exit_code == 0, first.output
    assert "3 late charges (3,140 won)" in first.output
    second = runner.invoke(args=["rates", "arrears-run", "--as-of", "2026-12-01"])
    assert "0 late charges (0 won)" in second.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(LateCharge)).scalar() == 3


# --- the tariff form's arrears settings -----------------------------------------------------------

def _tariff_form(client):
    """The new-version form as a clerk finds it (started from the version in force), as form data."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data, self._area = {}, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("name") and attrs.get("type") != "checkbox":
                self.data[attrs["name"]] = attrs.get("value", "")
            elif tag == "input" and attrs.get("type") == "checkbox" and "checked" in attrs:
                self.data[attrs["name"]] = "y"
            elif tag == "textarea":
                self._area = attrs["name"]
                self.data[self._area] = ""
            elif tag == "option" and "selected" in attrs:
                self.data.setdefault("rounding", attrs["value"])

        def handle_data(self, data):
            if self._area:
                self.data[self._area] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                self._area = None

    parser = Fields()
    parser.feed(client.get("/rates/tariffs/new").get_data(as_text=True))
    return parser.data


def test_the_tariff_form_edits_the_arrears_settings(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    with app.test_request_context():
        load_tariff()
    login(client, "admin")
    data = _tariff_form(client)
    # Started from the version in force: 3 % once, no monthly addition, WELFARE protected.
    assert (data["late_percent"], data["monthly_percent"], data["protected_reductions"]) == ("3", "0", "WELFARE")
    data.update(effective_from="2027-01-01", name="2027 개정")

    def refused(changes, message):
        response = client.post("/rates/tariffs/new", data={**data, **changes})
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and message in page, (changes, message)

    refused({"late_percent": "삼"}, "올바르지 않은 숫자 값입니다.")
    refused({"late_percent": "120"}, "비율은 0 이상 100 미만의 퍼센트입니다.")
    refused({"monthly_percent": "1.234"}, "비율은 소수점 둘째 자리까지 입력할 수 있습니다")
    refused({"monthly_percent": "1.2", "monthly_months": "0"}, "월별 가산금을 부과하려면 부과 개월 수(1~120)를 입력하십시오.")
    refused({"monthly_months": "121"}, "121")
    refused({"reminder_days": ""}, "정수를 입력하십시오.")
    refused({"protected_reductions": "WELFARE,NOPE"}, "NOPE: 이 요금표의 감면 코드가 아닙니다")
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Tariff)).scalar() == 1  # nothing saved
    response = client.post("/rates/tariffs/new", data={
        **data, "late_percent": "2.5", "monthly_percent": "1.2", "monthly_months": "36", "monthly_threshold": "100000",
        "disconnect_months": "2", "disconnect_amount": "300000", "reminder_required": "y", "reminder_days": "15",
        "instalment_grace_days": "5"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="arrears-settings"' in page and "300,000" in page
    with app.app_context():
        tariff = db.session.execute(sa.select(Tariff).where(Tariff.effective_from == date(2027, 1, 1))).scalar_one()
        assert (tariff.late_rate, tariff.late_monthly_rate, tariff.late_monthly_months, tariff.late_monthly_threshold) == (
            Decimal("0.025"), Decimal("0.012"), 36, 100_000)
        assert (tariff.disconnect_months, tariff.disconnect_amount, tariff.protected_reductions) == (2, 300_000, "WELFARE")
        assert (tariff.reminder_required, tariff.reminder_days, tariff.instalment_grace_days) == (True, 15, 5)
    # The next version starts from these.
    again = _tariff_form(client)
    assert (again["late_percent"], again["monthly_percent"], again["reminder_required"]) == ("2.5", "1.2", "y")


# --- single bills: the 체납액 line and credits ------------------------------------------------------

def test_settlement_and_adjusting_bills_carry_arrears_and_take_credit(app, october, monkeypatch):
    from plugins.rates.services import adjustments
    from plugins.rates.services import customers as customer_service

    # The office's clock in mid-December, when the final reading is taken (no reading may be dated after today).
    monkeypatch.setattr(customer_service, "local_today", lambda: date(2026, 12, 15))
    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"))
        arrears.run(date(2026, 12, 1))
        # The single customer moves out owing October's bill and its late charge: the settlement
        # bill carries them as its 체납액 line, as the next regular bill would.
        customer_id, _bill = october["single"]
        settlement = adjustments.settle_move_out(customer_id, date(2026, 12, 15), 1031)
        assert settlement.kind == "settlement" and settlement.arrears == 22_130 + 660
        assert arrears.amount_due(customer_id, date(2026, 12, 16)).total == settlement.total + 22_130 + 660
        # The apartment overpaid October's bill; an adjusting bill raising it takes the credit.
        apartment, apartment_bill = october["apartment"]
        _pay(payment_reference(db.session.get(Bill, apartment_bill)), 80_000 + 2_260, "T-OVER-APT", date(2026, 12, 2))
        arrears.run(date(2026, 12, 3))  # the credit pays the late charge first
        assert payments.customer_credit(apartment) == 4_550
        monkeypatch.setattr(adjustments, "local_today", lambda: date(2026, 12, 10))
        adjusting = adjustments.adjust(apartment_bill, use=80, reason="검침 오류 정정")
        assert adjusting.total > 4_550 and adjusting.arrears == 0
        assert payments.balance(adjusting).paid == 4_550
        assert payments.customer_credit(apartment) == 0
        postings.relay()
        advances = _balances(["2113"])["2113"]
        assert advances[0] == advances[1]  # every won of credit received was used


# --- reminders recorded, and required before a disconnection notice -------------------------------

def test_reminders_are_recorded_per_bill_and_can_be_required_before_disconnection(app, client, make_user, october):
    from plugins.rates.models import ReminderNotice

    make_user("clerk", roles=["rates_clerk"])
    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"), disconnect_months=3, protected_reductions="")
        arrears.run(date(2026, 12, 1))
        with pytest.raises(ServiceError, match="새 납부기한은 오늘 이후여야 합니다"):
            arrears.issue_reminders("1101", date(2026, 12, 15), date(2026, 12, 15))
        found = arrears.issue_reminders("1101", date(2026, 12, 25), date(2026, 12, 15))
        assert sorted(r.customer.holder_name for r in found) == ["김일번", "이아파트"]
        # Printed again the same day with another date: the same reminders, the last date.
        arrears.issue_reminders("1101", date(2026, 12, 28), date(2026, 12, 15))
        notices = db.session.execute(sa.select(ReminderNotice).order_by(ReminderNotice.bill_id)).scalars().all()
        assert [(n.bill_id, n.issued_on, n.due_on, n.owed) for n in notices] == [
            (october["single"][1], date(2026, 12, 15), date(2026, 12, 28), 22_130 + 660),
            (october["apartment"][1], date(2026, 12, 15), date(2026, 12, 28), 75_450 + 2_260)]
        # Without the setting, the welfare household (no longer protected here) is listed by months alone.
        assert sorted(c.customer.holder_name for c in arrears.disconnection_list(date(2027, 3, 1))) == [
            "김일번", "박복지", "이아파트"]
        _settings(reminder_required=True)
        assert sorted(c.customer.holder_name for c in arrears.disconnection_list(date(2027, 3, 1))) == ["김일번", "이아파트"]
        assert arrears.disconnection_list(date(2026, 12, 28)) == []  # the reminders' due date has not passed
    login(client, "clerk")
    page = client.get("/rates/arrears/disconnections?as_of=2027-03-01").get_data(as_text=True)
    assert 'id="reminder-required"' in page and "김일번" in page and "박복지" not in page
    page = client.get(f"/rates/customers/{october['single'][0]}/arrears").get_data(as_text=True)
    assert 'id="reminders"' in page and "2026-12-28" in page and "22,790" in page
    # From the page: a due date not after today is refused with a message, and nothing is recorded.
    response = post_form(client, "/rates/arrears/reminders", {"rm-route_code": "1101", "rm-due_on": "2020-01-01"},
                         page="/rates/arrears", follow=True)
    assert "새 납부기한은 오늘 이후여야 합니다." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(ReminderNotice)).scalar() == 2


# --- a reversed payment whose excess was used as credit -------------------------------------------

def test_reversing_a_payment_whose_credit_was_used_reopens_what_the_credit_paid(app, october):
    from plugins.rates.models import Payment

    with app.test_request_context():
        customer_id, october_bill = october["single"]
        _pay(payment_reference(db.session.get(Bill, october_bill)), 30_000, "T-OVER", date(2026, 11, 20))
        november = _november(app, october)["single"]
        assert payments.balance(november).paid == 7_870  # the credit paid part of November's bill
        assert payments.customer_credit(customer_id) == 0
        original = db.session.execute(sa.select(Payment).where(Payment.txn_id == "T-OVER")).scalar_one()
        payments.reverse(original.id, "이중 입금 통지 취소")
        # The credit never falls below zero: the use on November's bill is undone, so it owes again.
        assert payments.customer_credit(customer_id) == 0
        assert payments.balance(db.session.get(Bill, october_bill)).balance == 22_130
        assert payments.balance(november).paid == 0
        assert [item.balance for item in arrears.amount_due(customer_id, date(2026, 12, 20)).items] == [22_130, november.total]
        # Booked: receivables hold what is owed, the advances account nets to zero.
        payments.post_receipts(date(2026, 12, 31))
        postings.relay()
        balances = _balances(["1113", "2113"])
        assert balances["2113"][0] == balances["2113"][1]
        owed = sum(item.balance for c, _b in october.values() for item in arrears.amount_due(c, date(2026, 12, 20)).items)
        assert balances["1113"][0] - balances["1113"][1] == owed
        with pytest.raises(ServiceError):
            payments.reverse(original.id, "again")


# --- the account of late charges in books that lack it --------------------------------------------

def test_the_data_migration_adds_the_late_charge_account_to_books_lacking_it(app):
    from erp import migrating
    from plugins.accounting.models import Account

    with app.app_context():
        account = db.session.execute(sa.select(Account).where(Account.code == "661-07")).scalar_one()
        expected = (account.name, account.account_class, account.normal_side, account.sort_key, account.parent.code)
        db.session.delete(account)
        db.session.commit()
        db.session.remove()
        engine = db.engines["accounting"]
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version_accounting SET version_num = 'df7ff3ebf192'"))  # the revision before 0007
        db.session.remove()
        migrating.upgrade()
        account = db.session.execute(sa.select(Account).where(Account.code == "661-07")).scalar_one()
        assert (account.name, account.account_class, account.normal_side, account.sort_key, account.parent.code) == expected
        assert account.postable and not account.parent.postable
        # Run again on books that have it: nothing changes.
        db.session.remove()
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version_accounting SET version_num = 'df7ff3ebf192'"))  # the revision before 0007
        db.session.remove()
        migrating.upgrade()
        assert db.session.execute(sa.select(sa.func.count()).select_from(Account).where(Account.code == "661-07")).scalar() == 1


def test_the_monthly_additions_edge_is_the_rule_day_by_day():
    """A bill takes its m-th monthly addition once its due date plus m months has passed; the run
    asks the database for the bills due before one date per month: the same bills, month ends too."""
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta

    for as_of in (date(2027, 3, 1), date(2027, 3, 31), date(2027, 2, 28), date(2028, 2, 29), date(2027, 1, 30)):
        for month in (1, 2, 3, 12, 60):
            before = arrears._charged_before(as_of, month)
            for offset in range(-40, 40):
                due = before + timedelta(days=offset)
                assert (due + relativedelta(months=month) < as_of) == (due < before), (as_of, month, due)


def test_reversing_a_payment_whose_credit_paid_a_late_charge_reopens_the_charge(app, october):
    from plugins.rates.models import Payment

    with app.test_request_context():
        _settings(late_rate=Decimal("0.03"))
        customer_id, october_bill = october["single"]
        arrears.run(date(2026, 12, 1))
        _pay(payment_reference(db.session.get(Bill, october_bill)), 22_130 + 2_000, "T-LATE", date(2026, 12, 5))
        arrears.run(date(2026, 12, 6))  # the 2,000 of credit pays the 660 late charge; 1,340 is left
        assert _charges(october_bill) == [("once", 0, 22_130, 660)]
        assert db.session.execute(sa.select(LateCharge.paid).where(LateCharge.bill_id == october_bill)).scalar() == 660
        assert payments.customer_credit(customer_id) == 1_340
        original = db.session.execute(sa.select(Payment).where(Payment.txn_id == "T-LATE")).scalar_one()
        payments.reverse(original.id, "입금 취소")
        assert payments.customer_credit(customer_id) == 0
        assert db.session.execute(sa.select(LateCharge.paid).where(LateCharge.bill_id == october_bill)).scalar() == 0
        item = arrears.amount_due(customer_id, date(2026, 12, 7)).items[0]
        assert (item.balance, item.late_charges) == (22_130, 660)


# --- credits applied while the same bills are paid ------------------------------------------------

def _credit_and_october_owing(app, october):
    """The single customer owes October's 22,130 won and holds 10,000 won of credit (November's
    bill overpaid)."""
    november = _november(app, october)["single"]
    _pay(payment_reference(november), november.total + 10_000, "T-OVER", date(2026, 12, 5))
    customer_id, october_bill = october["single"]
    assert payments.customer_credit(customer_id) == 10_000
    assert payments.balance(db.session.get(Bill, october_bill)).balance == 22_130
    return customer_id, october_bill


def test_a_bill_paid_at_the_counter_while_the_arrears_run_applies_credit_to_it_is_paid_once(app, october, monkeypatch):
    """The arrears run reads what the customer owes; before it applies the credit, the customer
    pays October's bill at the counter. The bill is paid once and the customer keeps 10,000 won of
    credit (unused, or the counter's excess when the run went first, as on SQLite). On MariaDB the run applied the credit to the bill the counter had just paid: 32,130 won
    paid on a 22,130 won bill and the credit gone."""
    from plugins.rates.repositories import arrears as arrears_repo
    from tests_support import race_on_payments

    with app.test_request_context():
        customer_id, october_bill = _credit_and_october_owing(app, october)

    errors = race_on_payments(app, monkeypatch, lambda: arrears.run(date(2026, 12, 21)),
                              lambda: payments.record_counter(october_bill, 22_130, "김일번"),
                              pause_after="open_items", repo=arrears_repo)
    assert errors == []
    with app.test_request_context():
        assert payments.balance(db.session.get(Bill, october_bill)).paid == 22_130
        assert payments.customer_credit(customer_id) == 10_000  # unused, or given back by the counter's excess


def test_a_credit_refunded_while_the_arrears_run_applies_it_is_used_once(app, october, monkeypatch):
    """The arrears run reads the customer's credit; before it applies it, a clerk lists the same
    credit for refund. One of them gets it: the credit never falls below zero. On MariaDB both did
    — 10,000 won listed for refund and also applied to October's bill (credit -10,000)."""
    from plugins.rates.repositories import arrears as arrears_repo
    from plugins.rates.services import refunds
    from tests_support import race_on_payments

    with app.test_request_context():
        customer_id, october_bill = _credit_and_october_owing(app, october)

    def refund():
        refunds.list_refund(customer_id, 10_000, bank="농협", account="302-1234-5678-91", holder="김일번", reason="이중 납부")

    errors = race_on_payments(app, monkeypatch, lambda: arrears.run(date(2026, 12, 21)), refund,
                              pause_after="open_items", repo=arrears_repo)
    assert len(errors) <= 1, errors
    with app.test_request_context():
        assert payments.customer_credit(customer_id) == 0
        used = payments.balance(db.session.get(Bill, october_bill)).paid
        refunded = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0))).scalar()
        assert (used, refunded) in ((10_000, 0), (0, 10_000))


def test_the_arrears_run_started_twice_at_once_charges_and_books_once(app, october, monkeypatch):
    """The day's arrears run is started again twice at the same moment (a double click, the job
    and the button): the late charges are assessed and booked once. On MariaDB the second counted
    the charges the first had just written as its own and booked them again."""
    from plugins.rates.repositories import arrears as arrears_repo
    from tests_support import race_on_payments

    with app.test_request_context():
        _settings(late_rate=Decimal("0"), late_monthly_rate=Decimal("0"))
        arrears.run(date(2026, 12, 3))  # the day's run before the late-charge rate was set: nothing charged
        _settings(late_rate=Decimal("0.03"))
    results = []
    errors = race_on_payments(app, monkeypatch, lambda: results.append(arrears.run(date(2026, 12, 3))),
                              lambda: results.append(arrears.run(date(2026, 12, 3))),
                              pause_after="last_charge_id", repo=arrears_repo)
    assert errors == []
    assert sorted((r.charges, r.amount) for r in results) == [(0, 0), (3, 660 + 2_260 + 220)]
    with app.test_request_context():
        keys = db.session.execute(sa.select(Outbox.key).where(Outbox.key.like("rates:late-charges:%"))).scalars().all()
        assert keys == ["rates:late-charges:2026-12-03"]
        assert (arrears.runs()[0].charges, arrears.runs()[0].amount) == (3, 3_140)
        postings.relay()
        assert _balances(["661-07"])["661-07"] == (0, 3_140)


def test_a_move_out_settled_while_a_payment_of_the_customer_is_reversed_both_go_through(app, october, monkeypatch):
    """A clerk settles the customer's move-out (its bill takes the customer's credit) while another
    reverses a payment on the customer's October bill. Both go through: every writer of a credit
    locks the bills first and the customer after. Before, the settlement wrote the customer first
    and then waited for October's bill, which the reversal held while it waited for the customer:
    MariaDB broke the deadlock by failing one of them."""
    from plugins.rates.repositories import arrears as arrears_repo
    from plugins.rates.services import adjustments
    from plugins.rates.services import customers as customer_service
    from tests_support import race_on_payments

    monkeypatch.setattr(customer_service, "local_today", lambda: date(2026, 12, 15))
    with app.test_request_context():
        customer_id, october_bill = _credit_and_october_owing(app, october)
        _pay(payment_reference(db.session.get(Bill, october_bill)), 5_000, "T-PART", date(2026, 12, 6))
        part = db.session.execute(sa.select(Payment.id).where(Payment.txn_id == "T-PART")).scalar_one()

    errors = race_on_payments(app, monkeypatch, lambda: adjustments.settle_move_out(customer_id, date(2026, 12, 15), 1041),
                              lambda: payments.reverse(part, "타 고객 입금 착오"), pause_after="open_items", repo=arrears_repo)
    assert errors == []
    with app.test_request_context():
        assert db.session.execute(sa.select(Payment).where(Payment.reverses_id == part)).scalar_one().amount == -5_000
        settlement = db.session.execute(sa.select(Bill).where(Bill.customer_id == customer_id, Bill.kind == "settlement")).scalar_one()
        assert payments.customer_credit(customer_id) == 0  # the settlement took it
        assert payments.balance(db.session.get(Bill, october_bill)).paid + payments.balance(settlement).paid == 10_000
