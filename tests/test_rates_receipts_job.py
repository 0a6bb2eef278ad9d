"""The nightly close of receipts: counter payments and reversals are booked by the day's close; for
the days nobody closed, the periodic job ``rates.post-receipts`` (30 past midnight, Korea's time;
a Kubernetes CronJob when the workers run --no-periodic) books yesterday's and older receipts, once.

The October bill of 김일번 (21 ㎥ on the 포항시 tariff) is 22,130 won."""
from datetime import date, timedelta

import sqlalchemy as sa

from erp import jobs
from erp.jobs.messages import render
from erp.common.clock import local_today
from erp.extensions import db
from erp.plugins import resolve
from plugins.rates import manifest
from plugins.rates.demo import load_tariff
from plugins.rates.models import Bill, Outbox, Payment
from plugins.rates.services import billing
from plugins.rates.services import customers as customers_service
from plugins.rates.services import payments


def test_the_nightly_job_books_yesterdays_counter_receipts_once_and_leaves_today_to_the_close(app):
    assert [(p.kind, p.cron) for p in resolve(manifest.tasks).schedules if p.kind == "rates.post-receipts"] == \
        [("rates.post-receipts", "30 0 * * *")]
    today = local_today()
    yesterday = today - timedelta(days=1)
    with app.test_request_context():
        load_tariff()
        person = customers_service.register(customers_service.CustomerInput(
            holder_name="김일번", address="한빛시 한빛로 21", use_type="household", route_code="1101"))
        customers_service.install_meter(person.id, "P-JOB-1", 13, date(2026, 1, 1), start_reading=1000)
        customers_service.read(person.id, date(2026, 10, 5), 1021)
        billing.execute(billing.start_run("2026-10", "monthly", "", date(2026, 11, 10)).id)
        bill_id = db.session.execute(sa.select(Bill.id).where(Bill.customer_id == person.id)).scalar_one()
        earlier = payments.record_counter(bill_id, 10_000, "김일번")
        later = payments.record_counter(bill_id, 12_130, "김일번")
        # The first was taken at the counter yesterday, and nobody closed that day.
        db.session.execute(sa.update(Payment).where(Payment.id == earlier.id).values(received_on=yesterday))
        db.session.commit()

        first = jobs.run_now("rates.post-receipts")
        assert first.status == "done" and render(first.result) == "회계로 보낼 분개 1건"
        keys = db.session.execute(sa.select(Outbox.key).where(Outbox.key.like("rates:receipts:%"))).scalars().all()
        assert keys == [f"rates:receipts:{yesterday.isoformat()}:counter"]
        assert render(jobs.run_now("rates.post-receipts").result) == "회계로 보낼 분개 0건"  # idempotent
        posted = {p.id: p.posting_key for p in db.session.execute(sa.select(Payment)).scalars()}
        assert posted == {earlier.id: keys[0], later.id: ""}  # today's waits for today's close
        [row] = [r for r in payments.reconciliation(yesterday) if r.channel == "counter"]
        assert (row.receipts, row.booked) == (10_000, 10_000)
