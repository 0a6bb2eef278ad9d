"""One unit of work per request: a service called inside another service's work — directly or
through an in-process port — never commits or rolls back its caller's work; only the outermost
call commits. Each test interrupts a workflow half-way (the process "dies" between two steps)
and then retries it as a clerk or a complaint officer would, with the same reference."""
from datetime import date

import pytest
import sqlalchemy as sa
import test_rates_billing
from test_rates_billing import ISSUED, OCTOBER, _bill_of

from erp import ports
from erp.common import tx
from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.rates.models import Bill, CustomerReduction, Reading
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.services import adjustments, billing
from plugins.rates.services import customers as customers_service


town = test_rates_billing.town  # the five customers of route 1101 (a fixture)


class Died(RuntimeError):
    """The process stopped between two steps of one unit of work."""


def _die(*args, **kwargs):
    raise Died("the process stopped here")


def _readings(customer_id):
    return db.session.execute(sa.select(sa.func.count()).select_from(Reading).where(Reading.customer_id == customer_id)).scalar()


def test_a_move_out_interrupted_before_its_bill_is_settled_on_the_retry(app, town, monkeypatch):
    with app.test_request_context():
        customers_service.read(town["welfare"], date(2026, 11, 5), 1015 + 10)
        account = customer_repo.get(town["welfare"]).account_no
        readings = _readings(town["welfare"])
        monkeypatch.setattr(adjustments, "_post_bill", _die)  # after the final reading and the move-out
        rates = ports.get("rates")
        with pytest.raises(Died):
            rates.settle_move_out(account, on=date(2026, 11, 20), final_reading=1015 + 14, reference="2026-MW-000009")
        monkeypatch.undo()
        db.session.expire_all()
        # Nothing of the first attempt stays: no final reading, the holder has not moved out.
        assert _readings(town["welfare"]) == readings
        assert customer_repo.get(town["welfare"]).moved_out_on is None
        info = rates.settle_move_out(account, on=date(2026, 11, 20), final_reading=1015 + 14, reference="2026-MW-000009")
        assert (info.kind, info.use, info.total) == ("settlement", 14, 14_750)
        assert rates.settle_move_out(account, on=date(2026, 11, 20), final_reading=1015 + 14, reference="2026-MW-000009") == info
        assert customer_repo.get(town["welfare"]).moved_out_on == date(2026, 11, 20)


def test_a_leak_reduction_interrupted_before_it_is_recorded_is_granted_on_the_retry(app, town, monkeypatch):
    with app.test_request_context():
        for month, value in ((7, 1010), (8, 1020), (9, 1030)):
            customers_service.read(town["unread"], date(2026, month, 5), value)
        customers_service.read(town["unread"], date(2026, 10, 5), 1070)
        billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        number = _bill_of(town["unread"]).number
        monkeypatch.setattr(customers_service, "grant_reduction", _die)  # after the adjusting bill
        rates = ports.get("rates")
        with pytest.raises(Died):
            rates.leak_reduction(number, reason="벽 속 배관 누수", reference="2026-MW-000001")
        monkeypatch.undo()
        db.session.expire_all()
        assert db.session.execute(sa.select(Bill).where(Bill.kind == "adjusting")).first() is None
        info = rates.leak_reduction(number, reason="벽 속 배관 누수", reference="2026-MW-000001")
        assert info.kind == "adjusting" and info.original_number == number
        grants = db.session.execute(sa.select(CustomerReduction).where(CustomerReduction.customer_id == town["unread"])).scalars().all()
        assert [(g.code, g.valid_from) for g in grants] == [("LEAK", date(2026, 10, 1))]
        assert len(db.session.execute(sa.select(Bill).where(Bill.kind == "adjusting")).all()) == 1


def test_a_complaint_whose_billing_step_fails_after_the_bill_leaves_no_bill(app, town, make_user, monkeypatch):
    """The complaint's billing link is the outermost unit of work: the settlement bill issued
    through the rates port is undone with it, and the retry issues it once."""
    from plugins.complaints.services import billing_links
    from plugins.complaints.services import complaints as complaints_service

    make_user("clerk", roles=["complaints_officer"])
    with app.test_request_context():
        customers_service.read(town["welfare"], date(2026, 11, 5), 1015 + 10)
        account = customer_repo.get(town["welfare"]).account_no
        complaint = complaints_service.file("MOVE_OUT", title="이사 정산", body="11월 20일 이사합니다", name="박복지",
                                            phone="010-1234-5678", customer_no=account)
        monkeypatch.setattr(billing_links, "add_event", _die)  # after the bill, before the link is recorded
        with pytest.raises(Died):
            billing_links.link(complaint.id, on=date(2026, 11, 20), final_reading=1015 + 14)
        monkeypatch.undo()
        db.session.expire_all()
        assert db.session.execute(sa.select(Bill).where(Bill.kind == "settlement")).first() is None
        assert customer_repo.get(town["welfare"]).moved_out_on is None
        item = billing_links.link(complaint.id, on=date(2026, 11, 20), final_reading=1015 + 14)
        assert item.amount == 14_750
        bills = db.session.execute(sa.select(Bill).where(Bill.kind == "settlement")).scalars().all()
        assert [(b.reference, b.total) for b in bills] == [(complaint.receipt_no, 14_750)]


def test_a_refusal_inside_a_service_undoes_only_that_service(app, town):
    """A caller that catches a nested service's refusal keeps its own work (a savepoint)."""
    with app.test_request_context():

        @tx.transactional
        def register_and_try_a_bad_reading():
            customer = customers_service.register(customers_service.CustomerInput(
                holder_name="신규", address="한빛시 새길 1", use_type="household", route_code="1101"))
            customers_service.install_meter(customer.id, "T-NEW", 13, date(2026, 1, 1), start_reading=500)
            with pytest.raises(ServiceError):
                customers_service.read(customer.id, date(2026, 10, 5), 400)  # below the start: refused
            tx.commit()
            return customer.id

        customer_id = register_and_try_a_bad_reading()
        db.session.expire_all()
        assert customer_repo.get(customer_id).holder_name == "신규"
        assert customer_repo.active_meter(customer_id).serial == "T-NEW"
        assert _readings(customer_id) == 0


def test_after_commit_work_runs_only_when_the_outermost_work_commits(app):
    ran = []
    with app.test_request_context():

        @tx.transactional
        def inner():
            tx.after_commit(lambda: ran.append("inner"))
            tx.commit()
            assert ran == []  # the caller has not committed yet

        @tx.transactional
        def outer(fail):
            inner()
            if fail:
                raise Died("after the inner service")
            tx.commit()

        with pytest.raises(Died):
            outer(True)
        assert ran == []
        outer(False)
        assert ran == ["inner"]


def test_a_caller_that_catches_a_refusal_keeps_its_own_audit_records_and_not_the_refused_ones(app):
    """The outer service registers a customer; an inner one registers another and has a third
    service grant it a reduction, then refuses; the outer catches the refusal and commits. The
    audit trail holds the first customer and nothing of the refused work."""
    from erp.audit import services as audit

    with app.test_request_context(), audit.acting_as(None, "tester"):

        def register(name):
            return customers_service.register(customers_service.CustomerInput(
                holder_name=name, address="한빛시 감사로 1", use_type="household", route_code="1101"))

        @tx.transactional
        def register_then_refuse():
            refused = register("거절됨")
            customers_service.grant_reduction(refused.id, "WELFARE", date(2026, 1, 1), None, "증명서")
            raise ServiceError("refused after the inner services finished")

        kept_id = register("유지됨").id

        @tx.transactional
        def outer():
            customer_repo.get(kept_id).address = "한빛시 감사로 2"  # the outer service's own write
            with pytest.raises(ServiceError):
                register_then_refuse()
            tx.commit()

        outer()
        chain = audit.chain("rates").entry
        rows = db.session.execute(sa.select(chain.action, chain.entity, chain.after).where(chain.actor == "tester")).all()
        assert [(action, entity) for action, entity, _after in rows if entity == "rates_customer"] == [
            ("create", "rates_customer"), ("update", "rates_customer")]
        assert "감사로 2" in rows[-1][2] or any("감사로 2" in (after or "") for _a, _e, after in rows)
        assert not any("거절됨" in (after or "") for _a, _e, after in rows)
        assert "rates_customer_reduction" not in {entity for _a, entity, _after in rows}
        assert all(r.ok for r in audit.verify_all())
        ran = []

        @tx.transactional
        def refuse_after_asking_for_work():
            tx.after_commit(lambda: ran.append("refused"))
            raise ServiceError("no")

        @tx.transactional
        def outer_again():
            with pytest.raises(ServiceError):
                refuse_after_asking_for_work()
            tx.commit()

        outer_again()
        assert ran == []  # the undone call's after-commit work went with it


@pytest.mark.mariadb
def test_read_committed_opens_a_plugins_own_database_so_when_a_nested_service_first_reaches_it(app_factory, empty_url, monkeypatch):
    """With the rates tables in a database of their own and its port in process, a complaint's
    billing link (READ COMMITTED on the complaints' database) calls a rates service that first
    opens the rates database: it is opened READ COMMITTED too, rather than refused."""
    from plugins.complaints.models import BillingLink

    monkeypatch.setenv("DATABASE_URL_RATES", empty_url)
    app = app_factory()
    isolation = sa.text("SELECT @@tx_isolation")

    @tx.transactional
    def rates_service():
        tx.read_committed(Bill.__table__)
        return db.session.connection(bind_arguments={"clause": Bill.__table__}).execute(isolation).scalar()

    @tx.transactional
    def complaints_service():
        tx.read_committed(BillingLink.__table__)
        return db.session.execute(isolation).scalar(), rates_service()

    with app.test_request_context():
        assert db.session.get_bind(clause=Bill.__table__).url != db.session.get_bind(clause=BillingLink.__table__).url
        assert complaints_service() == ("READ-COMMITTED", "READ-COMMITTED")


@pytest.mark.mariadb
def test_read_committed_begins_the_outermost_services_work_and_is_refused_after_a_write(app, town):
    """tx.read_committed: the outermost service's transaction runs in READ COMMITTED (a nested
    service finds it so), the request's reads before it are dropped; called by a service that has
    written already, or nested under one that did not call it, it refuses rather than silently
    running in the snapshot it was meant to avoid."""
    isolation = sa.text("SELECT @@tx_isolation")

    @tx.transactional
    def nested():
        tx.read_committed(Bill.__table__)
        return db.session.execute(isolation).scalar()

    @tx.transactional
    def outermost():
        tx.read_committed(Bill.__table__)
        return db.session.execute(isolation).scalar(), nested()

    @tx.transactional
    def writes_first():
        customer_repo.get(town["welfare"]).phone = "010-0000-0000"
        db.session.flush()
        tx.read_committed(Bill.__table__)

    @tx.transactional
    def forgets():
        db.session.execute(sa.select(Bill.id)).first()
        return nested()

    with app.test_request_context():
        assert db.session.execute(isolation).scalar() == "REPEATABLE-READ"
        assert outermost() == ("READ-COMMITTED", "READ-COMMITTED")
        db.session.rollback()
        # Back in the pool, the connection is as every other request finds it.
        assert db.session.execute(isolation).scalar() == "REPEATABLE-READ"
        with pytest.raises(RuntimeError, match="before the service writes"):
            writes_first()
        with pytest.raises(RuntimeError, match="outermost service"):
            forgets()
        assert customer_repo.get(town["welfare"]).phone != "010-0000-0000"
