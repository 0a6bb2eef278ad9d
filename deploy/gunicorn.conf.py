"""Gunicorn settings for Waterworks ERP (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``).

Every value can be changed from the environment, so one image serves a small site and a large
replica set alike.
"""
import os

bind = os.environ.get("ERP_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("ERP_THREADS", "4"))
timeout = int(os.environ.get("ERP_WORKER_TIMEOUT", "60"))
graceful_timeout = 20  # Kubernetes sends SIGTERM, waits 30 s by default, then kills
keepalive = 5
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
