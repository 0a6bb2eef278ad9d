"""결재 and 반려: who drafts a document may not approve it (per document type); an approver returns
a document with a reason the drafter sees, and the drafter corrects and resubmits it; the journal
voucher and the expenditure resolution print a 결재란 with the names; list exports."""
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from conftest import login, post_form
from openpyxl import load_workbook
from test_budget import Y, _structure

from erp.audit.services import acting_as
from erp.auth import services as auth
from erp.common.errors import ServiceError
from plugins.accounting.data import PostingLine
from plugins.accounting.services import journal
from plugins.budget.repositories import budget as repo
from plugins.budget.services import compilation, execution, transfers

SEGREGATION = "직접 기안"  # the Korean message names the rule; see the catalogue


@pytest.fixture
def people(app, make_user):
    """A drafter and an approver of each side, with their names as printed on documents."""
    with app.app_context():
        auth.save_department(None, code="WS-SUP", name="급수과")
        auth.save_department(None, code="WS-RATE", name="요금과")
    return {
        "acct": make_user("acct", roles=["accountant"], name="최회계"),
        "chief": make_user("chief", roles=["chief_accountant", "accountant"], name="정출납"),
        "budget": make_user("budget", roles=["budget_officer"], name="이예산"),
        "lead": make_user("lead", roles=["budget_approver", "budget_officer"], name="박승인"),
    }


def _draft_entry(memo="정수장 보수", amount=23_650_000):
    return journal.create_draft(date(Y, 3, 5), memo, [PostingLine("5212", amount, 0, "여과지", "WS-RATE"),
                                                      PostingLine("2111", 0, amount)])


# --- segregation of duties, per document type ---------------------------------------------------

def test_the_drafter_of_a_journal_entry_cannot_approve_it(app, people):
    with app.test_request_context():
        with acting_as(people["chief"], "chief"):
            entry = _draft_entry()
            with pytest.raises(ServiceError, match=SEGREGATION) as refused:
                journal.approve(entry.id)
            assert "전표" in refused.value.message
        assert journal.awaiting_approval()[0].id == entry.id  # still a draft, still waiting
        with acting_as(people["acct"], "acct"):
            other = _draft_entry("검침 통신요금", 1_870_000)
        with acting_as(people["chief"], "chief"):
            assert journal.approve(other.id).status == "posted"


def test_the_requester_of_a_budget_cannot_approve_it(app, people):
    with app.test_request_context():
        lines = _structure()
        version = compilation.open_version(Y)
        with acting_as(people["lead"], "lead"):
            compilation.add_basis(version.id, lines["power"], "전력요금", Decimal(5_000_000), Decimal(1), 1)
            with pytest.raises(ServiceError, match=SEGREGATION) as refused:
                compilation.approve(version.id)
        assert "예산요구" in refused.value.message
        assert repo.version(version.id).status == "compiling"
        with acting_as(people["budget"], "budget"):
            compilation.add_basis(version.id, lines["chem"], "약품", Decimal(1_000_000), Decimal(1), 1)
        with acting_as(people["lead"], "lead"):  # he entered a part of it: still refused
            with pytest.raises(ServiceError, match=SEGREGATION):
                compilation.approve(version.id)


def test_commitment_resolution_and_transfer_each_need_another_official(app, people):
    with app.test_request_context():
        lines = _structure()
        version = compilation.open_version(Y)
        with acting_as(people["budget"], "budget"):
            compilation.add_basis(version.id, lines["power"], "전력요금", Decimal(5_000_000), Decimal(1), 1)
            compilation.add_basis(version.id, lines["chem"], "약품", Decimal(2_000_000), Decimal(1), 1)
        with acting_as(people["lead"], "lead"):
            compilation.approve(version.id)
        with acting_as(people["budget"], "budget"):
            commitment = execution.commit(lines["power"], date(Y, 3, 2), "한국전력공사", "3월 전기요금", 1_234_560)
            with pytest.raises(ServiceError, match=SEGREGATION) as refused:
                execution.approve(commitment.id)
            assert "지출원인행위" in refused.value.message
            with pytest.raises(ServiceError, match="결재된 뒤에"):
                execution.resolve(commitment.id, date(Y, 3, 20))  # not approved yet
        with acting_as(people["lead"], "lead"):
            execution.approve(commitment.id)
            execution.resolve(commitment.id, date(Y, 3, 20))  # the approver drafts the resolution …
            with pytest.raises(ServiceError, match=SEGREGATION) as refused:
                execution.approve(commitment.id)  # … so he may not approve it
            assert "지출결의" in refused.value.message
        with acting_as(people["budget"], "budget"):
            with pytest.raises(ServiceError, match="결재된 뒤에"):
                execution.pay(commitment.id, date(Y, 3, 25))
            execution.approve(commitment.id)
            execution.pay(commitment.id, date(Y, 3, 25))
        assert repo.commitment(commitment.id).status == "paid"

        with acting_as(people["budget"], "budget"):
            transfer = transfers.request(lines["power"], lines["chem"], 100_000, "약품 단가 인상")
            with pytest.raises(ServiceError, match=SEGREGATION) as refused:
                transfers.decide(transfer.id, True)
            assert "이용·전용" in refused.value.message
        with acting_as(people["lead"], "lead"):
            assert transfers.decide(transfer.id, True).status == "approved"


# --- 반려 and resubmission --------------------------------------------------------------------

def test_a_returned_entry_shows_the_reason_to_its_drafter_who_corrects_and_resubmits(app, client, people):
    with app.test_request_context():
        with acting_as(people["acct"], "acct"):
            entry_id = _draft_entry().id
    chief = app.test_client()
    login(chief, "chief")
    detail = f"/accounting/entries/{entry_id}"
    empty = post_form(chief, f"{detail}/return", {"reason": "  "}, page=detail, follow=True)
    assert "반려 사유를 입력하십시오" in empty.get_data(as_text=True)
    post_form(chief, f"{detail}/return", {"reason": "부서 코드가 틀렸습니다 (요금과 아님)"}, page=detail)
    refused = post_form(chief, f"{detail}/approve", {}, page=detail, follow=True).get_data(as_text=True)
    assert "재상신" in refused and "결재 대기" not in refused

    login(client, "acct")
    page = client.get(detail).get_data(as_text=True)
    assert "부서 코드가 틀렸습니다 (요금과 아님)" in page and "정출납" in page
    returned = client.get("/accounting/entries?status=returned").get_data(as_text=True)
    assert "반려" in returned and "정수장 보수" in returned
    edit = f"{detail}/edit"
    form = {"entry_date": f"{Y}-03-05", "memo": "정수장 보수 (수정)",
            "lines-0-account": "5212 수선유지비", "lines-0-debit": "23,650,000", "lines-0-department": "WS-SUP 급수과",
            "lines-1-account": "2111", "lines-1-credit": "23,650,000"}
    saved = post_form(client, edit, form, follow=True).get_data(as_text=True)
    assert "다시 결재를 요청했습니다" in saved
    with app.app_context():
        entry = journal.awaiting_approval()[0]
        assert entry.id == entry_id and not entry.is_returned and entry.lines[0].department_code == "WS-SUP"
    posted = post_form(chief, f"{detail}/approve", {}, page=detail, follow=True).get_data(as_text=True)
    assert "전표를 전기했습니다" in posted


def test_a_returned_transfer_and_commitment_are_resubmitted(app, people):
    with app.test_request_context():
        lines = _structure()
        version = compilation.open_version(Y)
        with acting_as(people["budget"], "budget"):
            compilation.add_basis(version.id, lines["power"], "전력요금", Decimal(5_000_000), Decimal(1), 1)
        with acting_as(people["lead"], "lead"):
            compilation.return_version(version.id, "산출기초가 부족합니다")
            with pytest.raises(ServiceError, match="반려"):
                compilation.approve(version.id)
        with acting_as(people["budget"], "budget"):
            compilation.add_basis(version.id, lines["chem"], "약품", Decimal(2_000_000), Decimal(1), 1)
            compilation.resubmit_version(version.id)
        with acting_as(people["lead"], "lead"):
            compilation.approve(version.id)
        with acting_as(people["budget"], "budget"):
            transfer = transfers.request(lines["power"], lines["chem"], 100_000, "약품 단가 인상")
        with acting_as(people["lead"], "lead"):
            with pytest.raises(ServiceError, match="사유"):
                transfers.return_transfer(transfer.id, "")
            transfers.return_transfer(transfer.id, "금액 근거를 붙이십시오")
        assert repo.transfer(transfer.id).status == "returned"
        assert repo.transfer(transfer.id).return_reason == "금액 근거를 붙이십시오"
        with acting_as(people["budget"], "budget"):
            transfers.resubmit(transfer.id, 80_000, "약품 단가 인상 (견적서 첨부)")
        with acting_as(people["lead"], "lead"):
            assert transfers.decide(transfer.id, True).amount == 80_000

        with acting_as(people["budget"], "budget"):
            commitment = execution.commit(lines["power"], date(Y, 3, 2), "한국전력공사", "전기요금", 500_000)
        with acting_as(people["lead"], "lead"):
            execution.return_to_drafter(commitment.id, "계약서 사본 누락")
        assert repo.commitments_awaiting(Y) == []  # returned: not waiting for the approver
        with acting_as(people["budget"], "budget"):
            execution.resubmit(commitment.id)
        assert [c.id for c in repo.commitments_awaiting(Y)] == [commitment.id]


# --- printouts and exports ---------------------------------------------------------------------

def _pdf_text(data: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_journal_voucher_carries_the_approval_boxes_with_names(app, client, people, tmp_path):
    with app.test_request_context():
        with acting_as(people["acct"], "acct"):
            entry = _draft_entry("정수장 <여과지> & 보수")
        with acting_as(people["chief"], "chief"):
            journal.approve(entry.id)
        entry_id, number = entry.id, entry.number
    login(client, "acct")
    response = client.get(f"/accounting/entries/{entry_id}/voucher.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data, tmp_path, "voucher")
    assert "전표" in text.replace(" ", "")
    for expected in ("결재", "담당", "검토", "최회계", "정출납", number, "정수장 <여과지> & 보수", "23,650,000"):
        assert expected in text, expected


def test_the_expenditure_resolution_carries_the_approval_boxes_with_names(app, client, people, tmp_path):
    with app.test_request_context():
        lines = _structure()
        version = compilation.open_version(Y)
        with acting_as(people["budget"], "budget"):
            compilation.add_basis(version.id, lines["power"], "전력요금", Decimal(5_000_000), Decimal(1), 1)
        with acting_as(people["lead"], "lead"):
            compilation.approve(version.id)
        with acting_as(people["budget"], "budget"):
            commitment = execution.commit(lines["power"], date(Y, 3, 2), "한국전력공사", "3월 전기요금", 1_234_560)
        with acting_as(people["lead"], "lead"):
            execution.approve(commitment.id)
        with acting_as(people["budget"], "budget"):
            execution.resolve(commitment.id, date(Y, 3, 20))
        with acting_as(people["lead"], "lead"):
            execution.approve(commitment.id)
        commitment_id, number = commitment.id, commitment.number
    login(client, "budget")
    response = client.get(f"/budget/execution/{commitment_id}/resolution.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.data, tmp_path, "resolution")
    assert "지출결의서" in text.replace(" ", "")
    for expected in ("결재", "이예산", "박승인", f"{Y}-03-20", number, "한국전력공사", "정수과",
                     "금 백이십삼만사천오백육십원정", "1,234,560"):
        assert expected in text, expected


def test_entries_and_commitments_lists_export_every_row_to_excel(app, client, people):
    with app.test_request_context():
        with acting_as(people["acct"], "acct"):
            for n in range(3):
                _draft_entry(f"보수 {n}", 1_000 * (n + 1))
        lines = _structure()
        version = compilation.open_version(Y)
        with acting_as(people["budget"], "budget"):
            compilation.add_basis(version.id, lines["power"], "전력요금", Decimal(5_000_000), Decimal(1), 1)
        with acting_as(people["lead"], "lead"):
            compilation.approve(version.id)
        with acting_as(people["budget"], "budget"):
            execution.commit(lines["power"], date(Y, 3, 2), "한국전력공사", "3월 전기요금", 1_234_560)
    login(client, "acct")
    response = client.get("/accounting/entries?status=draft&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    memos = [row[2] for row in rows if row[2] and str(row[2]).startswith("보수 ")]
    assert sorted(memos) == ["보수 0", "보수 1", "보수 2"]
    assert any(row[5] == 3_000 for row in rows)
    client = app.test_client()
    login(client, "budget")
    response = client.get(f"/budget/execution?year={Y}&format=xlsx")
    rows = [[cell.value for cell in row] for row in load_workbook(BytesIO(response.data)).active.iter_rows()]
    match = [row for row in rows if row[4] == "한국전력공사"]
    assert match and match[0][6] == 1_234_560 and match[0][3] == "정수과"
    page = client.get(f"/budget/execution?year={Y}").get_data(as_text=True)
    assert "정수과" in page  # department names, not codes, on the list
