"""Starting and stopping the local deployments (deploy/monolith.sh, deploy/split.sh) from tests:
a run directory and databases of the test's own, free loopback ports, and a clean-up that stops
every process the script recorded and drops the databases, also when the test fails."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess  # nosec B404 - the tests run the project's own deployment scripts
import sys
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa
from conftest import MARIADB_SERVER, PASSWORD, csrf_from

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 150  # seconds for a script to migrate and start everything (bounded)


class Deployment:
    """One deployment of ``shape`` ("monolith" or "split") under ``workdir``."""

    def __init__(self, shape: str, workdir: Path, *, server: str = MARIADB_SERVER, env: dict | None = None):
        self.shape = shape
        self.run_dir = workdir / "run"
        self.db_name = f"erp_deploy_{uuid.uuid4().hex[:10]}"
        self.server = server
        base = {key: value for key, value in os.environ.items()
                if not key.startswith(("DATABASE_URL", "ERP_PORTS", "ERP_PLUGINS", "ERP_INSTANCE_DIR", "ERP_QUEUE",
                                       "ERP_STORAGE_DIR", "ERP_SERVICE", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"))}
        self.env = {**base, "ERP_PYTHON": sys.executable, "ERP_RUN_DIR": str(self.run_dir), "ERP_HTTP_PORT": "0",
                    "ERP_BASE_PORT": "0", "ERP_MARIADB_URL": server, "ERP_DB_NAME": self.db_name,
                    "ERP_ADMIN_PASSWORD": PASSWORD, "ERP_LOG_LEVEL": "WARNING",
                    # two cores shared with other work: one worker process of four threads each
                    "WEB_CONCURRENCY": "1", "ERP_THREADS": "4", **(env or {})}

    def script(self, *args: str, timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess:
        return subprocess.run([str(ROOT / "deploy" / f"{self.shape}.sh"), *args], cwd=ROOT, env=self.env,  # nosec B603
                              capture_output=True, text=True, timeout=timeout)

    def start(self, *args: str) -> str:
        done = self.script(*args)
        assert done.returncode == 0, f"{self.shape}.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    @property
    def state(self) -> dict:
        return json.loads((self.run_dir / "state.json").read_text())

    def spec(self, name: str) -> dict:
        """The command and environment the script started process ``name`` with."""
        return json.loads((self.run_dir / "pids" / f"{name}.json").read_text())

    def pids(self) -> dict[str, int]:
        folder = self.run_dir / "pids"
        return {path.stem: int(path.read_text().split()[0]) for path in folder.glob("*.pid")} if folder.exists() else {}

    def database_names(self) -> list[str]:
        if self.shape == "split":
            return [self.db_name] + [f"{self.db_name}_{plugin}" for plugin in ("accounting", "budget", "complaints", "rates")]
        return [self.db_name]

    def close(self) -> None:
        """Stop everything (the script's stop, then SIGKILL to any group left) and drop the databases."""
        leftovers = self.pids()
        try:
            self.script("stop", timeout=90)
        finally:
            for pid in leftovers.values():
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            engine = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as conn:
                    for name in self.database_names():
                        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
            except sa.exc.OperationalError:
                pass  # the private server of a drill is gone with its directory
            finally:
                engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def log_in(session: requests.Session, url: str, username: str, password: str = PASSWORD, **kwargs) -> requests.Response:
    token = csrf_from(session.get(f"{url}/login", timeout=30, **kwargs).text)
    return session.post(f"{url}/login", data={"username": username, "password": password, "csrf_token": token},
                        allow_redirects=False, timeout=30, **kwargs)


def links(html: str) -> list[str]:
    return sorted(set(re.findall(r'href="(/[^"#?]*)"', html)))
