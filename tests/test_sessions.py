"""Sessions kept on the server: the cookie is a random id, logout deletes the session (a copied
cookie opens nothing), a login ends after ERP_SESSION_MAX_HOURS however busy, expired sessions
are cleaned up, and a locked account is refused with the message an unknown user gets."""
from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa

from conftest import PASSWORD, csrf_from, login

from erp.auth.models import LoginSession


def _session_rows(app) -> list[str]:
    from erp.extensions import db

    with app.app_context():
        return list(db.session.execute(sa.select(LoginSession.sid)).scalars())


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_the_cookie_holds_only_a_random_id_of_a_session_stored_in_the_database(app, client, make_user):
    make_user("kim", roles=["auditor"], name="김감사")
    login(client, "kim")
    sid = _cookie(client)
    assert len(sid) >= 40 and "kim" not in sid and "." not in sid  # no signed data, just an id
    assert _session_rows(app) == [sid]
    assert "김감사" in client.get("/").get_data(as_text=True)


def test_a_copied_cookie_opens_nothing_after_logout(app, client, make_user):
    make_user("kim", roles=["auditor"], name="김감사")
    login(client, "kim")
    stolen = _cookie(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert "김감사" in thief.get("/").get_data(as_text=True)  # the copy works while the session lives

    out = client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))},
                      follow_redirects=True)
    assert "로그아웃되었습니다" in out.get_data(as_text=True)
    assert stolen not in _session_rows(app)
    answer = thief.get("/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert thief.get("/api/rates/customers/1").status_code in (401, 404)


def test_login_gives_a_new_session_id(app, client, make_user):
    make_user("kim", roles=["auditor"])
    client.get("/login")
    before = _cookie(client)  # the anonymous session that holds the login form's CSRF token
    login(client, "kim")
    after = _cookie(client)
    assert after != before and before not in _session_rows(app)


def test_a_refused_probe_page_leaves_the_browser_logged_in(app, client, make_user):
    """/metrics refused to a browser outside ERP_METRICS_ALLOW renders a 403 page (with a CSRF
    token): its stand-in session must not replace the browser's cookie."""
    make_user("kim", roles=["auditor"], name="김감사")
    client.environ_base["REMOTE_ADDR"] = "10.9.0.7"
    login(client, "kim")
    sid = _cookie(client)
    assert client.get("/metrics").status_code == 403
    assert _cookie(client) == sid and _session_rows(app) == [sid]
    assert "김감사" in client.get("/").get_data(as_text=True)


def test_a_session_is_stored_when_it_changes_not_on_every_request(app, client, make_user, monkeypatch):
    """Each store is a database write: a busy official's session is stored once a minute (when
    the last activity moves), a citizen's only when something in it changes — not per request."""
    from erp.auth import session_timeout, sessions

    stored = []
    upsert = sessions.DatabaseSessionInterface._upsert_session
    monkeypatch.setattr(sessions.DatabaseSessionInterface, "_upsert_session",
                        lambda self, *args: (stored.append(1), upsert(self, *args)))
    citizen = app.test_client()
    citizen.get("/complaints/new")  # the form's CSRF token goes into a new session
    before = len(stored)
    assert [citizen.get(path).status_code for path in ("/complaints/new", "/complaints/status", "/rates/calculator")] == [200, 200, 200]
    assert len(stored) == before == 1

    make_user("kim", roles=["auditor"])
    start = time.time()
    monkeypatch.setattr(session_timeout, "clock", lambda: start)
    login(client, "kim")
    client.get("/")  # the first page shows (and takes out of the session) the login's message
    stored.clear()
    for seconds in (10, 30, 59):
        monkeypatch.setattr(session_timeout, "clock", lambda s=seconds: start + s)
        assert client.get("/").status_code == 200
    assert stored == []
    monkeypatch.setattr(session_timeout, "clock", lambda: start + 61)
    assert client.get("/").status_code == 200
    assert stored == [1]


def test_a_login_ends_after_the_absolute_lifetime_even_when_busy(app_factory, make_user, monkeypatch):
    from erp.auth import session_timeout

    app = app_factory(ERP_SESSION_MAX_HOURS=1)
    client = app.test_client()
    make_user("kim", roles=["auditor"])
    start = time.time()
    monkeypatch.setattr(session_timeout, "clock", lambda: start)
    login(client, "kim")
    for minutes in (20, 40, 59):  # busy: always well within the 30-minute idle limit
        monkeypatch.setattr(session_timeout, "clock", lambda m=minutes: start + m * 60)
        assert client.get("/").status_code == 200
    monkeypatch.setattr(session_timeout, "clock", lambda: start + 61 * 60)
    answer = client.get("/", follow_redirects=True)
    assert "로그인한 지 1시간이 지나 로그아웃되었습니다" in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_expired_sessions_are_deleted_by_the_periodic_cleanup(app, client, make_user, monkeypatch):
    from erp.auth import sessions
    from erp.auth.tasks import cleanup_job
    from erp.common.clock import utcnow

    make_user("kim", roles=["auditor"])
    make_user("lee", roles=["auditor"])
    login(client, "kim")
    other = app.test_client()
    login(other, "lee")
    assert len(_session_rows(app)) == 2
    with app.app_context():
        assert "auth.cleanup" in app.extensions["erp_jobs"].handlers
        assert cleanup_job(None).startswith("0 expired sessions")
        later = utcnow() + timedelta(hours=12, minutes=1)
        monkeypatch.setattr(sessions, "utcnow", lambda: later)
        assert cleanup_job(None).startswith("2 expired sessions")
    assert _session_rows(app) == []
    assert client.get("/").status_code == 302


def test_a_locked_account_and_an_unknown_user_get_the_same_message(client, make_user):
    make_user("kim", roles=["auditor"])
    for _ in range(5):
        login(client, "kim", "Wrong-password-1")

    def message(username, password):
        html = login(client, username, password, follow=True).get_data(as_text=True)
        start = html.index('class="flashes"')
        return html[start:html.index("</div>", start)]

    locked = message("kim", PASSWORD)  # the right password, but the account is locked
    unknown = message("nobody", PASSWORD)
    wrong = message("lee-does-not-exist", "Wrong-password-1")
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in locked
    assert locked == unknown == wrong
    assert client.get("/").status_code == 302


def test_no_remember_me_cookie_is_ever_set(client, make_user):
    make_user("kim", roles=["auditor"])
    response = login(client, "kim")
    assert all("remember_token" not in header for header in response.headers.getlist("Set-Cookie"))


def test_a_session_that_cannot_be_saved_leaves_the_answer_as_it_was(app, client, make_user, monkeypatch):
    """The database goes away while a request runs: its answer stands (here the page; in an
    outage the 503 "try again"), it does not become a bare 500 when the session is saved after it."""
    from erp.auth.sessions import DatabaseSessionInterface

    make_user("kim", roles=["auditor"])
    login(client, "kim")

    def unreachable(*_args, **_kwargs):
        raise sa.exc.OperationalError("UPDATE core_session", {}, ConnectionError("server has gone away"))

    monkeypatch.setattr(DatabaseSessionInterface, "_upsert_session", unreachable)
    answer = client.get("/")
    assert answer.status_code == 200


def test_new_visitors_arriving_together_each_keep_their_session(app):
    """Citizens opening a form at the same moment each get a session that is stored, so each
    one's form is accepted. On MariaDB an UPDATE-then-INSERT of new sessions deadlocked (each
    UPDATE's gap lock blocks the other's INSERT) and the victim's form came back 400 "security
    token missing"; an empty session table puts every new id in the same gap, as in a new site."""
    import threading

    from erp.extensions import db

    for _round in range(5):
        with app.app_context():
            db.session.execute(sa.delete(LoginSession))
            db.session.commit()
        visitors = [app.test_client() for _ in range(8)]
        for number, visitor in enumerate(visitors):  # each from an address of its own, as citizens are
            visitor.environ_base["REMOTE_ADDR"] = f"10.0.{_round}.{number + 1}"
        barrier = threading.Barrier(len(visitors))
        answers: dict[int, int] = {}

        def visit(number, visitor):
            barrier.wait(timeout=30)
            form = visitor.get("/complaints/status")
            posted = visitor.post("/complaints/status", data={
                "csrf_token": csrf_from(form.get_data(as_text=True)), "receipt_no": f"2026-MW-9{_round}{number:04d}",
                "phone": "010-0000-0000"})
            answers[number] = posted.status_code

        threads = [threading.Thread(target=visit, args=pair) for pair in enumerate(visitors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # 200: the form again with "no such complaint" (never 400: the token was in a stored session).
        assert answers == {number: 200 for number in range(len(visitors))}
        assert len(_session_rows(app)) == len(visitors)
