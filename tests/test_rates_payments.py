"""Payments from every channel: files in both layouts imported twice and overlapping, partial
payments and overpayments, a file with a bad line, unmatched lines and their manual matching,
reversals, the counter with its receipt, the gateway's pushes, the CLI, and the receipts booked in
accounting once per day and channel (the reconciliation shows receipts = cash posted).

The October bills of the 포항시 tariff (see test_rates_billing): 김일번 21 ㎥ → 22,130 won;
이아파트 (3 households, 70 ㎥) → 75,450 won; 박복지 (welfare, 15 ㎥) → 7,430 won."""
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from conftest import csrf_from, login, post_form
from tests_support import race_on_payments
from pypdf import PdfReader

from erp import ports
from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.rates.demo import load_tariff
from plugins.rates.models import Bill, Outbox, Payment
from plugins.rates.services.notices import payment_reference
from plugins.rates.services import billing, payments, postings
from plugins.rates.services import customers as customers_service
from plugins.rates.services.payment_layouts import CsvLayout, FixedLayout, PaymentLine, parse

DAY = date(2026, 11, 20)
NEXT_DAY = date(2026, 11, 21)


def _customer(name, use, households=1, reduction=None, account=""):
    customer = customers_service.register(customers_service.CustomerInput(
        holder_name=name, address=f"한빛시 한빛로 {use}", use_type="household", route_code="1101", households=households,
        virtual_account=account))
    customers_service.install_meter(customer.id, f"P-{name}", 13, date(2026, 1, 1), start_reading=1000)
    if reduction:
        customers_service.grant_reduction(customer.id, reduction, date(2026, 1, 1), None, "증명서 확인")
    customers_service.read(customer.id, date(2026, 10, 5), 1000 + use)
    return customer


@pytest.fixture
def bills(app):
    """The October bills of three customers, posted: name → (bill id, number, e-payment number, total)."""
    with app.test_request_context():
        load_tariff()
        people = {"single": _customer("김일번", 21, account="농협 790-0000-0001"),
                  "apartment": _customer("이아파트", 70, households=3, account="농협 790-0000-0002"),
                  "welfare": _customer("박복지", 15, reduction="WELFARE", account="농협 790-0000-0003")}
        billing.execute(billing.start_run("2026-10", "monthly", "", date(2026, 11, 10)).id)
        found = {}
        for key, customer in people.items():
            bill = db.session.execute(sa.select(Bill).where(Bill.customer_id == customer.id)).scalar_one()
            found[key] = (bill.id, bill.number, payment_reference(bill), bill.total)
        assert [found[k][3] for k in ("single", "apartment", "welfare")] == [22_130, 75_450, 7_430]
        return found


def _line(txn, reference, amount, channel="va", on=DAY, payer="김일번"):
    return PaymentLine(0, channel, txn, on, on, "011", "0001", "1234567", reference, amount, payer)


def _file(lines, layout="csv", on=DAY, encoding="utf-8"):
    if layout == "fixed":
        return FixedLayout.write(lines, file_date=on, giro_no="1234567")
    return CsvLayout.write(lines, file_date=on, giro_no="1234567", encoding=encoding)


def _pay_by_auto_debit(bills, *names):
    """The named customers pay by CMS auto-debit from now on; returns their bills' due date."""
    from plugins.rates.models import Customer

    for name in names:
        db.session.get(Customer, db.session.get(Bill, bills[name][0]).customer_id).auto_debit = True
    db.session.commit()
    return db.session.get(Bill, bills[names[0]][0]).due_on


def _status(bill_id):
    return payments.balance(db.session.get(Bill, bill_id))


def _balances(codes):
    return {b.code: (b.debit, b.credit) for b in ports.get("accounting").account_balances(2026, 12, codes)}


def _payment_count():
    return db.session.execute(sa.select(sa.func.count()).select_from(Payment)).scalar()


@pytest.mark.parametrize("channel,layout", [("va", "fixed"), ("giro", "csv"), ("cms", "fixed"), ("card", "csv")])
def test_each_channels_file_imported_twice_and_overlapping_changes_nothing(app, bills, channel, layout):
    single, apartment, welfare = bills["single"], bills["apartment"], bills["welfare"]
    with app.test_request_context():
        # Each channel carries what it knows: a virtual-account deposit the account, the others the e-payment number.
        ref = {"va": lambda b, acct: acct}.get(channel, lambda b, acct: b[2])
        first = [_line(f"{channel.upper()}-0001", ref(single, "농협 790-0000-0001"), 22_130, channel),
                 _line(f"{channel.upper()}-0002", ref(apartment, "농협 790-0000-0002"), 75_450, channel)]
        data = _file(first, layout)
        result = payments.import_file(data)
        assert (result.lines, result.new, result.known, result.errors) == (2, 2, 0, [])
        assert _status(single[0]).status == "paid" and _status(apartment[0]).status == "paid"

        again = payments.import_file(data)
        assert (again.new, again.known) == (0, 2)
        # An overlapping file: its first line was in the first file, its second is new.
        overlap = [first[1], _line(f"{channel.upper()}-0003", ref(welfare, "농협 790-0000-0003"), 7_430, channel, on=NEXT_DAY)]
        result = payments.import_file(_file(overlap, layout, on=NEXT_DAY))
        assert (result.new, result.known) == (1, 1)
        assert _payment_count() == 3
        assert [_status(b[0]).paid for b in (single, apartment, welfare)] == [22_130, 75_450, 7_430]

        # Booked once: cash against the receivables, one entry for the day and channel, not again on a re-import.
        postings.relay()
        assert _balances(["1111", "1113"])["1111"] == (105_010, 0)
        assert _balances(["1113"])["1113"] == (105_010, 105_010)
        keys = sorted(db.session.execute(sa.select(Outbox.key).where(Outbox.key.like("rates:receipts:%"))).scalars())
        assert keys == [f"rates:receipts:2026-11-20:{channel}", f"rates:receipts:2026-11-21:{channel}"]
        rows = payments.reconciliation(DAY)
        assert [(r.channel, r.lines, r.receipts, r.cash_posted, r.difference) for r in rows] == [(channel, 2, 97_580, 97_580, 0)]


def test_an_import_large_enough_for_a_key_table_matches_the_same_bills(app, bills, monkeypatch):
    """Past a number of keys, MariaDB reads an import's look-ups from a temporary table (and loads
    the lines without looking each bill up again): the threshold lowered to one key, a file's
    lines still find their bills, the known ones are still known, and the connection checks
    foreign keys again afterwards."""
    from erp.common import sql

    monkeypatch.setattr(sql, "KEY_TABLE_FROM", 1)
    monkeypatch.setattr(sql, "LOAD_DATA_FROM", 1)
    single, apartment = bills["single"], bills["apartment"]
    with app.test_request_context():
        lines = [_line("K-0001", single[2], 22_130, "giro"), _line("K-0002", apartment[1], 50_000, "giro"),
                 _line("K-0003", "농협 790-0000-0003", 7_430, "va"), _line("K-0004", "9" * 19, 1_000, "giro")]
        result = payments.import_file(_file(lines))
        assert (result.new, result.matched, result.suspense, result.errors) == (4, 3, 1, [])
        assert [_status(b[0]).status for b in (single, apartment, bills["welfare"])] == ["paid", "partial", "paid"]
        assert _status(apartment[0]).balance == 25_450
        assert (payments.import_file(_file(lines)).known, _payment_count()) == (4, 4)
        if db.engine.dialect.name in ("mysql", "mariadb"):
            assert db.session.execute(sa.text("SELECT @@SESSION.foreign_key_checks")).scalar() == 1


def test_a_payment_file_is_read_as_the_csv_module_reads_it():
    """The quick reading of a file without quotes gives the csv module's records, and a file with
    quoted fields (a payer's name with a comma) is read by the csv module."""
    import csv
    import io

    from plugins.rates.services.payment_layouts import csv_rows

    for text in ("H,20261120,1234567\r\nD,1,a,b\r\n\r\nT,1,5\r\n", "a,b\nc\n\n", "", "x", "a,,b\n,\n",
                 'D,1,"김,일번",3\r\n', "a\rb\n"):
        assert csv_rows(text) == list(csv.reader(io.StringIO(text, newline=""))), text
    assert csv_rows('D,"김,일번"\n') == [["D", "김,일번"]]


def test_partial_payment_leaves_the_rest_owed_and_an_overpayment_becomes_a_credit(app, client, bills, make_user):
    bill_id, number, epay, total = bills["single"]
    with app.test_request_context():
        payments.import_file(_file([_line("P1", epay, 10_000, "giro")], "fixed"))
        status = _status(bill_id)
        assert (status.paid, status.balance, status.status) == (10_000, 12_130, "partial")
        # By bill number, more than is left: the rest pays the bill, 2,870 become the customer's credit.
        payments.import_file(_file([_line("P2", number, 15_000, "card")], "csv"))
        status = _status(bill_id)
        assert (status.paid, status.balance, status.status) == (22_130, 0, "paid")
        customer_id = db.session.get(Bill, bill_id).customer_id
        assert payments.customer_credit(customer_id) == 2_870
        postings.relay()
        assert _balances(["1111", "2113"]) == {"1111": (25_000, 0), "2113": (0, 2_870)}
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    page = client.get(f"/rates/bills/{bill_id}").get_data(as_text=True)
    assert "납부완료" in page and "2,870" in page
    assert "2,870" in client.get("/rates/payments/credits").get_data(as_text=True)


def test_a_file_with_a_bad_line_imports_nothing_and_names_the_line(app, bills):
    with app.test_request_context():
        good = _file([_line("G1", bills["single"][2], 22_130, "giro"), _line("G2", bills["apartment"][2], 75_450, "giro")])
        bad = good.replace(b",75450,", b",75x50,")
        result = payments.import_file(bad)
        assert result.new == 0 and len(result.errors) == 1 and result.errors[0].startswith("3행: 금액 '75x50'")
        # A trailer whose total does not match refuses the file too.
        wrong_total = good.replace(b"T,2,97580", b"T,2,97000")
        assert "트레일러는 2건 97,000원인데 파일에는 2건 97,580원이 있습니다" in payments.import_file(wrong_total).errors[0]
        fixed = _file([_line("G1", bills["single"][2], 22_130, "giro")], "fixed")
        assert parse(fixed[:-10] + b"\r\n")[1]  # a cut record
        assert _payment_count() == 0 and _status(bills["single"][0]).status == "unpaid"
        assert payments.import_file(good).new == 2


def test_cp949_files_are_read(app, bills):
    with app.test_request_context():
        lines = [_line("K1", bills["single"][2], 22_130, "va", payer="김일번"), _line("K2", "농협 790-0000-0002", 100, "va", payer="이아파트")]
        for data in (_file(lines, "fixed"), _file(lines, "csv", encoding="cp949")):
            parsed, errors = parse(data)
            assert errors == [] and [p.payer for p in parsed] == ["김일번", "이아파트"]
        assert FixedLayout.write(lines, file_date=DAY).decode("cp949").count("김일번") == 1


def test_unmatched_lines_wait_in_suspense_until_a_clerk_matches_them(app, client, bills, make_user):
    with app.test_request_context():
        result = payments.import_file(_file([_line("U1", "알수없는 입금", 22_130, "va", payer="김일번")]))
        assert (result.new, result.suspense) == (1, 1)
        postings.relay()
        assert _balances(["1111", "2121"]) == {"1111": (22_130, 0), "2121": (0, 22_130)}
        payment_id = db.session.execute(sa.select(Payment.id)).scalar_one()
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    page = client.get("/rates/payments/suspense").get_data(as_text=True)
    assert "알수없는 입금" in page
    bad = post_form(client, f"/rates/payments/{payment_id}/match", {"bill_number": "202610-0000000000"},
                    page="/rates/payments/suspense", follow=True).get_data(as_text=True)
    assert "알수없는 입금" in bad  # refused: still in suspense
    done = post_form(client, f"/rates/payments/{payment_id}/match", {"bill_number": bills["single"][1]},
                     page="/rates/payments/suspense", follow=True)
    assert done.status_code == 200 and "납부완료" in done.get_data(as_text=True)
    assert "알수없는 입금" not in client.get("/rates/payments/suspense").get_data(as_text=True)
    with app.test_request_context():
        assert _status(bills["single"][0]).status == "paid"
        postings.relay()
        # Moved from suspense to the receivable.
        assert _balances(["2121"])["2121"] == (22_130, 22_130)
        assert _balances(["1113"])["1113"][1] == 22_130


def test_a_wrong_payment_is_reversed_never_deleted(app, client, bills, make_user):
    bill_id, number, epay, total = bills["single"]
    with app.test_request_context():
        payments.import_file(_file([_line("W1", epay, 22_130, "giro")]))
        payment_id = db.session.execute(sa.select(Payment.id)).scalar_one()
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    page = post_form(client, f"/rates/payments/{payment_id}/reverse", {"reason": "타 고객 입금 착오"},
                     page=f"/rates/bills/{bill_id}", follow=True).get_data(as_text=True)
    assert "미납" in page and "취소됨" in page
    with app.test_request_context():
        assert _payment_count() == 2 and _status(bill_id).status == "unpaid"
        with pytest.raises(ServiceError):
            payments.reverse(payment_id, "again")
        # The reversal is booked with the day's close: cash and receivable back.
        payments.post_receipts()
        postings.relay()
        cash = _balances(["1111"])["1111"]
        assert cash[0] - cash[1] == 0
        # The same line imported again stays known: the reversal is not undone by a re-import.
        assert payments.import_file(_file([_line("W1", epay, 22_130, "giro")])).known == 1
        assert _status(bill_id).status == "unpaid"


def test_a_counter_payment_prints_a_receipt_and_is_booked_at_the_days_close(app, client, bills, make_user):
    bill_id = bills["apartment"][0]
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    page = client.get(f"/rates/bills/{bill_id}").get_data(as_text=True)
    html = client.post(f"/rates/bills/{bill_id}/pay", data={"c-amount": "50000", "csrf_token": csrf_from(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "일부 납부" in html and "25,450" in html  # 75,450 − 50,000 still owed
    bad = client.post(f"/rates/bills/{bill_id}/pay", data={"c-amount": "-5", "csrf_token": csrf_from(page)}, follow_redirects=True)
    assert bad.status_code == 200
    with app.test_request_context():
        payment = db.session.execute(sa.select(Payment).where(Payment.channel == "counter")).scalar_one()
        payment_id, received = payment.id, payment.received_on
    receipt = client.get(f"/rates/payments/{payment_id}/receipt.pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(receipt.data)).pages)
    assert "영수증" in text and "50,000" in text and "25,450" in text
    post_form(client, "/rates/payments/post-receipts", {"day": received.isoformat()},
              page=f"/rates/payments/reconciliation?day={received.isoformat()}")
    page = client.get(f"/rates/payments/reconciliation?day={received.isoformat()}").get_data(as_text=True)
    assert "창구" in page and page.count("50,000") >= 3  # receipts, booked, cash posted
    assert client.get(f"/rates/payments/reconciliation?day={received.isoformat()}&format=xlsx").status_code == 200
    assert client.get("/rates/payments/reconciliation?day=nonsense").status_code == 400


def test_the_clerk_uploads_a_file_and_the_worker_imports_it(app, client, bills, make_user):
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    token = csrf_from(client.get("/rates/payments").get_data(as_text=True))
    data = _file([_line("F1", bills["welfare"][2], 7_430, "giro")], "fixed")
    page = client.post("/rates/payments/upload", data={"csrf_token": token, "layout": "", "file": (BytesIO(data), "giro.dat")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "새 수납 1건" in page
    page = client.post("/rates/payments/upload", data={"csrf_token": token, "layout": "fixed", "file": (BytesIO(data[:-5]), "giro.dat")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "아무것도 가져오지 않았습니다" in page and "레코드는 150바이트인데" in page


def test_the_cli_and_the_gateway_import_payments(app, bills, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "va.csv"
    path.write_bytes(_file([_line("C1", "농협 790-0000-0001", 22_130, "va")]))
    result = runner.invoke(args=["rates", "import-payments", str(path)])
    assert result.exit_code == 0 and "1 new" in result.output
    assert "1 already known" in runner.invoke(args=["rates", "import-payments", str(path), "--layout", "csv"]).output
    path.write_bytes(b"H,20261120,1\nD,1,2026-11-20\nT,1,1\n")
    assert runner.invoke(args=["rates", "import-payments", str(path)]).exit_code == 1

    output = runner.invoke(args=["rates", "payment-gateway", "농협 게이트웨이"]).output
    token = output.rsplit("token ", 1)[1].strip()
    client = app.test_client()
    item = {"channel": "GR", "txn_id": "GW-1", "received_on": "2026-11-20", "reference": bills["apartment"][2], "amount": 75_450}
    assert client.post("/api/rates/payments", json={"payments": [item]}).status_code == 401
    assert client.post("/api/rates/payments", json={"payments": [item]}, headers={"Authorization": "Bearer nope"}).status_code == 403
    headers = {"Authorization": f"Bearer {token}"}
    bad = client.post("/api/rates/payments", json={"payments": [item, {**item, "txn_id": "GW-2", "amount": "x"}]}, headers=headers)
    assert bad.status_code == 400 and "item 1" in bad.get_json()["errors"][0]
    answer = client.post("/api/rates/payments", json={"payments": [item]}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["new"] == 1
    assert client.post("/api/rates/payments", json={"payments": [item]}, headers=headers).get_json()["known"] == 1
    with app.test_request_context():
        assert _status(bills["apartment"][0]).status == "paid" and _status(bills["single"][0]).status == "paid"


def test_cms_auto_debit_request_results_and_a_failed_debit_falls_back_to_a_normal_bill(app, client, bills, make_user, tmp_path):
    from plugins.rates.services import cms
    from plugins.rates.services.payment_layouts import CmsResultLine, write_cms_result

    single, apartment = bills["single"], bills["apartment"]
    with app.test_request_context():
        due = _pay_by_auto_debit(bills, "single", "apartment")
        # The apartment paid half already: only the rest is asked.
        payments.import_file(_file([_line("H1", apartment[2], 40_000, "giro")]))
        asked = cms.request(due)
        assert (asked.count, asked.total) == (2, 22_130 + 35_450)
        lines, errors = parse(asked.data, "fixed")
        assert errors == [] and {(p.reference, p.amount) for p in lines} == {(single[1], 22_130), (apartment[1], 35_450)}
        assert cms.request(due).count == 2  # asked again: the same debits
        txns = {p.reference: p.txn_id for p in lines}
    results = write_cms_result([CmsResultLine(0, txns[single[1]], "0000", 22_130, due, ""),
                                CmsResultLine(0, txns[apartment[1]], "E012", 0, due, "잔액부족")], file_date=due)
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(results.replace(b"22130", b"22000", 1))
    assert runner.invoke(args=["rates", "import-cms-results", str(bad)]).exit_code == 1
    path = tmp_path / "cms-result.csv"
    path.write_bytes(results)
    output = runner.invoke(args=["rates", "import-cms-results", str(path)]).output
    assert "1 debited, 1 failed" in output
    assert "2 answered before" in runner.invoke(args=["rates", "import-cms-results", str(path)]).output
    with app.test_request_context():
        assert _status(single[0]).status == "paid" and _status(apartment[0]).status == "partial"
        assert db.session.execute(sa.select(Payment).where(Payment.channel == "cms")).scalar_one().amount == 22_130
        assert [(d.bill_id, d.reason) for d in cms.failed()] == [(apartment[0], "잔액부족")]
        assert cms.request(due).count == 0  # answered debits are not asked again
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    page = client.get("/rates/payments/cms").get_data(as_text=True)
    assert "잔액부족" in page and apartment[1] in page
    assert "잔액부족" in client.get(f"/rates/bills/{apartment[0]}").get_data(as_text=True)
    token = csrf_from(page)
    download = client.post("/rates/payments/cms/request", data={"q-due_on": (due.replace(day=1)).isoformat(), "csrf_token": token},
                           follow_redirects=True)
    assert download.status_code == 200 and "자동이체" in download.get_data(as_text=True)


def test_a_bill_paid_at_the_counter_while_a_file_pays_it_is_paid_once_and_the_rest_is_credit(app, bills, monkeypatch):
    """A bank file naming the bill is being imported when a clerk takes the same amount at the
    counter: the bill is paid once and the second payment is the customer's credit (used on the
    next bill or refunded). On MariaDB both read the bill as unpaid and paid it in full — 44,260
    won applied to a bill of 22,130 and no credit, so the citizen's double payment vanished."""
    bill_id, _number, reference, total = bills["single"]
    errors = race_on_payments(app, monkeypatch, lambda: payments.import_file(_file([_line("RACE-1", reference, total)])),
                              lambda: payments.record_counter(bill_id, total, "김일번"))
    assert errors == []
    with app.test_request_context():
        status = _status(bill_id)
        assert (status.paid, status.balance) == (22_130, 0)
        assert payments.customer_credit(db.session.get(Bill, bill_id).customer_id) == 22_130
        assert sorted(db.session.execute(sa.select(Payment.channel, Payment.applied, Payment.credit)
                                         .where(Payment.bill_id == bill_id)).all()) == [
            ("counter", 0, 22_130), ("va", 22_130, 0)]


def test_the_same_file_imported_twice_at_once_is_booked_once(app, bills, monkeypatch):
    """A clerk uploads the bank's file twice in a row and both imports run at once: its lines are
    recorded and booked once. The second either waits and finds them known (SQLite) or, having
    read them as new before the first committed, is refused whole with a message to import the
    file again (MariaDB). Before, it booked the file's cash a second time, with no lines behind it."""
    _bill_id, _number, reference, total = bills["single"]
    data = _file([_line("TWICE-1", reference, total), _line("TWICE-2", "0000", 1_000)])
    results = []
    errors = race_on_payments(app, monkeypatch, lambda: results.append(payments.import_file(data)),
                              lambda: results.append(payments.import_file(data)))
    assert all(isinstance(error, ServiceError) and "다시" in error.message for error in errors)
    assert sorted(result.new for result in results) == ([0, 2] if len(results) == 2 else [2])
    with app.test_request_context():
        assert _payment_count() == 2
        postings.relay()
        assert _balances(["1111"])["1111"] == (total + 1_000, 0)


def test_two_banks_files_of_one_day_imported_at_once_are_each_booked(app, bills, monkeypatch):
    """Two clerks import two banks' virtual-account files of the same day at the same moment: both
    are recorded and the day's cash is booked in full, under two keys of the day and channel. On
    MariaDB both took the day's first key and the second failed on it (an IntegrityError: a server
    error page for the clerk)."""
    _bill_id, _number, single_ref, single_total = bills["single"]
    _bill_id, _number, apartment_ref, apartment_total = bills["apartment"]
    first = _file([_line("BANK-A-1", single_ref, single_total)])
    second = _file([_line("BANK-B-1", apartment_ref, apartment_total)])
    results = []
    errors = race_on_payments(app, monkeypatch, lambda: results.append(payments.import_file(first)),
                              lambda: results.append(payments.import_file(second)), pause_after="free_key", repo=postings)
    assert errors == []
    assert sorted(result.new for result in results) == [1, 1]
    with app.test_request_context():
        assert _payment_count() == 2
        keys = sorted(db.session.execute(sa.select(Outbox.key).where(Outbox.key.like("rates:receipts:%"))).scalars())
        assert keys == [f"rates:receipts:{DAY.isoformat()}:va", f"rates:receipts:{DAY.isoformat()}:va:2"]
        postings.relay()
        assert _balances(["1111"])["1111"] == (single_total + apartment_total, 0)


def test_the_same_cms_result_file_imported_twice_at_once_is_answered_once(app, bills, monkeypatch):
    """The bank's auto-debit results are imported twice at the same moment: the first records the
    debit paid and the one failed, the second finds both answered. On MariaDB the second read them
    as still asked too and reported them answered again: "1 debited, 1 failed" twice."""
    from plugins.rates.services import cms
    from plugins.rates.services.payment_layouts import CmsResultLine, write_cms_result

    single, apartment = bills["single"], bills["apartment"]
    with app.test_request_context():
        due = _pay_by_auto_debit(bills, "single", "apartment")
        lines, _errors = parse(cms.request(due).data, "fixed")
        txns = {p.reference: p.txn_id for p in lines}
    results = write_cms_result([CmsResultLine(0, txns[single[1]], "0000", 22_130, due, ""),
                                CmsResultLine(0, txns[apartment[1]], "E012", 0, due, "잔액부족")], file_date=due)
    answers = []
    errors = race_on_payments(app, monkeypatch, lambda: answers.append(cms.import_results(results)),
                              lambda: answers.append(cms.import_results(results)), pause_after="debit_by_txn")
    assert errors == []
    assert sorted((a.paid, a.failed, a.known) for a in answers) == [(0, 0, 2), (1, 1, 0)]
    with app.test_request_context():
        assert db.session.execute(sa.select(Payment).where(Payment.channel == "cms")).scalar_one().amount == 22_130


def test_the_days_close_run_twice_at_once_books_the_receipts_once(app, bills, monkeypatch):
    """The night's job and a clerk's button close the day's counter receipts at the same moment:
    the receipts are booked once. On MariaDB the second booked the sums it had read under the
    day's second key (the first key being taken), so the day's cash stood twice in the books."""
    bill_id, _number, _reference, total = bills["single"]
    with app.test_request_context():
        payments.record_counter(bill_id, total, "김일번")
    booked = []
    errors = race_on_payments(app, monkeypatch, lambda: booked.append(payments.post_receipts()),
                              lambda: booked.append(payments.post_receipts()), pause_after="unposted")
    assert errors == []
    assert sorted(len(keys) for keys in booked) == [0, 1]
    with app.test_request_context():
        keys = db.session.execute(sa.select(Outbox.key).where(Outbox.key.like("rates:receipts:%"))).scalars().all()
        assert len(keys) == 1 and keys[0].endswith(":counter")
        postings.relay()
        assert _balances(["1111"])["1111"] == (total, 0)
