"""Failure drill: the database stops and starts again under load. The deployment (deploy/
monolith.sh, nginx in front) runs against a PRIVATE MariaDB server this test makes for itself —
its own data directory under a temporary directory, its own loopback port — so that stopping it
disturbs nobody else's tests. While it is down ``/readyz`` says "not ready" (503) and pages answer
503 "try again"; once it is back the same processes serve again, the user still logged in,
without a restart. (The split deployment's drill — rates down under a complaint's billing
action — is in tests/test_deploy.py.)"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess  # nosec B404 - the test runs Debian's MariaDB server binaries
import threading
import time
from pathlib import Path

import pytest
import requests
from deploy_support import Deployment, alive, free_port, log_in

pytestmark = pytest.mark.mariadb

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"


class PrivateMariaDB:
    """A throw-away mariadbd: root without a password on 127.0.0.1:``port`` only."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        user = ["--user=root"] if os.geteuid() == 0 else []
        done = subprocess.run([INSTALL_DB, "--no-defaults", f"--datadir={self.data}", "--auth-root-authentication-method=normal",  # nosec B603
                               "--skip-test-db", *user], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        self.command = [MARIADBD, "--no-defaults", f"--datadir={self.data}", f"--socket={folder / 'mysqld.sock'}",
                        f"--port={self.port}", "--bind-address=127.0.0.1", f"--pid-file={folder / 'mysqld.pid'}",
                        f"--log-error={folder / 'mysqld.err'}", "--skip-log-bin", "--innodb-buffer-pool-size=64M",
                        "--skip-name-resolve", *user]

    @property
    def url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        import pymysql

        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # nosec B603
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                pymysql.connect(host="127.0.0.1", port=self.port, user="root", connect_timeout=2).close()
                return
            except pymysql.err.OperationalError:
                assert self.process.poll() is None, (self.folder / "mysqld.err").read_text()
                assert time.monotonic() < deadline, f"mariadbd did not answer within {timeout} s"
                time.sleep(0.2)

    def stop(self, timeout: float = 60) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # a clean shutdown, as systemd would
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def private_mariadb(tmp_path):
    if not Path(MARIADBD).exists() or not Path(INSTALL_DB).exists():
        pytest.fail("MariaDB's server binaries (mariadbd, mariadb-install-db) are not installed")
    server = PrivateMariaDB(tmp_path / "mariadb")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


class Load:
    """Officials' requests in a loop (a page that reads the database, and the readiness probe),
    each bounded by a timeout; records every answer in order."""

    def __init__(self, session: requests.Session, url: str):
        self.session, self.url = session, url
        self.answers: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for path in ("/admin/users", "/readyz"):
                try:
                    status = self.session.get(f"{self.url}{path}", allow_redirects=False, timeout=15).status_code
                except requests.RequestException:
                    status = 0
                self.answers.append((path, status))
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)

    def statuses(self, path: str, since: int = 0) -> list[int]:
        return [status for p, status in self.answers[since:] if p == path]


def _wait_for(predicate, timeout: float, what: str, load: Load):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} within {timeout} s; the latest answers: {load.answers[-12:]}"
        time.sleep(0.2)


def test_the_app_turns_unready_while_mariadb_is_down_and_recovers_without_a_restart(tmp_path, private_mariadb):
    deployment = Deployment("monolith", tmp_path, server=private_mariadb.url)
    try:
        deployment.start("1")
        url = deployment.state["url"]
        processes = deployment.pids()
        official = requests.Session()
        assert log_in(official, url, "admin").status_code == 302

        # the load runs in its own thread, with a browser of its own holding the same login
        loaded = requests.Session()
        loaded.cookies.update(official.cookies)
        with Load(loaded, url) as load:
            _wait_for(lambda: load.statuses("/admin/users").count(200) >= 3, 30, "the page answers", load)
            private_mariadb.stop()
            down = len(load.answers)
            _wait_for(lambda: 503 in load.statuses("/readyz", down), 30, "/readyz turns to 503", load)
            probe = requests.get(f"{url}/readyz", timeout=15)
            assert probe.status_code == 503 and probe.json()["status"] == "not ready"
            assert probe.json()["checks"]["database"].startswith("unreachable")
            page = official.get(f"{url}/admin/users", allow_redirects=False, timeout=15)
            assert page.status_code == 503 and page.headers["Retry-After"] == "5"
            assert "데이터베이스에 연결할 수 없어 아무것도 저장하지 않았습니다" in page.text

            private_mariadb.start()
            back = len(load.answers)
            _wait_for(lambda: 200 in load.statuses("/readyz", back), 60, "/readyz turns to 200 again", load)
            _wait_for(lambda: load.statuses("/admin/users", back).count(200) >= 3, 30, "the page answers again", load)
            settled = len(load.answers)
            _wait_for(lambda: len(load.statuses("/admin/users", settled)) >= 5, 30, "more answers", load)
        answers = f"answers (stopped at {down}, started at {back}, settled at {settled}): {load.answers}"
        # once back, every answer is a success: no connection of the pool stayed broken
        assert set(load.statuses("/admin/users", settled)) == {200}, answers
        assert set(load.statuses("/readyz", settled)) == {200}, answers
        # during the outage the answers were 503s (or nginx's 502/504 for a request cut by the
        # stop itself), never a server error page
        assert set(load.statuses("/admin/users", down)) <= {200, 503, 502, 504}, answers
        assert 500 not in [status for _path, status in load.answers], answers
        # the same processes served throughout: nothing was restarted
        assert deployment.pids() == processes and all(alive(pid) for pid in processes.values())
        page = official.get(f"{url}/admin/users", allow_redirects=False, timeout=15)
        assert page.status_code == 200 and "시스템관리자" in page.text
    finally:
        deployment.close()
