"""A test plugin with one slow public page: tests/test_graceful_stop.py keeps a request in flight
while it stops gunicorn (registered through ERP_PLUGIN_MANIFESTS by tests/graceful_wsgi.py)."""
from erp.plugins import Manifest

manifest = Manifest(
    name="graceful",
    version="1.0.0",
    label="Slow page",
    summary="A page that takes as long as it is asked to",
    package="graceful_plugin",
    api="graceful_plugin.views",
    blueprints=("graceful_plugin.views:bp",),
)
