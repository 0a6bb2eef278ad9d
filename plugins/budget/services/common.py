"""What the budget services share: refusals, amounts, the rules kept as settings."""
from __future__ import annotations

from flask import current_app

from erp.audit import services as audit
from erp.common import codes
from erp.common.errors import refuse

# Rules are code tables the administrator edits on the code-table page.
NO_TRANSFER_OUT = "BUDGET_NO_TRANSFER_OUT"  # items that may not be moved out (personnel)
NO_TRANSFER_IN = "BUDGET_NO_TRANSFER_IN"  # items that may not receive (업무추진비)
RESERVE_ITEM = "800"  # 예비비


def whole_won(value, field: str, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        refuse(message, field)
    return value


def actor() -> str:
    return audit.current_actor()[1]


def no_transfer_out() -> set[str]:
    return {c.code for c in codes.codes(NO_TRANSFER_OUT)}


def no_transfer_in() -> set[str]:
    return {c.code for c in codes.codes(NO_TRANSFER_IN)}


def reserve_limit_percent() -> float:
    return float(current_app.config.get("ERP_BUDGET_RESERVE_PERCENT", 1))


def setup() -> str:
    """Seed the transfer rules (personnel items 101, 106, 107, 108 may not be moved out;
    업무추진비 203 may not receive) as code tables the administrator can change."""
    codes.ensure_group(NO_TRANSFER_OUT, "예산 이용·전용: 보낼 수 없는 편성목",
                       [("101", "인건비"), ("106", "인건비 관련 목"), ("107", "퇴직급여 등"), ("108", "인건비 관련 목")],
                       owner="budget", description="인건비 관련 목은 다른 목으로 이용·전용할 수 없다 (지방공기업 예산편성기준)")
    codes.ensure_group(NO_TRANSFER_IN, "예산 이용·전용: 받을 수 없는 편성목", [("203", "업무추진비")], owner="budget",
                       description="업무추진비는 다른 목에서 전용받을 수 없다 (지방공기업 예산편성기준)")
    return "transfer rules in place"
