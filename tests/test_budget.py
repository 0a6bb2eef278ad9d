"""The budget plugin: compilation, supplementary budgets, transfers, execution with its
availability check under concurrency, the outbox to accounting, year end, mid-term plan."""
import threading
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
from conftest import TEST_DB, login, post_form
from pypdf import PdfReader

from erp.auth import services as auth
from erp.common import outbox
from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.accounting.models import JournalEntry
from plugins.budget.models import Outbox
from plugins.budget.repositories import budget as repo
from plugins.budget.services import compilation, execution, midterm, reports, structure, transfers, yearend

Y = 2026


def _structure():
    auth.save_department(None, code="WS-PUR", name="정수과")
    auth.save_department(None, code="WS-MGT", name="경영지원과")
    structure.add_project(Y, "policy", "P1", "안정적 수돗물 공급")
    structure.add_project(Y, "unit", "U11", "시설 운영", "P1")
    structure.add_project(Y, "detail", "D111", "정수장 운영", "U11", "WS-PUR")
    structure.add_project(Y, "detail", "D221", "사업소 운영", "U11", "WS-MGT")
    lines = {
        "power": structure.add_line(Y, part="revenue", side="expenditure", item_code="201", sub_code="02",
                                    name="공공운영비", account_code="5208", project_code="D111"),
        "chem": structure.add_line(Y, part="revenue", side="expenditure", item_code="206", sub_code="01",
                                   name="일반재료비", account_code="5209", project_code="D111"),
        "pay": structure.add_line(Y, part="revenue", side="expenditure", item_code="101", sub_code="01",
                                  name="보수", account_code="5110", project_code="D221"),
        "promo": structure.add_line(Y, part="revenue", side="expenditure", item_code="203", sub_code="",
                                    name="업무추진비", account_code="5206", project_code="D221"),
        "water": structure.add_line(Y, part="revenue", side="income", item_code="611", sub_code="01",
                                    name="급수수익", account_code="611-01"),
    }
    return {k: v.id for k, v in lines.items()}


def _approved(lines, amounts):
    version = compilation.open_version(Y)
    for key, amount in amounts.items():
        compilation.add_basis(version.id, lines[key], key, Decimal(amount), Decimal(1), 1)
    compilation.approve(version.id)
    return version


@pytest.fixture
def lines(app):
    with app.test_request_context():
        return _structure()


def test_compilation_approval_and_a_supplementary_budget_compare_correctly(app, lines):
    with app.test_request_context():
        original = compilation.open_version(Y)
        basis = compilation.add_basis(original.id, lines["power"], "정수장 전력", "1,250,000", "1", 12)
        assert basis.amount == 15_000_000
        compilation.add_basis(original.id, lines["chem"], "응집제", "1150.5", "1000", 1)  # 1,150,500
        compilation.adjust(original.id, lines["chem"], 1_000_000, "단가 조정")
        compilation.approve(original.id)
        assert repo.line(lines["power"]).current_amount == 15_000_000
        assert repo.line(lines["chem"]).current_amount == 1_000_000
        with pytest.raises(ServiceError, match="확정되어"):
            compilation.adjust(original.id, lines["chem"], 5)

        supplementary = compilation.open_version(Y)
        assert compilation.version_name(supplementary) == "제1회 추가경정예산"
        compilation.adjust(supplementary.id, lines["power"], 18_000_000, "전기요금 인상")
        rows = {r.line.id: r for r in compilation.comparison(supplementary.id)}
        assert (rows[lines["power"]].before, rows[lines["power"]].change, rows[lines["power"]].after) == (15_000_000, 3_000_000, 18_000_000)
        assert (rows[lines["chem"]].before, rows[lines["chem"]].change, rows[lines["chem"]].after) == (1_000_000, 0, 1_000_000)
        assert repo.line(lines["power"]).current_amount == 15_000_000  # not in force before approval
        compilation.approve(supplementary.id)
        assert repo.line(lines["power"]).current_amount == 18_000_000
        assert [v.number for v in repo.versions(Y)] == [0, 1]  # every version is kept


def test_the_contingency_reserve_is_at_most_one_percent(app, lines):
    with app.test_request_context():
        reserve = structure.add_line(Y, part="revenue", side="expenditure", item_code="800", sub_code="", name="예비비",
                                     account_code="5229", project_code="D221")
        version = compilation.open_version(Y)
        compilation.add_basis(version.id, lines["power"], "전력", 99_000_000, 1, 1)
        compilation.add_basis(version.id, reserve.id, "예비비", 1_000_001, 1, 1)
        with pytest.raises(ServiceError, match="예비비"):
            compilation.approve(version.id)
        compilation.adjust(version.id, reserve.id, 1_000_000)
        assert compilation.approve(version.id).status == "approved"


def test_transfer_rules(app, lines):
    with app.test_request_context():
        _approved(lines, {"power": 5_000_000, "chem": 2_000_000, "pay": 10_000_000, "promo": 1_000_000})
        with pytest.raises(ServiceError, match="101목"):
            transfers.request(lines["pay"], lines["power"], 100_000, "인건비를 옮김")
        with pytest.raises(ServiceError, match="203목"):
            transfers.request(lines["power"], lines["promo"], 100_000, "업무추진비로")
        with pytest.raises(ServiceError, match="5,000,000원"):
            transfers.request(lines["power"], lines["chem"], 5_000_001, "너무 많이")
        transfer = transfers.request(lines["power"], lines["chem"], 1_500_000, "약품 단가 인상")
        assert transfer.kind == "diversion"  # same project: 전용
        assert repo.line(lines["chem"]).current_amount == 2_000_000  # only on approval
        transfers.decide(transfer.id, True)
        assert repo.line(lines["power"]).current_amount == 3_500_000
        assert repo.line(lines["chem"]).current_amount == 3_500_000
        with pytest.raises(ServiceError, match="이미 처리된"):
            transfers.decide(transfer.id, True)


def test_twenty_parallel_commitments_on_a_line_with_a_million_left(app, lines):
    with app.test_request_context():
        _approved(lines, {"power": 1_000_000})
    outcomes, errors = [], []
    barrier = threading.Barrier(20)

    def commit():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                try:
                    execution.commit(lines["power"], date(Y, 3, 2), "한국전력공사", "전기요금", 100_000)
                    outcomes.append("ok")
                except ServiceError:
                    outcomes.append("refused")
        except Exception as error:  # anything else is a defect, reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=commit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert outcomes.count("ok") == 10 and outcomes.count("refused") == 10
    with app.app_context():
        line = repo.line(lines["power"])
        assert (line.committed, line.available) == (1_000_000, 0)


def test_commitment_refusals_and_cancel_releases_the_amount(app, lines):
    with app.test_request_context():
        _approved(lines, {"power": 1_000_000})
        with pytest.raises(ServiceError, match="잔액은 1,000,000원뿐"):
            execution.commit(lines["power"], date(Y, 3, 2), "한전", "전기요금", 1_000_001)
        with pytest.raises(ServiceError, match="0 이상의 원 단위"):
            execution.commit(lines["power"], date(Y, 3, 2), "한전", "전기요금", -5)
        with pytest.raises(ServiceError):
            execution.commit(lines["power"], date(Y, 3, 2), "한전", "전기요금", 10.5)
        with pytest.raises(ServiceError, match="예산연도"):
            execution.commit(lines["power"], date(Y + 1, 1, 2), "한전", "전기요금", 10)
        commitment = execution.commit(lines["power"], date(Y, 3, 2), "한전", "전기요금", 700_000)
        assert commitment.number == f"{Y}-CM-000001"
        with pytest.raises(ServiceError, match="지출결의된 건만"):
            execution.pay(commitment.id, date(Y, 3, 3))  # a step out of order
        assert repo.line(lines["power"]).available == 300_000
        execution.approve(commitment.id)  # 결재 of the commitment
        execution.resolve(commitment.id, date(Y, 3, 3))
        execution.cancel(commitment.id)  # back to a commitment
        assert repo.commitment(commitment.id).status == "committed"
        execution.cancel(commitment.id)  # cancelled: the amount is free again
        assert repo.line(lines["power"]).available == 1_000_000
        with pytest.raises(ServiceError, match="취소할 수 없습니다"):
            execution.cancel(commitment.id)


def _accounting_entries():
    return db.session.execute(sa.select(JournalEntry).where(JournalEntry.source.like("budget:payment:%"))).scalars().all()


def test_payment_posts_exactly_one_entry_even_when_the_relay_runs_twice_or_is_interrupted(app, lines, monkeypatch):
    with app.test_request_context():
        _approved(lines, {"power": 5_000_000, "chem": 5_000_000})
        first = execution.commit(lines["power"], date(Y, 3, 2), "한국전력공사", "3월 전기요금", 1_234_560)
        execution.approve(first.id)  # 결재 of the commitment
        execution.resolve(first.id, date(Y, 3, 20))
        execution.approve(first.id)  # 결재 of the resolution
        execution.pay(first.id, date(Y, 3, 25))  # the relay job delivers it once the payment commits
        assert execution.relay() == (0, 0)  # the relay run again (every minute): nothing more
        entries = _accounting_entries()
        assert len(entries) == 1
        assert {(l.account.code, l.debit, l.credit) for l in entries[0].lines} == {("5208", 1_234_560, 0), ("1111", 0, 1_234_560)}
        assert repo.outbox_by_key(f"budget:payment:{first.number}").result_ref == entries[0].number

        # Interrupted: the entry is posted, then the process dies before the outbox row is marked.
        second = execution.commit(lines["chem"], date(Y, 4, 2), "(주)한빛화학", "응집제", 880_000)
        execution.approve(second.id)  # 결재 of the commitment
        execution.resolve(second.id, date(Y, 4, 10))

        def die(model, row_id, number):
            raise RuntimeError("killed after posting")

        monkeypatch.setattr(outbox, "mark_delivered", die)
        execution.approve(second.id)  # 결재 of the resolution
        execution.pay(second.id, date(Y, 4, 10))  # its relay job dies after posting
        monkeypatch.undo()
        db.session.expire_all()
        assert repo.outbox_by_key(f"budget:payment:{second.number}").status == "pending"
        assert execution.relay() == (1, 0)
        assert len(_accounting_entries()) == 2  # the second payment once, not twice
        line = repo.line(lines["chem"])
        assert (line.committed, line.paid) == (880_000, 880_000)


def _resolved(lines, amount=100_000):
    commitment = execution.commit(lines["power"], date(Y, 5, 2), "한전", "5월 전기요금", amount)
    execution.approve(commitment.id)  # 결재 of the commitment
    execution.resolve(commitment.id, date(Y, 5, 20))
    execution.approve(commitment.id)  # 결재 of the resolution
    return commitment


def test_a_payment_dated_in_a_locked_month_is_refused_at_the_source(app, lines):
    from plugins.accounting.services import closing

    with app.test_request_context():
        _approved(lines, {"power": 5_000_000})
        commitment = _resolved(lines)
        closing.set_locked(Y, 5, True)
        with pytest.raises(ServiceError, match="장부가 잠겨") as refused:
            execution.pay(commitment.id, date(Y, 5, 20))
        assert "paid_on" in refused.value.errors
        db.session.expire_all()
        assert repo.commitment(commitment.id).status == "resolved"  # nothing paid, nothing owed
        assert repo.line(lines["power"]).paid == 0
        assert repo.outbox_by_key(f"budget:payment:{commitment.number}") is None
        execution.pay(commitment.id, date(Y, 6, 1))  # an open date: paid and posted
        assert repo.outbox_by_key(f"budget:payment:{commitment.number}").status == "delivered"


def test_a_refused_posting_is_shown_and_reposted_on_an_open_date_with_approval(app, lines, make_user, monkeypatch):
    from plugins.accounting.services import closing

    make_user("officer", roles=["budget_officer"])
    make_user("chief", roles=["chief_accountant"])
    make_user("chief2", roles=["chief_accountant"])
    make_user("admin1", roles=["sysadmin"])
    with app.test_request_context():
        _approved(lines, {"power": 5_000_000})
        commitment = _resolved(lines)
        closing.set_locked(Y, 5, True)
        # Accounting was out of reach when the payment was made (split mode): the source could not
        # ask, so the payment went through and the relay meets the lock.
        monkeypatch.setattr(execution, "_books_open", lambda on: True)
        execution.pay(commitment.id, date(Y, 5, 20))
        row = repo.outbox_by_key(f"budget:payment:{commitment.number}")
        assert row.status == "refused" and "잠긴 기간" in row.last_error and row.attempts == 1
        assert execution.relay() == (0, 0)  # refused is not retried for ever
        assert row.attempts == 1
        closing.set_locked(Y, 6, True)
        row_id, number = row.id, commitment.number
    url = f"/ops/outbox/budget_outbox/{row_id}"

    def signed_in(username):
        user_client = app.test_client()
        login(user_client, username)
        return user_client

    client = signed_in("admin1")
    ops = client.get("/ops/").get_data(as_text=True)
    assert f"budget:payment:{number}" in ops and "잠긴 기간" in ops and url in ops

    client = signed_in("officer")
    page = client.get(f"/budget/execution/{commitment.id}").get_data(as_text=True)
    assert "거부" in page and "잠긴 기간" in page and url in page
    assert url in client.get(f"/budget/execution?year={Y}").get_data(as_text=True)
    locked = post_form(client, url + "/repost", {"repost_on": f"{Y}-06-03"}, page=url)
    assert locked.status_code == 422 and f"{Y}-06-03" in locked.get_data(as_text=True)  # June is locked too
    asked = post_form(client, url + "/repost", {"repost_on": f"{Y}-07-01"}, page=url, follow=True)
    assert "승인" in asked.get_data(as_text=True)
    denied = post_form(client, url + "/approve", {}, page=url, follow=True)  # the officer may not approve
    assert "권한" in denied.get_data(as_text=True)

    client = signed_in("chief")
    post_form(client, url + "/repost", {"repost_on": f"{Y}-07-02"}, page=url)  # the chief asks himself …
    own = post_form(client, url + "/approve", {}, page=url, follow=True)
    assert "직무 분리" in own.get_data(as_text=True)  # … so he may not approve it

    client = signed_in("chief2")
    done = post_form(client, url + "/approve", {}, page=url, follow=True).get_data(as_text=True)
    assert "전표" in done or "posted" in done
    with app.app_context():
        row = db.session.get(Outbox, row_id)
        assert row.status == "delivered" and row.repost_approved_by == "chief2"
        entries = _accounting_entries()
        assert len(entries) == 1 and entries[0].entry_date == date(Y, 7, 2)
        assert {(l.account.code, l.debit, l.credit) for l in entries[0].lines} == {("5208", 100_000, 0), ("1111", 0, 100_000)}
        assert execution.relay() == (0, 0)
    assert url not in signed_in("admin1").get("/ops/").get_data(as_text=True)


def test_year_end_carries_explicit_and_unpaid_amounts_into_next_year(app, lines):
    with app.test_request_context():
        _approved(lines, {"power": 10_000_000, "chem": 4_000_000})
        paid = execution.commit(lines["power"], date(Y, 3, 2), "한전", "전기요금", 3_000_000)
        execution.approve(paid.id)  # 결재 of the commitment
        execution.resolve(paid.id, date(Y, 3, 3))
        execution.approve(paid.id)  # 결재 of the resolution
        execution.pay(paid.id, date(Y, 3, 3))
        unpaid = execution.commit(lines["power"], date(Y, 11, 2), "(주)전기공사", "수배전반 교체", 2_500_000)
        carry = yearend.request_explicit(lines["chem"], 1_500_000, "약품 비축 계약 지연")
        yearend.approve_explicit(carry.id)
        yearend.process(Y)
        rows = {r.line.code: r for r in yearend.lapse_report(Y)}
        power_row, chem_row = rows[repo.line(lines["power"]).code], rows[repo.line(lines["chem"]).code]
        assert (power_row.budget, power_row.paid, power_row.accident, power_row.lapsed) == (10_000_000, 3_000_000, 2_500_000, 4_500_000)
        assert (chem_row.explicit, chem_row.lapsed) == (1_500_000, 2_500_000)
        next_power = repo.line_by_code(Y + 1, repo.line(lines["power"]).code)
        next_chem = repo.line_by_code(Y + 1, repo.line(lines["chem"]).code)
        assert (next_power.current_amount, next_power.committed) == (2_500_000, 2_500_000)
        assert next_chem.current_amount == 1_500_000 and next_chem.project.department_code == "WS-PUR"
        assert repo.commitment(unpaid.id).line_id == next_power.id  # the contract is paid next year
        with pytest.raises(ServiceError, match="마감"):
            execution.commit(lines["power"], date(Y, 12, 20), "한전", "전기요금", 10)
        with pytest.raises(ServiceError, match="이미 끝났습니다"):
            yearend.process(Y)


@pytest.mark.skipif(TEST_DB != "mariadb", reason="SQLite lets no other writer in while a transaction is open")
def test_a_year_closed_by_someone_else_during_a_commitment_is_given_as_the_reason(app, lines, database_url):
    with app.test_request_context():
        _approved(lines, {"power": 1_000_000})
        repo.line(lines["power"])  # the official's transaction has begun: MariaDB's snapshot is taken
        other = sa.create_engine(database_url)
        with other.begin() as conn:  # meanwhile the budget office closes the year
            conn.execute(sa.text("INSERT INTO budget_year_end (year, processed_by, processed_at) "
                                 "VALUES (:year, 'office', :now)"), {"year": Y, "now": datetime(Y + 1, 1, 5)})
        other.dispose()
        with pytest.raises(ServiceError, match="마감"):
            execution.commit(lines["power"], date(Y, 12, 20), "한전", "전기요금", 10)
        assert repo.line(lines["power"]).committed == 0


def test_mid_term_plan_grows_this_years_budget(app, lines):
    with app.test_request_context():
        _approved(lines, {"power": 10_000_000, "water": 50_000_000})
        midterm.set_growth(Y, "revenue", "3.5")
        years, rows = midterm.plan(Y)
        assert years == [Y + 1, Y + 2, Y + 3, Y + 4, Y + 5]
        power = next(r for r in rows if r.line.id == lines["power"])
        assert power.years[0] == 10_350_000 and power.years[1] == 10_712_000  # 10,712,250 → whole thousands
        with pytest.raises(ServiceError):
            midterm.set_growth(Y, "revenue", "abc")


def test_budget_settlement_joins_the_accounting_settlement_report(app, lines, client, make_user):
    make_user("auditor1", roles=["auditor"])
    with app.test_request_context():
        _approved(lines, {"power": 5_000_000})
        c = execution.commit(lines["power"], date(Y, 3, 2), "한전", "전기요금", 1_000_000)
        execution.approve(c.id)  # 결재 of the commitment
        execution.resolve(c.id, date(Y, 3, 3))
        execution.approve(c.id)  # 결재 of the resolution
        execution.pay(c.id, date(Y, 3, 3))
        execution.relay()
        section = reports.settlement_section(Y)
        assert section.sections[1][2] == [5_000_000, 1_000_000, 4_000_000]
    login(client, "auditor1")
    pdf = client.get(f"/accounting/reports/settlement?year={Y}&format=pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    assert "예산결산" in text and "4,000,000" in text


def test_budget_pages_and_printouts(app, lines, client, make_user):
    make_user("officer", roles=["budget_officer"])
    with app.test_request_context():
        version_id = _approved(lines, {"power": 12_345_678}).id
    login(client, "officer")
    html = client.get(f"/budget/?year={Y}").get_data(as_text=True)
    assert "12,345,678" in html
    book = client.get(f"/budget/versions/{version_id}?print=book&format=pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(book.data)).pages)
    assert "예산서" in text and "단위: 천원" in text and "12,345" in text
    assert client.get(f"/budget/versions/{version_id}?format=xlsx").data[:2] == b"PK"
    for url in ["/budget/?year=abc", "/budget/?year=99999", "/budget/versions/99999999999999", "/budget/execution?page=-1",
                f"/budget/midterm?year={Y}&format=pdf", f"/budget/year-end?year={Y}&format=xlsx", f"/budget/revenue?year={Y}"]:
        assert client.get(url).status_code < 500, url
    bad = post_form(client, f"/budget/execution?year={Y}", {"line_id": str(lines["power"]), "committed_on": f"{Y}-03-02",
                                                            "vendor": "한전", "description": "요금", "amount": "1,000.5"})
    assert "0 이상의 원 단위 금액" in bad.get_data(as_text=True)
    over = post_form(client, f"/budget/execution?year={Y}", {"line_id": str(lines["power"]), "committed_on": f"{Y}-03-02",
                                                             "vendor": "한전", "description": "요금", "amount": "99,000,000"})
    assert "잔액은 12,345,678원뿐" in over.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Outbox)).scalar_one() == 0


@pytest.mark.parametrize("price, quantity", [("1e13", "1"), ("100", "1e11"), ("-5", "1"), ("abc", "1"), ("NaN", "1"), ("Infinity", "1")])
def test_an_absurd_calculation_basis_is_refused_cleanly(app, lines, price, quantity):
    with app.test_request_context():
        version = compilation.open_version(Y)
        with pytest.raises(ServiceError):
            compilation.add_basis(version.id, lines["power"], "과다", price, quantity, 1)
        assert repo.bases(version.id) == []
