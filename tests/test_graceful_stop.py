"""SIGTERM — what Kubernetes sends a pod it stops (after the preStop sleep of deploy/k8s) — lets
the requests in flight finish: gunicorn with the deployment's settings (deploy/gunicorn.conf.py,
two gthread workers, the app preloaded) serves the application with a slow test page; while one
request is in flight the master is sent SIGTERM. The request completes with 200, the port refuses
new connections at once (so a load balancer retries them on another replica instead of waiting
for a connection nobody accepts), and the master exits by itself within gunicorn's graceful
timeout, with status 0."""
from __future__ import annotations

import os
import signal
import socket
import subprocess  # nosec B404 - the test serves the app's own WSGI entry point
import sys
import threading
import time
from pathlib import Path

import requests
from gunicorn_support import wait_until_healthy
from tests_support import gunicorn_settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"
SLOW_SECONDS = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _refuses(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def test_sigterm_finishes_the_request_in_flight_refuses_new_connections_and_exits(tmp_path, database_url):
    graceful_timeout = gunicorn_settings()["graceful_timeout"]
    assert SLOW_SECONDS < graceful_timeout
    port = _free_port()
    marker = tmp_path / "request-started"
    # A migrated database, as a deployment has (its migration Job runs first): every request
    # without a login is counted by the rate limits in the database (erp.web.limits).
    env = {**os.environ, "DATABASE_URL": database_url, "ERP_INSTANCE_DIR": str(tmp_path),
           "ERP_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}", "SECRET_KEY": "graceful-stop-secret",
           "WEB_CONCURRENCY": "2", "ERP_LOG_LEVEL": "WARNING", "GRACEFUL_MARKER": str(marker),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    for name in ("ERP_PORTS", "ERP_PLUGINS", "GUNICORN_CMD_ARGS", "ERP_PRELOAD"):
        env.pop(name, None)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(  # nosec B603 - fixed command line, loopback only
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--bind", f"{HOST}:{port}", "graceful_wsgi:app"],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://{HOST}:{port}"
    try:
        wait_until_healthy(server, url, log_path)

        answer: dict = {}

        def slow_request():
            try:
                answer["response"] = requests.get(f"{url}/graceful/slow", params={"seconds": SLOW_SECONDS}, timeout=60)
            except requests.RequestException as error:
                answer["error"] = error

        in_flight = threading.Thread(target=slow_request)
        in_flight.start()
        deadline = time.monotonic() + 20
        while not marker.exists():
            assert in_flight.is_alive(), answer
            assert time.monotonic() < deadline, "the slow request never reached the application"
            time.sleep(0.05)

        os.kill(server.pid, signal.SIGTERM)  # the master only, as the kubelet signals a container's PID 1

        # New connections are refused while the request is still being answered.
        deadline = time.monotonic() + 10
        while not _refuses(port):
            assert time.monotonic() < deadline, "the port still accepted connections after SIGTERM"
            time.sleep(0.1)
        assert in_flight.is_alive(), "the slow request ended before the port was seen refusing"

        in_flight.join(timeout=60)
        assert "error" not in answer, f"{answer.get('error')!r}\n{log_path.read_text()}"
        response = answer["response"]
        assert response.status_code == 200
        assert response.text == f"slept {SLOW_SECONDS} s, database says 1"

        assert server.wait(timeout=graceful_timeout) == 0, log_path.read_text()
        assert _refuses(port)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
