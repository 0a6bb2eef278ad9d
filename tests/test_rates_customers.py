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


def test_a_file_with_several_readings_of_one_meter_checks_each_line_against_the_one_before(app):
    """The import reads what it checks against once for the whole file: a meter's second line is
    measured from its first, a high use is judged against the uses of the lines before it, a line
    dated before an earlier line of the same file is refused, and a line already recorded is
    counted, not refused."""
    with app.test_request_context():
        customer, other = _customer(), _customer(holder_name="이서연")
        service.install_meter(customer.id, "F-1", 13, date(2026, 1, 5), start_reading=100)
        service.install_meter(other.id, "F-2", 13, date(2026, 1, 5))
        service.read(customer.id, date(2026, 2, 5), 110)
        a, b = customer.account_no, other.account_no
        refused = service.import_csv(f"{a},2026-04-05,131\n{a},2026-03-05,121\n{b},2026-03-05,{'9' * 5000}\n{b},2026-03-05,²\n".encode())
        assert refused.imported == 0 and [n for n, _reason in refused.errors] == [2, 3, 4]
        assert "2026-04-05" in refused.errors[0][1]  # the line before it, not anything stored
        result = service.import_csv(f"{a},2026-03-05,121\n{b},2026-03-05,{'0' * 20}7\n{a},2026-04-05,131\n{a},2026-05-05,200\n".encode())
        assert (result.imported, result.errors, result.already) == (4, [], 0)
        # 11, 10 then 69 ㎥ against an average of 10: flagged
        assert [(r.read_on.month, r.use, r.flag) for r in repo.readings(customer.id)] == [
            (5, 69, "high"), (4, 10, ""), (3, 11, ""), (2, 10, "")]
        assert [r.use for r in repo.readings(other.id)] == [7]
        again = service.import_csv(f"{a},2026-05-05,200\n{b},2026-03-05,7\n".encode())
        assert (again.imported, again.already, again.errors) == (0, 2, [])
        assert len(repo.readings(customer.id)) == 4



def test_a_reading_typed_while_a_file_of_the_same_meter_is_imported_is_measured_from_the_file_s_line(app, monkeypatch):
    """A reading's use is measured from the meter's last reading: a reader typing a reading on the
    route page while the reader's file with the same meter is being imported waits for the file,
    then measures from its line — not from the reading before it, which would count the use of the
    file's line twice (60 ㎥ instead of 10)."""
    import threading
    import time

    with app.test_request_context():
        customer = _customer()
        service.install_meter(customer.id, "L-1", 13, date(2026, 1, 5), start_reading=1000)
        service.read(customer.id, date(2026, 2, 5), 1000)
        account, customer_id = customer.account_no, customer.id
    file_has_read, errors, found = threading.Event(), [], {}
    looked_up = repo.recent_uses_of

    def slow_recent_uses_of(*args, **kwargs):  # the import has read its meters and their last readings
        uses = looked_up(*args, **kwargs)
        file_has_read.set()
        time.sleep(1.5)  # the reader types meanwhile
        return uses

    monkeypatch.setattr(repo, "recent_uses_of", slow_recent_uses_of)

    def import_file():
        with app.test_request_context():
            try:
                found["file"] = service.import_csv(f"{account},2026-03-05,1050\n".encode()).imported
            except Exception as error:  # reported below
                errors.append(error)

    def type_reading():
        file_has_read.wait(timeout=30)
        with app.test_request_context():
            try:
                found["typed"] = service.read(customer_id, date(2026, 3, 20), 1060).use
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=import_file), threading.Thread(target=type_reading)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and found == {"file": 1, "typed": 10}
    with app.test_request_context():
        assert [(r.read_on.isoformat(), r.use) for r in repo.readings(customer_id)] == [
            ("2026-03-20", 10), ("2026-03-05", 50), ("2026-02-05", 0)]

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
    good = f"수용가번호,검침일,지침\n{account},2026-11-15,130\n".encode()
    upload = client.post("/rates/readings/upload", data={"csrf_token": _token(client), "file": (BytesIO(good), "r.csv")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "검침 1건을 가져왔습니다." in upload.get_data(as_text=True)
    with app.app_context():
        assert sorted(r.use for r in repo.readings(customer_id)) == [12, 18]
        assert not list((jobs.output_dir() / "inputs").iterdir())  # the uploads are not kept once answered


def _token(client):
    from conftest import csrf_from

    return csrf_from(client.get("/rates/readings/upload").get_data(as_text=True))


def _ami(client, token, readings, key="batch-1"):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/rates/readings", json={"readings": readings}, headers=headers)


def test_smart_meters_send_batches_with_their_own_token(app, client, runner):
    with app.test_request_context():
        customer_id = _customer().id
        service.install_meter(customer_id, "AMI-1", 13, date(2026, 1, 5), start_reading=100)
        other = _customer(holder_name="이웃", address="한빛시 물길로 9", route_code="3301")
        service.install_meter(other.id, "AMI-2", 13, date(2026, 1, 5))
    output = runner.invoke(args=["rates", "ami-device", "한빛 AMI 헤드엔드", "--meter", "AMI-1"]).output
    token = output.strip().rsplit(" ", 1)[1]
    bad = [{"meter": "AMI-1", "read_on": "2026-11-01", "value": 130},
           {"meter": "AMI-1", "read_on": "2026-11-02", "value": 120},
           {"meter": "NOPE", "read_on": "2026-11-02", "value": 5},
           {"meter": "AMI-1", "read_on": "2026-11-03", "value": True},
           {"meter": "AMI-2", "read_on": "2026-11-03", "value": 7}]
    assert client.post("/api/rates/readings", json={"readings": bad}).status_code == 401
    assert _ami(client, "wrong", bad).status_code == 403
    assert _ami(client, token, bad, key=None).status_code == 400  # a batch names itself
    response = _ami(client, token, bad)
    body = response.get_json()
    # All or nothing: four refusals, and the one good reading is not recorded either.
    assert response.status_code == 422 and (body["accepted"], body["refused"], body["recorded"]) == (0, 4, False)
    reasons = [r["reason"] for r in body["results"]]
    assert reasons[0] == "" and "120" in reasons[1] and "NOPE" in reasons[2] and "AMI-2" in reasons[4]
    assert client.post("/api/rates/readings", json={"readings": "x"},
                       headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k"}).status_code == 400
    with app.app_context():
        assert repo.readings(customer_id) == []
    good = bad[:1]
    first = _ami(client, token, good, key="batch-2")
    assert first.status_code == 200 and first.get_json()["results"][0]["use"] == 30
    again = _ami(client, token, good, key="batch-2")  # the head-end never saw the answer and sends it again
    assert again.status_code == 200 and again.get_json()["results"] == first.get_json()["results"] and again.get_json()["replayed"]
    assert _ami(client, token, bad[1:2], key="batch-2").status_code == 409  # a key names one batch only
    with app.app_context():
        assert [(r.use, r.source) for r in repo.readings(customer_id)] == [(30, "ami")]

    # Rotation: the old token stops at once, the new one works; revocation stops it.
    new_token = runner.invoke(args=["rates", "ami-rotate", "한빛 AMI 헤드엔드"]).output.strip().rsplit(" ", 1)[1]
    later = [{"meter": "AMI-1", "read_on": "2026-11-10", "value": 131}]
    assert _ami(client, token, later, key="batch-3").status_code == 403
    assert _ami(client, new_token, later, key="batch-3").status_code == 200
    assert "revoked" in runner.invoke(args=["rates", "ami-revoke", "한빛 AMI 헤드엔드"]).output
    assert _ami(client, new_token, later, key="batch-4").status_code == 403
    # A device bound to a route reports every meter on it, and no other.
    output = runner.invoke(args=["rates", "ami-device", "3301 구역", "--route", "3301"]).output
    route_token = output.strip().rsplit(" ", 1)[1]
    assert _ami(client, route_token, [{"meter": "AMI-2", "read_on": "2026-11-10", "value": 7}]).status_code == 200
    assert _ami(client, route_token, [{"meter": "AMI-1", "read_on": "2026-11-11", "value": 140}], key="r-2").status_code == 422


def test_the_clerk_registers_rotates_and_revokes_a_device_on_its_page(app, client, make_user):
    with app.test_request_context():
        service.install_meter(_customer().id, "P-1", 13, date(2026, 1, 5))
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    refused = post_form(client, "/rates/ami/new", {"new-name": "헤드엔드", "new-meters": "NO-SUCH"}, page="/rates/ami")
    assert refused.status_code == 200 and "NO-SUCH 계량기가 없습니다" in refused.get_data(as_text=True)
    page = post_form(client, "/rates/ami/new", {"new-name": "헤드엔드", "new-meters": "P-1"}, page="/rates/ami")
    html = page.get_data(as_text=True)
    assert "한 번만 표시됩니다" in html and "P-1" in html
    with app.app_context():
        from plugins.rates.services import ami

        device = ami.by_name("헤드엔드")
        device_id, old_hash = device.id, device.token_hash
    post_form(client, f"/rates/ami/{device_id}/rotate", {}, page="/rates/ami")
    post_form(client, f"/rates/ami/{device_id}/revoke", {}, page="/rates/ami")
    with app.app_context():
        device = ami.device(device_id)
        assert device.token_hash != old_hash and not device.active and device.revoked_at is not None


def test_readings_dated_ahead_before_installation_or_before_the_last_are_refused_everywhere(app, client, runner, make_user):
    with app.test_request_context():
        customer = _customer()
        customer_id, account = customer.id, customer.account_no
        service.install_meter(customer_id, "D-1", 13, date(2026, 3, 1), start_reading=100)
        with pytest.raises(ServiceError, match="설치"):
            service.read(customer_id, date(2026, 2, 1), 105)
        service.read(customer_id, date(2026, 6, 1), 110)
        for day, message in ((date(9999, 12, 31), "오늘"), (date(2026, 5, 1), "이미 검침")):
            with pytest.raises(ServiceError, match=message):
                service.read(customer_id, day, 120)
        # CSV: the same rules, each line with its reason, nothing imported.
        result = service.import_csv(f"{account},9999-12-31,120\n{account},2026-05-01,120\n".encode())
        assert result.imported == 0 and [n for n, _reason in result.errors] == [1, 2]
        assert "오늘" in result.errors[0][1]
    token = runner.invoke(args=["rates", "ami-device", "D", "--meter", "D-1"]).output.strip().rsplit(" ", 1)[1]
    response = _ami(client, token, [{"meter": "D-1", "read_on": "9999-12-31", "value": 120}])
    assert response.status_code == 422 and "오늘" in response.get_json()["results"][0]["reason"]
    make_user("reader", roles=["meter_reader"])
    login(client, "reader")
    page = post_form(client, f"/rates/routes/{account[:4]}", {"read_on": "9999-12-31", f"reading-{customer_id}": "120"},
                     follow=True).get_data(as_text=True)
    assert "오늘" in page
    with app.test_request_context():
        assert [r.value for r in repo.readings(customer_id)] == [110]  # the meter is not blocked: a true reading goes in
        assert service.read(customer_id, date(2026, 7, 1), 120).use == 10


def test_a_rollover_is_accepted_only_when_the_register_makes_it_plausible(app):
    with app.test_request_context():
        customer_id = _customer().id
        service.install_meter(customer_id, "R-1", 13, date(2026, 1, 5), start_reading=3_267)
        with pytest.raises(ServiceError, match="96,733"):  # "rolled over" from 3,267 to 0: a misread, not 96,733 ㎥
            service.read(customer_id, date(2026, 2, 5), 0, rollover=True)
        assert service.read(customer_id, date(2026, 2, 5), 3_300).use == 33


def test_routes_are_assigned_and_the_reader_sees_unread_first_keeps_refusals_and_confirms_high_use(app, client, make_user,
                                                                                                   monkeypatch):
    from datetime import timedelta

    from erp.common.clock import local_today
    from plugins.rates.services import routes
    from plugins.rates.views import reading

    today = local_today()
    start = routes.round_start()
    with app.test_request_context():
        ids = {}
        for name, address in (("가", "한빛로 1"), ("나", "한빛로 2"), ("다", "한빛로 3")):
            customer = _customer(holder_name=f"{name}수용가", address=address, route_code="4401")
            service.install_meter(customer.id, f"RT-{name}", 13, start - timedelta(days=200), start_reading=100)
            for months_ago in (3, 2, 1):  # a steady 10 ㎥ a month before this round
                service.read(customer.id, start - timedelta(days=30 * months_ago - 5), 100 + 10 * (4 - months_ago))
            ids[name] = customer.id
        service.read(ids["가"], today, 140)  # read this round
    reader_id = make_user("reader", roles=["meter_reader"], name="오검침")
    make_user("clerk", roles=["rates_clerk"])
    make_user("civil", roles=["complaints_officer"])
    login(client, "clerk")
    with app.app_context():
        from erp.auth import services as auth

        civil_id = auth.search_users("civil").items[0].id
    refused = post_form(client, "/rates/routes/assign", {"route_code": "4401", "reader_id": str(civil_id)}, follow=True)
    assert "검침을 입력할 수 없습니다" in refused.get_data(as_text=True)
    post_form(client, "/rates/routes/assign", {"route_code": "4401", "reader_id": str(reader_id)})
    html = client.get("/rates/routes/assign").get_data(as_text=True)
    assert "오검침" in html
    huge = post_form(client, "/rates/routes/assign", {"route_code": "4401", "reader_id": "9" * 30}, follow=True)
    assert "검침원을 고르십시오." in huge.get_data(as_text=True)
    with app.app_context():
        from plugins.rates.repositories import routes as routes_repo

        assert routes_repo.assignment("4401").reader_id == reader_id  # the bad choice changed nothing

    reader = app.test_client()
    login(reader, "reader")
    html = reader.get("/rates/routes").get_data(as_text=True)
    assert "내 구역" in html and "1건 검침" in html and "2건 미검침" in html
    monkeypatch.setattr(reading, "PER_PAGE", 2)
    first = reader.get("/rates/routes/4401").get_data(as_text=True)
    assert first.index("한빛로 2") < first.index("한빛로 3") and "한빛로 1" not in first  # unread first; the read one on page 2
    assert "1 / 2" in first and "3건 중 1건 검침" in first
    assert "한빛로 1" in reader.get("/rates/routes/4401?page=2").get_data(as_text=True)
    found = reader.get("/rates/routes/4401", query_string={"q": "다수용"}).get_data(as_text=True)
    assert "한빛로 3" in found and "한빛로 2" not in found

    # 나: below the previous reading (refused, kept as typed); 다: 60 ㎥ against an average of 10 (asks first).
    answer = post_form(client=reader, url="/rates/routes/4401", page="/rates/routes/4401",
                       data={"read_on": today.isoformat(), f"reading-{ids['나']}": "95", f"reading-{ids['다']}": "190"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f'name="reading-{ids["나"]}" value="95"' in html and "이전 지침" in html
    assert f'name="reading-{ids["다"]}" value="190"' in html and f'name="confirm-{ids["다"]}"' in html and "평균" in html
    with app.app_context():
        assert [r.value for r in repo.readings(ids["다"])][0] == 130 and repo.readings(ids["나"])[0].value == 130
    saved = post_form(client=reader, url="/rates/routes/4401", page="/rates/routes/4401",
                      data={"read_on": today.isoformat(), f"reading-{ids['다']}": "190", f"confirm-{ids['다']}": "y"})
    assert saved.status_code == 302
    with app.app_context():
        latest = repo.readings(ids["다"])[0]
        assert (latest.value, latest.use, latest.flag) == (190, 60, "high")


def _cells(data):
    from openpyxl import load_workbook

    return [c for row in load_workbook(BytesIO(data)).active.iter_rows(values_only=True) for c in row if c is not None]


def test_customers_and_readings_download_as_excel(app, client, make_user, monkeypatch):
    from plugins.rates.views import exports

    with app.test_request_context():
        first = _customer(holder_name="엑셀일", route_code="1101")
        second = _customer(holder_name="엑셀이", route_code="1102")
        for customer, value in ((first, 123), (second, 45)):
            service.install_meter(customer.id, f"X-{customer.id}", 13, date(2026, 1, 5))
            service.read(customer.id, date(2026, 10, 5), value)
        first_no, second_no = first.account_no, second.account_no
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    cells = _cells(client.get("/rates/customers", query_string={"route": "1101", "format": "xlsx"}).data)
    assert first_no in cells and "엑셀일" in cells and second_no not in cells
    readings = client.get("/rates/readings", query_string={"from": "2026-10-01", "to": "2026-10-31", "format": "xlsx"})
    cells = _cells(readings.data)
    assert {first_no, second_no} <= set(cells) and 123 in cells and 45 in cells
    page = client.get("/rates/readings?from=2026-10-01&to=2026-10-31&route=1102").get_data(as_text=True)
    assert second_no in page and first_no not in page
    assert client.get("/rates/readings?from=2026-13-01").status_code == 400
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 1)
    refused = client.get("/rates/customers", query_string={"format": "xlsx"}, follow_redirects=True)
    assert refused.mimetype == "text/html" and "좁혀" in refused.get_data(as_text=True)
