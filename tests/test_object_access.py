"""Object-level access: an official acts on the complaints and budget requests of their own
department unless they hold the all-departments permission; a complaint goes only to an
official who handles complaints; a citizen sees only the complaint they proved is theirs."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from conftest import csrf_from, login, post_form

from erp.auth import services as auth
from erp.auth.models import Role, User
from erp.extensions import db
from plugins.budget.repositories import budget as repo
from plugins.budget.services import compilation, structure
from plugins.complaints.models import Complaint, Event
from plugins.complaints.services import complaints as service

Y = 2026
OTHER_DEPARTMENT = "다른 부서(WS-MGT) 소관입니다"


@pytest.fixture
def departments(app):
    with app.app_context():
        return {code: auth.save_department(None, code=code, name=name).id
                for code, name in (("WS-MGT", "경영지원과"), ("WS-SUP", "급수과"), ("WS-PUR", "정수과"))}


@pytest.fixture
def people(app, make_user, departments):
    return {
        "sup_officer": make_user("sup", roles=["complaints_officer"], name="급수담당", department_id=departments["WS-SUP"]),
        "mgt_officer": make_user("mgt", roles=["complaints_officer"], name="경영담당", department_id=departments["WS-MGT"]),
        "coordinator": make_user("head", roles=["complaints_coordinator"], name="총괄담당", department_id=departments["WS-SUP"]),
        "reader": make_user("reader", roles=["meter_reader"], name="검침원", department_id=departments["WS-MGT"]),
    }


def _file(app, code: str) -> tuple[int, str]:
    with app.test_request_context():
        complaint = service.file(code, title="문의", body="내용", name="김민수", phone="010-1234-5678")
        return complaint.id, complaint.receipt_no


def _notes(app, complaint_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.execute(sa.select(Event.text).where(Event.complaint_id == complaint_id, Event.kind == "note")).scalars())


def _act(client, complaint_id: int, action: str, **fields):
    """Post one action of the case page to its own endpoint, its fields under the action's prefix."""
    return post_form(client, f"/complaints/{complaint_id}/{action}", {f"{action}-{k}": v for k, v in fields.items()},
                     page=f"/complaints/{complaint_id}", follow=True).get_data(as_text=True)


def _offers(page: str, complaint_id: int, action: str) -> bool:
    return f'action="/complaints/{complaint_id}/{action}"' in page


def test_an_officer_cannot_note_or_assign_a_complaint_of_another_department(app, client, people):
    question_id, question_no = _file(app, "QUESTION")  # WS-MGT's
    login(client, "sup")
    html = _act(client, question_id, action="note", text="타 부서 메모")
    assert f"민원 {question_no}은(는) {OTHER_DEPARTMENT}" in html
    html = _act(client, question_id, action="assign", user_id=str(people["sup_officer"]))
    assert OTHER_DEPARTMENT in html
    html = _act(client, question_id, action="transfer", department_code="WS-SUP", reason="급수 관련")
    assert OTHER_DEPARTMENT in html
    assert _notes(app, question_id) == []
    with app.app_context():
        row = db.session.get(Complaint, question_id)
        assert (row.status, row.assignee_id, row.department_code) == ("received", None, "WS-MGT")


def test_another_departments_complaint_is_read_only_on_the_page_and_in_the_queue(app, client, people):
    question_id, question_no = _file(app, "QUESTION")  # WS-MGT's
    leak_id, leak_no = _file(app, "LEAK_REPORT")  # WS-SUP's
    login(client, "sup")
    page = client.get(f"/complaints/{question_id}").get_data(as_text=True)
    assert "다른 부서 소관의 민원입니다" in page
    assert not any(_offers(page, question_id, action) for action in ("note", "reply", "assign", "transfer", "refuse"))
    own = client.get(f"/complaints/{leak_id}").get_data(as_text=True)
    assert "다른 부서 소관의 민원입니다" not in own
    assert all(_offers(own, leak_id, action) for action in ("note", "reply", "assign", "transfer", "refuse"))
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in client.get("/complaints/").get_data(as_text=True).split("<tr")[2:]}
    assert "열람만" in rows[question_no] and "열람만" not in rows[leak_no]


def test_an_officer_acts_on_their_own_departments_complaint(app, client, people):
    leak_id, _no = _file(app, "LEAK_REPORT")  # WS-SUP's
    login(client, "sup")
    assert "저장했습니다" in _act(client, leak_id, action="note", text="현장 출동")
    assert _notes(app, leak_id) == ["현장 출동"]


def test_a_complaint_is_assigned_only_to_an_official_who_handles_its_departments_complaints(app, client, people):
    question_id, _no = _file(app, "QUESTION")  # WS-MGT's
    login(client, "mgt")
    page = client.get(f"/complaints/{question_id}").get_data(as_text=True)
    offered = page.split('name="assign-user_id"')[1].split("</select>")[0]
    assert "경영담당" in offered and "총괄담당" in offered
    assert "검침원" not in offered and "급수담당" not in offered  # a meter reader; another department's officer
    html = _act(client, question_id, action="assign", user_id=str(people["reader"]))
    assert "검침원 님은 WS-MGT 부서의 민원을 처리하는 담당자가 아닙니다" in html
    html = _act(client, question_id, action="assign", user_id=str(people["sup_officer"]))
    assert "급수담당 님은 WS-MGT 부서의 민원을 처리하는 담당자가 아닙니다" in html
    with app.app_context():
        assert db.session.get(Complaint, question_id).assignee_id is None
    _act(client, question_id, action="assign", user_id=str(people["coordinator"]))
    with app.app_context():
        assert db.session.get(Complaint, question_id).assignee_name == "총괄담당"


def test_a_coordinator_acts_on_every_departments_complaints(app, client, people):
    question_id, _no = _file(app, "QUESTION")  # WS-MGT's; the coordinator is of WS-SUP
    login(client, "head")
    assert "다른 부서 소관의 민원입니다" not in client.get(f"/complaints/{question_id}").get_data(as_text=True)
    _act(client, question_id, action="note", text="총괄 메모")
    _act(client, question_id, action="assign", user_id=str(people["mgt_officer"]))
    assert _notes(app, question_id) == ["총괄 메모"]
    with app.app_context():
        assert db.session.get(Complaint, question_id).assignee_name == "경영담당"


def test_the_service_refuses_another_department_whatever_page_calls_it(app, people):
    """The rule lives in the service: a call with another department's official logged in is
    refused before anything changes, including a transfer and a reply."""
    from flask_login import login_user

    from erp.common.errors import ServiceError

    question_id, _no = _file(app, "QUESTION")
    with app.test_request_context():
        login_user(db.session.get(User, people["sup_officer"]))
        for action in (lambda: service.transfer(question_id, "WS-SUP", "급수 관련"), lambda: service.reply(question_id, "답변"),
                       lambda: service.close(question_id, "refused", "사유")):
            with pytest.raises(ServiceError, match=re.escape(OTHER_DEPARTMENT)):
                action()
    with app.app_context():
        row = db.session.get(Complaint, question_id)
        assert (row.department_code, row.status, row.reply) == ("WS-MGT", "received", "")


def test_a_citizen_sees_only_the_complaint_they_proved_is_theirs(app, people):
    mine_id, mine_no = _file(app, "QUESTION")
    with app.test_request_context():
        other = service.file("QUESTION", title="남의 민원", body="비밀 내용", name="이웃", phone="010-9999-8888")
        other_no = other.receipt_no
    citizen = app.test_client()
    # Knowing a receipt number is not enough: the page sends the visitor to the look-up.
    assert citizen.get(f"/complaints/status/{other_no}").headers["Location"].endswith("/complaints/status")
    page = citizen.get("/complaints/status").get_data(as_text=True)
    wrong = citizen.post("/complaints/status", data={"receipt_no": other_no, "phone": "010-1234-5678",
                                                      "csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "일치하는 민원이 없습니다" in wrong.get_data(as_text=True)
    assert citizen.get(f"/complaints/status/{other_no}").status_code == 302
    page = citizen.get("/complaints/status").get_data(as_text=True)
    right = citizen.post("/complaints/status", data={"receipt_no": mine_no, "phone": "010-1234-5678",
                                                      "csrf_token": csrf_from(page)}, follow_redirects=True)
    assert mine_no in right.get_data(as_text=True)
    # Proving one complaint opens that one only.
    assert citizen.get(f"/complaints/status/{other_no}").status_code == 302
    assert "비밀 내용" not in citizen.get(f"/complaints/status/{mine_no}").get_data(as_text=True)


# --- budget requests --------------------------------------------------------------------------

@pytest.fixture
def budget(app, make_user, departments):
    with app.test_request_context():
        structure.add_project(Y, "policy", "P1", "안정적 수돗물 공급")
        structure.add_project(Y, "unit", "U11", "시설 운영", "P1")
        structure.add_project(Y, "detail", "D111", "정수장 운영", "U11", "WS-PUR")
        structure.add_project(Y, "detail", "D221", "사업소 운영", "U11", "WS-MGT")
        pur = structure.add_line(Y, part="revenue", side="expenditure", item_code="201", sub_code="02", name="공공운영비",
                                 account_code="5208", project_code="D111")
        mgt = structure.add_line(Y, part="revenue", side="expenditure", item_code="206", sub_code="01", name="일반재료비",
                                 account_code="5209", project_code="D221")
        version = compilation.open_version(Y)
        mgt_basis = compilation.add_basis(version.id, mgt.id, "사무용품", Decimal(100_000), Decimal(1), 12)
        ids = {"pur": pur.id, "mgt": mgt.id, "version": version.id, "mgt_basis": mgt_basis.id, "mgt_code": mgt.code}
    make_user("purclerk", roles=["budget_requester"], name="정수예산", department_id=departments["WS-PUR"])
    make_user("office", roles=["budget_officer"], name="예산실", department_id=departments["WS-MGT"])
    return ids


def _requested(app, version_id: int, line_id: int) -> int:
    with app.app_context():
        row = repo.amount(version_id, line_id)
        return row.requested if row else 0


def _add_basis(client, version_id: int, follow=False, **fields):
    """The basis form posts to its own endpoint; its fields (and its own CSRF token) carry the prefix ``b``."""
    page = f"/budget/versions/{version_id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    data = {"b-csrf_token": token, "csrf_token": token, **{f"b-{k}": v for k, v in fields.items()}}
    return client.post(f"{page}/bases", data=data, follow_redirects=follow)


def _remove_basis(client, version_id: int, basis_id: int, follow=False):
    page = f"/budget/versions/{version_id}"
    return post_form(client, f"{page}/bases/{basis_id}/delete", {}, page=page, follow=follow)


def test_a_department_clerk_enters_requests_for_their_own_lines_only(app, client, budget):
    login(client, "purclerk")
    version = budget["version"]
    page = client.get(f"/budget/versions/{version}").get_data(as_text=True)
    offered = page.split('name="b-line_id"')[1].split("</select>")[0]
    assert "공공운영비" in offered and "일반재료비" not in offered
    # The other department's basis row has no remove button for this clerk.
    assert f'/bases/{budget["mgt_basis"]}/delete"' not in page
    html = _add_basis(client, version, follow=True, line_id=str(budget["pur"]), description="전력비", unit_price="1000000",
                      quantity="1", months="12").get_data(as_text=True)
    assert "산출기초를 추가했습니다" in html
    assert _requested(app, version, budget["pur"]) == 12_000_000
    html = _add_basis(client, version, follow=True, line_id=str(budget["mgt"]), description="끼워넣기", unit_price="5000000",
                      quantity="1", months="1").get_data(as_text=True)
    assert f"예산 과목 {budget['mgt_code']}은(는) 다른 부서(WS-MGT) 소관입니다" in html
    html = _remove_basis(client, version, budget["mgt_basis"], follow=True).get_data(as_text=True)
    assert "다른 부서(WS-MGT) 소관입니다" in html
    assert _requested(app, version, budget["mgt"]) == 1_200_000


def test_the_budget_office_enters_and_withdraws_every_departments_requests(app, client, budget):
    login(client, "office")  # of WS-MGT, with the all-departments permission
    version = budget["version"]
    _add_basis(client, version, line_id=str(budget["pur"]), description="약품비", unit_price="250000", quantity="2", months="1")
    assert _requested(app, version, budget["pur"]) == 500_000
    _remove_basis(client, version, budget["mgt_basis"])
    assert _requested(app, version, budget["mgt"]) == 0


# --- the standard roles on an installation that predates them -------------------------------

def test_an_upgrade_gives_a_new_standard_role_the_permissions_that_name_it(app):
    from erp.cli import run_setup

    with app.app_context():
        role = db.session.execute(sa.select(Role).where(Role.code == "complaints_coordinator")).scalar_one()
        assert role.permission_codes == {"complaints.view", "complaints.handle", "complaints.all_departments"}
        db.session.delete(role)  # as before the upgrade that declared it
        db.session.commit()
        run_setup()
        role = db.session.execute(sa.select(Role).where(Role.code == "complaints_coordinator")).scalar_one()
        assert role.permission_codes == {"complaints.view", "complaints.handle", "complaints.all_departments"}
        officer = db.session.execute(sa.select(Role).where(Role.code == "complaints_officer")).scalar_one()
        assert "complaints.all_departments" not in officer.permission_codes
