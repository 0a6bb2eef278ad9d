"""Small builders shared by the tests."""
from erp.plugins import Manifest


def manifest_named(name, depends=()):
    return Manifest(name=name, version="1", summary=name, depends=tuple(depends))


def gunicorn_settings() -> dict:
    """The deployment's gunicorn settings (deploy/gunicorn.conf.py), read without keeping what
    the file does to the environment: it turns on prometheus-client's multiprocess mode for the
    server it configures, which would change how this test process counts requests."""
    import os
    import runpy
    from pathlib import Path

    saved = dict(os.environ)
    try:
        return runpy.run_path(str(Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
