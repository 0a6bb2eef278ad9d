"""A small plugin used by the tests to exercise every part of the plugin mechanism."""
from erp.plugins import Manifest, MenuItem, Permission

manifest = Manifest(
    name="sample",
    version="1.0.0",
    label="Samples",
    summary="Sample plugin of the tests",
    package="sample_plugin",
    api="sample_plugin.api",
    models="sample_plugin.models",
    blueprints=("sample_plugin.views:bp",),
    cli="sample_plugin.cli:group",
    demo="sample_plugin.demo:load",
    permissions=(Permission("sample.view", "View samples", roles=("auditor",)),),
    menu=(MenuItem("Sample list", "sample.index", "sample.view"),),
)
