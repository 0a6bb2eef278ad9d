"""The application with the slow test page, for gunicorn in tests/test_graceful_stop.py."""
from erp import create_app
from erp.plugins import discover
from graceful_plugin import manifest

app = create_app({"ERP_PLUGIN_MANIFESTS": discover() + [manifest]})
