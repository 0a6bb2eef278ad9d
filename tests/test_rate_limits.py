"""Rate limits that hold: Flask-Limiter with counters shared by every worker and replica (the
database here, Redis when configured), atomic under parallel requests, per address and per target,
answered with a Korean page for browsers and JSON for APIs."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from conftest import csrf_from, login
from gunicorn_support import gunicorn

FILING = {"type_code": "QUESTION", "title": "요금 문의", "body": "요금 산정 기준을 알려 주세요.", "name": "김민수",
          "agree": "y"}


def _file_form(client, phone, address):
    page = client.get("/complaints/new", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/complaints/new", data={**FILING, "phone": phone, "csrf_token": csrf_from(page)},
                       environ_base={"REMOTE_ADDR": address})


def test_parallel_filings_from_one_address_through_two_gunicorn_workers_let_exactly_the_limit_through(tmp_path, database_url):
    """24 filings at once from one address, through a real gunicorn with two worker processes of
    four threads each: exactly 5 (ERP_RATELIMIT_COMPLAINT_FILING) are filed, 19 get a 429."""
    with gunicorn(tmp_path, database_url, workers=2) as url:
        browsers = [requests.Session() for _ in range(24)]
        forms = []
        for number, browser in enumerate(browsers):
            page = browser.get(f"{url}/complaints/new", timeout=30)
            forms.append({**FILING, "phone": f"010-3000-{number:04d}", "csrf_token": csrf_from(page.text)})

        def file(index):
            return browsers[index].post(f"{url}/complaints/new", data=forms[index], allow_redirects=False, timeout=60)

        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(file, range(24)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [302] * 5 + [429] * 19, codes
    assert all("/complaints/receipt" in a.headers["Location"] for a in answers if a.status_code == 302)
    refused = next(a for a in answers if a.status_code == 429)
    assert "짧은 시간에 요청이 너무 많습니다" in refused.text and refused.headers["Content-Type"].startswith("text/html")
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM complaints_complaint")).scalar_one() == 5
    finally:
        engine.dispose()


def test_spreading_look_ups_over_addresses_gains_nothing_on_one_receipt_number(client):
    """Ten look-ups of one receipt number (ERP_RATELIMIT_COMPLAINT_LOOKUP) from ten addresses use
    up that number's budget: the eleventh, from a fresh address, is refused."""
    page = client.get("/complaints/status").get_data(as_text=True)
    token = csrf_from(page)
    for n in range(10):
        answer = client.post("/complaints/status", data={"receipt_no": "2026-MW-000123", "phone": f"010-1111-{n:04d}",
                                                         "csrf_token": token}, environ_base={"REMOTE_ADDR": f"10.9.0.{n}"})
        assert answer.status_code == 200 and "일치하는 민원이 없습니다" in answer.get_data(as_text=True)
    answer = client.post("/complaints/status", data={"receipt_no": "2026-mw-000123", "phone": "010-1111-9999",
                                                     "csrf_token": token}, environ_base={"REMOTE_ADDR": "10.9.1.1"})
    assert answer.status_code == 429
    assert "요청이 너무 많습니다" in answer.get_data(as_text=True)
    # Another receipt number from a fresh address is still answered.
    other = client.post("/complaints/status", data={"receipt_no": "2026-MW-000124", "phone": "010-1111-9999",
                                                    "csrf_token": token}, environ_base={"REMOTE_ADDR": "10.9.1.2"})
    assert other.status_code == 200


def test_one_address_is_limited_across_receipt_numbers(client):
    token = csrf_from(client.get("/complaints/status").get_data(as_text=True))
    codes = [client.post("/complaints/status", data={"receipt_no": f"2026-MW-{n:06d}", "phone": "010-1111-2222",
                                                     "csrf_token": token}).status_code for n in range(11)]
    assert codes == [200] * 10 + [429]


def test_filings_with_one_phone_number_are_limited_over_addresses(client):
    codes = [_file_form(client, "010-4444-5555", f"10.8.0.{n}").status_code for n in range(6)]
    assert codes == [302] * 5 + [429]
    assert _file_form(client, "010-4444-6666", "10.8.1.1").status_code == 302


def test_login_attempts_are_limited_per_address_and_per_user_name(client, make_user):
    make_user("kim", roles=["auditor"])
    codes = [login(client, "kim", "Wrong-password-1").status_code for _ in range(11)]
    assert codes[-1] == 429 and 429 not in codes[:10]
    # From other addresses the user name has spent its budget too.
    page = client.get("/login", environ_base={"REMOTE_ADDR": "10.7.0.1"}).get_data(as_text=True)
    answer = client.post("/login", data={"username": "KIM", "password": "x", "csrf_token": csrf_from(page)},
                         environ_base={"REMOTE_ADDR": "10.7.0.1"})
    assert answer.status_code == 429


def test_apis_are_answered_429_in_json(app_factory):
    app = app_factory(ERP_RATELIMIT_QUOTE="3 per minute")
    client = app.test_client()
    codes = [client.post("/api/rates/quote", json={}).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    answer = client.post("/api/rates/quote", json={})
    assert answer.status_code == 429 and answer.is_json
    assert answer.get_json()["status"] == 429 and "요청이 너무 많습니다" in answer.get_json()["error"]
    readings = [client.post("/api/rates/readings", json={}).status_code for _ in range(3)]
    assert 429 not in readings  # each API has its own budget


def test_every_public_page_shares_a_budget_per_address_but_officials_are_not_counted(app_factory, make_user):
    app = app_factory(ERP_RATELIMIT_PUBLIC="5 per minute")
    client = app.test_client()
    codes = [client.get(path).status_code for path in ("/login", "/complaints/new", "/complaints/status",
                                                       "/rates/calculator", "/login", "/complaints/new")]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    assert client.get("/static/css/erp.css").status_code == 200  # files are not counted
    assert client.get("/healthz").status_code == 200
    make_user("kim", roles=["auditor"])
    official = app.test_client()
    with app.app_context():
        from erp.web.limits import RateLimitWindow
        from erp.extensions import db

        db.session.execute(sa.delete(RateLimitWindow))
        db.session.commit()
    login(official, "kim")
    assert all(official.get("/").status_code == 200 for _ in range(10))


def test_service_calls_on_a_port_are_not_counted_against_the_public_budget_nor_given_a_session(app_factory):
    """In split, one service calls another's port many times a minute from one address: those
    calls carry a service token, not a browser's cookie, so the citizens' budget per address does
    not refuse them and no session is stored for them — while a citizen from the same address is
    still limited."""
    import json
    from datetime import date

    from erp.auth.models import LoginSession
    from erp.extensions import db
    from erp.ports import encode_call
    from erp.ports.tokens import Claims, body_digest, issue

    key = "k" * 40
    app = app_factory(ERP_RATELIMIT_PUBLIC="5 per minute", ERP_SERVICE_KEY=key, ERP_SERVICE_NAME="accounting")
    client = app.test_client()
    with app.app_context():
        body = json.dumps(encode_call("accounting", "entry_date_is_open", {"day": date(2026, 11, 20)})).encode()

    def call():
        token = issue(key, Claims("rates", None, "system", "", "accounting.entry_date_is_open", body_digest(body)))
        return client.post("/api/accounting/port/entry_date_is_open", data=body,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})

    answers = [call() for _ in range(12)]
    assert [a.status_code for a in answers] == [200] * 12 and answers[0].get_json() == {"result": True}
    assert all("Set-Cookie" not in a.headers for a in answers)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(LoginSession)).scalar() == 0
    assert [client.get("/login").status_code for _ in range(6)][-1] == 429


def test_spent_windows_are_cleaned_up(app, client, monkeypatch):
    from datetime import timedelta

    from erp.auth.tasks import cleanup_job
    from erp.common.clock import utcnow
    from erp.web import limits

    client.get("/login")
    with app.app_context():
        assert re.match(r"0 expired sessions and 0 spent", cleanup_job(None))
        later = utcnow() + timedelta(minutes=2)
        monkeypatch.setattr(limits, "utcnow", lambda: later)
        assert re.search(r"and [1-9]\d* spent rate-limit windows deleted", cleanup_job(None))


# --- request size limits (erp.web.body_limits) ---------------------------------------------------

def test_a_json_api_refuses_a_body_over_64_kb_with_a_json_413(client):
    big = {"customer_no": "x" * (70 * 1024)}
    answer = client.post("/api/rates/quote", json=big)
    assert answer.status_code == 413 and answer.is_json
    assert "64 KB" in answer.get_json()["message"]
    assert client.post("/api/rates/quote", json={"customer_no": "x" * 1000}).status_code == 400  # small: read


def test_batch_apis_accept_larger_bodies_up_to_their_own_limit(app_factory):
    app = app_factory(ERP_MAX_BATCH_MB=1)
    client = app.test_client()
    body = b'{"readings": [' + b",".join([b'{"meter": "M-0001", "at": "2026-11-20", "value": 1234}'] * 3000) + b"]}"
    assert 64 * 1024 < len(body) < 1024 * 1024
    assert client.post("/api/rates/readings", data=body, content_type="application/json").status_code == 401  # read, no token
    huge = body + b" " * (1024 * 1024)
    answer = client.post("/api/rates/readings", data=huge, content_type="application/json")
    assert answer.status_code == 413 and "1 MB" in answer.get_json()["message"]


def test_an_upload_over_the_form_limit_gets_a_clear_korean_page(app_factory):
    from io import BytesIO

    app = app_factory(MAX_CONTENT_LENGTH=1024 * 1024)
    client = app.test_client()
    page = client.get("/complaints/new").get_data(as_text=True)
    data = {**FILING, "phone": "010-2222-3333", "csrf_token": csrf_from(page),
            "attachments": [(BytesIO(b"\x89PNG" + b"0" * (2 * 1024 * 1024)), "사진.png")]}
    answer = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    assert answer.status_code == 413
    html = answer.get_data(as_text=True)
    assert "최대 1 MB" in html and answer.headers["Content-Type"].startswith("text/html")
