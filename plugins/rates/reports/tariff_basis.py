"""요금 산정 기초자료 as a printed table and a spreadsheet: this year beside last year, each figure
with where it comes from."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from erp.common.formatting import won
from erp.common.tables import Table
from plugins.rates.services.tariff_basis import TariffBasis

SOURCES = {"books": "장부", "bills": "고지", "setting": "설정", "typed": "입력", "computed": "산출"}


def _unit(value: Decimal | None, suffix: str) -> str:
    return "-" if value is None else f"{value:,.2f}{suffix}"


def table(basis: TariffBasis, before: TariffBasis) -> Table:
    """The basis of ``basis.year`` beside ``before`` (the year before), as one table."""
    rows: list[list] = []

    def figure(group: str, label: str, now, then, source: str) -> None:
        rows.append([group, label, then, now, SOURCES.get(source, source)])

    previous = {f.key: f.value for f in before.costs}
    for cost in basis.costs:
        figure("영업비용", cost.label, cost.value, previous.get(cost.key, 0), cost.source)
    figure("영업비용", "영업비용 계", basis.operating_cost, before.operating_cost, "computed")
    figure("적정투자보수", basis.capital.label, basis.capital.value, before.capital.value, basis.capital.source)
    figure("적정투자보수", basis.return_rate.label, f"{basis.return_rate.value}%", f"{before.return_rate.value}%", basis.return_rate.source)
    figure("적정투자보수", "적정투자보수", basis.fair_return, before.fair_return, "computed")
    figure("총괄원가", "총괄원가", basis.total_cost, before.total_cost, "computed")
    earlier = {line.use_type: line for line in before.by_use_type}
    for line in basis.by_use_type:
        figure("유수수량 (㎥)", line.label, line.volume.value, earlier[line.use_type].volume.value, line.volume.source)
    figure("유수수량 (㎥)", "계", basis.volume, before.volume, "computed")
    for line in basis.by_use_type:
        figure("급수수익", line.label, line.revenue.value, earlier[line.use_type].revenue.value, line.revenue.source)
    figure("급수수익", "계", basis.revenue, before.revenue, "computed")
    figure("단가", "㎥당 총괄원가 (원)", _unit(basis.cost_per_m3, ""), _unit(before.cost_per_m3, ""), "computed")
    figure("단가", "㎥당 평균 요금 (원)", _unit(basis.average_tariff, ""), _unit(before.average_tariff, ""), "computed")
    for line in basis.by_use_type:
        figure("단가", f"{line.label} ㎥당 평균 요금 (원)", _unit(line.average_tariff, ""),
               _unit(earlier[line.use_type].average_tariff, ""), "computed")
    figure("현실화율", "요금 현실화율", _unit(basis.recovery, "%"), _unit(before.recovery, "%"), "computed")
    for line in basis.by_use_type:
        figure("현실화율", f"{line.label} 현실화율", _unit(line.recovery, "%"), _unit(earlier[line.use_type].recovery, "%"), "computed")
    figure("총괄원가 대비", "부족액 (총괄원가 − 급수수익)", basis.shortfall, before.shortfall, "computed")
    subtitle = _("Amounts in won. Typed figures (what-if) are marked 입력.") if basis.typed else _("Amounts in won.")
    return Table(title=f"{basis.year}년 요금 산정 기초자료 (총괄원가)", subtitle=subtitle,
                 header=["구분", "항목", f"{before.year}년", f"{basis.year}년", "출처"], rows=rows, numeric={2, 3},
                 widths=[3, 6, 4, 4, 2])


__all__ = ["table", "won"]
