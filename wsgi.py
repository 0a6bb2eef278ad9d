"""WSGI entry point: ``gunicorn wsgi:app``."""
from erp import create_app

app = create_app()
