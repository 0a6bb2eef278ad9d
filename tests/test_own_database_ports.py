"""The monolith with a plugin's tables in a database of its own (``DATABASE_URL_<PLUGIN>``) and
its port in process: a complaint's billing action issues its bill through the rates port inside
the complaint's unit of work, and the rates service's READ COMMITTED work (credits applied under
row locks) opens the rates database so (MariaDB)."""
from datetime import date

import pytest
import sqlalchemy as sa
import test_rates_billing

from erp.extensions import db
from erp.migrating import upgrade
from plugins.complaints.models import BillingLink
from plugins.rates.models import Bill
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.services import customers as customers_service

pytestmark = pytest.mark.mariadb

town = test_rates_billing.town


@pytest.fixture
def app(app_factory, empty_url, monkeypatch):
    """The whole application, the rates tables in a database of their own."""
    monkeypatch.setenv("DATABASE_URL_RATES", empty_url)
    made = app_factory()
    with made.app_context():
        upgrade()
    return made


def test_a_move_out_complaint_settles_through_rates_in_its_own_database(app, town, make_user):
    from plugins.complaints.services import billing_links
    from plugins.complaints.services import complaints as complaints_service

    make_user("clerk", roles=["complaints_officer"])
    with app.test_request_context():
        assert db.session.get_bind(clause=Bill.__table__).url.database != db.session.get_bind(clause=BillingLink.__table__).url.database
        customers_service.read(town["welfare"], date(2026, 11, 5), 1015 + 10)
        account = customer_repo.get(town["welfare"]).account_no
        complaint = complaints_service.file("MOVE_OUT", title="이사 정산", body="11월 20일 이사합니다", name="박복지",
                                            phone="010-1234-5678", customer_no=account)
        item = billing_links.link(complaint.id, on=date(2026, 11, 20), final_reading=1015 + 14)
        assert item.amount == 14_750
        bills = db.session.execute(sa.select(Bill).where(Bill.kind == "settlement")).scalars().all()
        assert [(b.reference, b.total) for b in bills] == [(complaint.receipt_no, 14_750)]
        assert customer_repo.get(town["welfare"]).moved_out_on == date(2026, 11, 20)
