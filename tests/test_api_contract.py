"""The API contract: /api/openapi.json describes every JSON API of the app, and schemathesis,
generating requests from it, finds no 500 and no answer that breaks its schema.

The run is bounded: ``ERP_CONTRACT_EXAMPLES`` examples per operation (default 25) and no
per-example deadline. The app is served in process (WSGI); a small middleware signs the calls the
way their real callers would — the smart meter's and the bank gateway's tokens, and a service
token for this very body on the ports — so the fuzzing reaches the code behind the tokens.
"""
from __future__ import annotations

import io
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks as st_checks

from erp.auth.access import access_of
from erp.openapi import doc_of
from erp.ports.tokens import Claims, body_digest, issue

SERVICE_KEY = "contract-test-service-key-of-32-characters-at-least"
METRICS_TOKEN = "contract-test-metrics-token"
EXAMPLES = int(os.environ.get("ERP_CONTRACT_EXAMPLES", "25"))
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance]


class SignRequests:
    """WSGI middleware: give each API request the token its real caller would send."""

    def __init__(self, app, tokens: dict[str, str]):
        self.app, self.tokens = app, tokens

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        # schemathesis sends made-up tokens of the declared schemes: replace them with real ones
        # (the refusals of missing and bad tokens have their own tests).
        if path.startswith("/api/") and "/port/" in path:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            plugin, operation = path.split("/")[2], path.rsplit("/", 1)[-1]
            claims = Claims("contract-test", None, "contract-test", "", f"{plugin}.{operation}", body_digest(body))
            environ["HTTP_AUTHORIZATION"] = f"Bearer {issue(SERVICE_KEY, claims)}"
        elif path in self.tokens:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[path]}"
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def contract_app(databases, tmp_path_factory):
    from erp import create_app
    from erp.extensions import db
    from plugins.rates.demo import load_tariff
    from plugins.rates.services import ami, payments

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": databases.fresh(), "TESTING": True, "SECRET_KEY": "test-secret-key",
        "ERP_STORAGE_DIR": str(tmp_path_factory.mktemp("storage")), "ERP_QUEUE_URL": "immediate",
        "ERP_SERVICE_KEY": SERVICE_KEY, "ERP_METRICS_TOKEN": METRICS_TOKEN,
    })
    with app.test_request_context():
        load_tariff()
        _device, device_token = ami.register_device("contract-meter")
        _gateway, gateway_token = payments.register_gateway("contract-bank")
    app.wsgi_app = SignRequests(app.wsgi_app, {"/api/rates/readings": device_token, "/api/rates/payments": gateway_token,
                                               "/metrics": METRICS_TOKEN})
    yield app
    with app.app_context():
        db.session.remove()
        for engine in app.extensions.get("erp_engines_by_url", {}).values():
            engine.dispose()


def without_prefix_items(node):
    """The document with each tuple (``prefixItems``, JSON Schema 2020-12, valid OpenAPI 3.1)
    loosened to an array of any of its members: schemathesis 4 rewrites ``prefixItems`` into the
    old array form of ``items`` and then refuses its own rewrite as an invalid 3.1 schema
    (schemathesis/schemathesis#3842). The served document keeps the exact tuples."""
    if isinstance(node, list):
        return [without_prefix_items(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: without_prefix_items(value) for key, value in node.items()}
    if "prefixItems" in result:
        result["items"] = {"anyOf": result.pop("prefixItems")}
    return result


@pytest.fixture(scope="module")
def api_schema(contract_app):
    document = contract_app.test_client().get("/api/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(without_prefix_items(document))
    schema.app = contract_app  # served in process, as schemathesis.openapi.from_wsgi does
    return schema


def test_every_operation_keeps_its_contract(api_schema):
    """schemathesis' cases of every operation (driven by hypothesis here, one operation after the
    other, so that one report lists every broken operation)."""
    broken, operations = [], 0
    for found in api_schema.get_all_operations():
        operation = found.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
                  database=None, phases=[Phase.explicit, Phase.generate, Phase.shrink])
        def keeps_contract(case):
            case.call_and_validate(checks=CHECKS)

        try:
            keeps_contract()
        except Exception as failure:  # every failure of every operation is reported below
            broken.append(f"{operation.label}: {failure}")
    assert operations >= 19
    assert broken == [], "\n\n".join(broken)


def test_the_document_describes_every_json_api(contract_app):
    """Every JSON endpoint is in the document: the views that declare a contract, one path per
    operation of each plugin's port, the probes — and nothing documented is a page."""
    client = contract_app.test_client()
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    for path in ("/api/rates/quote", "/api/rates/readings", "/api/rates/payments", "/healthz", "/readyz", "/metrics",
                 "/api/rates/port/bill", "/api/accounting/port/post_entry", "/api/budget/port/settlement_section",
                 "/api/complaints/port/open_complaints_of_customer", "/api/openapi.json"):
        assert path in paths, path
    # Every route under /api/ is documented (a new JSON API must declare its contract).
    for rule in contract_app.url_map.iter_rules():
        view = contract_app.view_functions[rule.endpoint]
        if rule.rule.startswith("/api/") and not rule.rule.endswith("/<operation>"):
            assert doc_of(view) is not None, f"{rule.rule} declares no contract (erp.openapi.documented)"
        if doc_of(view) is not None:
            assert access_of(view) is not None
    schemes = document["components"]["securitySchemes"]
    assert {"amiDevice", "bankGateway", "serviceToken", "metricsToken"} <= set(schemes)
    assert paths["/api/rates/readings"]["post"]["security"] == [{"amiDevice": []}]
    assert paths["/api/rates/port/bill"]["post"]["security"] == [{"serviceToken": []}]
    # The ports' schemas are the codec's: strict, no unknown arguments.
    arguments = paths["/api/accounting/port/post_entry"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert document["components"]["schemas"][arguments["$ref"].rsplit("/", 1)[-1]]["additionalProperties"] is False


# --- what the fuzzing found, each kept as a regression test -----------------------------------

def _port_call(app, plugin: str, operation: str, arguments: dict):
    """A service's call of a port operation, signed by SignRequests; ``arguments`` as JSON."""
    return app.test_client().post(f"/api/{plugin}/port/{operation}", json=arguments,
                                  headers={"X-ERP-Locale": "ko"})


@pytest.mark.parametrize("arguments, message", [
    ({"route_code": "ab-1", "sequence": 3}, "노선 코드는 숫자 네 자리입니다"),
    ({"route_code": "1101", "sequence": -1}, "다섯 자리"),
    ({"route_code": "1101", "sequence": 1_000_000}, "다섯 자리"),
])
def test_an_account_number_of_a_malformed_route_or_sequence_is_refused_not_a_500(contract_app, arguments, message):
    response = _port_call(contract_app, "rates", "account_number", arguments)
    assert response.status_code == 422
    assert message in response.get_json()["message"]
    assert _port_call(contract_app, "rates", "account_number", {"route_code": "1101", "sequence": 7}).get_json() == \
        {"result": "1101-00007-" + response_digit("110100007")}


def response_digit(body: str) -> str:
    from plugins.rates.services.customers import luhn_digit

    return str(luhn_digit(body))
