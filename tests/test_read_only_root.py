"""The pods of deploy/k8s run with ``readOnlyRootFilesystem: true`` and only /tmp and the storage
volume writable: here the web (gunicorn with the deployment's settings), the worker's probe and a
job run in a mount namespace whose root is remounted read-only, with only a temporary directory
and the storage directory writable — as in the pod. A citizen files a complaint with an
attachment (written to the storage), officials' pages answer, a job runs, and nothing tries to
write anywhere else (gunicorn's log has no "Read-only file system").

Needs root and util-linux's ``unshare`` (CI runs as root); the mount namespace is private, so
the rest of the machine keeps its writable root."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess  # nosec B404 - fixed command lines, loopback only
import sys
from pathlib import Path

import pytest
import requests
from gunicorn_support import wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f"
                    "0005000201a5f5d6b50000000049454e44ae426082")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="needs root and unshare for a private mount namespace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _read_only(writable: list[Path], command: list[str]) -> list[str]:
    """``command`` in a private mount namespace where / is read-only except ``writable``."""
    binds = " && ".join(f'mount --bind "{path}" "{path}"' for path in writable)
    script = f'{binds} && mount -o remount,bind,ro / && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *command]


def test_the_web_the_worker_probe_and_a_job_run_on_a_read_only_root(database_url, tmp_path):
    writable = tmp_path / "pod"
    for name in ("tmp", "storage", "instance"):
        (writable / name).mkdir(parents=True)
    paths = [writable]
    if database_url.startswith("sqlite:///"):
        paths.append(Path(database_url[len("sqlite:///"):]).parent)  # the test's database, not the pod's root
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "ERP_INSTANCE_DIR": str(writable / "instance"),
           "ERP_STORAGE_DIR": str(writable / "storage"), "TMPDIR": str(writable / "tmp"),
           "XDG_RUNTIME_DIR": str(writable / "tmp"),  # as the manifests set it: gunicorn's control socket
           "ERP_QUEUE_URL": "immediate", "SECRET_KEY": "read-only-root-secret", "WEB_CONCURRENCY": "2",
           "ERP_LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT), "FLASK_APP": "wsgi:app"}
    for name in ("ERP_PORTS", "ERP_PLUGINS", "GUNICORN_CMD_ARGS"):
        env.pop(name, None)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(  # nosec B603
            _read_only(paths, [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                               "--bind", f"{HOST}:{port}", "wsgi:app"]),
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://{HOST}:{port}"
    try:
        wait_until_healthy(server, url, log_path)
        assert requests.get(f"{url}/readyz", timeout=10).json()["status"] == "ready"
        assert requests.get(f"{url}/rates/calculator", timeout=10).status_code == 200

        citizen = requests.Session()
        page = citizen.get(f"{url}/complaints/new", timeout=10).text
        token = next(group for group in CSRF.search(page).groups() if group)
        filed = citizen.post(f"{url}/complaints/new", timeout=30, data={
            "csrf_token": token, "type_code": "LEAK_REPORT", "title": "누수", "body": "계량기 옆 누수", "name": "박지훈",
            "phone": "010-2222-3333", "agree": "y"}, files=[("attachments", ("사진.png", PNG, "image/png"))])
        assert filed.status_code == 200 and "민원 접수 완료" in filed.text
        stored = [p for p in (writable / "storage").rglob("*") if p.is_file()]
        assert [p.read_bytes() for p in stored] == [PNG]

        job = subprocess.run(_read_only(paths, [sys.executable, "-m", "flask", "erp", "run-job", "rates.relay"]),  # nosec B603
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert job.returncode == 0 and "rates.relay done" in job.stdout, job.stdout + job.stderr
        probe_env = {**env, "ERP_QUEUE_URL": f"sqlite:///{writable / 'tmp' / 'queue.sqlite'}"}
        probe = subprocess.run(_read_only(paths, [sys.executable, "-m", "erp.jobs.probe"]),  # nosec B603
                               cwd=ROOT, env=probe_env, capture_output=True, text=True, timeout=60)
        assert (probe.returncode, probe.stderr) == (0, "")

        os.kill(server.pid, signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        log_text = log_path.read_text()
        assert "Read-only file system" not in log_text and "Errno 30" not in log_text, log_text
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
