"""요금 산정 기초자료 against figures computed by hand from a small set of books and bills."""
from datetime import date
from decimal import Decimal

import test_rates_billing
from conftest import login
from test_rates_billing import ISSUED, OCTOBER, _bill_of

from erp import ports
from plugins.rates.services import adjustments, billing
from plugins.rates.services import tariff_basis as basis

town = test_rates_billing.town  # five customers of route 1101 (a fixture)


def _books():
    def post(key, lines):
        ports.get("accounting").post_entry(**ports.decode_call("accounting", "post_entry", {"request": {
            "entry_date": "2026-06-30", "memo": key, "idempotency_key": f"test:{key}",
            "lines": [{"account_code": code, "debit": debit, "credit": credit} for code, debit, credit in lines]}}))

    # Operating costs: salaries 1,000,000, power 500,000, depreciation 200,000.
    post("costs", [("5110", 1_000_000, 0), ("5208", 500_000, 0), ("5216", 200_000, 0), ("1111", 0, 1_700_000)])
    # The operating assets: pipes 10,000,000 less 2,000,000 depreciated: a capital of 8,000,000.
    post("assets", [("1226", 10_000_000, 0), ("1227", 0, 2_000_000), ("3100", 0, 8_000_000)])


def test_the_tariff_basis_from_the_books_and_the_bills(app, client, town, make_user):
    make_user("clerk", roles=["rates_clerk"])
    with app.test_request_context():
        _books()
        billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        # 21 ㎥ corrected to 11: 10 ㎥ and 6,260 won of water charge less (12,690 → 6,430).
        adjustments.adjust(_bill_of(town["single"]).id, use=11, reason="검침 오류", reference="C-1")
        result = basis.compute(2026)
        assert result.operating_cost == 1_700_000
        assert {f.key: f.value for f in result.costs if f.value} == {"cost:5110": 1_000_000, "cost:5208": 500_000,
                                                                      "cost:5216": 200_000}
        assert (result.capital.value, result.return_rate.value, result.fair_return) == (8_000_000, Decimal("3.0"), 240_000)
        assert result.total_cost == 1_940_000
        # Billed: 21 + 70 + 15 ㎥, less the 10 corrected; water revenue 62,950 − 6,260 (meter and water
        # charges less reductions; the sewerage fee and the water-use charge are other funds' money).
        assert (result.volume, result.revenue) == (96, 56_690)
        assert result.cost_per_m3 == Decimal("20208.33")  # 1,940,000 ÷ 96
        assert result.average_tariff == Decimal("590.52")  # 56,690 ÷ 96
        assert result.recovery == Decimal("2.92")  # 56,690 ÷ 1,940,000
        assert result.shortfall == 1_883_310
        household = next(line for line in result.by_use_type if line.use_type == "household")
        assert (household.volume.value, household.revenue.value, household.recovery) == (96, 56_690, Decimal("2.92"))
        assert not result.typed and {f.source for f in result.costs} == {"books"}
        # A what-if: 100 ㎥ billed and a 5 % return: 8,000,000 × 5 % = 400,000; 2,100,000 ÷ 100.
        what_if = basis.compute(2026, {"volume:household": 100, "return_rate": Decimal("5")})
        assert (what_if.total_cost, what_if.cost_per_m3, what_if.recovery) == (2_100_000, Decimal("21000.00"), Decimal("2.70"))
        assert what_if.typed and what_if.return_rate.source == "typed" and what_if.capital.source == "books"
        assert basis.compute(2025).total_cost == 0  # last year has no books
    login(client, "clerk")
    page = client.get("/rates/tariff-basis?year=2026").get_data(as_text=True)
    assert "1,940,000" in page and "20,208.33" in page and "2.92%" in page and "장부" in page
    typed = client.get("/rates/tariff-basis?year=2026&volume%3Ahousehold=100&return_rate=5").get_data(as_text=True)
    assert "2,100,000" in typed and "입력" in typed and "2.70%" in typed
    bad = client.get("/rates/tariff-basis?year=2026&capital=lots")
    assert bad.status_code == 200 and "lots" in bad.get_data(as_text=True)  # the refused figure is named; the books stand
    pdf = client.get("/rates/tariff-basis?year=2026&format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    xlsx = client.get("/rates/tariff-basis?year=2026&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    assert client.get("/rates/tariff-basis?year=99999").status_code == 400


def _draft_text():
    from plugins.rates.demo import BLOCKS, METERS, REDUCTIONS

    return {"rounding": "line", "water_use_rate": "170", "mixed_household_volume": 15,
            "blocks_text": BLOCKS.replace("water,household,20,585", "water,household,20,650"), "meters_text": METERS,
            "reductions_text": REDUCTIONS}


def test_a_draft_tariff_tried_on_the_year_s_bills(app, client, town, make_user):
    """The household first block from 585 to 650 won, tried on October's three bills."""
    from plugins.rates.services import simulation, tariffs

    make_user("clerk", roles=["rates_clerk"])
    with app.test_request_context():
        _books()
        billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        result = simulation.simulate(2026, tariffs.draft_terms(**_draft_text()), date(2026, 11, 26))
        household = next(o for o in result.by_use_type if o.use_type == "household")
        # Water revenue (meter + water − reductions): 21 ㎥ 13,470 → 14,770; three households' 70 ㎥
        # 45,780 → 49,680 (60 ㎥ in the first block); the welfare household's 15 ㎥ less 10 ㎥
        # 3,700 → 4,030 (8,775 → 8,770 and −5,850; 9,750 and −6,500).
        assert (household.bills, household.revenue_now, household.revenue_draft) == (3, 62_950, 68_480)
        assert household.change == Decimal("8.78")
        assert result.change == Decimal("8.78") and result.bills == 3
        # The books' total cost of 2026 is 1,940,000 (see the tariff basis): 62,950 and 68,480 of it.
        assert (result.recovery_now, result.recovery_draft) == (Decimal("3.24"), Decimal("3.53"))
        # A single household on a 13 mm meter: 10 ㎥ 10,700 → 11,350; 20 ㎥ 20,620 → 21,920;
        # 30 ㎥ 35,770 → 37,070; the median household (15 and 21 ㎥ billed: 15) 15,650 → 16,630.
        assert [(s.label, s.use, s.now, s.draft) for s in result.samples] == [
            ("10㎥", 10, 10_700, 11_350), ("20㎥", 20, 20_620, 21_920), ("30㎥", 30, 35_770, 37_070),
            ("중위 가구", 15, 15_650, 16_630)]
        histogram = dict(result.histogram)
        assert sum(histogram.values()) == 3 and histogram["5 ~ 10%"] == 2 and histogram["0 ~ 5%"] == 1
    login(client, "clerk")
    from conftest import post_form

    page = client.get("/rates/tariff-simulation").get_data(as_text=True)
    assert "water,household,20,585" in page  # the draft starts from the tariff in force
    answer = post_form(client, "/rates/tariff-simulation", {"year": "2026", **_draft_text()}).get_data(as_text=True)
    assert "68,480" in answer and "+8.78%" in answer and "<svg" in answer
    broken = post_form(client, "/rates/tariff-simulation", {"year": "2026", **_draft_text(), "meters_text": "13,abc"})
    assert broken.status_code == 200 and "simulation-result" not in broken.get_data(as_text=True)
