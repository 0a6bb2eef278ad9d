"""Complaints: statutory deadlines, states, attachments, escaping, citizens' look-up, statistics."""
import struct
from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from conftest import csrf_from, login

from erp.common.clock import to_local, to_utc
from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.complaints.models import Complaint, Notice
from plugins.complaints.services import complaints as service
from plugins.complaints.services import deadlines, stats, storage

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5d6b50000000049454e44ae426082")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64



def hwp_document() -> bytes:
    """A minimal HWP 5 document as 한글 writes it: an OLE2 compound file (CFB v3, 512-byte sectors)
    whose FileHeader stream (256 bytes, in the mini stream) begins with the HWP signature."""
    END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header_stream = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05000300, 0) + b"\0" * 216
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, END, 0) + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    fat = struct.pack("<4I", FATSECT, END, END, END) + struct.pack("<I", FREE) * 124
    minifat = struct.pack("<4I", 1, 2, 3, END) + struct.pack("<I", FREE) * 124

    def entry(name, kind, child, start, size):
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", NOSTREAM, NOSTREAM, child) + b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16
                + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, 1, 3, len(header_stream)) + entry("FileHeader", 2, NOSTREAM, 0, len(header_stream))
                 + entry("", 0, NOSTREAM, 0, 0) * 2)
    return header + fat + directory + minifat + header_stream.ljust(512, b"\0")



def hwpx_document() -> bytes:
    """A minimal HWPX document: an OCF ZIP whose first entry, stored uncompressed, is the mimetype."""
    import zipfile

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("version.xml", '<?xml version="1.0" encoding="UTF-8"?><hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" major="5" minor="1"/>')
        archive.writestr("Contents/section0.xml", '<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section"><hp:p xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"><hp:run><hp:t>누수 수리 확인서</hp:t></hp:run></hp:p></hs:sec>')
        archive.writestr("META-INF/container.xml", '<?xml version="1.0" encoding="UTF-8"?><ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container"><ocf:rootfiles><ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/></ocf:rootfiles></ocf:container>')
    return buffer.getvalue()


def xlsx_document() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["검침일", "지침"])
    book.active.append(["2026-11-01", 1234])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# The ISO-BMFF header of a HEIC photo as an iPhone writes it: the ftyp box (major brand heic).
HEIC = struct.pack(">I", 24) + b"ftypheic" + struct.pack(">I", 0) + b"mif1heic" + struct.pack(">I", 8) + b"mdat"

# --- deadlines against dates written here -----------------------------------------------------

@pytest.mark.parametrize("filed, value, unit, paused, extension, expected", [
    # 7 days, counted in working days from the day of receipt, across Chuseok 2026 (24–26 Sep) and
    # the alternative holiday of 5 Oct: 23, 28, 29, 30 Sep, 1, 2, 6 Oct.
    (datetime(2026, 9, 23, 10, 0), 7, "days", 0, 0, datetime(2026, 10, 6, 18, 0)),
    # Across Christmas and New Year: 24, 28, 29, 30, 31 Dec, 4, 5 Jan.
    (datetime(2026, 12, 24, 9, 30), 7, "days", 0, 0, datetime(2027, 1, 5, 18, 0)),
    # 3 days = 24 working hours from Friday 16:00, over a weekend: Fri 2 h, Mon 8, Tue 8, Wed 6.
    (datetime(2026, 9, 18, 16, 0), 3, "days", 0, 0, datetime(2026, 9, 23, 16, 0)),
    # 1 day = 8 working hours from Wed 14:00, over Chuseok and a Sunday: Wed 4 h, Mon 4 h (lunch skipped).
    (datetime(2026, 9, 23, 14, 0), 1, "days", 0, 0, datetime(2026, 9, 28, 14, 0)),
    # The same with two working hours waiting for a supplement.
    (datetime(2026, 9, 23, 14, 0), 1, "days", 120, 0, datetime(2026, 9, 28, 16, 0)),
    # 7 days extended by 5: the 12th working day, Hangul Day (9 Oct) skipped.
    (datetime(2026, 9, 23, 10, 0), 7, "days", 0, 5, datetime(2026, 10, 14, 18, 0)),
    # 7 days with 600 paused minutes: two more working days.
    (datetime(2026, 9, 23, 10, 0), 7, "days", 600, 0, datetime(2026, 10, 8, 18, 0)),
    # Immediately = 3 working hours, from New Year's Eve 17:00: 1 h, then Monday 4 Jan 9–11.
    (datetime(2026, 12, 31, 17, 0), 0, "immediate", 0, 0, datetime(2027, 1, 4, 11, 0)),
    # 4 working hours filed on a Saturday: counted from Monday 09:00.
    (datetime(2026, 11, 21, 11, 0), 4, "hours", 0, 0, datetime(2026, 11, 23, 14, 0)),
])
def test_deadlines(filed, value, unit, paused, extension, expected):
    assert deadlines.due(filed, value, unit, paused, extension) == expected


# --- the service --------------------------------------------------------------------------------

def _file(code="QUESTION", phone="010-1234-5678", **extra):
    data = dict(title="하수도 요금 문의", body="요금 산정 기준을 알려 주세요.", name="김민수", phone=phone)
    data.update(extra)
    return service.file(code, **data)


@pytest.fixture
def officer(app, make_user):
    from erp.auth import services as auth

    with app.app_context():
        for code, name in (("WS-MGT", "경영지원과"), ("WS-RATE", "요금관리과"), ("WS-SUP", "급수과")):
            auth.save_department(None, code=code, name=name)
    # Of no department: the complaints of every department are theirs as the coordinator's (the
    # department rule is tested in test_object_access.py).
    return make_user("civil", roles=["complaints_coordinator"], name="윤민원")


def test_filing_gives_a_receipt_number_a_due_date_and_a_receipt_notice(app):
    with app.test_request_context():
        complaint = _file()
        assert complaint.receipt_no.endswith("-MW-000001") and complaint.status == "received"
        assert complaint.department_code == "WS-MGT" and complaint.phone == "01012345678"
        expected = deadlines.due(to_local(complaint.filed_at), 7, "days")
        assert to_local(complaint.due_at) == expected
        notice = db.session.query(Notice).filter_by(complaint_id=complaint.id).one()
        assert notice.kind == "receipt" and complaint.receipt_no in notice.text and notice.status == "recorded"


def test_a_supplement_pauses_the_deadline_and_an_extension_moves_it(app, officer, monkeypatch):
    now = {"value": datetime(2026, 9, 23, 1, 0)}  # 10:00 in Seoul

    def clock():
        return now["value"]

    monkeypatch.setattr(service, "utcnow", clock)
    with app.test_request_context():
        complaint = _file("MOVE_OUT")  # 1 day = 8 working hours
        # Wed 10–12 and 13–18 = 7 h, then Chuseok and a weekend, then Mon 9–10 = 1 h.
        assert to_local(complaint.due_at) == datetime(2026, 9, 28, 10, 0)
        service.assign(complaint.id, officer)
        now["value"] = datetime(2026, 9, 23, 4, 0)  # 13:00: ask for the mover's documents
        service.request_supplement(complaint.id, "이사 일자를 확인할 서류를 보내 주세요.")
        now["value"] = datetime(2026, 9, 28, 2, 0)  # Mon 11:00: supplied; waited Wed 13–18 and Mon 9–11 = 7 h
        service.supply(complaint.receipt_no, "010-1234-5678", "전입신고 확인서를 첨부합니다.")
        row = db.session.get(Complaint, complaint.id)
        assert row.paused_minutes == 7 * 60 and row.status == "in_progress"
        assert to_local(row.due_at) == datetime(2026, 9, 28, 18, 0)  # 8 + 7 = 15 working hours from Wed 10:00
        service.extend(complaint.id, 2, "현장 확인 필요")  # + 16 working hours: Tue and Wed
        assert to_local(db.session.get(Complaint, complaint.id).due_at) == datetime(2026, 9, 30, 18, 0)
        with pytest.raises(ServiceError, match="동의"):
            service.extend(complaint.id, 1, "한 번 더")
        service.extend(complaint.id, 1, "민원인 동의로 한 번 더", consent=True)
        with pytest.raises(ServiceError, match="두 번"):
            service.extend(complaint.id, 1, "세 번째", consent=True)


def test_actions_the_state_does_not_allow_are_refused(app, officer):
    with app.test_request_context():
        complaint = _file()
        with pytest.raises(ServiceError, match="접수"):
            service.reply(complaint.id, "답변")  # not assigned yet
        with pytest.raises(ServiceError, match="회신"):
            service.assign(complaint.id, officer) and service.close(complaint.id, "completed")
        service.reply(complaint.id, "하수도 요금은 상수도 사용량을 기준으로 부과합니다.")
        service.close(complaint.id, "completed")
        for action in (lambda: service.reply(complaint.id, "다시"), lambda: service.extend(complaint.id, 1, "x"),
                       lambda: service.request_supplement(complaint.id, "x"), lambda: service.close(complaint.id, "refused", "x")):
            with pytest.raises(ServiceError, match="처리 완료"):
                action()
        with pytest.raises(ServiceError, match="종결"):
            service.withdraw(complaint.receipt_no, "01012345678")
        with pytest.raises(ServiceError, match="요청된 보완"):
            service.supply(complaint.receipt_no, "01012345678", "x")


@pytest.mark.parametrize("uploads, message", [
    ([storage.Upload("영수증.pdf", EXE)], "파일이 아닙니다"),  # an .exe named .pdf
    ([storage.Upload("사진.pdf", PNG)], "내용과 이름이 맞아야 합니다"),  # a PNG named .pdf
    ([storage.Upload("확인서.hwp", hwpx_document())], "내용과 이름이 맞아야 합니다"),
    ([storage.Upload("확인서.hwp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)], "파일이 아닙니다"),  # a broken OLE2 file
    ([storage.Upload("big.pdf", PDF + b"0" * (11 * 1024 * 1024))], "10MB보다 큽니다"),
    ([storage.Upload(f"{n}.pdf", PDF) for n in range(4)], "3개까지"),
    ([storage.Upload("empty.pdf", b"")], "비어 있습니다"),
])
def test_bad_attachments_are_refused_and_nothing_is_stored(app, uploads, message):
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        _file(uploads=uploads)
    assert message in refused.value.message
    with app.app_context():
        assert db.session.query(Complaint).count() == 0
        assert not list(storage.directory().iterdir())


def test_attachments_keep_no_path_and_are_stored_under_generated_names(app):
    with app.test_request_context():
        complaint = _file(uploads=[storage.Upload("../../etc/passwd.png", PNG), storage.Upload("C:\\Users\\kim\\영수증.pdf", PDF)])
        names = [a.original_name for a in complaint.attachments]
        assert names == ["passwd.png", "영수증.pdf"]
        stored = sorted(p.name for p in storage.directory().iterdir())
        assert len(stored) == 2 and all(len(name.split(".")[0]) == 32 for name in stored)
        assert [a.content_type for a in complaint.attachments] == ["image/png", "application/pdf"]


def test_a_wrong_phone_reveals_nothing(app, client):
    with app.test_request_context():
        complaint = _file(title="비밀 제목")
        receipt_no = complaint.receipt_no
    page = client.get("/complaints/status")
    response = client.post("/complaints/status", data={"receipt_no": receipt_no, "phone": "010-9999-9999",
                                                       "csrf_token": csrf_from(page.get_data(as_text=True))}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "일치하는 민원이 없습니다" in html and "비밀 제목" not in html
    assert client.get(f"/complaints/status/{receipt_no}", follow_redirects=True).get_data(as_text=True).count("비밀 제목") == 0
    # Same answer for a receipt number that does not exist: nothing tells which part was wrong.
    other = client.post("/complaints/status", data={"receipt_no": "2026-MW-999999", "phone": "010-1234-5678",
                                                    "csrf_token": csrf_from(page.get_data(as_text=True))}, follow_redirects=True)
    assert "일치하는 민원이 없습니다" in other.get_data(as_text=True)


def test_script_in_the_text_is_shown_escaped_to_officials_and_citizens(app, client, officer):
    attack = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
    with app.test_request_context():
        complaint = _file(title=attack, body=attack, name="<b>김</b><script>x()</script>")
        complaint_id, receipt_no = complaint.id, complaint.receipt_no
    login(client, "civil")
    html = client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html and "<img src=x" not in html
    citizen = app.test_client()
    page = citizen.get("/complaints/status")
    citizen.post("/complaints/status", data={"receipt_no": receipt_no, "phone": "01012345678",
                                             "csrf_token": csrf_from(page.get_data(as_text=True))})
    html = citizen.get(f"/complaints/status/{receipt_no}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_the_queue_puts_overdue_first_then_due_today(app, officer):
    with app.test_request_context():
        later = _file("SUGGESTION")   # 14 days
        overdue = _file("QUESTION")
        today = _file("OUTAGE")       # 4 working hours
        row = db.session.get(Complaint, overdue.id)
        row.due_at = row.filed_at - timedelta(hours=1)
        row = db.session.get(Complaint, today.id)
        local_now = to_local(row.filed_at)
        row.due_at = to_utc(datetime.combine(local_now.date(), datetime.max.time().replace(microsecond=0)))
        db.session.commit()
        assert [c.id for c in service.queue()][:2] == [overdue.id, today.id]
        assert service.queue()[-1].id == later.id


def test_statistics_of_a_seeded_month(app, officer):
    with app.test_request_context():
        filed = []
        for code in ("QUESTION", "QUESTION", "SUGGESTION"):
            filed.append(_file(code))
        for c in filed:  # filed on Monday 2 Nov 2026, 10:00 in Seoul
            row = db.session.get(Complaint, c.id)
            row.filed_at = datetime(2026, 11, 2, 1, 0)
            service.recompute_due(row)
        db.session.commit()
        first, second, third = (c.id for c in filed)
        for complaint_id in (first, second):
            service.assign(complaint_id, officer)
            service.reply(complaint_id, "답변")
            service.close(complaint_id, "completed")
        # The first is answered on time on Wed 4 Nov 10:00 (16 working hours); the second late.
        db.session.get(Complaint, first).closed_at = datetime(2026, 11, 4, 1, 0)
        db.session.get(Complaint, second).closed_at = datetime(2026, 11, 20, 1, 0)
        db.session.commit()
        rows = {r.key: r for r in stats.statistics(date(2026, 11, 1), date(2026, 11, 30), "type")}
        question = rows["질의"]
        assert (question.received, question.completed, question.on_time_rate) == (2, 2, 50.0)
        # Handling: 16 h and 112 h (14 working days), on average 64 h = 8.0 working days.
        assert question.average_days == 8.0
        assert rows["건의"].received == 1 and rows["건의"].completed == 0
        month = stats.statistics(date(2026, 11, 1), date(2026, 11, 30), "month")
        assert [(r.key, r.received) for r in month] == [("2026-11", 3)]


def test_statistics_files(app, client, officer):
    login(client, "civil")
    assert client.get("/complaints/stats?from=2026-01-01&to=2026-12-31&format=pdf").mimetype == "application/pdf"
    assert client.get("/complaints/stats?from=2026-01-01&to=2026-12-31&format=xlsx").data[:2] == b"PK"
    assert client.get("/complaints/stats?from=2026-13-01").status_code == 400


def test_remind_lists_and_notifies_what_is_due_within_a_day(app, runner, officer):
    from erp.common.clock import utcnow

    with app.test_request_context():
        due_soon, later = _file("OUTAGE"), _file("SUGGESTION")
        db.session.get(Complaint, due_soon.id).due_at = utcnow() + timedelta(hours=2)
        db.session.get(Complaint, later.id).due_at = utcnow() + timedelta(days=10)
        db.session.commit()
        receipt = due_soon.receipt_no
    result = runner.invoke(args=["complaints", "remind"])
    assert receipt in result.output and "1 complaint(s)" in result.output
    with app.app_context():
        assert db.session.query(Notice).filter_by(kind="reminder").count() == 1


def test_the_citizen_form_files_and_refuses_a_disguised_attachment(app, client):
    page = client.get("/complaints/new").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "type_code": "LEAK_REPORT", "title": "누수", "body": "도로 누수", "name": "박지훈",
            "phone": "010-2222-3333", "agree": "y", "attachments": [(BytesIO(EXE), "사진.pdf")]}
    refused = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    assert "파일이 아닙니다" in refused.get_data(as_text=True)
    data["attachments"] = [(BytesIO(PNG), "사진.png")]
    data["csrf_token"] = csrf_from(client.get("/complaints/new").get_data(as_text=True))
    receipt = client.post("/complaints/new", data=data, content_type="multipart/form-data", follow_redirects=True)
    html = receipt.get_data(as_text=True)
    assert "-MW-000001" in html and "민원 접수 완료" in html


def _as_citizen(app, receipt_no, phone="01012345678"):
    citizen = app.test_client()
    page = citizen.get("/complaints/status")
    citizen.post("/complaints/status", data={"receipt_no": receipt_no, "phone": phone,
                                             "csrf_token": csrf_from(page.get_data(as_text=True))})
    return citizen


def test_the_reply_and_the_internal_memo_are_separate_and_a_transfer_needs_its_target(app, client, officer):
    from conftest import post_form

    with app.test_request_context():
        complaint = _file()
        complaint_id, receipt_no = complaint.id, complaint.receipt_no
    login(client, "civil")
    case = f"/complaints/{complaint_id}"
    html = client.get(case).get_data(as_text=True)
    assert 'id="reply-text"' in html and 'id="note-text"' in html and "경영지원과" in html  # the department's name
    # The transfer form offers no department until one is chosen; without one nothing moves.
    refused = post_form(client, f"{case}/transfer", {"transfer-department_code": "", "transfer-reason": "급수 담당 업무"},
                        page=case)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "민원을 이송할 부서를 고르십시오." in html and "급수 담당 업무" in html
    with app.app_context():
        assert db.session.get(Complaint, complaint_id).department_code == "WS-MGT"
    assert post_form(client, f"{case}/assign", {"assign-user_id": str(officer)}, page=case).status_code == 302
    assert post_form(client, f"{case}/note", {"note-text": "민원인 과거 체납 이력 있음"}, page=case).status_code == 302
    assert post_form(client, f"{case}/reply", {"reply-text": "산정 기준은 조례 별표 1과 같습니다."}, page=case).status_code == 302
    html = _as_citizen(app, receipt_no).get(f"/complaints/status/{receipt_no}").get_data(as_text=True)
    assert "산정 기준은 조례 별표 1과 같습니다." in html and "체납 이력" not in html
    # The transfer with its target chosen.
    moved = post_form(client, f"{case}/transfer", {"transfer-department_code": "WS-SUP", "transfer-reason": "급수 담당 업무"},
                      page=case, follow=True)
    assert "민원을 이송했습니다." in moved.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Complaint, complaint_id).department_code == "WS-SUP"


def test_the_queue_is_searched_by_receipt_number_name_and_phone_and_exported(app, client, officer):
    from io import BytesIO as Buffer

    from openpyxl import load_workbook

    with app.test_request_context():
        first = _file(name="김민수", phone="010-1234-5678")
        second = _file(name="이서연", phone="010-9876-5432")
        numbers = first.receipt_no, second.receipt_no
    login(client, "civil")

    def found(q):
        html = client.get("/complaints/", query_string={"q": q}).get_data(as_text=True)
        return [n for n in numbers if n in html]

    assert found("이서연") == [numbers[1]]
    assert found("9876") == [numbers[1]] and found("010-1234") == [numbers[0]]
    assert found(numbers[0][-6:]) == [numbers[0]]
    assert found("%") == [] and found("박") == []
    assert "경영지원과" in client.get("/complaints/").get_data(as_text=True)
    response = client.get("/complaints/", query_string={"q": "이서연", "format": "xlsx"})
    sheet = load_workbook(Buffer(response.data)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert numbers[1] in cells and "이서연" in cells and "010-9876-5432" in cells and "경영지원과" in cells
    assert numbers[0] not in cells


def test_the_citizen_sees_their_attachments_and_prints_a_receipt(app, client):
    from pypdf import PdfReader

    with app.test_request_context():
        complaint = _file(name="<b>김</b>민수", uploads=[storage.Upload("누수 사진.png", PNG)])
        receipt_no = complaint.receipt_no
    assert client.get(f"/complaints/status/{receipt_no}/receipt.pdf").status_code == 302  # not proved: back to the look-up
    citizen = _as_citizen(app, receipt_no)
    html = citizen.get(f"/complaints/status/{receipt_no}").get_data(as_text=True)
    assert "누수 사진.png" in html
    attachment_path = next(part.split('"')[0] for part in html.split('href="') if "/attachments/" in part.split('"')[0])
    assert citizen.get(attachment_path).data == PNG
    assert client.get(attachment_path).status_code == 302  # another browser: not theirs
    response = citizen.get(f"/complaints/status/{receipt_no}/receipt.pdf")
    assert response.mimetype == "application/pdf"
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    assert "민원 접수증" in text and receipt_no in text and "<b>김</b>민수" in text and "010-****-5678" in text
    assert "누수 사진.png" in text and "국번없이 121" in text


def test_filing_shows_the_consent_notice_and_needs_the_consent(app, client):
    page = client.get("/complaints/new").get_data(as_text=True)
    notice = page.split('id="privacy-notice"', 1)[1].split("</section>", 1)[0]
    for words in ("수집", "목적", "보유", "10년", "거부할 권리", "접수할 수 없습니다"):
        assert words in notice
    data = {"csrf_token": csrf_from(page), "type_code": "QUESTION", "title": "문의", "body": "요금 문의", "name": "박지훈",
            "phone": "010-2222-3333"}
    refused = client.post("/complaints/new", data=data)
    assert "동의가 필요합니다" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Complaint).count() == 0



def test_korean_documents_photos_and_spreadsheets_are_accepted_by_their_content(app, client, officer):
    uploads = [storage.Upload("누수 수리 확인서.hwp", hwp_document()), storage.Upload("확인서.hwpx", hwpx_document()),
               storage.Upload("IMG_0001.HEIC", HEIC)]
    with app.test_request_context():
        complaint = _file(uploads=uploads)
        assert [a.content_type for a in complaint.attachments] == ["application/x-hwp", "application/hwp+zip", "image/heic"]
        more = _file(uploads=[storage.Upload("검침표.xlsx", xlsx_document())])
        assert [a.content_type for a in more.attachments] == [storage.XLSX]
        complaint_id, attachment_id = complaint.id, complaint.attachments[0].id
    login(client, "civil")
    download = client.get(f"/complaints/{complaint_id}/attachments/{attachment_id}")
    assert download.data == hwp_document() and "hwp" in download.headers["Content-Disposition"]
