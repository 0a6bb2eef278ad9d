"""Demo data: a real city's published tariff (포항시 상수도사업본부, water rates from the July 2014
bills and sewerage from the February 2016 bills, as its tariff page shows them)."""
from __future__ import annotations

from datetime import date

from erp.common.clock import local_today
from plugins.rates.services import tariffs

SOURCE = "포항시 상수도 요율표 (2014년 7월 고지분) · 하수도 요율표 (2016년 2월 고지분), pohang.go.kr/water"
BLOCKS = """water,household,20,585
water,household,30,990
water,household,,1265
water,general,100,950
water,general,300,1385
water,general,,1560
water,bath,1000,840
water,bath,2000,1190
water,bath,,1400
water,industrial,,550
sewer,household,20,237
sewer,household,30,355
sewer,household,,474
sewer,general,100,431
sewer,general,300,647
sewer,general,,862
sewer,bath,1000,272
sewer,bath,2000,544
sewer,bath,,680
sewer,industrial,,335"""
METERS = """13,780
20,3180
25,4990
32,9870
40,14840
50,22630
80,59940
100,95950
150,201780
200,283660
250,348440"""
# Reductions as commonly granted; the volumes and shares are this demo's, to be set by ordinance.
REDUCTIONS = """WELFARE,기초생활수급자 감면,volume,10,both
FACILITY,사회복지시설 감면,percent,30,both
MULTICHILD,다자녀 가구 감면,percent,20,water
LEAK,누수 감면,leak,50,both"""


STREETS = ["한빛로", "물길로", "정수장길", "배수지로", "맑은샘길", "동산로"]
NAMES = ["김민수", "이서연", "박지훈", "최유진", "정하늘", "강도윤", "조서아", "윤지호", "장예린", "임시우"]


ROUTES = ("1101", "1102", "2201", "2202", "3301")
CUSTOMERS = 300


def load(context) -> None:
    """The demo tariff (in force since 1 July 2014; the water-use charge at today's 170 won/㎥,
    the city's page still shows an older rate); three hundred customers on five routes with a
    year of monthly readings — apartments with several households, a mixed meter, reductions, and
    a few anomalies for review; the last six months billed (their postings in accounting), and
    one move-out settled; the bills paid through the banks' payment files, but for a few
    customers who never pay and the latest bills not yet due, then the month's arrears run."""
    _tariff()
    _customers()
    _bills()
    _payments()


def load_tariff() -> None:
    """The demo tariff alone."""
    _tariff()


def _tariff() -> None:
    tariffs.create_version(effective_from=date(2014, 7, 1), name="포항시 상하수도 요금", source=SOURCE, rounding="line",
                           water_use_rate="170", mixed_household_volume=15, blocks_text=BLOCKS, meters_text=METERS,
                           reductions_text=REDUCTIONS)


BILLED_MONTHS = 6  # the printed bill's usage history shows six periods


def _months_back(count: int) -> list[date]:
    """The 5th of each of the last ``count`` months, oldest first (the reading day)."""
    today = local_today()
    days = [date(today.year + (today.month - 1 - k) // 12, (today.month - 1 - k) % 12 + 1, 5) for k in range(count - 1, -1, -1)]
    return [day for day in days if day <= today]


def _customers() -> None:
    import random

    from plugins.rates.services import customers

    # Seeded: the demo figures are the same on every machine; nothing secret depends on them.
    rng = random.Random(2026)  # nosec B311
    months = _months_back(12)
    # The readings come as the readers' handheld terminals deliver them: one file a month.
    files: list[list[str]] = [[] for _ in months]
    for n in range(CUSTOMERS):
        route = ROUTES[n % len(ROUTES)]
        use_type, households, mixed, diameter = "household", 1, False, 13
        if n % 10 == 0:
            use_type, households, diameter = "household", 24, 50  # an apartment block on one meter
        elif n % 10 == 3:
            use_type, diameter = "general", 20
        elif n % 50 == 7:
            use_type, households, mixed = "general", 2, True  # a shop with the owner's home on one meter
        elif n % 97 == 9:
            use_type, diameter = "bath", 40
        elif n % 89 == 11:
            use_type, diameter = "industrial", 80
        customer = customers.register(customers.CustomerInput(
            holder_name=NAMES[n % len(NAMES)], address=f"한빛시 {STREETS[n % len(STREETS)]} {10 + n}", use_type=use_type,
            route_code=route, households=households, mixed=mixed, e_billing=n % 4 == 0, auto_debit=n % 3 == 0,
            virtual_account=f"농협 790-{route}-{n:05d}-01", moved_in_on=date(2020, 3, 1)))
        value = rng.randrange(0, 5000)
        customers.install_meter(customer.id, f"HB{2020 + n % 5}-{n:05d}", diameter, date(2020, 3, 1), start_reading=value)
        if n % 11 == 5:
            customers.grant_reduction(customer.id, "WELFARE", date(local_today().year, 1, 1), None, "기초생활수급자 증명서 확인")
        elif n % 37 == 6:
            customers.grant_reduction(customer.id, "MULTICHILD", date(local_today().year, 1, 1), None, "다자녀 가구 (가족관계증명서)")
        base = {"household": 16 * households, "general": rng.randrange(30, 120), "bath": 900, "industrial": 1500}[use_type]
        for k, day in enumerate(months):
            use = max(0, int(base * rng.uniform(0.8, 1.2)))
            if n == 13 and k == len(months) - 1:
                use = base * 6  # a hidden leak: far above the average
            if n in (21, 122) and k == len(months) - 1:
                use = 0  # nobody home, or a stuck meter
            value += use
            files[k].append(f"{customer.account_no},{day.isoformat()},{value}")
    for day, lines in zip(months, files):
        result = customers.import_csv("\n".join(lines).encode())
        if result.errors:
            raise RuntimeError(f"demo readings of {day:%Y-%m} refused: {result.errors[:3]}")


def _bills() -> None:
    from datetime import timedelta

    from plugins.rates.repositories import customers as customer_repo
    from plugins.rates.services import adjustments, billing, periods
    from plugins.rates.services.customers import account_number

    today = local_today()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    for period in (periods.shift_period(last_month, k) for k in range(1 - BILLED_MONTHS, 1)):
        first = periods.period_dates(period, "monthly")[0]
        issued = min(today, (first + timedelta(days=32)).replace(day=10))
        billing.execute(billing.start_run(period, "monthly", "", issued).id)
    moving = customer_repo.by_account(account_number("3301", 3))
    last = customer_repo.last_reading(customer_repo.active_meter(moving.id).id)
    if last.read_on < today:
        adjustments.settle_move_out(moving.id, today, last.value + 7, reference="demo")


def _payments() -> None:
    """The banks' payment files of the billed months, imported as a clerk would (one CSV file a
    month): auto-debit customers pay by CMS on the due date, e-billed ones into their virtual
    account, the others by giro a few days before it (some a little late); every 23rd customer
    never pays, so arrears, ageing and the disconnection list show something; a bill not yet due
    is paid by four customers in five. Then the arrears run charges the late."""
    from datetime import timedelta

    import sqlalchemy as sa

    from erp.extensions import db
    from plugins.rates.models import Bill, Customer
    from plugins.rates.services import arrears, payments, postings
    from plugins.rates.services.payment_layouts import CsvLayout, PaymentLine

    today = local_today()
    rows = db.session.execute(sa.select(Bill.id, Bill.number, Bill.total, Bill.issued_on, Bill.due_on, Customer.id,
                                        Customer.holder_name, Customer.auto_debit, Customer.e_billing)
                              .join(Customer, Bill.customer_id == Customer.id)
                              .where(Bill.kind == "regular", Bill.total > 0).order_by(Bill.id)).all()
    by_month: dict[str, list[PaymentLine]] = {}
    for bill_id, number, total, issued_on, due_on, customer_id, payer, auto_debit, e_billing in rows:
        if customer_id % 23 == 4 or (due_on > today and customer_id % 5 == 0):
            continue
        if auto_debit:
            channel, paid_on = "cms", due_on
        elif e_billing:
            channel, paid_on = "va", due_on - timedelta(days=customer_id % 9)
        else:
            channel = "giro"
            paid_on = due_on + timedelta(days=6) if customer_id % 17 == 2 else due_on - timedelta(days=customer_id % 12)
        paid_on = min(max(paid_on, issued_on), today)
        line = PaymentLine(0, channel, f"D{channel.upper()}{bill_id:08d}", paid_on, paid_on + timedelta(days=1),
                           "011", "0790", "", number, total, payer)
        by_month.setdefault(paid_on.strftime("%Y-%m"), []).append(line)
    for month, lines in sorted(by_month.items()):
        result = payments.import_file(CsvLayout.write(lines, file_date=max(line.received_on for line in lines)), "csv",
                                      f"csv:수납내역_{month}.csv")
        if result.errors:
            raise RuntimeError(f"demo payments of {month} refused: {result.errors[:3]}")
    arrears.run(today)
    postings.relay(limit=10_000)


def synthetic(count: int, read_on: date, *, route_size: int = 50_000, chunk: int = 50_000) -> int:
    """``count`` more customers with a meter and one reading on ``read_on``, written in bulk
    (no per-row objects, no audit records) for load tests and benchmarks. A mix like a city's:
    mostly households on 13 mm meters, shops, apartment blocks, some welfare reductions.
    Returns the first new customer id."""
    import sqlalchemy as sa

    from erp.common.clock import utcnow
    from erp.common.sql import bulk_insert
    from erp.extensions import db
    from plugins.rates.models import Customer, CustomerReduction, Meter, Reading
    from plugins.rates.services.customers import account_number

    first = (db.session.execute(sa.select(sa.func.max(Customer.id))).scalar() or 0) + 1
    first_meter = (db.session.execute(sa.select(sa.func.max(Meter.id))).scalar() or 0) + 1
    now, installed = utcnow(), date(2020, 1, 1)
    for low in range(0, count, chunk):
        customers, meters, readings, reductions = [], [], [], []
        for n in range(low, min(low + chunk, count)):
            cid, kind = first + n, n % 20
            use_type, households, diameter, use = "household", 1, 13, n * 7 % 41
            if kind == 3:
                use_type, diameter, use = "general", 20, 30 + n % 170
            elif kind == 10:
                households, diameter, use = 20, 50, 300 + n % 200
            route = f"{9000 + (cid - 1) // route_size:04d}"
            customers.append((cid, account_number(route, (cid - 1) % route_size + 1), NAMES[n % len(NAMES)],
                              f"한빛시 {STREETS[n % len(STREETS)]} {n % 900 + 1}", use_type, households, False, "monthly", route,
                              False, kind == 5, "", "active", now))
            meters.append((first_meter + n, cid, f"SY{cid:09d}", diameter, installed, 0, 99999))
            start = n * 13 % 90000
            readings.append((cid, first_meter + n, read_on, start + use, use, False, "", False, "ami", "", now))
            if kind == 7 and n % 3 == 0:
                reductions.append((cid, "WELFARE", date(read_on.year, 1, 1), "synthetic"))
        bulk_insert(Customer.__table__, ["id", "account_no", "holder_name", "address", "use_type", "households", "mixed",
                                         "cycle", "route_code", "e_billing", "auto_debit", "virtual_account", "status",
                                         "created_at"], customers)
        bulk_insert(Meter.__table__, ["id", "customer_id", "serial", "diameter", "installed_on", "start_reading",
                                      "max_reading"], meters)
        bulk_insert(Reading.__table__, ["customer_id", "meter_id", "read_on", "value", "use", "rollover", "flag", "held",
                                        "source", "entered_by", "created_at"], readings)
        bulk_insert(CustomerReduction.__table__, ["customer_id", "code", "valid_from", "evidence"], reductions)
        db.session.commit()
    return first
