"""Demo data: a few months of complaints of every type, in every state, some overdue."""
from __future__ import annotations

from datetime import timedelta

from erp import ports
from erp.common.clock import utcnow
from erp.extensions import db
from plugins.complaints.models import Complaint
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services import complaints as service
from plugins.complaints.services.storage import Upload

TEXTS = {
    "HOLDER_CHANGE": ("주택 매매에 따른 수용가 명의변경", "OO아파트 101동 1203호를 매수하여 수도 명의를 변경하고자 합니다."),
    "MOVE_OUT": ("이사 정산 요청", "이번 주 토요일 이사합니다. 당일 지침으로 정산해 주세요."),
    "HOUSEHOLD_SPLIT": ("다가구 주택 가구분할 신청", "한 계량기에 3가구가 거주하고 있어 가구분할을 신청합니다."),
    "BILL_OBJECTION": ("지난달 요금이 평소의 3배입니다", "가족 수와 사용 습관이 같은데 요금이 크게 올랐습니다. 검침을 다시 확인해 주세요."),
    "LEAK_REPORT": ("도로에서 물이 솟아오릅니다", "한빛로 23 앞 보도에서 물이 계속 새어 나옵니다."),
    "LEAK_REDUCTION": ("보이지 않는 누수 감면 신청", "욕실 벽 속 배관 누수를 수리했습니다. 수리 영수증을 첨부합니다."),
    "WATER_QUALITY": ("수돗물에서 냄새가 납니다", "아침에 수돗물에서 소독약 냄새가 심하게 납니다."),
    "OUTAGE": ("수압이 매우 약합니다", "어제 저녁부터 3층 이상 세대에 물이 거의 나오지 않습니다."),
    "METER": ("계량기 동파", "한파로 계량기 유리가 깨졌습니다."),
    "E_BILLING": ("모바일 전자고지 신청", "종이 고지서 대신 카카오톡으로 받고 싶습니다."),
    "QUESTION": ("하수도 요금 산정 기준 문의", "하수도 사용료는 어떤 기준으로 부과되나요?"),
    "SUGGESTION": ("요금 자동이체 할인 건의", "자동이체 시 소액이라도 할인해 주시면 좋겠습니다."),
    "GRIEVANCE": ("공사 후 도로 복구 지연", "관로 공사 후 한 달째 도로가 복구되지 않았습니다."),
}
# The state each demo complaint is brought to, cycling through them.
# Most are completed, as in a real office; a few are still open, refused or withdrawn.
PATHS = ["received", "completed", "assigned", "completed", "supplement", "completed", "in_progress", "completed",
         "extended", "completed", "refused", "completed", "withdrawn", "completed"]


def load(context) -> None:
    """About fifty complaints over the last three months."""
    now = utcnow()
    kinds = repo.types()
    count = 0
    for round_no in range(4):
        for index, kind in enumerate(kinds):
            title, body = TEXTS.get(kind.code, (kind.name, kind.name))
            # The first leak-reduction request comes with the plumber's receipt it mentions.
            uploads = [Upload("누수수리_영수증.pdf", _repair_receipt())] if kind.code == "LEAK_REDUCTION" and round_no == 0 else []
            complaint = service.file(kind.code, title=title, body=body, name=["김민수", "이서연", "박지훈", "최유진"][round_no],
                                     phone=f"010-{2000 + index:04d}-{1000 + round_no:04d}", address="한빛시 한빛로 23",
                                     customer_no=_customer_no(index * 4 + round_no + 1), uploads=uploads)
            # Closed ones are spread back over three months; open ones were filed in the last ten days,
            # so only some of them are overdue — as in a real office.
            target = PATHS[(round_no * 5 + index) % len(PATHS)]
            back = (round_no * 23 + index * 2) % 90 + 1 if target in ("completed", "refused", "withdrawn") else (index + round_no) % 10
            filed = now - timedelta(days=back, hours=index)
            row = db.session.get(Complaint, complaint.id)
            row.filed_at = filed
            for event in row.events:
                event.at = filed
            service.recompute_due(row)
            db.session.commit()
            # The department's own officer where there is one, else the coordinator.
            handlers = service.assignable_officials(row)
            _advance(row.id, target, handlers[0] if handlers else None)
            if target == "completed":
                _answered(row.id, late=(round_no + index) % 9 == 4)
            count += 1


def _repair_receipt() -> bytes:
    """A plumber's receipt (영수증) for a hidden leak repaired, as a citizen would scan it."""
    from reportlab.lib.units import mm

    from erp.common.pdf import build_pdf, form_table

    rows = [("상호", "한빛설비"), ("사업자등록번호", "123-45-67890"), ("공사 장소", "한빛시 한빛로 23"),
            ("공사 내용", "욕실 벽체 내 급수배관 누수 수리 (동관 교체 1.5m)"), ("공사 방법", "벽체 철거 · 배관 교체 · 미장 복구"),
            ("금액", "금 삼십팔만원정 (₩380,000)"), ("비고", "위 금액을 정히 영수함")]
    return build_pdf("영수증", [form_table(rows, 170 * mm)], org_name="한빛설비")


def _answered(complaint_id: int, late: bool) -> None:
    """Date the completion back to when the office answered: within the deadline (at 40–80 % of
    the time allowed), or a day after it for the few answered late."""
    row = db.session.get(Complaint, complaint_id)
    if row.due_at is None or row.closed_at is None:
        return
    allowed = row.due_at - row.filed_at
    answered = row.due_at + timedelta(days=1) if late else row.filed_at + allowed * (0.4 + (complaint_id % 5) / 10)
    answered = min(answered, utcnow())
    for event in row.events:
        if event.at > answered:
            event.at = answered
    row.closed_at = answered
    db.session.commit()


def _customer_no(sequence: int) -> str:
    """A customer of the rates demo (route 1101), when the rates plugin is here."""
    try:
        return ports.get("rates").account_number("1101", sequence)
    except ports.PortError:
        return ""


def _advance(complaint_id: int, target: str, officer) -> None:
    if target == "received" or officer is None:
        return
    service.assign(complaint_id, officer.id)
    if target == "supplement":
        service.request_supplement(complaint_id, "신분증 사본과 관련 서류를 보내 주십시오.")
    elif target == "in_progress":
        service.add_note(complaint_id, "현장 확인 일정 조율 중")
        service.reply(complaint_id, "현장을 확인하고 조치하겠습니다.")
    elif target == "extended":
        service.extend(complaint_id, 5, "현장 조사와 관계 기관 협의가 필요함")
    elif target == "completed":
        service.reply(complaint_id, "요청하신 내용을 처리하였습니다. 이용에 불편을 드려 죄송합니다.")
        service.close(complaint_id, "completed")
    elif target == "refused":
        service.close(complaint_id, "refused", "관련 규정상 처리할 수 없는 요청입니다.")
    elif target == "withdrawn":
        service.close(complaint_id, "withdrawn", "민원인이 전화로 취하함")
