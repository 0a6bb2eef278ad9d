"""The Korean catalog is complete and compiled."""
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "erp" / "translations" / "ko" / "LC_MESSAGES"


def test_every_message_has_a_korean_translation():
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []
    assert not catalog.fuzzy, "a catalog marked fuzzy in its header is skipped by pybabel compile"


def test_the_catalog_is_compiled():
    assert (CATALOG / "messages.mo").exists(), "run `make translations`"


def test_the_template_has_nothing_the_catalog_lacks():
    with open(ROOT / "erp" / "translations" / "messages.pot", "rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = {m.id for m in read_po(handle) if m.id}
    assert template - catalog == set()


def test_every_string_in_the_code_is_in_the_catalog(tmp_path):
    """Extract the messages afresh: a new _() string without a translation fails here, and so
    does a plural pair (ngettext, Nn_) kept in the catalog as two single entries or lost because
    the catalog was extracted without ``-k Nn_:1,2`` (the Makefile's command)."""
    from babel.messages.frontend import CommandLineInterface

    pot = tmp_path / "fresh.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "N_",
                                "-k", "Nn_:1,2", "--no-location", "-o", str(pot), str(ROOT / "erp"), str(ROOT / "plugins"), str(ROOT / "templates")])
    with open(pot, "rb") as handle:
        fresh = {m.id for m in read_po(handle) if m.id}
    with open(CATALOG / "messages.po", "rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id and m.string}
    assert sorted(fresh - translated) == []
