"""The application factory, configuration, operations endpoints, logs, errors and language."""
import json
import logging

import sqlalchemy as sa
from conftest import csrf_from, login

from erp import config, create_app
from erp.extensions import db


def test_default_database_is_a_sqlite_file_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{config.INSTANCE_DIR / 'erp.sqlite'}"
    assert app.config["ERP_LOCALE"] == "ko"
    assert app.config["ERP_IDLE_TIMEOUT_MINUTES"] == 30


def test_configuration_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql+pymysql://erp:pw@db:3306/erp?charset=utf8mb4")
    monkeypatch.setenv("ERP_PLUGINS", "accounting,complaints")
    monkeypatch.setenv("ERP_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ERP_IDLE_TIMEOUT_MINUTES", "10")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql+pymysql://erp:pw@db:3306/erp")
    assert sorted(app.extensions["erp"]["plugins"]) == ["accounting", "complaints"]
    assert app.config["ERP_LOGIN_MAX_FAILURES"] == 3
    assert app.config["ERP_IDLE_TIMEOUT_MINUTES"] == 10


def test_bad_number_in_the_environment_gives_a_clear_message(monkeypatch):
    monkeypatch.setenv("ERP_LOGIN_MAX_FAILURES", "five")
    try:
        create_app()
    except RuntimeError as error:
        assert "ERP_LOGIN_MAX_FAILURES must be a whole number" in str(error)
    else:
        raise AssertionError("a non-numeric setting was accepted")


def test_korean_text_round_trips(app):
    from erp.auth import services

    with app.app_context():
        dept = services.save_department(None, code="K1", name="상수도사업소 요금관리과 💧")
        db.session.expire_all()
        assert services.get_department(dept.id).name == "상수도사업소 요금관리과 💧"


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "migrations": "ok"}


def test_readyz_reports_a_schema_behind_the_migrations(app, client):
    from erp import migrating

    with app.app_context():
        [core] = [h for h in migrating.histories() if h.name == "core"]
        [first] = migrating._script(str(core.directory)).get_bases()
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :rev"), {"rev": first})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"].startswith(f"core at {first}, expected ")


def test_readyz_stays_ready_on_a_schema_a_newer_release_migrated(app, client):
    """A rolling update migrates first: the pods of the previous release, which do not know the new
    revision, keep serving until they are replaced; an empty version table is still behind."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dcafe1234'"))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["migrations"].startswith("newer release: core at f00dcafe1234, expected ")
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"].startswith("core at nothing, expected ")


def test_logs_are_json_lines_with_the_request_id(client, capsys):
    response = client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert response.headers["X-Request-ID"] == "abc123"
    client.get("/login", headers={"X-Request-ID": "req42"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "erp.access"]
    assert any(line["request_id"] == "req42" and line["status"] == 200 for line in access)


def test_error_pages_are_in_korean_and_english(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.get_data(as_text=True)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    response = client.get("/no/such/page")
    assert "Page not found" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_an_unexpected_error_gives_a_500_page_not_a_traceback(app_factory, caplog):
    app = app_factory()

    @app.route("/boom")
    def boom():
        raise ZeroDivisionError

    from erp.auth.access import public

    public(boom)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "서버 오류" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_language_switch_returns_to_the_page(client, make_user):
    make_user("kim", roles=["auditor"])
    login(client, "kim")
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/lang/en", data={"csrf_token": token, "next": "/"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Log out" in html and "로그아웃" not in html
    evil = client.post("/lang/ko", data={"csrf_token": token, "next": "https://evil.example/x"})
    assert evil.headers["Location"] == "/"  # never to another site


def test_dates_and_amounts_are_formatted_for_officials(app):
    from datetime import datetime

    with app.test_request_context():
        env = app.jinja_env
        assert env.from_string("{{ 1234567|won }}").render() == "1,234,567"
        # Stored UTC, shown in Korea's time: 2026-11-21 16:30 UTC is 2026-11-22 01:30 KST.
        assert env.from_string("{{ d|datetime }}").render(d=datetime(2026, 11, 21, 16, 30)) == "2026-11-22 01:30"
        assert env.from_string("{{ d|date }}").render(d=datetime(2026, 11, 21, 16, 30)) == "2026-11-22"


def test_readyz_is_503_when_the_database_does_not_answer(app_factory):
    app = app_factory(SQLALCHEMY_DATABASE_URI="mysql+pymysql://nobody@127.0.0.1:1/none?connect_timeout=1")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"].startswith("unreachable")
    assert app.test_client().get("/healthz").status_code == 200


def test_the_deployment_settings_serve_every_worker_from_the_preloaded_app(database_url, tmp_path):
    """gunicorn with deploy/gunicorn.conf.py loads the app once and forks the workers: each worker
    must answer with its own database connections (the master's are dropped after the fork)."""
    import os
    import signal
    import socket
    import subprocess  # nosec B404 - the test serves the app's own WSGI entry point
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from gunicorn.config import KNOWN_SETTINGS

    root = Path(__file__).resolve().parent.parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    no_control = ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []
    command = [sys.executable, "-m", "gunicorn", "-c", str(root / "deploy" / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", *no_control, "wsgi:app"]
    env = {**os.environ, "DATABASE_URL": database_url, "ERP_INSTANCE_DIR": str(tmp_path)}
    log = open(tmp_path / "gunicorn.log", "wb")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,  # nosec B603
                              start_new_session=True)
    try:
        answers, deadline = [], time.monotonic() + 60
        # Both workers forked first (the arbiter starts them one after the other), then the load.
        while (tmp_path / "gunicorn.log").read_text().count("Booting worker") < 2 and time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.1)
        while len(answers) < 40 and time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as response:  # nosec B310
                    answers.append((response.status, json.loads(response.read())["checks"]))
            except OSError:
                time.sleep(0.2)
        text = (tmp_path / "gunicorn.log").read_text()
        assert answers and set(map(str, answers)) == {str((200, {"database": "ok", "migrations": "ok"}))}, text
        assert text.count("Booting worker") == 2 and "Exception in worker process" not in text, text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
