"""요금 산정 기초자료 against figures computed by hand from a small set of books and bills."""
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
