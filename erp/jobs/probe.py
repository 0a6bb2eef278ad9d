"""``python -m erp.jobs.probe``: the job worker's liveness and readiness check (Kubernetes exec
probe, deploy/k8s). The worker serves no HTTP, so it cannot be asked ``/healthz`` or ``/readyz``
like the web; instead this asks what the worker needs to do its work: the job queue
(``ERP_QUEUE_URL``) and every database it uses (``DATABASE_URL`` and each ``DATABASE_URL_<PLUGIN>``).

Exit status 0 when all answer; 1 with the reason on stderr otherwise. It builds no application
(the probe runs every few seconds, and loading the application costs a second of CPU and its
memory), and it changes nothing.
"""
from __future__ import annotations

import os
import re
import sys

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from erp.jobs.queue import make_huey

TIMEOUT_SECONDS = 5


def database_urls(environ=os.environ) -> dict[str, str]:
    """The worker's databases by variable name: DATABASE_URL and every DATABASE_URL_<PLUGIN>."""
    return {name: value for name, value in sorted(environ.items())
            if (name == "DATABASE_URL" or name.startswith("DATABASE_URL_")) and value}


def check_database(url: str) -> None:
    """One connection and ``SELECT 1``; raises on failure."""
    connect_args = {"connect_timeout": TIMEOUT_SECONDS} if url.startswith("mysql") else {}
    engine = sa.create_engine(url, poolclass=NullPool, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()


def check_queue(url: str, name: str) -> None:
    """Read the number of waiting messages from the queue's storage; raises on failure."""
    huey = make_huey(url, name)
    if not huey.immediate:
        huey.pending_count()


def problems(environ=os.environ) -> list[str]:
    """What does not answer, one line each (empty when the worker can work)."""
    found = []
    queue_url = environ.get("ERP_QUEUE_URL", "")
    if not queue_url:
        found.append("ERP_QUEUE_URL is not set")
    else:
        try:
            check_queue(queue_url, environ.get("ERP_QUEUE_NAME", "erp"))
        except Exception as error:  # any failure means: not ready
            shown = re.sub(r"//[^@/]*@", "//", queue_url)  # no password in a probe's output
            found.append(f"job queue {shown}: {type(error).__name__}: {error}")
    urls = database_urls(environ)
    if not urls:
        found.append("DATABASE_URL is not set")
    for variable, url in urls.items():
        try:
            check_database(url)
        except Exception as error:  # any failure means: not ready
            found.append(f"{variable} ({sa.engine.make_url(url).render_as_string(hide_password=True)}): "
                         f"{type(error).__name__}: {error}")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
