"""Fixed assets: depreciation figures against hand-computed numbers, the monthly run, disposal."""
from datetime import date

import pytest
import sqlalchemy as sa
from conftest import login, post_form

from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.accounting.models import JournalEntry
from plugins.accounting.services import assets, reports
from plugins.accounting.services.depreciation import AssetTerms, accumulated_to, declining_rate, monthly_amount, schedule


def test_straight_line_by_hand():
    # 12,000,000 won over 5 years = 60 months: 200,000 a month.
    pump = AssetTerms(date(2026, 1, 15), 12_000_000, 0, 5, "straight_line")
    assert [monthly_amount(pump, 2026, m) for m in (1, 2, 12)] == [200_000, 200_000, 200_000]
    assert accumulated_to(pump, 2026, 12) == 2_400_000
    assert accumulated_to(pump, 2030, 12) == 12_000_000 and monthly_amount(pump, 2031, 1) == 0
    # With a residual value of 1,200,000: (12,000,000 − 1,200,000) / 60 = 180,000.
    assert monthly_amount(AssetTerms(date(2026, 1, 15), 12_000_000, 1_200_000, 5, "straight_line"), 2026, 3) == 180_000
    # 1,000,000 over 36 months does not divide: months differ by a won, the total is exact.
    meter = AssetTerms(date(2026, 1, 1), 1_000_000, 0, 3, "straight_line")
    assert [monthly_amount(meter, 2026, m) for m in (1, 2, 3)] == [27_777, 27_778, 27_778]
    assert sum(monthly_amount(meter, y, m) for y in (2026, 2027, 2028) for m in range(1, 13)) == 1_000_000


def test_declining_balance_by_hand():
    # 5 years: rate 1 − 0.05^(1/5) = 0.451 (the statutory table's figure).
    plant = AssetTerms(date(2025, 1, 1), 10_000_000, 0, 5, "declining_balance")
    assert str(declining_rate(plant)) == "0.451"
    # 2025: 10,000,000 × 0.451 = 4,510,000; 2026: (10,000,000 − 4,510,000) × 0.451 = 2,475,990.
    assert accumulated_to(plant, 2025, 12) == 4_510_000
    assert accumulated_to(plant, 2026, 12) == 4_510_000 + 2_475_990
    assert monthly_amount(plant, 2026, 1) == 2_475_990 // 12  # 206,332
    # The last year writes the book value down to the residual value.
    assert schedule(plant)[-1] == (2029, 908_426, 10_000_000, 0)
    # Acquired in July: the first year counts six months: 10,000,000 × 0.451 × 6/12 = 2,255,000.
    mid_year = AssetTerms(date(2025, 7, 1), 10_000_000, 500_000, 5, "declining_balance")
    assert schedule(mid_year)[0] == (2025, 2_255_000, 2_255_000, 7_745_000)
    assert schedule(mid_year)[-1][2:] == (9_500_000, 500_000)


def _register(**changes):
    data = dict(name="가압장 펌프", category="machinery", acquired_on=date(2026, 1, 15), cost=12_000_000,
                useful_life_years=5, method="straight_line", residual_value=0, paid_from="1111")
    data.update(changes)
    return assets.register(assets.AssetInput(**data))


def test_the_monthly_run_posts_one_entry_and_never_twice(app, runner):
    with app.test_request_context():
        pump = _register()
        _register(name="업무용 차량", category="vehicle", cost=36_000_000, useful_life_years=6)
        first = assets.run_month(2026, 3)
        assert first.created and first.total == 200_000 + 500_000 and first.assets == 2
        entry = db.session.execute(sa.select(JournalEntry).where(JournalEntry.number == first.entry_number)).scalar_one()
        assert {(l.account.code, l.debit, l.credit) for l in entry.lines} == {
            ("5216", 700_000, 0), ("1229", 0, 200_000), ("1231", 0, 500_000)}
        again = assets.run_month(2026, 3)
        assert not again.created and again.entry_number == first.entry_number
        assert db.session.execute(sa.select(sa.func.count()).select_from(JournalEntry)
                                  .where(JournalEntry.source.like("accounting:depreciation:%"))).scalar_one() == 1
        assert assets.register_rows()[0].accumulated == 200_000 and assets.register_rows()[0].asset.id == pump.id
    result = runner.invoke(args=["accounting", "depreciate", "2026", "3"])
    assert "nothing new" in result.output


def test_disposal_posts_the_gain_or_the_loss(app):
    with app.test_request_context():
        pump = _register()
        for month in (1, 2, 3):
            assets.run_month(2026, month)
        # Book value 12,000,000 − 600,000 = 11,400,000; sold for 11,000,000: a loss of 400,000.
        disposed = assets.dispose(pump.id, date(2026, 4, 10), 11_000_000)
        entry = db.session.get(JournalEntry, disposed.disposal_entry_id)
        assert {(l.account.code, l.debit, l.credit) for l in entry.lines} == {
            ("1111", 11_000_000, 0), ("1229", 600_000, 0), ("1228", 0, 12_000_000), ("772", 400_000, 0)}
        assert assets.run_month(2026, 4).total == 0  # a disposed asset depreciates no more
        with pytest.raises(ServiceError, match="already|이미"):
            assets.dispose(pump.id, date(2026, 4, 11), 0)
        truck = _register(name="트럭", category="vehicle", cost=10_000_000)
        gain = assets.dispose(truck.id, date(2026, 1, 31), 10_500_000)
        lines = {(l.account.code, l.debit, l.credit) for l in db.session.get(JournalEntry, gain.disposal_entry_id).lines}
        assert ("674", 0, 500_000) in lines
        assert reports.trial_balance(2026).balanced


@pytest.mark.parametrize("changes, message", [
    (dict(cost=0), "0보다"), (dict(residual_value=12_000_000), "잔존가치"), (dict(useful_life_years=0), "내용연수"),
    (dict(category="boat"), "분류"), (dict(method="magic"), "정액법"), (dict(cost=1.5), "원 단위"),
])
def test_bad_asset_data_is_refused(app, changes, message):
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        _register(**changes)
    assert message in refused.value.message


def test_asset_pages_register_and_run(app, client, make_user):
    make_user("acct", roles=["accountant"])
    login(client, "acct")
    html = post_form(client, "/accounting/assets/new", {
        "name": "배수지 유량계", "category": "meters", "acquired_on": "2026-01-05", "cost": "2,400,000",
        "residual_value": "", "useful_life_years": "2", "method": "straight_line", "department_code": "", "paid_from": "1111",
    }, follow=True).get_data(as_text=True)
    assert "2026-FA-000001" in html and "2,400,000" in html and "1,200,000" in html  # the schedule's first year
    html = post_form(client, "/accounting/assets/depreciation", {"year": "2026", "month": "1"}, page="/accounting/assets",
                     follow=True).get_data(as_text=True)
    assert "100,000" in html
    register = client.get("/accounting/assets?format=xlsx")
    assert register.data[:2] == b"PK"
    bad = post_form(client, "/accounting/assets/new", {"name": "x", "category": "meters", "acquired_on": "2026-01-05",
                                                       "cost": "12.5", "useful_life_years": "2", "method": "straight_line"})
    assert "0 이상의 원 단위 금액" in bad.get_data(as_text=True)
