"""Small builders shared by the tests."""
from erp.plugins import Manifest


def manifest_named(name, depends=()):
    return Manifest(name=name, version="1", summary=name, depends=tuple(depends))
