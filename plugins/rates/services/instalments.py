"""Instalment plans (분납): a customer's arrears — the bills overdue when the plan is made and
their open late charges — split into dated instalments.

What the customer has paid toward the plan is what those covered bills no longer owe (payments
reach the oldest bill first: a virtual-account deposit, the counter, or a credit applied). An
instalment is kept when that sum reaches the instalments due so far. While the plan is kept the
covered bills take no late charges and the customer is left off the disconnection notices; an
instalment still unpaid ``instalment_grace_days`` (a tariff setting) after its date ends the plan
(reviewed by the arrears run), and the covered bills take late charges again from then on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _

from erp.audit import services as audit
from erp.i18n import N_
from erp.common import tx
from erp.common.clock import local_today, utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from plugins.rates.models import Instalment, InstalmentPlan
from plugins.rates.repositories import arrears as repo
from plugins.rates.repositories import customers as customer_repo

MAX_INSTALMENTS = 24


@dataclass
class InstalmentState:
    instalment: Instalment
    status: str  # paid | due | missed


@dataclass
class PlanProgress:
    plan: InstalmentPlan
    paid: int
    states: list[InstalmentState]

    @property
    def remaining(self) -> int:
        return max(0, self.plan.amount - self.paid)


def _grace(day: date) -> int:
    tariff = repo.tariff_on(day)
    return tariff.instalment_grace_days if tariff is not None else 0


def progress(plan: InstalmentPlan, on: date | None = None) -> PlanProgress:
    """What has been paid toward the plan and the state of each instalment on ``on``."""
    on = on or local_today()
    paid = max(0, plan.amount - repo.covered_owing(plan.customer_id, plan.covered_through))
    grace, required, states = timedelta(days=_grace(on)), 0, []
    for instalment in plan.instalments:
        required += instalment.amount
        if paid >= required:
            status = "paid"
        elif instalment.due_on + grace < on:
            status = "missed"
        else:
            status = "due"
        states.append(InstalmentState(instalment, status))
    return PlanProgress(plan, min(paid, plan.amount), states)


def plans_of(customer_id: int) -> list[InstalmentPlan]:
    return repo.plans_of(customer_id)


def proposal(customer_id: int, on: date | None = None) -> tuple[int, date | None]:
    """(amount, last due date covered) a plan made on ``on`` would cover: the bills overdue then."""
    on = on or local_today()
    owing = [(bill, balance + late) for bill, balance, late in repo.customer_bills_owing(customer_id) if bill.due_on < on]
    if not owing:
        return 0, None
    return sum(amount for _bill, amount in owing), max(bill.due_on for bill, _amount in owing)


@transactional
def create_plan(customer_id: int, count: int, first_due: date, note: str = "") -> InstalmentPlan:
    """Split the customer's arrears into ``count`` monthly instalments from ``first_due`` (the
    first takes the won that do not divide evenly)."""
    customer = customer_repo.get(customer_id)
    if customer is None:
        refuse(_("There is no such customer."))
    if isinstance(count, bool) or not isinstance(count, int) or not 2 <= count <= MAX_INSTALMENTS:
        refuse(_("Choose between %(low)d and %(high)d instalments.", low=2, high=MAX_INSTALMENTS), "count")
    today = local_today()
    if first_due is None or first_due < today:
        refuse(_("The first instalment cannot be due before today."), "first_due")
    if repo.active_plan_of(customer_id) is not None:
        refuse(_("The customer keeps an instalment plan already."))
    amount, covered = proposal(customer_id, today)
    if amount <= 0:
        refuse(_("The customer owes nothing overdue."))
    share, rest = divmod(amount, count)
    plan = InstalmentPlan(customer_id=customer_id, created_on=today, covered_through=covered, amount=amount,
                          status="active", note=(note or "").strip()[:300], created_by=audit.current_actor()[1][:50],
                          created_at=utcnow())
    for seq in range(count):
        plan.instalments.append(Instalment(seq=seq + 1, due_on=first_due + relativedelta(months=seq),
                                           amount=share + (rest if seq == 0 else 0)))
    repo.add(plan)
    audit.record("create", "rates_instalment_plan", plan.id,
                 f"instalment plan for {customer.account_no}: {amount} won in {count} from {first_due}")
    tx.commit()
    return plan


def review(on: date) -> int:
    """End the active plans with a missed instalment and complete those paid in full, in the
    caller's transaction (the arrears run's); returns how many were ended."""
    ended = 0
    for plan in repo.active_plans():
        state = progress(plan, on)
        if state.paid >= plan.amount:
            plan.status, plan.ended_on = "completed", on
            audit.record("update", "rates_instalment_plan", plan.id, N_("instalment plan %(id)s paid in full"), values={"id": plan.id})
        elif any(s.status == "missed" for s in state.states):
            missed = next(s.instalment for s in state.states if s.status == "missed")
            plan.status, plan.ended_on = "ended", on
            plan.note = (f"{plan.note} · " if plan.note else "") + f"{missed.seq}회차 미납 ({missed.due_on.isoformat()})"
            plan.note = plan.note[:300]
            audit.record("update", "rates_instalment_plan", plan.id, N_("instalment plan %(id)s ended: instalment %(seq)s due %(due)s unpaid"),
                         values={"id": plan.id, "seq": missed.seq, "due": missed.due_on.isoformat()})
            ended += 1
    return ended
