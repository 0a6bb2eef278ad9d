"""Local deployments on loopback behind Debian's nginx, against MariaDB: the two shapes of the
same code that the comparison measures side by side.

    python deploy/local.py monolith N        N replicas of the whole app + one worker
    python deploy/local.py split             the core + one service per plugin (+ their workers)
    python deploy/local.py monolith|split stop

(`deploy/monolith.sh` and `deploy/split.sh` call this.) Start migrates first, starts every
process in a session of its own (pid files under the run directory), and returns only when every
web process and nginx answer ``/readyz`` (bounded by ERP_START_TIMEOUT); it prints where
everything listens and writes the same to ``<run dir>/state.json`` for scripts. A start first
stops whatever a previous run of the same run directory left behind (also after a crash); a
start that fails stops what it started. ``stop`` sends SIGTERM to each process group (gunicorn
and the worker let running work finish), then SIGKILL after ERP_STOP_TIMEOUT seconds.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
# This script starts the application's own processes and nginx, never a shell.
import subprocess  # nosec B404
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PLUGINS = ("accounting", "budget", "complaints", "rates")
# Plugins that declare jobs (Manifest.tasks) get a worker of their own in split mode.
WITH_JOBS = ("budget", "complaints", "rates")
LOOPBACK = "127.0.0.1"


class DeployError(RuntimeError):
    """A deployment that cannot start; the message says why."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        raise DeployError(f"{name} must be a number, got {raw!r}") from None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _port(name: str, default: int) -> int:
    """A port from the environment; 0 (or "auto") picks a free one now."""
    raw = os.environ.get(name, "").strip()
    if raw == "auto":
        return free_port()
    value = _env_int(name, default)
    return value or free_port()


# --- processes and their pid files --------------------------------------------------------------

def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (/proc/PID/stat field 22): with the pid it names
    one process, so a stop after a crash never signals an unrelated process that reused the pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


@dataclass
class RunDir:
    path: Path
    started: list[str] = field(default_factory=list)

    @property
    def pids(self) -> Path:
        return self.path / "pids"

    def start(self, name: str, command: list[str], env: dict, ready: str = "") -> int:
        """Start ``name`` in a session of its own; its command, environment and readiness URL are
        kept beside its pid file (owner-only: the environment holds the keys) for a restart."""
        self.pids.mkdir(parents=True, exist_ok=True)
        spec = self.pids / f"{name}.json"
        spec.touch(mode=0o600)
        spec.write_text(json.dumps({"command": command, "env": env, "ready": ready}))
        (self.path / "logs").mkdir(exist_ok=True)
        log = open(self.path / "logs" / f"{name}.log", "ab")
        try:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,  # nosec B603
                                       stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        (self.pids / f"{name}.pid").write_text(f"{process.pid} {_start_time(process.pid) or ''}\n")
        self.started.append(name)
        return process.pid

    def alive(self, name: str) -> bool:
        pid, started = self._read(self.pids / f"{name}.pid")
        return pid is not None and _start_time(pid) == started

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.path / "logs" / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    @staticmethod
    def _read(path: Path) -> tuple[int | None, str | None]:
        try:
            pid, _, started = path.read_text().strip().partition(" ")
            return int(pid), started or None
        except (OSError, ValueError):
            return None, None

    def restart(self, name: str) -> str:
        """Start ``name`` again as it was started; returns its readiness URL ("" for none)."""
        try:
            spec = json.loads((self.pids / f"{name}.json").read_text())
        except OSError:
            raise DeployError(f"{name} was never started from {self.path}") from None
        if self.alive(name):
            raise DeployError(f"{name} is running")
        self.start(name, spec["command"], spec["env"], spec["ready"])
        return spec["ready"]

    def stop_all(self, timeout: float, names: list[str] | None = None) -> list[str]:
        """SIGTERM every recorded process group (or those of ``names``), SIGKILL what is left
        after ``timeout``."""
        if not self.pids.exists():
            return []
        waiting: dict[Path, int] = {}
        paths = sorted(self.pids.glob("*.pid")) if names is None else [self.pids / f"{name}.pid" for name in names]
        for path in paths:
            pid, started = self._read(path)
            if pid is None or _start_time(pid) != started:
                path.unlink(missing_ok=True)  # gone already (a crash, a reboot)
                continue
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                path.unlink(missing_ok=True)
                continue
            waiting[path] = pid
        stopped = [path.stem for path in waiting]
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            for path, pid in list(waiting.items()):
                if _group_gone(pid):
                    path.unlink(missing_ok=True)
                    del waiting[path]
            time.sleep(0.1)
        for path, pid in waiting.items():
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            path.unlink(missing_ok=True)
        return stopped


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    # A zombie leader (its parent, this script, has not reaped it) counts as gone when nothing
    # else is left in the group.
    try:
        os.waitpid(pgid, os.WNOHANG)
    except ChildProcessError:
        pass
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return False
    return True


def wait_ready(urls: list[str], timeout: float, run: RunDir, names: list[str]) -> None:
    """Return when every URL answers 200, or raise with the logs of processes that died."""
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        for url in list(pending):
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:  # nosec B310
                    if answer.status == 200:
                        pending.remove(url)
            except (urllib.error.URLError, OSError):
                pass
        dead = [name for name in names if not run.alive(name)]
        if dead:
            raise DeployError("stopped during start-up: " + ", ".join(dead) + "\n"
                              + "\n".join(f"--- {name}.log\n{run.log_tail(name)}" for name in dead))
        if pending and time.monotonic() > deadline:
            raise DeployError(f"not ready within {timeout:.0f} s: {', '.join(pending)}\n"
                              + "\n".join(f"--- {name}.log\n{run.log_tail(name)}" for name in names))
        if pending:
            time.sleep(0.3)


# --- settings -----------------------------------------------------------------------------------

def _secret(run: RunDir, name: str, variable: str) -> str:
    """From the environment, else generated once into the run directory (kept across restarts,
    so sessions and service tokens outlive a restart)."""
    if os.environ.get(variable):
        return os.environ[variable]
    path = run.path / name
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_urls(default_name: str, plugins: tuple[str, ...] = ()) -> tuple[str, dict[str, str]]:
    """The core database's URL (DATABASE_URL, else ERP_MARIADB_URL + ERP_DB_NAME) and, for each of
    ``plugins``, its own database's (DATABASE_URL_<PLUGIN>, else the core's name + _<plugin>)."""
    from sqlalchemy.engine import make_url

    core = os.environ.get("DATABASE_URL") or (
        f"{os.environ.get('ERP_MARIADB_URL', 'mysql+pymysql://root@127.0.0.1:3306').rstrip('/')}/"
        f"{os.environ.get('ERP_DB_NAME', default_name)}?charset=utf8mb4")
    parsed = make_url(core)
    if not parsed.drivername.startswith("mysql"):
        raise DeployError(f"The local deployments run on MariaDB; DATABASE_URL is {parsed.render_as_string()}")
    own = {}
    for plugin in plugins:
        own[plugin] = os.environ.get(f"DATABASE_URL_{plugin.upper()}") or parsed.set(
            database=f"{parsed.database}_{plugin}").render_as_string(hide_password=False)
    return core, own


def _create_databases(urls: list[str]) -> None:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    for url in urls:
        parsed = make_url(url)
        server = sa.create_engine(parsed.set(database=""), isolation_level="AUTOCOMMIT")
        try:
            with server.connect() as conn:
                quoted = server.dialect.identifier_preparer.quote(parsed.database)
                # the name is a quoted identifier
                conn.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS {quoted} "
                                     "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        except sa.exc.OperationalError as error:
            raise DeployError(f"MariaDB does not answer at {parsed.render_as_string()}: {error.orig}") from None
        finally:
            server.dispose()


def _base_env(run: RunDir) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ERP_PLUGINS", "ERP_PORTS", "DATABASE_URL", "GUNICORN_CMD_ARGS"))}
    env.update({
        "FLASK_APP": "wsgi:app",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        "SECRET_KEY": _secret(run, "secret_key", "SECRET_KEY"),
        "ERP_AUDIT_KEY": _secret(run, "audit_key", "ERP_AUDIT_KEY"),  # one key for every replica
        "ERP_INSTANCE_DIR": os.environ.get("ERP_INSTANCE_DIR", str(run.path / "instance")),
        "ERP_STORAGE_DIR": os.environ.get("ERP_STORAGE_DIR", str(run.path / "storage")),
        # nginx in front: client addresses and the scheme come from its X-Forwarded-* headers.
        "ERP_TRUSTED_PROXIES": "1",
    })
    return env


def _flask(env: dict, *args: str, run: RunDir, step: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,  # nosec B603
                          text=True, timeout=_env_int("ERP_MIGRATE_TIMEOUT", 300))
    (run.path / "logs").mkdir(exist_ok=True)
    with open(run.path / "logs" / "migrate.log", "a") as log:
        log.write(f"$ flask {' '.join(args)}   # {step}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise DeployError(f"flask {' '.join(args)} ({step}) failed:\n{done.stdout}{done.stderr}")


def _migrate(env: dict, run: RunDir, step: str) -> None:
    _flask(env, "db", "upgrade", run=run, step=step)
    _flask(env, "erp", "setup", run=run, step=step)
    password = os.environ.get("ERP_ADMIN_PASSWORD")
    if password:  # a first administrator, once
        probe = subprocess.run([sys.executable, "-m", "flask", "erp", "create-admin"], cwd=ROOT,  # nosec B603
                               env={**env, "ERP_ADMIN_PASSWORD": password, "ERP_LOCALE": "en"}, capture_output=True,
                               text=True, timeout=120)
        if probe.returncode != 0 and "already taken" not in (probe.stdout + probe.stderr):
            raise DeployError(f"flask erp create-admin failed:\n{probe.stdout}{probe.stderr}")


def _gunicorn(port: int) -> list[str]:
    from gunicorn.config import KNOWN_SETTINGS

    # Several gunicorns share the working directory: none may claim gunicorn's control socket.
    no_control = ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []
    return [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "--bind", f"{LOOPBACK}:{port}",
            *no_control, "wsgi:app"]


def _worker() -> list[str]:
    return [sys.executable, "-m", "flask", "erp", "worker"]


# --- nginx --------------------------------------------------------------------------------------

def _nginx_binary() -> str:
    for candidate in (os.environ.get("ERP_NGINX", ""), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    raise DeployError("nginx is not installed (Debian: apt-get install nginx; `make system-deps` does it)")


def _render(template: str, target: Path, values: dict[str, str]) -> None:
    text = (DEPLOY / "nginx" / template).read_text()
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    if "@@" in text:
        raise DeployError(f"{template}: a placeholder was left unfilled")
    target.write_text(text)


def _nginx_common(run: RunDir, port: int) -> dict[str, str]:
    temp = run.path / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / sub).mkdir(parents=True, exist_ok=True)
    # The master runs as whoever starts it; as root, nginx would hand the workers to "nobody",
    # who cannot write the run directory's temporary files.
    user = "user root root;" if os.geteuid() == 0 else ""
    return {"RUN_DIR": str(run.path), "TEMP_DIR": str(temp), "USER": user, "LISTEN": f"{LOOPBACK}:{port}",
            "PROXY_CONF": str(DEPLOY / "nginx" / "proxy.conf")}


def _start_nginx(run: RunDir, config: Path, env: dict) -> None:
    nginx = _nginx_binary()
    error_log = str(run.path / "logs" / "nginx-error.log")
    check = subprocess.run([nginx, "-t", "-q", "-p", str(run.path), "-c", str(config), "-e", error_log],  # nosec B603
                           capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        raise DeployError(f"nginx refuses {config}:\n{check.stdout}{check.stderr}")
    run.start("nginx", [nginx, "-p", str(run.path), "-c", str(config), "-e", error_log], env)


# --- the two shapes -----------------------------------------------------------------------------

def _run_dir(shape: str) -> RunDir:
    path = Path(os.environ.get("ERP_RUN_DIR") or ROOT / "instance" / "run" / shape).resolve()
    path.mkdir(parents=True, exist_ok=True)
    (path / "logs").mkdir(exist_ok=True)
    return RunDir(path)


def _finish_start(run: RunDir, state: dict, ready: list[str]) -> dict:
    try:
        wait_ready(ready, _env_int("ERP_START_TIMEOUT", 90), run, list(run.started))
    except BaseException:
        run.stop_all(_env_int("ERP_STOP_TIMEOUT", 25))
        raise
    state["pids"] = {name: RunDir._read(run.pids / f"{name}.pid")[0] for name in run.started}
    (run.path / "state.json").write_text(json.dumps(state, indent=2))
    return state


def start_monolith(replicas: int) -> dict:
    """N gunicorn replicas of the whole application and one worker behind nginx."""
    if replicas < 1:
        raise DeployError("monolith needs at least one replica")
    run = _run_dir("monolith")
    run.stop_all(_env_int("ERP_STOP_TIMEOUT", 25))
    core, _ = _database_urls("erp_monolith")
    _create_databases([core])
    env = _base_env(run)
    env["DATABASE_URL"] = core
    if replicas > 1:
        env.setdefault("ERP_QUEUE_URL", "redis://127.0.0.1:6379/0")
    else:
        env.setdefault("ERP_QUEUE_URL", f"sqlite:///{run.path / 'queue.sqlite'}")
    env.setdefault("ERP_QUEUE_NAME", f"erp-{Path(core.split('?')[0]).name}")
    _migrate(env, run, "monolith")

    http_port = _port("ERP_HTTP_PORT", 8080)
    base = _env_int("ERP_BASE_PORT", 8101)
    ports = [free_port() if base == 0 else base + index for index in range(replicas)]
    for index, port in enumerate(ports, start=1):
        run.start(f"web-{index}", _gunicorn(port), {**env, "ERP_SERVICE_NAME": f"web-{index}"},
                  ready=f"http://{LOOPBACK}:{port}/readyz")
    run.start("worker", _worker(), {**env, "ERP_SERVICE_NAME": "worker"})

    values = _nginx_common(run, http_port)
    values["SERVERS"] = "\n".join(f"    server {LOOPBACK}:{port} max_fails=1 fail_timeout=5s;" for port in ports)
    values["REPLICA_UPSTREAMS"] = "\n".join(f"  upstream erp_replica_{index} {{ server {LOOPBACK}:{port}; }}"
                                           for index, port in enumerate(ports, start=1))
    values["REPLICA_MAP"] = "\n".join(f"    {index} erp_replica_{index};" for index in range(1, replicas + 1))
    config = run.path / "nginx.conf"
    _render("monolith.conf.template", config, values)
    _start_nginx(run, config, env)

    url = f"http://{LOOPBACK}:{http_port}"
    state = {"shape": "monolith", "url": url, "run_dir": str(run.path), "database": core.split("@")[-1],
             "queue": env["ERP_QUEUE_URL"], "replicas": [f"http://{LOOPBACK}:{port}" for port in ports]}
    return _finish_start(run, state, [f"{u}/readyz" for u in state["replicas"]] + [f"{url}/readyz"])


def start_split() -> dict:
    """The core and one service per plugin behind an nginx gateway, each plugin in its own database."""
    run = _run_dir("split")
    run.stop_all(_env_int("ERP_STOP_TIMEOUT", 25))
    core, own = _database_urls("erp_split", PLUGINS)
    _create_databases([core, *own.values()])
    env = _base_env(run)
    env["DATABASE_URL"] = core
    env["ERP_SERVICE_KEY"] = _secret(run, "service_key", "ERP_SERVICE_KEY")
    queue_url = os.environ.get("ERP_QUEUE_URL")
    queue_name = os.environ.get("ERP_QUEUE_NAME") or f"erp-{Path(core.split('?')[0]).name}"

    http_port = _port("ERP_HTTP_PORT", 8090)
    base = _env_int("ERP_BASE_PORT", 8201)
    services = ("core", *PLUGINS)
    ports = {name: free_port() if base == 0 else base + index for index, name in enumerate(services)}

    def service_env(name: str) -> dict:
        plugins = [name] if name in PLUGINS else []
        service = {**env, "ERP_SERVICE_NAME": name, "ERP_PLUGINS": ",".join(plugins) or "none",
                   # every other plugin over its service's HTTP port (and so in the navigation)
                   "ERP_PORTS": ",".join(f"{other}=http://{LOOPBACK}:{ports[other]}" for other in PLUGINS if other != name),
                   # a queue per service: the job table is shared, the kinds are not
                   "ERP_QUEUE_URL": queue_url or f"sqlite:///{run.path / f'queue-{name}.sqlite'}",
                   "ERP_QUEUE_NAME": f"{queue_name}-{name}"}
        if name in PLUGINS:
            service[f"DATABASE_URL_{name.upper()}"] = own[name]
        return service

    for name in services:  # the core's history first, then each plugin's in its own database
        _migrate(service_env(name), run, name)
    for name in services:
        run.start(f"web-{name}", _gunicorn(ports[name]), service_env(name), ready=f"http://{LOOPBACK}:{ports[name]}/readyz")
        if name in WITH_JOBS:
            run.start(f"worker-{name}", _worker(), service_env(name))

    values = _nginx_common(run, http_port)
    # keepalive_timeout under gunicorn's keepalive (5 s): nginx must not send a request on an idle
    # connection gunicorn is closing (a 502), as in the monolith's template.
    values["UPSTREAMS"] = "\n".join(f"  upstream erp_{name} {{ server {LOOPBACK}:{ports[name]}; keepalive 8; keepalive_timeout 4s; }}"
                                    for name in services)
    values["LOCATIONS"] = "\n".join(
        f"    location /{name}/ {{ proxy_pass http://erp_{name}; }}\n"
        f"    location = /{name} {{ proxy_pass http://erp_{name}; }}\n"
        f"    location /api/{name}/ {{ proxy_pass http://erp_{name}; }}" for name in PLUGINS)
    config = run.path / "nginx.conf"
    _render("gateway.conf.template", config, values)
    _start_nginx(run, config, env)

    url = f"http://{LOOPBACK}:{http_port}"
    state = {"shape": "split", "url": url, "run_dir": str(run.path), "database": core.split("@")[-1],
             "databases": {name: value.split("@")[-1] for name, value in own.items()},
             "services": {name: f"http://{LOOPBACK}:{port}" for name, port in ports.items()}}
    return _finish_start(run, state, [f"{u}/readyz" for u in state["services"].values()] + [f"{url}/readyz"])


def stop(shape: str, names: list[str] | None = None) -> list[str]:
    """Stop everything the shape's run directory records, or only the processes ``names`` (a
    failure drill: they can be started again with :func:`restart`)."""
    run = _run_dir(shape)
    if names:
        unknown = [name for name in names if not (run.pids / f"{name}.json").exists()]
        if unknown:
            raise DeployError(f"no process named {', '.join(unknown)} in {run.path}")
        return run.stop_all(_env_int("ERP_STOP_TIMEOUT", 25), names)
    stopped = run.stop_all(_env_int("ERP_STOP_TIMEOUT", 25))
    for spec in run.pids.glob("*.json") if run.pids.exists() else []:
        spec.unlink()
    (run.path / "state.json").unlink(missing_ok=True)
    return stopped


def restart(shape: str, names: list[str]) -> None:
    """Start stopped processes of a running deployment again; returns when they answer /readyz."""
    run = _run_dir(shape)
    ready = [url for url in (run.restart(name) for name in names) if url]
    try:
        wait_ready(ready, _env_int("ERP_START_TIMEOUT", 90), run, names)
    except BaseException:
        run.stop_all(_env_int("ERP_STOP_TIMEOUT", 25), names)
        raise


def main(argv: list[str]) -> int:
    usage = ("usage: local.py monolith N | local.py split        start\n"
             "       local.py monolith|split stop [NAME …]       stop everything, or some processes (web-2, web-rates …)\n"
             "       local.py monolith|split start NAME …        start stopped processes again")
    if not argv or argv[0] not in ("monolith", "split"):
        print(usage, file=sys.stderr)
        return 2
    shape, rest = argv[0], argv[1:]
    if shape == "monolith" and len(rest) == 2 and rest[0].isdigit() and rest[1] == "stop":
        rest = ["stop"]  # "monolith.sh N stop" as well as "monolith.sh stop"
    try:
        if rest and rest[0] == "stop":
            stopped = stop(shape, rest[1:] or None)
            print(f"{shape}: stopped {', '.join(stopped) or 'nothing (not running)'}")
            return 0
        if rest and rest[0] == "start":
            if len(rest) < 2:
                print(usage, file=sys.stderr)
                return 2
            restart(shape, rest[1:])
            print(f"{shape}: started {', '.join(rest[1:])} again")
            return 0
        try:
            return _start(shape, rest, usage)
        except BaseException:
            stop(shape)  # a start that fails (or is interrupted) leaves nothing running
            raise
    except DeployError as error:
        print(f"{shape}: {error}", file=sys.stderr)
        return 1


def _start(shape: str, rest: list[str], usage: str) -> int:
    if shape == "monolith":
        if len(rest) != 1 or not rest[0].isdigit():
            print(usage, file=sys.stderr)
            return 2
        state = start_monolith(int(rest[0]))
        print(f"monolith ×{len(state['replicas'])}: {state['url']} (nginx)")
        for index, replica in enumerate(state["replicas"], start=1):
            print(f"  web-{index}: {replica}   (through nginx: header X-ERP-Replica: {index})")
        print(f"  worker: queue {state['queue'].split('@')[-1]}")
    else:
        if rest:
            print(usage, file=sys.stderr)
            return 2
        state = start_split()
        print(f"split: {state['url']} (nginx gateway)")
        for name, service in state["services"].items():
            print(f"  {name}: {service}")
    print(f"  database: {state['database']}; run directory: {state['run_dir']} (state.json, logs/)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
