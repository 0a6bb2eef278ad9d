"""The bill calculation against figures computed by hand (포항시 tariff: household water 1–20 ㎥
585, 21–30 990, 31+ 1,265 won; sewerage 237 / 355 / 474; 13 mm meter 780 won; water-use charge
170 won/㎥), and the quote API."""
from datetime import date
from decimal import Decimal

import pytest

from plugins.rates.demo import BLOCKS, METERS, REDUCTIONS
from plugins.rates.services.calculation import (BlockRate, QuoteError, QuoteRequest, Reduction, ReductionTerms,
                                                TariffTerms, quote)

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def pohang(effective=date(2014, 7, 1), rounding="line", water_household=None, meter13=780) -> TariffTerms:
    blocks: dict = {}
    for row in BLOCKS.splitlines():
        service, use_type, upper, price = row.split(",")
        blocks.setdefault((service, use_type), []).append(BlockRate(int(upper) if upper else None, Decimal(price)))
    if water_household:
        blocks[("water", "household")] = [BlockRate(u, Decimal(p)) for u, p in water_household]
    meters = {int(d): int(a) for d, a in (row.split(",") for row in METERS.splitlines())}
    meters[13] = meter13
    reductions = {code: ReductionTerms(code, name, kind, Decimal(value), applies)
                  for code, name, kind, value, applies in (row.split(",") for row in REDUCTIONS.splitlines())}
    return TariffTerms(effective, {k: tuple(v) for k, v in blocks.items()}, meters, Decimal("170"), rounding, 15, reductions)


def bill(consumption, tariffs=None, **extra):
    request = QuoteRequest(extra.pop("use_type", "household"), extra.pop("diameter", 13), consumption, *NOV, **extra)
    result = quote(request, tariffs or [pohang()])
    return {line.code: line.amount for line in result.lines}, result.total


def test_20_cubic_metres_stays_in_the_first_block():
    lines, total = bill(20)
    assert lines == {"meter": 780, "water": 11_700, "sewer": 4_740, "water_use": 3_400}
    assert total == 20_620


def test_21_cubic_metres_takes_one_into_the_second_block():
    lines, total = bill(21)
    # water 20×585 + 1×990 = 12,690; sewerage 20×237 + 1×355 = 5,095 → 5,090 (below 10 won dropped)
    assert lines == {"meter": 780, "water": 12_690, "sewer": 5_090, "water_use": 3_570}
    assert total == 22_130


def test_households_multiply_the_block_limits():
    # Three households: limits 60 and 90 ㎥, so 45 ㎥ stays in the first block: 45×585 = 26,325 → 26,320.
    lines, total = bill(45, households=3)
    assert (lines["water"], lines["sewer"], total) == (26_320, 10_660, 45_410)
    one_household, _total = bill(45)
    assert one_household["water"] == 40_570  # 20×585 + 10×990 + 15×1,265 = 40,575 → 40,570


def test_a_bimonthly_bill_costs_what_two_monthly_bills_of_half_the_use_cost():
    """The meter is charged once per billing month and every block limit doubles (a new user
    found a bimonthly 40 ㎥ billed at 54,860 won: one meter charge and monthly limits)."""
    monthly_lines, monthly = bill(20)
    bimonthly = quote(QuoteRequest("household", 13, 40, date(2026, 9, 1), date(2026, 10, 31)), [pohang()])
    lines = {line.code: line.amount for line in bimonthly.lines}
    assert lines == {code: 2 * amount for code, amount in monthly_lines.items()}
    assert bimonthly.total == 2 * monthly == 41_240
    # Three households over two months: limits 120 and 180 ㎥, so 100 ㎥ stays in the first block.
    three = quote(QuoteRequest("household", 13, 100, date(2026, 9, 1), date(2026, 10, 31), households=3), [pohang()])
    assert {line.code: line.amount for line in three.lines}["water"] == 58_500
    # A month from the middle is still one month (one meter charge).
    assert bill(20)[0]["meter"] == quote(QuoteRequest("household", 13, 20, date(2026, 10, 15), date(2026, 11, 14)),
                                         [pohang()]).lines[0].amount == 780


def test_rounding_on_the_total_instead_of_every_line():
    result = quote(QuoteRequest("household", 13, 45, *NOV, households=3), [pohang(rounding="total")])
    # 26,325 + 10,665 + 7,650 + 780 = 45,420 exactly; per line it was 45,410.
    assert result.total == 45_420


def test_a_mixed_home_and_business_meter_splits_the_use():
    # Two households: 30 ㎥ (15 each) as household use, the other 10 ㎥ as general use.
    lines, total = bill(40, use_type="general", households=2, mixed=True)
    assert lines["water"] == 30 * 585 + 10 * 950 == 27_050
    assert lines["sewer"] == 30 * 237 + 10 * 431 == 11_420
    assert total == 27_050 + 11_420 + 40 * 170 + 780 == 46_050


def test_a_tariff_change_inside_the_period_is_prorated_by_days():
    new = pohang(date(2026, 11, 16), water_household=[(20, "700"), (30, "1100"), (None, "1400")], meter13=900)
    lines, total = bill(30, tariffs=[pohang(), new])
    # 15 days each: 15 ㎥ and limits 10/15 under each tariff.
    assert lines["water"] == (10 * 585 + 5 * 990) + (10 * 700 + 5 * 1100) == 23_300
    assert lines["meter"] == 780 // 2 + 900 // 2 == 840
    assert lines["sewer"] == 2 * (10 * 237 + 5 * 355) == 8_290
    assert total == 23_300 + 840 + 8_290 + 30 * 170 == 37_530


def test_welfare_volume_reduction():
    lines, total = bill(25, reductions=(Reduction("WELFARE"),))
    # 10 ㎥ off: water 16,650 − 8,775 = 7,875 → −7,870; sewerage 6,515 − 3,555 = 2,960.
    assert (lines["water"], lines["water_reduction"], lines["sewer"], lines["sewer_reduction"]) == (16_650, -7_870, 6_510, -2_960)
    assert total == 17_360


def test_percentage_reduction_for_a_welfare_facility():
    lines, total = bill(25, reductions=(Reduction("FACILITY"),))
    assert (lines["water_reduction"], lines["sewer_reduction"]) == (-4_990, -1_950)  # 30 % of 16,650 and 6,515
    assert total == 21_250


def test_leak_reduction_halves_the_use_above_the_recent_average():
    lines, total = bill(60, reductions=(Reduction("LEAK", Decimal(20)),))
    # 50 % of (60 − 20) = 20 ㎥ off: water 59,550 − 34,250; sewerage 22,510 − 13,030.
    assert (lines["water_reduction"], lines["sewer_reduction"]) == (-25_300, -9_480)
    assert total == 58_260
    with pytest.raises(QuoteError, match="average"):
        bill(60, reductions=(Reduction("LEAK"),))


def test_move_out_settlement_scales_limits_and_meter_charge_to_the_days_used_and_ignores_reductions():
    lines, total = bill(12, move_out=date(2026, 11, 10))
    # 10 of 30 days: limits 6⅔ and 10 ㎥, meter charge 260.
    assert lines["water"] == 9_730  # 6⅔×585 + 3⅓×990 + 2×1,265
    assert lines["meter"] == 260
    assert lines["sewer"] == 3_710  # 1,580 + 1,183.33 + 948 = 3,711.33
    assert total == 9_730 + 260 + 3_710 + 12 * 170 == 15_740
    assert bill(12, move_out=date(2026, 11, 10), reductions=(Reduction("WELFARE"),))[1] == 15_740


def test_the_customers_own_water_use_rate():
    lines, _total = bill(20, water_use_rate=Decimal("143.5"))
    assert lines["water_use"] == 2_870


@pytest.mark.parametrize("changes, message", [
    (dict(use_type="pool"), "Unknown use type"),
    (dict(diameter=14), "Unknown meter diameter"),
    (dict(consumption=-1), "negative"),
    (dict(households=0), "Households"),
    (dict(diameter=15), "no meter charge for 15 mm"),
    (dict(reductions=(Reduction("NOPE"),)), "Unknown reduction"),
])
def test_requests_that_cannot_be_computed(changes, message):
    data = dict(use_type="household", diameter=13, consumption=20)
    data.update(changes)
    with pytest.raises(QuoteError, match=message):
        quote(QuoteRequest(data.pop("use_type"), data.pop("diameter"), data.pop("consumption"), *NOV, **data), [pohang()])


# --- the quote API over the stored tariff -----------------------------------------------------------

@pytest.fixture
def tariff(app):
    from plugins.rates.demo import load_tariff

    with app.test_request_context():
        load_tariff()


def test_quote_api(client, tariff):
    response = client.post("/api/rates/quote", json={"use_type": "household", "diameter": 13, "consumption": 21,
                                                     "period_start": "2026-11-01", "period_end": "2026-11-30"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 22_130
    assert {line["code"]: line["amount"] for line in body["lines"]}["water"] == 12_690


@pytest.mark.parametrize("payload, reason", [
    ({"diameter": 13, "consumption": 21, "period_start": "2026-11-01", "period_end": "2026-11-30"}, "'use_type' is missing"),
    ({"use_type": "household", "diameter": 13, "consumption": -3, "period_start": "2026-11-01", "period_end": "2026-11-30"}, "negative"),
    ({"use_type": "spa", "diameter": 13, "consumption": 3, "period_start": "2026-11-01", "period_end": "2026-11-30"}, "Unknown use type"),
    ({"use_type": "household", "diameter": 13, "consumption": True, "period_start": "2026-11-01", "period_end": "2026-11-30"}, "whole number"),
    ({"use_type": "household", "diameter": 13, "consumption": 2.5, "period_start": "2026-11-01", "period_end": "2026-11-30"}, "whole number"),
    ({"use_type": "household", "diameter": 13, "consumption": 3, "period_start": "2026-13-01", "period_end": "2026-11-30"}, "YYYY-MM-DD"),
    ({"use_type": "household", "diameter": 13, "consumption": 3, "period_start": "2026-11-30", "period_end": "2026-11-01"}, "ends before"),
    ({"use_type": "household", "diameter": 13, "consumption": 3, "period_start": "2009-01-01", "period_end": "2009-01-31"}, "No tariff"),
    ([1, 2, 3], "JSON object"),
])
def test_quote_api_bad_input_is_a_400_with_a_reason(client, tariff, payload, reason):
    response = client.post("/api/rates/quote", json=payload)
    assert response.status_code == 400
    assert reason in response.get_json()["message"]


def test_quote_api_without_a_json_body(client, tariff):
    response = client.post("/api/rates/quote", data="not json", content_type="text/plain")
    assert response.status_code == 400


def test_the_calculator_offers_the_reductions_of_the_tariff_in_force_for_the_period(app, client, tariff):
    """A version recorded for next year with reductions of its own is not offered for this year
    (a new user saw next year's reductions offered for the current month)."""
    from plugins.rates.demo import BLOCKS, METERS
    from plugins.rates.services import tariffs

    with app.test_request_context():
        tariffs.create_version(effective_from=date(2027, 1, 1), name="2027 개정", source="", rounding="line",
                               water_use_rate="170", mixed_household_volume=15, blocks_text=BLOCKS, meters_text=METERS,
                               reductions_text="YOUTH,청년 가구 감면,percent,10,water")
    now = client.get("/rates/calculator?period_start=2026-11-01&period_end=2026-11-30&consumption=10").get_data(as_text=True)
    assert "다자녀 가구 감면" in now and "청년 가구 감면" not in now and "2014" in now
    later = client.get("/rates/calculator?period_start=2027-01-01&period_end=2027-01-31&consumption=10").get_data(as_text=True)
    assert "청년 가구 감면" in later and "다자녀 가구 감면" not in later and "2027 개정" in later


def test_dates_that_default_to_today_are_korea_dates(client, tariff, monkeypatch):
    """At 01:30 on 1 December in Seoul it is still 30 November in UTC: the forms say December."""
    from datetime import datetime

    from erp.common import clock

    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 11, 30, 16, 30))
    assert clock.local_today() == date(2026, 12, 1)
    html = client.get("/rates/calculator").get_data(as_text=True)
    assert 'value="2026-12-01"' in html  # the period from the 1st to today, in Korea


def test_the_public_calculator_needs_no_login(client, tariff):
    html = client.get("/rates/calculator?use_type=household&diameter=13&consumption=21&households=1"
                      "&period_start=2026-11-01&period_end=2026-11-30").get_data(as_text=True)
    assert "22,130" in html and "상수도 사용료" in html
    assert client.get("/rates/calculator?consumption=abc").status_code == 200


def test_an_administrator_records_a_new_tariff_version(app, client, make_user, tariff):
    from conftest import login, post_form

    make_user("root1", roles=["sysadmin"])
    login(client, "root1")
    form = client.get("/rates/tariffs/new").get_data(as_text=True)
    assert "water,household,20,585" in form  # the new version starts from the one in force
    bad = post_form(client, "/rates/tariffs/new", {"effective_from": "2027-01-01", "name": "2027 인상", "rounding": "line",
                                                   "water_use_rate": "170", "mixed_household_volume": "15",
                                                   "blocks_text": "water,household,20,600\nwater,household,10,900",
                                                   "meters_text": "13,800", "reductions_text": ""})
    assert "열린 구간" in bad.get_data(as_text=True) or "limits must rise" in bad.get_data(as_text=True)
    blocks = "\n".join(line.replace(",585", ",650") for line in BLOCKS.splitlines())
    ok = post_form(client, "/rates/tariffs/new", {"effective_from": "2027-01-01", "name": "2027 인상", "rounding": "line",
                                                  "water_use_rate": "170", "mixed_household_volume": "15",
                                                  "blocks_text": blocks, "meters_text": METERS, "reductions_text": REDUCTIONS},
                   follow=True)
    assert "2027-01-01" in ok.get_data(as_text=True)
    # The administrator who records tariffs reads the list and the version afterwards (was 403).
    listing = client.get("/rates/tariffs")
    assert listing.status_code == 200 and "2027 인상" in listing.get_data(as_text=True)
    assert 'href="/rates/tariffs"' in client.get("/").get_data(as_text=True)  # and the menu offers it
    response = client.post("/api/rates/quote", json={"use_type": "household", "diameter": 13, "consumption": 20,
                                                     "period_start": "2027-01-01", "period_end": "2027-01-31"})
    assert {l["code"]: l["amount"] for l in response.get_json()["lines"]}["water"] == 13_000
