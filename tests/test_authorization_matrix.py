"""The authorization matrix: every route of the app (every endpoint of every blueprint, every
method) requested anonymously and as every standard role, each answer compared with what the
route declares (``erp.auth.access``: public, login only, permissions, service, scrape) and the
permissions the manifests grant each standard role by default.

The views are replaced by a stub once the users are logged in, so the matrix checks the access
layer alone — quickly, with no data, and without running any action: a request the guard lets
through reaches the stub (204), a refused one answers 302 to the login page (a page) or 401 (the
JSON API) for a visitor and 403 for an official without the permission. A route that declares
nothing fails the test. What the views check beyond their declaration (one complaint's
department, one budget line's) is tested with the services, in test_object_access.py.
"""
from __future__ import annotations

import ipaddress

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter, NumberConverter

from erp.auth.access import ATTR, access_of
from conftest import PASSWORD

ANONYMOUS = "anonymous"
ENTERED = 204
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def matrix_app(databases, tmp_path_factory):
    from erp import create_app
    from erp.auth import services
    from erp.auth.models import Role
    from erp.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": databases.fresh(), "TESTING": True, "SECRET_KEY": "test-secret-key",
        "ERP_STORAGE_DIR": str(tmp_path_factory.mktemp("storage")), "ERP_QUEUE_URL": "immediate",
        # The matrix is about access rules; the CSRF check (its own tests) would answer first.
        "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        for index, code in enumerate(sorted(app.extensions["erp"]["roles"])):
            role_id = db.session.execute(db.select(Role.id).where(Role.code == code)).scalar_one()
            services.create_user(f"matrix{index}", code, PASSWORD, role_ids=[role_id])
    yield app
    with app.app_context():
        db.session.remove()
        for engine in app.extensions.get("erp_engines_by_url", {}).values():
            engine.dispose()


def _stub(view):
    def stub(**_kwargs):
        return "", ENTERED

    setattr(stub, ATTR, access_of(view))
    return stub


@pytest.fixture(scope="module")
def clients(matrix_app):
    """One logged-in client per standard role (each from its own address) and a visitor."""
    result = {ANONYMOUS: matrix_app.test_client()}
    for index, code in enumerate(sorted(matrix_app.extensions["erp"]["roles"])):
        client = matrix_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.9.0.{index + 1}"
        response = client.post("/login", data={"username": f"matrix{index}", "password": PASSWORD})
        assert response.status_code == 302, f"{code} could not log in"
        result[code] = client
    # Logged in: from now on every view is a stub that only says it was reached.
    for endpoint, view in list(matrix_app.view_functions.items()):
        if endpoint != "static" and not endpoint.endswith(".static"):
            matrix_app.view_functions[endpoint] = _stub(view)
    return result


def granted(app) -> dict[str, set[str]]:
    """Each standard role's permissions, as the manifests declare them."""
    roles: dict[str, set[str]] = {code: set() for code in app.extensions["erp"]["roles"]}
    for _owner, permission in app.extensions["erp"]["permissions"].values():
        for role in permission.roles:
            roles[role].add(permission.code)
    return roles


def sample_path(rule) -> str:
    """A path the rule matches: the smallest number its converters accept, the first word (alphabetically) of an
    ``any``, a plain word otherwise."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, (IntegerConverter, NumberConverter)) or converter.regex.startswith(r"\d"):
            minimum = getattr(converter, "min", None)
            values[name] = minimum if minimum is not None else 1
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            yield rule, method


def expected(app, access, role: str, address: str, path: str) -> set[int]:
    """The answers the declaration allows for this caller."""
    if access.kind in ("public", "service"):
        return {ENTERED}
    if access.kind == "scrape":
        allowed = any(ipaddress.ip_address(address) in net for net in app.extensions.get("erp_metrics_allow", ()))
        return {ENTERED} if allowed else {403}
    if role == ANONYMOUS:
        return {401} if path.startswith("/api/") else {302}
    if access.kind == "login":
        return {ENTERED}
    assert access.kind == "permission", access
    return {ENTERED} if set(access.codes) & granted(app)[role] else {403}


def test_every_route_answers_every_role_as_it_declares(matrix_app, clients):
    undeclared, wrong, checked = [], [], 0
    for rule, method in routes(matrix_app):
        access = access_of(matrix_app.view_functions[rule.endpoint])
        if access is None:
            undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
            continue
        path = sample_path(rule)
        for role, client in clients.items():
            address = client.environ_base.get("REMOTE_ADDR", "127.0.0.1")
            response = client.open(path, method=method)
            checked += 1
            want = expected(matrix_app, access, role, address, path)
            if response.status_code not in want:
                wrong.append(f"{method} {path} as {role}: {response.status_code}, declared {access} wants {sorted(want)}")
            elif response.status_code == 302 and not response.headers["Location"].startswith("/login"):
                wrong.append(f"{method} {path} as {role}: sent to {response.headers['Location']}, not the login page")
    assert undeclared == [], "routes that declare no access rule (add @public, @login_only or @permission_required)"
    assert wrong == []
    # Every standard role and the visitor were asked on every route (the matrix is not empty).
    assert checked >= 100 * len(clients)


def test_a_route_that_declares_nothing_fails_the_matrix(matrix_app, clients):
    """The guard refuses an undeclared view to everyone, and the matrix names it."""
    def undeclared_view():
        return "secret"

    matrix_app.view_functions["complaints.statistics"], kept = undeclared_view, matrix_app.view_functions["complaints.statistics"]
    try:
        assert access_of(matrix_app.view_functions["complaints.statistics"]) is None
        for client in clients.values():
            assert client.get("/complaints/stats").status_code in (302, 403)
        missing = [rule.rule for rule, _method in routes(matrix_app) if access_of(matrix_app.view_functions[rule.endpoint]) is None]
        assert missing == ["/complaints/stats"]
    finally:
        matrix_app.view_functions["complaints.statistics"] = kept


def test_the_matrix_refuses_what_a_role_lacks(matrix_app, clients):
    """Spot checks of the derived expectations: a meter reader is refused the audit trail and the
    complaint queue, a visitor is sent to log in, the smart-meter API needs no session."""
    roles = granted(matrix_app)
    assert "core.audit" not in roles["meter_reader"] and "complaints.view" in roles["complaints_officer"]
    assert clients["meter_reader"].get("/admin/audit/").status_code == 403
    assert clients["meter_reader"].get("/complaints/").status_code == 403
    assert clients["complaints_officer"].get("/complaints/").status_code == ENTERED
    assert clients[ANONYMOUS].get("/complaints/").headers["Location"].startswith("/login")
    assert clients[ANONYMOUS].post("/api/rates/readings").status_code == ENTERED
