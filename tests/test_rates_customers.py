"""Customers, meters and readings: account numbers, replacement and rollover, flags, CSV upload."""
from datetime import date
from io import BytesIO

import pytest
from conftest import login, post_form

from erp import jobs
from erp.common.errors import ServiceError
from plugins.rates.repositories import customers as repo
from plugins.rates.services import customers as service


def _customer(**changes):
    data = dict(holder_name="김민수", address="한빛시 한빛로 23", use_type="household", route_code="1101")
    data.update(changes)
    return service.register(service.CustomerInput(**data))


def test_account_numbers_carry_a_check_digit():
    number = service.account_number("1101", 42)
    assert number == "1101-00042-" + str(service.luhn_digit("110100042"))
    assert service.valid_account_number(number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not service.valid_account_number(wrong)
    assert not service.valid_account_number("1101-0042-1")


def test_registering_holder_change_and_move_out_keep_a_history(app):
    with app.test_request_context():
        customer = _customer()
        assert customer.account_no.startswith("1101-00001-")
        service.change_holder(customer.id, "이서연", date(2026, 11, 1), "매매")
        service.move_out(customer.id, date(2026, 11, 20))
        kinds = [(e.kind, e.before, e.after) for e in repo.get(customer.id).history]
        assert kinds == [("move_in", "", "김민수"), ("holder_change", "김민수", "이서연"), ("move_out", "이서연", "")]
        assert [c.account_no for c in repo.search("이서연").items] == [customer.account_no]
        with pytest.raises(ServiceError):
            service.move_out(customer.id, date(2026, 11, 21))


def test_a_reading_below_the_previous_is_refused_unless_rollover_or_replacement(app):
    with app.test_request_context():
        customer = _customer()
        service.install_meter(customer.id, "M-0001", 13, date(2026, 1, 5), start_reading=99_950)
        assert service.read(customer.id, date(2026, 2, 5), 99_980).use == 30
        with pytest.raises(ServiceError, match="below the previous|이전"):
            service.read(customer.id, date(2026, 3, 5), 15)
        rolled = service.read(customer.id, date(2026, 3, 5), 15, rollover=True)
        assert rolled.use == 35 and rolled.rollover  # 99,980 → 99,999 → 0 → 15
        # Replacement: the old meter's final reading, then the new one counts from its start.
        service.install_meter(customer.id, "M-0002", 13, date(2026, 4, 1), start_reading=0, old_final_reading=40)
        assert repo.readings(customer.id)[0].use == 25  # the old meter's last stretch: 15 → 40
        assert service.read(customer.id, date(2026, 5, 5), 18).use == 18
        with pytest.raises(ServiceError, match="final reading|최종"):
            service.install_meter(customer.id, "M-0003", 13, date(2026, 6, 1))


def test_abnormal_use_is_flagged_and_can_be_held(app):
    with app.test_request_context():
        customer = _customer()
        service.install_meter(customer.id, "M-0010", 13, date(2026, 1, 5))
        for month, value in ((2, 20), (3, 41), (4, 60)):
            assert service.read(customer.id, date(2026, month, 5), value).flag == ""
        assert service.read(customer.id, date(2026, 5, 5), 60).flag == "zero"
        high = service.read(customer.id, date(2026, 6, 5), 160)  # 100 ㎥ against an average of 13
        assert high.flag == "high" and not high.held
        assert service.set_held(high.id, True).held


def test_a_csv_with_one_bad_line_imports_nothing_and_names_it(app):
    with app.test_request_context():
        first, second = _customer(), _customer(holder_name="이서연")
        for customer, serial in ((first, "S-1"), (second, "S-2")):
            service.install_meter(customer.id, serial, 13, date(2026, 1, 5))
        wrong_check = first.account_no[:-1] + str((int(first.account_no[-1]) + 1) % 10)
        data = (f"account,date,reading\n{first.account_no},2026-11-20,120\n{wrong_check},2026-11-20,5\n"
                f"{second.account_no},2026-11-31,44\n{second.account_no},2026-11-20,abc\n").encode()
        result = service.import_csv(data)
        assert result.imported == 0 and [n for n, _reason in result.errors] == [3, 4, 5]
        assert repo.readings(first.id) == []  # the good line was not kept either
        good = f"{first.account_no},2026-11-20,120\n{second.account_no},2026-11-20,44\n".encode()
        assert service.import_csv(good).imported == 2
        assert [r.use for r in repo.readings(second.id)] == [44]


def test_a_csv_saved_by_korean_excel_is_read(app):
    """Korean Excel saves CSV as CP949 (EUC-KR): its header and lines read as well as UTF-8's."""
    with app.test_request_context():
        customer = _customer()
        service.install_meter(customer.id, "K-1", 13, date(2026, 1, 5))
        data = f"수용가번호,검침일,지침\n{customer.account_no},2026-11-20,131\n".encode("cp949")
        result = service.import_csv(data)
        assert (result.imported, result.errors) == (1, [])
        assert [r.use for r in repo.readings(customer.id)] == [131]
        refused = service.import_csv(b"\xff\xfe\x00\xd8 not text")
        assert refused.imported == 0 and "CP949" in refused.errors[0][1]


def test_the_clerk_registers_a_customer_and_the_reader_reads_the_route(app, client, make_user):
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    html = post_form(client, "/rates/customers/new", {"holder_name": "박지훈", "address": "한빛시 물길로 7", "use_type": "household",
                                                      "households": "2", "cycle": "monthly", "route_code": "2201"},
                     follow=True).get_data(as_text=True)
    assert "2201-00001-" in html
    with app.app_context():
        customer = repo.search("박지훈").items[0]
        customer_id = customer.id
    post_form(client, f"/rates/customers/{customer_id}", {"action": "meter", "m-serial": "K-7788", "m-diameter": "13",
                                                          "m-installed_on": "2026-10-01", "m-start_reading": "100"})
    page = client.get("/rates/routes/2201").get_data(as_text=True)
    assert "한빛시 물길로 7" in page
    post_form(client, "/rates/routes/2201", {"read_on": "2026-11-01", f"reading-{customer_id}": "118"})
    with app.app_context():
        assert [r.use for r in repo.readings(customer_id)] == [18]
    # An upload is imported by the worker (here at once); the clerk is shown the job's outcome.
    upload = client.post("/rates/readings/upload", data={"csrf_token": _token(client), "file": (BytesIO(b"x,y\n"), "r.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302 and "/rates/readings/upload/" in upload.location
    page = client.get(upload.location).get_data(as_text=True)
    assert "1개 행에 오류가 있어 아무것도 가져오지 않았습니다." in page
    account = customer.account_no
    good = f"수용가번호,검침일,지침\n{account},2026-12-01,130\n".encode()
    upload = client.post("/rates/readings/upload", data={"csrf_token": _token(client), "file": (BytesIO(good), "r.csv")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "검침 1건을 가져왔습니다." in upload.get_data(as_text=True)
    with app.app_context():
        assert sorted(r.use for r in repo.readings(customer_id)) == [12, 18]
        assert not list((jobs.output_dir() / "inputs").iterdir())  # the uploads are not kept once answered


def _token(client):
    from conftest import csrf_from

    return csrf_from(client.get("/rates/readings/upload").get_data(as_text=True))


def test_smart_meters_send_batches_with_their_own_token(app, client, runner):
    with app.test_request_context():
        customer_id = _customer().id
        service.install_meter(customer_id, "AMI-1", 13, date(2026, 1, 5), start_reading=100)
    output = runner.invoke(args=["rates", "ami-device", "한빛 AMI 헤드엔드"]).output
    token = output.strip().rsplit(" ", 1)[1]
    batch = {"readings": [{"meter": "AMI-1", "read_on": "2026-11-01", "value": 130},
                          {"meter": "AMI-1", "read_on": "2026-11-02", "value": 120},
                          {"meter": "NOPE", "read_on": "2026-11-02", "value": 5},
                          {"meter": "AMI-1", "read_on": "2026-11-03", "value": True}]}
    assert client.post("/api/rates/readings", json=batch).status_code == 401
    assert client.post("/api/rates/readings", json=batch, headers={"Authorization": "Bearer wrong"}).status_code == 403
    response = client.post("/api/rates/readings", json=batch, headers={"Authorization": f"Bearer {token}"})
    body = response.get_json()
    assert response.status_code == 200 and (body["accepted"], body["refused"]) == (1, 3)
    assert body["results"][0]["use"] == 30 and "no meter NOPE" in body["results"][2]["reason"]
    assert client.post("/api/rates/readings", json={"readings": "x"}, headers={"Authorization": f"Bearer {token}"}).status_code == 400
    with app.app_context():
        assert [(r.use, r.source) for r in repo.readings(customer_id)] == [(30, "ami")]
