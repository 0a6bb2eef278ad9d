"""Open311 GeoReport v2: a published client (the ``georeport`` package) lists the services,
reads a service definition and follows requests; requests are created as the spec's POST example
(``georeport`` does not create requests, and the older ``open311``/``three`` packages are
Python 2 code)."""
import json

import requests
from georeport import GeoReport
from test_browser import live_server  # noqa: F401 - the app served on 127.0.0.1 for the client

from erp.extensions import db
from plugins.complaints.models import Complaint
from plugins.complaints.services import complaints as service


def _key(runner, name="한빛 민원앱"):
    return runner.invoke(args=["complaints", "open311-key", name]).output.strip().rsplit(" ", 1)[1]


def test_a_civic_app_lists_the_services_files_a_request_and_follows_it(app, live_server, runner):  # noqa: F811
    key = _key(runner)
    base = f"{live_server}/api/complaints/open311/v2"
    client = GeoReport(base)
    services = {s["service_code"]: s for s in client.get_service_list()}
    assert services["LEAK_REPORT"]["service_name"] == "누수 신고" and services["LEAK_REPORT"]["metadata"] is False
    assert "1일" in services["LEAK_REPORT"]["description"]
    assert client.get_service_definition("LEAK_REPORT") == {"service_code": "LEAK_REPORT", "attributes": []}

    example = {"api_key": key, "service_code": "LEAK_REPORT", "lat": "37.321900", "long": "126.830900",
               "address_string": "한빛시 한빛로 23", "email": "", "first_name": "지훈", "last_name": "박",
               "phone": "010-2222-3333", "description": "보도 아래에서 물이 계속 새어 나옵니다.\n어제부터입니다."}
    created = requests.post(f"{base}/requests.json", data=example, timeout=30)
    assert created.status_code == 201
    answer = created.json()[0]
    request_id = answer["service_request_id"]
    assert request_id.endswith("-MW-000001") and request_id in answer["service_notice"]
    with app.app_context():
        complaint = db.session.query(Complaint).one()
        assert (complaint.name, complaint.phone, complaint.address, complaint.type.code) == \
            ("박 지훈", "01022223333", "한빛시 한빛로 23", "LEAK_REPORT")

    one = client.get_service_request(request_id)
    assert (one["status"], one["service_code"], one["service_name"]) == ("open", "LEAK_REPORT", "누수 신고")
    assert one["requested_datetime"].endswith("+09:00") and one["expected_datetime"]
    assert "박" not in json.dumps(one, ensure_ascii=False) and "새어" not in json.dumps(one, ensure_ascii=False)
    assert [r["service_request_id"] for r in client.get_service_requests(status="open")] == [request_id]
    assert client.get_service_requests(status="closed") == []
    assert client.get_service_requests(service_code="QUESTION") == []

    with app.test_request_context():
        service.close(db.session.query(Complaint.id).scalar(), "refused", "중복 신고")
    assert client.get_service_request(request_id)["status"] == "closed"


def test_open311_refuses_what_the_spec_refuses_and_changes_nothing(app, client, runner):
    key = _key(runner)
    good = {"api_key": key, "service_code": "LEAK_REPORT", "address_string": "한빛로 1", "first_name": "지훈",
            "last_name": "박", "phone": "010-2222-3333", "description": "누수"}
    for changes, status, words in (
        ({"api_key": ""}, 403, "api_key"), ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": "NOPE"}, 400, "NOPE"), ({"address_string": "", "lat": "1e999", "long": "1"}, 400, "lat"),
        ({"address_string": ""}, 400, "lat and long"), ({"phone": ""}, 400, "전화번호"),
        ({"first_name": "", "last_name": ""}, 400, "이름"),
    ):
        response = client.post("/api/complaints/open311/v2/requests.json", data={**good, **changes})
        body = response.get_json()
        assert response.status_code == status and body[0]["code"] == status and words in body[0]["description"], changes
    assert client.get("/api/complaints/open311/v2/requests/2026-MW-999999.json").status_code == 404
    assert client.get("/api/complaints/open311/v2/services/NOPE.json").status_code == 404
    assert client.get("/api/complaints/open311/v2/services.xml").status_code == 400
    assert client.get("/api/complaints/open311/v2/requests.json?status=maybe").status_code == 400
    assert client.get("/api/complaints/open311/v2/requests.json?start_date=yesterday").status_code == 400
    assert client.get("/api/complaints/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z").status_code == 400
    assert "revoked" in runner.invoke(args=["complaints", "open311-key", "한빛 민원앱", "--revoke"]).output
    assert client.post("/api/complaints/open311/v2/requests.json", data=good).status_code == 403
    with app.app_context():
        assert db.session.query(Complaint).count() == 0
