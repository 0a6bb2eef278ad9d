#!/bin/sh
# The core and one service per plugin (each its own gunicorn, each plugin's tables in its own
# MariaDB database, the core database shared) behind an nginx gateway:
#   deploy/split.sh             start (migrates first; returns when everything answers /readyz)
#   deploy/split.sh stop        stop everything it started (also after a crash)
# Settings (environment): DATABASE_URL or ERP_MARIADB_URL + ERP_DB_NAME (erp_split; the plugins'
# databases are erp_split_<plugin> unless DATABASE_URL_<PLUGIN> says otherwise), ERP_HTTP_PORT
# (8090), ERP_BASE_PORT (8201: core, accounting, budget, complaints, rates on 8201…8205; 0 = free
# ports), ERP_RUN_DIR (instance/run/split), SECRET_KEY and ERP_SERVICE_KEY (else generated once
# into the run directory), ERP_QUEUE_URL (a SQLite file per service by default), ERP_ADMIN_PASSWORD.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
python=${ERP_PYTHON:-$here/.venv/bin/python}
[ -x "$python" ] || python=python3
exec "$python" "$here/deploy/local.py" split "$@"
