"""Jobs of the water-rates plugin, run by the worker: bill runs, a route's printed bills, uploaded
readings, the nightly close of the receipts nobody closed, and the relay of the outbox to
accounting every minute."""
from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app

from erp.common.clock import local_today
from erp.common.errors import refuse
from erp.i18n import N_, Nn_
from erp.jobs import JobContext, JobSet
from erp.jobs import input_path as jobs_input
from erp.jobs import output_dir
from erp.jobs.messages import message
from plugins.rates.reports.bills import BATCH_LIMIT, bills_pdf
from plugins.rates.repositories import bills as repo
from plugins.rates.services import arrears, billing, customers, payments, postings

jobs = JobSet()


@jobs.job("rates.bill-run")
def bill_run(job: JobContext, run_id: int, chunk: int = billing.CHUNK) -> str:
    """Run or resume a bill run (started with ``billing.start_run``): taken over after a worker
    stopped, it bills only whom it had not billed, and posts the run once."""
    run = billing.execute(run_id, chunk=chunk, progress=lambda done, of, billed: job.progress(done, of))
    return message(Nn_("%(n)s bill issued, %(amount)s won", "%(n)s bills issued, %(amount)s won"),
                   n=run.billed, amount=run.total_amount)


@jobs.job("rates.route-pdf")
def route_pdf(job: JobContext, run_id: int, route_code: str) -> str:
    """The printed bills of one route of a run, one page each, kept as this job's file."""
    bills = repo.bills_to_print(run_id, route_code, BATCH_LIMIT + 1)
    if not bills:
        refuse(message(N_("The route has no bills in this run.")))
    if len(bills) > BATCH_LIMIT:
        refuse(message(N_("This route has more than %(n)s bills; print it in parts."), n=BATCH_LIMIT))
    job.progress(0, len(bills))
    name = job.write_file(bills_pdf(bills, current_app.config["ERP_ORG_NAME"], current_app.config["ERP_ORG_PHONE"]), "pdf")
    job.progress(len(bills), len(bills))
    return name


@jobs.job("rates.import-readings")
def import_readings(job: JobContext, upload: str) -> str:
    """A CSV file of readings uploaded on the web: imported whole or not at all. The outcome (the
    count, or every bad line with its reason) is kept as this job's JSON file for the page."""
    answered = output_dir() / f"job-{job.id}.json"
    if answered.is_file():  # run again after a kill between the answer and the job's end
        return answered.name
    path = jobs_input(upload)
    # Run again after a kill between the import's commit and its answer, the readings are found
    # recorded already (the import counts them, never twice).
    result = customers.import_csv(path.read_bytes())
    outcome = {"imported": result.imported, "already": result.already, "errors": result.errors}
    name = job.write_file(json.dumps(outcome, ensure_ascii=False).encode(), "json")
    path.unlink(missing_ok=True)  # read and answered; a job run again after a kill before this reads it again
    return name


@jobs.job("rates.import-payments")
def import_payments(job: JobContext, upload: str, layout: str = "", name: str = "") -> str:
    """A payment file uploaded on the web: imported whole or not at all; the outcome (counts, or
    every bad line) is kept as this job's JSON file for the page. Run again after a kill, the
    lines recorded already are known (each line's identity is its channel and transaction id)."""
    answered = output_dir() / f"job-{job.id}.json"
    if answered.is_file():
        return answered.name
    path = jobs_input(upload)
    result = payments.import_file(path.read_bytes(), layout, f"{layout or 'auto'}:{name}"[:60])
    written = job.write_file(json.dumps(result.as_dict(), ensure_ascii=False).encode(), "json")
    path.unlink(missing_ok=True)
    return written


@jobs.job("rates.arrears-run")
def arrears_run(job: JobContext, as_of: str = "") -> str:
    """The month's arrears run (credits applied, plans reviewed, late charges assessed), then the
    relay of its posting. Run again after a kill, it charges nothing twice."""
    from datetime import date

    result = arrears.run(date.fromisoformat(as_of) if as_of else None)
    postings.relay(limit=10_000)
    return message(Nn_("%(n)s late charge (%(amount)s won); credit applied: %(credit)s won; instalment plans ended: %(ended)s",
                       "%(n)s late charges (%(amount)s won); credit applied: %(credit)s won; instalment plans ended: %(ended)s"),
                   n=result.charges, amount=result.amount, credit=result.credit_used, ended=result.plans_ended)


@jobs.periodic("rates.post-receipts", "30 0 * * *")
def post_receipts(job: JobContext) -> str:
    """Each night, the day's close for the days nobody closed: the receipts of yesterday and before
    not booked yet (counter payments, reversals) are owed to accounting, one entry per day and
    channel. Idempotent: a receipt booked once is never booked again (``payments.post_receipts``)."""
    keys = payments.post_receipts(local_today() - timedelta(days=1))
    return message(Nn_("%(n)s entry owed to accounting", "%(n)s entries owed to accounting"), n=len(keys))


@jobs.periodic("rates.relay", "* * * * *")
def relay(job: JobContext) -> str:
    """Deliver the postings waiting in the rates outbox (each keyed, so never twice)."""
    delivered, failed = postings.relay(limit=10_000)
    return message(Nn_("%(n)s posting delivered, %(waiting)s waiting", "%(n)s postings delivered, %(waiting)s waiting"),
                   n=delivered, waiting=failed)
