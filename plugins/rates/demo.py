"""Demo data: a real city's published tariff (포항시 상수도사업본부, water rates from the July 2014
bills and sewerage from the February 2016 bills, as its tariff page shows them)."""
from __future__ import annotations

from datetime import date

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


def load(context) -> None:
    """The demo tariff (in force since 1 July 2014; the water-use charge at today's 170 won/㎥,
    the city's page still shows an older rate) and sixty customers on three routes with six
    months of readings — apartments with several households, a mixed meter, reductions, and a
    few anomalies for review."""
    _tariff()
    _customers()


def _tariff() -> None:
    tariffs.create_version(effective_from=date(2014, 7, 1), name="포항시 상하수도 요금", source=SOURCE, rounding="line",
                           water_use_rate="170", mixed_household_volume=15, blocks_text=BLOCKS, meters_text=METERS,
                           reductions_text=REDUCTIONS)


def _customers() -> None:
    import random
    from datetime import timedelta

    from plugins.rates.services import customers

    # Seeded: the demo figures are the same on every machine; nothing secret depends on them.
    rng = random.Random(2026)  # nosec B311
    today = date.today()
    first_read = (today.replace(day=1) - timedelta(days=1)).replace(day=5)
    months = [date(first_read.year + (first_read.month - 1 - k) // 12, (first_read.month - 1 - k) % 12 + 1, 5) for k in range(5, -1, -1)]
    for n in range(60):
        route = ("1101", "1102", "2201")[n % 3]
        use_type, households, mixed, diameter = "household", 1, False, 13
        if n % 10 == 0:
            use_type, households, diameter = "household", 24, 50  # an apartment block on one meter
        elif n % 10 == 3:
            use_type, diameter = "general", 20
        elif n == 7:
            use_type, households, mixed = "general", 2, True
        customer = customers.register(customers.CustomerInput(
            holder_name=NAMES[n % len(NAMES)], address=f"한빛시 {STREETS[n % len(STREETS)]} {10 + n}", use_type=use_type,
            route_code=route, households=households, mixed=mixed, e_billing=n % 4 == 0, auto_debit=n % 3 == 0,
            virtual_account=f"011-{route}{n:05d}-01", moved_in_on=date(2020, 3, 1)))
        value = rng.randrange(0, 5000)
        customers.install_meter(customer.id, f"HB{2020 + n % 5}-{n:05d}", diameter, date(2020, 3, 1), start_reading=value)
        if n % 11 == 5:
            customers.grant_reduction(customer.id, "WELFARE", date(2026, 1, 1), date(2026, 12, 31), "기초생활수급자 증명서 확인")
        base = 16 * households if use_type == "household" else rng.randrange(30, 120)
        for k, day in enumerate(months):
            use = max(0, int(base * rng.uniform(0.8, 1.2)))
            if n == 13 and k == len(months) - 1:
                use = base * 6  # a hidden leak: far above the average
            if n == 21 and k == len(months) - 1:
                use = 0  # nobody home, or a stuck meter
            value += use
            customers.read(customer.id, day, value)
