#!/bin/sh
# N replicas of the whole application and one worker behind nginx, against MariaDB:
#   deploy/monolith.sh N        start (migrates first; returns when everything answers /readyz)
#   deploy/monolith.sh stop     stop everything it started (also after a crash)
# Settings (environment): DATABASE_URL or ERP_MARIADB_URL + ERP_DB_NAME (erp_monolith),
# ERP_HTTP_PORT (8080), ERP_BASE_PORT (8101: replica i listens on 8100+i; 0 = free ports),
# ERP_RUN_DIR (instance/run/monolith), SECRET_KEY (else generated once into the run directory),
# ERP_QUEUE_URL (redis://127.0.0.1:6379/0 with more than one replica), ERP_ADMIN_PASSWORD
# (creates the user admin once), WEB_CONCURRENCY and ERP_THREADS per replica.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
python=${ERP_PYTHON:-$here/.venv/bin/python}
[ -x "$python" ] || python=python3
exec "$python" "$here/deploy/local.py" monolith "$@"
