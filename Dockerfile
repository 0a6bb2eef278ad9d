# Waterworks ERP: one image for every deployment (one container, many replicas, one service per
# plugin — see README). Migrations run as a separate step: `flask db upgrade`. The job worker is
# the same image with the command `flask erp worker` (a second container or Deployment).
FROM python:3.11-slim-bookworm

# ERP_SECURE_COOKIES: the image is served behind TLS (an ingress or load balancer), so cookies go
# over HTTPS only and browsers are told to keep to HTTPS (HSTS); a trial over plain HTTP sets it to 0.
# XDG_RUNTIME_DIR: gunicorn (>= 25) opens its control socket (for `gunicornc`) there, else under the
# user's home, /app, which the user cannot write (and Kubernetes mounts the root read-only).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=wsgi:app \
    ERP_INSTANCE_DIR=/var/lib/erp \
    ERP_STORAGE_DIR=/var/lib/erp/storage \
    ERP_SECURE_COOKIES=1 \
    XDG_RUNTIME_DIR=/tmp

# Nanum TrueType fonts: Korean text embedded in printed bills and reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-nanum=20200506-1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin erp \
    && mkdir -p /var/lib/erp/storage \
    && chown -R erp /var/lib/erp

WORKDIR /app
COPY setup.cfg pyproject.toml constraints.txt README.md wsgi.py babel.cfg ./
COPY erp ./erp
COPY plugins ./plugins
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py
# Every dependency at the version pinned in constraints.txt (as make install).
RUN pip install --no-compile -c constraints.txt -e . \
    && pybabel compile -d erp/translations

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
