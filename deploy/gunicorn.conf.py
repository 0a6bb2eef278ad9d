"""Gunicorn settings for Waterworks ERP (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``).

Every value can be changed from the environment, so one image serves a small site and a large
replica set alike.
"""
import gc
import glob
import os
import shutil
import tempfile

import gunicorn.http.wsgi

bind = os.environ.get("ERP_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("ERP_THREADS", "4"))
timeout = int(os.environ.get("ERP_WORKER_TIMEOUT", "60"))
graceful_timeout = 20  # Kubernetes sends SIGTERM, waits 30 s by default, then kills
# Seconds an idle keep-alive connection stays open. It must be longer than the proxy's own idle
# timeout towards gunicorn, else the proxy may send a request on a connection gunicorn is closing
# and answer 502: nginx here closes its idle connections after 4 s (deploy/nginx), ingress-nginx
# after 60 s (Kubernetes sets 75).
keepalive = int(os.environ.get("ERP_KEEPALIVE", "5"))
# Load the application once in the master and fork the workers from it: a worker that is
# recycled (max_requests) or replaced after a crash serves at once instead of importing the
# application again for most of a second, and the workers share the loaded code's memory.
preload_app = os.environ.get("ERP_PRELOAD", "1") != "0"
max_requests = 5000  # recycle workers now and then; jitter avoids all recycling at once
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The application logs each request itself (JSON with its request id); gunicorn's own access log
# would say the same twice.
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    # The application attaches its own JSON handler to the root logger (erp.ops.logs).
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


# gunicorn names itself in a "Server:" header of every response, a setting it does not offer to
# change; the name its responses read at run time is replaced by a neutral one, which tells an
# attacker nothing about the software (nginx in front has server_tokens off as well).
gunicorn.http.wsgi.SERVER = "erp"

# prometheus-client's multiprocess mode (erp.ops.metrics): every worker writes its counts to files
# in this directory and a scrape merges them. It must be set before the application is imported;
# without one from the environment, a directory of this server's own is made (and removed at exit).
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="erp-prometheus-")


def on_starting(server):
    """Empty the metrics directory: files of an earlier run would be counted again."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for path in glob.glob(os.path.join(directory, "*.db")):
        os.remove(path)


def child_exit(server, worker):
    """A worker ended: its gauges of live processes (requests in flight, pool use) stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker):
    """A worker stops (recycled by max_requests, or the server stops): add its last per-minute
    counts to the database."""
    recorder = getattr(getattr(worker, "wsgi", None), "extensions", {}).get("erp_ops")
    if recorder is not None:
        recorder.flush(samples=False)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def pre_fork(server, worker):
    """Move the loaded application's objects out of the garbage collector's sight before forking
    (gc.freeze, as the gc module's documentation advises for fork without exec): a worker's full
    collections then skip them, which keeps them fast and the shared pages unwritten."""
    if server.cfg.preload_app:
        gc.freeze()


def post_fork(server, worker):
    """A forked worker must not share the master's database connections: drop them from the
    pools (without closing them, which would close the master's) so the worker opens its own."""
    _stop_listening_when_stopping(worker)
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # not this application (the benchmark's bare Flask app)
    from erp.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def _stop_listening_when_stopping(worker):
    """On SIGTERM a gthread worker stops accepting and finishes its requests in flight (up to
    graceful_timeout), but keeps its copy of the listening socket open until it exits: the kernel
    then still completes new connections into the backlog, where nobody accepts them, and resets
    them when the worker exits (gunicorn issue 3397) — a client or load balancer waits for
    nothing. Closing the worker's copy as soon as it stops accepting (the master has closed its
    own, idle workers exit) makes the port refuse new connections at once, so they are retried
    elsewhere. Only this process's copy is closed: when one worker is recycled (max_requests) or
    stopped by a reload, the others go on listening. tests/test_graceful_stop.py checks it."""
    set_accept_enabled = getattr(worker, "set_accept_enabled", None)
    if set_accept_enabled is None:
        return  # another worker class: gunicorn's own behaviour

    def stop_or_resume_accepting(enabled):
        set_accept_enabled(enabled)  # unregisters the listeners from the worker's poller first
        if not enabled and not worker.alive:
            for listener in worker.sockets:
                listener.close()

    worker.set_accept_enabled = stop_or_resume_accepting
