"""Test fixtures: a throw-away database per run (SQLite or MariaDB), a fresh schema state per
test, the app, its client and CLI runner, and helpers to make users and log in.

``ERP_TEST_DB=sqlite`` (default) or ``ERP_TEST_DB=mariadb`` picks the database. The schema is
built by the real migrations, never by ``create_all``.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="erp-tests-"))
os.environ["ERP_INSTANCE_DIR"] = str(_TMP / "instance")  # before erp.config is imported
os.environ.setdefault("SECRET_KEY", "test-secret-key")

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

TEST_DB = os.environ.get("ERP_TEST_DB", "sqlite")
MARIADB_SERVER = os.environ.get("ERP_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306")

from erp import create_app  # noqa: E402


def _migrate(url: str) -> None:
    from erp.migrating import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        from erp.audit.services import acting_as
        from erp.cli import run_setup
        from erp.extensions import db

        with acting_as(None, "setup"):
            run_setup()  # roles, permissions, the chart of accounts: as `flask erp setup` does

        db.engine.dispose()


class SqliteDatabases:
    """Migrate one template file per run; each test gets a copy."""

    def __init__(self):
        self.template = _TMP / "template.sqlite"
        _migrate(f"sqlite:///{self.template}")
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        path = _TMP / f"test-{self.count}.sqlite"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def close(self):
        shutil.rmtree(_TMP, ignore_errors=True)


class MariaDatabases:
    """One database per run; between tests the tables are emptied and the rows the migrations
    put there are restored."""

    def __init__(self):
        self.server = sa.create_engine(MARIADB_SERVER, isolation_level="AUTOCOMMIT")
        try:
            with self.server.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except Exception as error:  # fail loudly: the MariaDB run must not pass silently
            pytest.exit(f"MariaDB is not reachable at {MARIADB_SERVER}: {error}", returncode=3)
        self.name = f"erp_test_{uuid.uuid4().hex[:12]}"
        with self.server.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        self.url = f"{MARIADB_SERVER}/{self.name}?charset=utf8mb4"
        _migrate(self.url)
        self.engine = sa.create_engine(self.url)
        self.tables = sa.inspect(self.engine).get_table_names()
        with self.engine.connect() as conn:
            self.baseline = {t: [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM `{t}`")).mappings()] for t in self.tables}
        self.used = False

    def fresh(self) -> str:
        if self.used:
            self._reset()
        self.used = True
        return self.url

    def _reset(self):
        meta = sa.MetaData()
        meta.reflect(self.engine, only=self.tables)
        with self.engine.begin() as conn:
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
            for name in self.tables:
                if conn.execute(sa.text(f"SELECT 1 FROM `{name}` LIMIT 1")).first() or self.baseline[name]:
                    conn.execute(sa.text(f"TRUNCATE TABLE `{name}`"))
                    if self.baseline[name]:
                        conn.execute(meta.tables[name].insert(), self.baseline[name])
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))

    def close(self):
        self.engine.dispose()
        with self.server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{self.name}`"))
        self.server.dispose()
        shutil.rmtree(_TMP, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``mariadb`` (they need a MariaDB server of their own making, such as the
    deployments) run in the MariaDB run only."""
    if TEST_DB == "mariadb":
        return
    skip = pytest.mark.skip(reason="needs the MariaDB run (ERP_TEST_DB=mariadb)")
    for item in items:
        if "mariadb" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def databases():
    dbs = MariaDatabases() if TEST_DB == "mariadb" else SqliteDatabases()
    yield dbs
    dbs.close()


@pytest.fixture
def database_url(databases):
    return databases.fresh()


@pytest.fixture
def empty_url(tmp_path):
    """A database with nothing in it, not even tables (one to build a former schema in, or to
    restore a backup into)."""
    if TEST_DB != "mariadb":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    name = f"erp_empty_{uuid.uuid4().hex[:10]}"
    server = sa.create_engine(MARIADB_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield f"{MARIADB_SERVER}/{name}?charset=utf8mb4"
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


@pytest.fixture
def app_factory(database_url, tmp_path):
    """Build an app on this test's database; extra settings override the defaults."""
    made = []

    def factory(**overrides):
        settings = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "ERP_STORAGE_DIR": str(tmp_path / "storage"),
            # Jobs run where they are queued, once committed: page tests need no worker (the
            # worker's own tests start real ones).
            "ERP_QUEUE_URL": "immediate",
        }
        settings.update(overrides)
        app = create_app(settings)
        made.append(app)
        return app

    yield factory
    from erp.extensions import db

    for app in made:
        with app.app_context():
            db.session.remove()
            for engine in app.extensions.get("erp_engines_by_url", {}).values():
                engine.dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "Waterworks-2026"


@pytest.fixture
def make_user(app):
    """make_user("kim", roles=["auditor"], department="WS") -> the user's id."""
    from erp.auth import services
    from erp.auth.models import Role

    def make(username, *, roles=(), password=PASSWORD, name=None, department_id=None):
        with app.app_context():
            from erp.extensions import db

            role_ids = [db.session.execute(sa.select(Role.id).where(Role.code == code)).scalar_one() for code in roles]
            user = services.create_user(username, name or username, password, role_ids=role_ids, department_id=department_id)
            return user.id

    return make


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def login(client, username, password=PASSWORD, follow=False):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=follow)


def post_form(client, url, data, page=None, follow=False):
    """POST a form the way a browser would: with the CSRF token of a page already shown."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_from(html)}, follow_redirects=follow)
