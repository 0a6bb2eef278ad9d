"""The request mix of the comparison (bench/compare.py runs this file in a process of its own):
officials and citizens, driven by Locust in headless mode at a fixed arrival rate of actions.

    python bench/compare_mix.py SETTINGS.json RESULT.json

SETTINGS names the gateway (``url``), the rate (actions per second), the users (bounded), the
seconds, the session cookies per role (logged in once by the caller), the action weights and the fixtures (bills, customer names, demo
complaints). Every user paces itself with Locust's ``constant_throughput`` so that the users
together start ``rate`` actions a second while the server keeps up; they begin 1/rate seconds
apart, so the actions arrive evenly spread rather than in bursts. Each citizen action comes from
an address of its own in 127.0.0.0/8 (the complaints service limits filings per address and
hour, and one city's citizens do not share one address). RESULT holds every request (seconds
since the start, kind, milliseconds, ok, status) and the writes the server acknowledged (2xx/3xx),
which the caller looks for in the databases afterwards.
"""
from __future__ import annotations

# Locust patches the standard library for gevent; it must come first.
from locust import HttpUser, constant_throughput, events  # noqa: I001

import itertools
import json
import secrets
import re
import sys
import time
from datetime import date

import gevent
from locust.clients import HttpSession
from locust.env import Environment
from requests.adapters import HTTPAdapter

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The weights of the actions in a day's mix: citizens' look-ups dominate, officials' writes are few.
DEFAULT_WEIGHTS = {"calculator": 10, "complaint_file": 3, "complaint_lookup": 4, "customer_search": 5, "bill_pdf": 2,
                   "journal_entry": 1, "commitment": 2, "trial_balance": 2}

SETTINGS: dict = {}
SAMPLES: list = []
ACKED: dict[str, list] = {"complaint": [], "commitment": [], "entry": []}
FILED: list[tuple[str, str]] = []
START = time.monotonic()
_addresses = itertools.count(1)
_starts = itertools.count(0)  # the order in which the users begin
# Test data only; the system generator keeps security linters quiet at no cost here.
_random = secrets.SystemRandom()


def _address() -> str:
    """A citizen's own loopback address (127.1.0.1 …): 65,000 before they repeat."""
    n = next(_addresses) % 65000 + 1
    return f"127.{1 + n // 65536}.{n // 256 % 256}.{n % 256}"


class _SourceAdapter(HTTPAdapter):
    def __init__(self, source: str):
        self._source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self._source, 0)
        super().init_poolmanager(*args, **kwargs)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    SAMPLES.append((round(time.monotonic() - START, 3), name, round(response_time, 2), exception is None, status))


def _token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


def _expect(response, *statuses) -> bool:
    """Mark the request failed unless it answered one of ``statuses``."""
    if response.status_code in statuses:
        response.success()
        return True
    response.failure(f"HTTP {response.status_code}")
    return False


class Official(HttpUser):
    """Officials and citizens of one city, in the proportions of DEFAULT_WEIGHTS (or the settings')."""

    host = "http://127.0.0.1"

    def on_start(self):
        self.officials: dict[str, HttpSession] = {}
        # The users begin one after another, 1/rate seconds apart, so that their actions arrive
        # evenly spread: begun together, they would act together — a burst of every user's
        # action once a pacing period — which is not a fixed arrival rate.
        gevent.sleep(next(_starts) / float(SETTINGS["rate"]))

    def _as(self, role: str) -> HttpSession:
        """This user's browser logged in as ``role`` (the login's cookie, copied once)."""
        if role not in self.officials:
            browser = HttpSession(self.host, self.environment.events.request, self)
            for name, value, domain, path in SETTINGS["cookies"][role]:
                browser.cookies.set(name, value, domain=domain, path=path)
            self.officials[role] = browser
        return self.officials[role]

    def _citizen(self) -> HttpSession:
        session = HttpSession(self.host, self.environment.events.request, self)
        adapter = _SourceAdapter(_address())
        session.mount("http://", adapter)
        return session

    # --- citizens ---------------------------------------------------------------------------

    def calculator(self):
        with self.client.post("/api/rates/quote", json={
                "use_type": "household", "diameter": _random.choice([13, 20]), "consumption": _random.randint(5, 60),
                "period_start": "2026-10-01", "period_end": "2026-10-31"},
                name="calculator", catch_response=True) as answer:
            _expect(answer, 200)

    def complaint_file(self):
        citizen = self._citizen()
        try:
            with citizen.get("/complaints/new", name="complaint_file", catch_response=True) as form:
                if not _expect(form, 200):
                    return
            phone = f"010-{_random.randint(1000, 9999)}-{_random.randint(1000, 9999)}"
            with citizen.post("/complaints/new", data={
                    "csrf_token": _token(form.text), "type_code": "LEAK_REPORT", "title": "계량기 옆 누수",
                    "body": "수도계량기 주변에서 물이 샙니다. 확인 부탁드립니다.", "name": "시민" + str(_random.randint(1, 999)),
                    "phone": phone, "agree": "y"}, name="complaint_file", allow_redirects=False,
                    catch_response=True) as filed:
                if not (_expect(filed, 302) and "/complaints/receipt" in filed.headers.get("Location", "")):
                    if filed.status_code == 302:
                        filed.failure("not filed")
                    return
            with citizen.get("/complaints/receipt", name="complaint_file", catch_response=True) as receipt:
                found = re.search(r"MW-?\d{4}-?\d+|\d{4}-MW-\d+", receipt.text)
                if _expect(receipt, 200) and found:
                    ACKED["complaint"].append(found.group(0))
                    FILED.append((found.group(0), phone))
                elif receipt.status_code == 200:
                    receipt.failure("no receipt number")
        finally:
            citizen.close()

    def complaint_lookup(self):
        pool = FILED or SETTINGS["fixtures"]["complaints"]
        if not pool:
            return self.calculator()
        receipt_no, phone = _random.choice(pool)
        citizen = self._citizen()
        try:
            with citizen.get("/complaints/status", name="complaint_lookup", catch_response=True) as form:
                if not _expect(form, 200):
                    return
            with citizen.post("/complaints/status", data={"csrf_token": _token(form.text), "receipt_no": receipt_no,
                                                          "phone": phone},
                              name="complaint_lookup", catch_response=True) as found:
                if _expect(found, 200) and receipt_no not in found.text:
                    found.failure("complaint not shown")
        finally:
            citizen.close()

    # --- officials --------------------------------------------------------------------------

    def customer_search(self):
        browser = self._as("rates")
        term = _random.choice(SETTINGS["fixtures"]["names"])
        with browser.get("/rates/customers", params={"q": term}, name="customer_search",
                             allow_redirects=False, catch_response=True) as page:
            if _expect(page, 200) and term not in page.text:
                page.failure("no customer found")

    def bill_pdf(self):
        browser = self._as("rates")
        bill = _random.choice(SETTINGS["fixtures"]["bills"])
        with browser.get(f"/rates/bills/{bill}.pdf", name="bill_pdf", allow_redirects=False,
                             catch_response=True) as pdf:
            if _expect(pdf, 200) and not pdf.content.startswith(b"%PDF"):
                pdf.failure("not a PDF")

    def journal_entry(self):
        browser = self._as("acct")
        with browser.get("/accounting/entries/new", name="journal_entry", allow_redirects=False,
                             catch_response=True) as form:
            if not _expect(form, 200):
                return
        amount = f"{_random.randint(1, 999) * 1000:,}"
        with browser.post("/accounting/entries/new", data={
                "csrf_token": _token(form.text), "entry_date": date.today().isoformat(), "memo": "부하시험 가압장 전기요금",
                "lines-0-account": "5208", "lines-0-debit": amount, "lines-1-account": "1111", "lines-1-credit": amount},
                name="journal_entry", allow_redirects=False, catch_response=True) as drafted:
            found = re.search(r"/accounting/entries/(\d+)$", drafted.headers.get("Location", ""))
            if not _expect(drafted, 302) or not found:
                drafted.failure(f"not drafted (HTTP {drafted.status_code})")
                return
        entry = found.group(1)
        ACKED["entry"].append(int(entry))
        browser = self._as("chiefacct")
        with browser.get(f"/accounting/entries/{entry}", name="journal_entry", allow_redirects=False,
                             catch_response=True) as page:
            if not _expect(page, 200):
                return
        with browser.post(f"/accounting/entries/{entry}/approve", data={"csrf_token": _token(page.text)},
                              name="journal_entry", allow_redirects=False, catch_response=True) as approved:
            _expect(approved, 302)

    def commitment(self):
        browser = self._as("budget")
        with browser.get("/budget/execution", name="commitment", allow_redirects=False,
                             catch_response=True) as form:
            if not _expect(form, 200):
                return
        lines = re.findall(r'<option value="(\d+)"', form.text)
        if not lines:
            form.failure("no budget line to commit")
            return
        with browser.post("/budget/execution", data={
                "csrf_token": _token(form.text), "line_id": _random.choice(lines), "committed_on": date.today().isoformat(),
                "vendor": "한빛전기(주)", "description": "부하시험 소모품", "amount": f"{_random.randint(1, 50) * 1000:,}"},
                name="commitment", allow_redirects=False, catch_response=True) as done:
            found = re.search(r"/budget/execution/(\d+)$", done.headers.get("Location", ""))
            if _expect(done, 302) and found:
                ACKED["commitment"].append(int(found.group(1)))
            elif done.status_code in (200, 302):
                done.failure("not committed")

    def trial_balance(self):
        browser = self._as("acct")
        with browser.get("/accounting/reports/trial-balance", name="trial_balance", allow_redirects=False,
                             catch_response=True) as page:
            _expect(page, 200)


def run(settings: dict) -> dict:
    SETTINGS.update(settings)
    # Addresses go on from where the previous run of the same deployment stopped: the complaints
    # service counts filings per address and hour across runs.
    global _addresses, _starts
    _addresses = itertools.count(int(settings.get("address_offset", 0)) + 1)
    _starts = itertools.count(0)
    url = settings["url"]
    weights = {**DEFAULT_WEIGHTS, **settings.get("weights", {})}
    users = max(1, int(settings["users"]))
    Official.host = url
    Official.wait_time = constant_throughput(float(settings["rate"]) / users)
    if settings.get("cycle"):  # every kind in turn (the smoke run must see each answer)
        kinds = itertools.cycle([kind for kind, weight in weights.items() if weight])
        Official.tasks = [lambda user: getattr(user, next(kinds))()]
    else:
        Official.tasks = [getattr(Official, kind) for kind, weight in weights.items() for _ in range(weight)]

    environment = Environment(user_classes=[Official], events=events)
    runner = environment.create_local_runner()
    global START
    START = time.monotonic()
    started_at = time.time()
    SAMPLES.clear()
    runner.start(users, spawn_rate=users)
    gevent.spawn_later(float(settings["seconds"]), runner.quit)
    runner.greenlet.join()
    return {"samples": SAMPLES, "acked": ACKED, "seconds": time.monotonic() - START, "users": users,
            "started_at": started_at}


if __name__ == "__main__":
    with open(sys.argv[1]) as source:
        result = run(json.load(source))
    with open(sys.argv[2], "w") as target:
        json.dump(result, target)
