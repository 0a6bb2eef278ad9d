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


def load(context) -> None:
    """The demo tariff, in force since 1 July 2014 (the water-use charge at today's 170 won/㎥;
    the city's page still shows an older rate)."""
    tariffs.create_version(effective_from=date(2014, 7, 1), name="포항시 상하수도 요금", source=SOURCE, rounding="line",
                           water_use_rate="170", mixed_household_volume=15, blocks_text=BLOCKS, meters_text=METERS,
                           reductions_text=REDUCTIONS)
