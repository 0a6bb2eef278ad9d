"""Logging in and out, lockout, idle timeout, CSRF, permissions, and user administration."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, csrf_from, login, post_form

from erp.auth import services
from erp.auth.access import access_of
from erp.auth.models import User
from erp.auth.passwords import policy_errors
from erp.common.clock import utcnow
from erp.extensions import db


def test_login_shows_the_korean_navigation_and_logout_ends_the_session(client, make_user):
    make_user("kim", roles=["sysadmin"], name="김관리")
    response = login(client, "kim", follow=True)
    html = response.get_data(as_text=True)
    assert "김관리" in html
    assert "사용자" in html and "감사 로그" in html  # the administration menu, in Korean
    token = csrf_from(html)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "로그아웃되었습니다" in out.get_data(as_text=True)
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_is_refused_with_a_generic_message(client, make_user):
    make_user("kim", roles=["auditor"])
    html = login(client, "kim", "Wrong-password-1", follow=True).get_data(as_text=True)
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in html
    assert client.get("/").status_code == 302
    unknown = login(client, "nobody", "Wrong-password-1", follow=True).get_data(as_text=True)
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in unknown


def test_five_failures_lock_the_account_for_fifteen_minutes_then_it_opens(app, client, make_user, monkeypatch):
    make_user("kim", roles=["auditor"])
    for _ in range(4):
        login(client, "kim", "Wrong-password-1")
    html = login(client, "kim", "Wrong-password-1", follow=True).get_data(as_text=True)
    assert "연속 5회 실패하면 계정이 15분 동안 잠깁니다" in html
    # Even the right password is refused while locked (with the message an unknown user gets).
    html = login(client, "kim", PASSWORD, follow=True).get_data(as_text=True)
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in html
    assert client.get("/").status_code == 302
    with app.app_context():
        from erp.extensions import db

        assert db.session.execute(sa.select(User.locked_until).where(User.username == "kim")).scalar_one() is not None

    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    response = login(client, "kim", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_administrator_unlocks_a_locked_account(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    user_id = make_user("kim", roles=["auditor"])
    other = app.test_client()
    for _ in range(5):
        login(other, "kim", "Wrong-password-1")
    login(client, "admin")
    post_form(client, f"/admin/users/{user_id}/unlock", {}, page=f"/admin/users/{user_id}")
    assert login(other, "kim").headers["Location"] == "/"


def _later(monkeypatch, minutes):
    from erp.auth import session_timeout

    now = time.time() + minutes * 60
    monkeypatch.setattr(session_timeout, "clock", lambda: now)


def test_idle_session_is_logged_out_with_a_message_and_an_audit_record(app, client, make_user, monkeypatch):
    make_user("kim", roles=["auditor"])
    login(client, "kim")
    assert client.get("/").status_code == 200
    _later(monkeypatch, 31)
    response = client.get("/", follow_redirects=True)
    assert "30분 동안 사용하지 않아 로그아웃되었습니다" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    from erp.audit.services import recent

    with app.app_context():
        assert recent(1)[0].summary == "kim: idle timeout"


def test_activity_within_the_idle_limit_keeps_the_session(client, make_user, monkeypatch):
    make_user("kim", roles=["auditor"])
    login(client, "kim")
    _later(monkeypatch, 29)
    assert client.get("/").status_code == 200
    _later(monkeypatch, 29 + 29)  # each request restarts the idle clock
    assert client.get("/").status_code == 200


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    response = client.post("/admin/departments/new", data={"code": "X1", "name": "무단부서", "active": "y"})
    assert response.status_code == 400
    assert "보안 토큰" in response.get_data(as_text=True)
    with app.app_context():
        assert services.list_departments() == []


def test_login_form_needs_csrf_too(client, make_user):
    make_user("kim", roles=["auditor"])
    response = client.post("/login", data={"username": "kim", "password": PASSWORD})
    assert response.status_code == 400


def test_missing_permission_gives_403(client, make_user):
    make_user("reader1", roles=["meter_reader"])
    login(client, "reader1")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "권한이 없습니다" in response.get_data(as_text=True)
    assert client.get("/admin/audit/").status_code == 403


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/users")


def test_every_view_declares_its_access_rule(app):
    undeclared = [
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not endpoint.endswith(".static") and access_of(view) is None
    ]
    assert undeclared == []


@pytest.mark.parametrize("password, ok", [
    ("Abcdefg1!", True),      # 9 characters, 4 kinds
    ("abcdefg12", False),     # 9 characters, 2 kinds
    ("abcdefgh12", True),     # 10 characters, 2 kinds
    ("abcdefghij", False),    # 10 characters, 1 kind
    ("Abcde1!", False),       # too short
    ("Kim-Water-12", False),  # contains the user name
])
def test_password_policy(app, password, ok):
    with app.test_request_context():
        assert (policy_errors(password, "kim") == []) is ok


def test_administrator_creates_a_user_with_a_role_through_the_form(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    with app.app_context():
        auditor = next(r for r in services.list_roles() if r.code == "auditor")
        dept = services.save_department(None, code="WS", name="상수도사업소")
        dept_id, auditor_id = dept.id, auditor.id
    response = post_form(client, "/admin/users/new", {
        "username": "park", "name": "박감사", "email": "", "department_id": str(dept_id),
        "roles": [str(auditor_id)], "password": "Audit-2026!", "confirm": "Audit-2026!",
    }, follow=True)
    assert "park" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.username == "park")).scalar_one()
        assert user.name == "박감사" and user.department.name == "상수도사업소"
        assert [r.code for r in user.roles] == ["auditor"]


def test_a_weak_password_is_refused_on_the_form_and_nothing_is_created(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    response = post_form(client, "/admin/users/new", {
        "username": "park", "name": "박", "department_id": "", "password": "short", "confirm": "short",
    })
    assert response.status_code == 200
    assert "9자 이상" in response.get_data(as_text=True)
    with app.app_context():
        assert services.find_user("park") is None


def test_duplicate_user_name_is_refused(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    response = post_form(client, "/admin/users/new", {
        "username": "admin", "name": "또관리", "department_id": "", "password": "Another-2026", "confirm": "Another-2026",
    })
    assert "이미 사용 중인" in response.get_data(as_text=True)


def test_role_permissions_can_be_changed_and_take_effect(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    make_user("reader1", roles=["meter_reader"])
    login(client, "admin")
    with app.app_context():
        role = next(r for r in services.list_roles() if r.code == "meter_reader")
        role_id, perms = role.id, sorted(role.permission_codes)
    post_form(client, f"/admin/roles/{role_id}", {"code": "meter_reader", "name": "Meter reader",
                                                   "description": "", "permissions": perms + ["core.audit"]})
    reader = app.test_client()
    login(reader, "reader1")
    assert reader.get("/admin/audit/").status_code == 200


def test_a_department_cannot_be_placed_under_itself(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    with app.app_context():
        top = services.save_department(None, code="WS", name="상수도사업소")
        child = services.save_department(None, code="WS-1", name="요금과", parent_id=top.id)
        top_id, child_id = top.id, child.id
    response = post_form(client, f"/admin/departments/{top_id}", {"code": "WS", "name": "상수도사업소",
                                                                   "parent_id": str(child_id), "active": "y"})
    assert "자기 자신의 하위" in response.get_data(as_text=True)
    with app.app_context():
        assert services.get_department(top_id).parent_id is None


def test_own_password_change_needs_the_current_password(app, client, make_user):
    make_user("kim", roles=["auditor"])
    login(client, "kim")
    bad = post_form(client, "/account/password", {"current": "nope-nope-1", "password": "New-Password-26", "confirm": "New-Password-26"})
    assert "현재 비밀번호가 올바르지 않습니다" in bad.get_data(as_text=True)
    post_form(client, "/account/password", {"current": PASSWORD, "password": "New-Password-26", "confirm": "New-Password-26"})
    assert login(app.test_client(), "kim", "New-Password-26").headers["Location"] == "/"


def test_open_redirect_after_login_is_refused(client, make_user):
    make_user("kim", roles=["auditor"])
    page = client.get("/login?next=//evil.example/")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login?next=//evil.example/", data={"username": "kim", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_parallel_wrong_passwords_all_count_towards_the_lock(app, make_user):
    import threading

    make_user("kim", roles=["auditor"])
    clients = [app.test_client() for _ in range(8)]
    tokens = [csrf_from(c.get("/login").get_data(as_text=True)) for c in clients]
    barrier = threading.Barrier(len(clients))

    def attempt(c, token):
        barrier.wait(timeout=30)
        c.post("/login", data={"username": "kim", "password": "Wrong-password-1", "csrf_token": token})

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with app.app_context():
        user = services.find_user("kim")
        # Every attempt counted until the lock (later ones are refused as locked): none was lost.
        assert user.failed_logins >= 5 and user.locked_until is not None


def test_a_new_password_ends_the_other_sessions(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    kim_id = make_user("kim", roles=["auditor"])
    kim = app.test_client()
    login(kim, "kim")
    assert kim.get("/").status_code == 200
    login(client, "admin")
    post_form(client, f"/admin/users/{kim_id}/password", {"pw-password": "Fresh-Pass-2026", "pw-confirm": "Fresh-Pass-2026"},
              page=f"/admin/users/{kim_id}")
    assert kim.get("/").status_code == 302  # the old session is over


def test_changing_ones_own_password_keeps_one_logged_in(client, make_user):
    make_user("kim", roles=["auditor"])
    login(client, "kim")
    post_form(client, "/account/password", {"current": PASSWORD, "password": "New-Password-26", "confirm": "New-Password-26"})
    assert client.get("/").status_code == 200


def test_a_deactivated_users_session_ends(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    kim_id = make_user("kim", roles=["auditor"])
    kim = app.test_client()
    login(kim, "kim")
    with app.app_context():
        services.update_user(kim_id, name="kim", email="", department_id=None, role_ids=[], active=False)
    assert kim.get("/").status_code == 302


def test_an_administrator_cannot_take_administration_away_from_himself(app, client, make_user):
    admin_id = make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    response = post_form(client, f"/admin/users/{admin_id}", {"name": "admin", "email": "", "department_id": "", "active": "y"})
    assert "관리 권한이 없어집니다" in response.get_data(as_text=True)
    with app.app_context():
        assert [r.code for r in services.get_user(admin_id).roles] == ["sysadmin"]


def test_malformed_urls_and_parameters_never_give_a_server_error(client, make_user):
    make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    for url in ["/admin/users?page=99999999999999999999", "/admin/users?page=-3", "/admin/users/99999999999999999999",
                "/admin/roles/99999999999999999999", "/admin/departments/99999999999999999999",
                "/admin/audit/99999999999999999999999", "/admin/audit/?from=0001-01-01", "/admin/audit/?to=9999-12-31",
                "/admin/audit/export.xlsx?from=0001-01-01", "/admin/codes/%00", "/admin/codes/BANK?edit=99999999999999999999",
                "/lang/xx"]:
        response = client.get(url)
        assert response.status_code < 500, url
