"""A real gunicorn serving the application with the deployment's settings, for tests that need
several worker processes (shared rate limits, sessions, the headers gunicorn itself sends)."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess  # nosec B404 - starts gunicorn with a fixed command line
import sys
import time
from pathlib import Path

import requests
from deploy_support import free_port

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"


def wait_until_healthy(server: subprocess.Popen, url: str, log_path: Path, seconds: int = 60,
                       probe: str = "/healthz") -> None:
    """Wait until the server started as ``server`` answers ``probe`` (``/healthz``, or ``/readyz``
    for a server that must reach its database too) at ``url``; fail with its log when it dies or
    does not answer within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, log_path.read_text()
        try:
            if requests.get(f"{url}{probe}", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, f"gunicorn did not answer within {seconds} s\n{log_path.read_text()}"
        time.sleep(0.2)


@contextlib.contextmanager
def gunicorn(tmp_path: Path, database_url: str, *, workers: int = 2, app: str = "wsgi:app", **env_extra):
    """Start gunicorn on a free loopback port; yields its base URL and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "ERP_INSTANCE_DIR": str(tmp_path),
           "ERP_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}", "SECRET_KEY": "test-secret-key",
           "WEB_CONCURRENCY": str(workers), "ERP_LOG_LEVEL": "WARNING",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]), **env_extra}
    for name in ("ERP_PORTS", "ERP_PLUGINS", "GUNICORN_CMD_ARGS", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(  # nosec B603 - fixed command line, loopback only
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--bind", f"{HOST}:{port}", app],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://{HOST}:{port}"
    try:
        wait_until_healthy(server, url, log_path)
        yield url
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
