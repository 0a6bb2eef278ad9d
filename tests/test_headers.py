"""Security headers on every response: the Content-Security-Policy (no inline script or style),
no framing, no MIME sniffing, a Referrer-Policy, HSTS when served over HTTPS, and no server
version banner."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from conftest import login
from gunicorn_support import gunicorn
from test_browser import browser_context_args, browser_type_launch_args, live_server  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def _assert_secure_headers(response):
    csp = _csp(response)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login", "/complaints/new", "/static/css/erp.css", "/no-such-page", "/healthz"])
def test_every_kind_of_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    _assert_secure_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_json_api_answers_and_pages_behind_a_login_carry_them_too(client, make_user):
    _assert_secure_headers(client.post("/api/rates/quote", json={"nonsense": True}))
    make_user("kim", roles=["auditor"])
    login(client, "kim")
    home = client.get("/")
    assert home.status_code == 200
    _assert_secure_headers(home)


def test_secure_deployment_sends_hsts_and_secure_httponly_lax_cookies(app_factory, make_user):
    app = app_factory(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    page = client.get("/login", base_url="https://erp.example.org")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_httponly_and_lax_but_not_secure_on_plain_http(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline script"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_carries_inline_script_handlers_or_styles():
    found = []
    for template in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("plugins/*/templates/**/*.html")]:
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                found.append(f"{template.relative_to(ROOT)}: {what}: {match.group(0)!r}")
    assert not found, "\n".join(found)


@pytest.mark.browser
def test_the_browser_refuses_an_inline_script_and_reports_it(app_factory, page):
    """The console watch of the browser tests (tests/test_browser.py) does see a violation: a page
    with an inline script and style is refused both, and Chromium says so."""
    import threading

    from werkzeug.serving import make_server

    from erp.auth.access import public

    app = app_factory()

    @public
    def inline_page():
        return ('<!doctype html><html><body><p id="t" style="color: red">x</p>'
                '<script>document.getElementById("t").textContent = "ran";</script></body></html>')

    app.add_url_rule("/inline-test", "inline_test", inline_page)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        messages = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(f"http://127.0.0.1:{server.server_port}/inline-test")
        page.wait_for_timeout(300)
        assert page.inner_text("#t") == "x"  # the script did not run
        assert any("Content Security Policy" in text and "script-src" in text for text in messages), messages
        assert any("Content Security Policy" in text and "style-src" in text for text in messages), messages
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_gunicorn_names_no_software_or_version(tmp_path, database_url):
    with gunicorn(tmp_path, database_url, workers=1) as url:
        response = requests.get(f"{url}/login", timeout=10)
    assert response.status_code == 200
    assert response.headers.get("Server", "") == "erp"
    _assert_secure_headers(response)


def test_nginx_configurations_hide_the_version():
    for template in (ROOT / "deploy" / "nginx").glob("*.template"):
        assert re.search(r"^\s*server_tokens off;", template.read_text(), re.M), template.name
