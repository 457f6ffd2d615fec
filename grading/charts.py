"""The grading charts of the county home and the grading overview: the tier and status mix by township and
the tier movement from the year before, drawn by `core.charts` from the year's `selectors.year_summary`,
which the page reads anyway: no query of their own."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.charts import Bar, Chart, stacked_bars
from core.dates import format_roc_year
from grading import selectors
from grading.models import ComplianceStatus, Tier


def grading_charts(summary: selectors.YearSummary) -> list[Chart]:
    """The charts of `summary`'s year (`selectors.year_summary`, read once for the page); none when the
    year has no assessment."""
    year, counts = summary.year, summary.counts
    if not counts:
        return []
    townships, total = summary.movement, summary.movement_total
    names = {"year": format_roc_year(year), "before": format_roc_year(year - 1)}
    charts = [
        stacked_bars(
            key=f"tiers-{year}",
            title=_("%(year)s各鄉鎮市區分級") % names,
            description=_("各鄉鎮市區停滯型、潛力型、發展型的協會數。"),
            series=[str(label) for label in Tier.labels],
            bars=[Bar(str(row["township"]), row["tiers"]) for row in counts],
        ),
        stacked_bars(
            key=f"statuses-{year}",
            title=_("%(year)s各鄉鎮市區會務財務狀態") % names,
            description=_("各鄉鎮市區會務財務狀態為正常、待輔導、異常的協會數。"),
            series=[str(label) for label in ComplianceStatus.labels],
            bars=[Bar(str(row["township"]), row["statuses"]) for row in counts],
        ),
    ]
    if total.up() + total.same() + total.down():
        charts.append(
            stacked_bars(
                key=f"movement-{year}",
                title=_("%(before)s至%(year)s分級變動") % names,
                description=_("兩個年度都有分級的協會中，分級上升、持平、下降的協會數，依鄉鎮市區及合計。"),
                series=[_("上升"), _("持平"), _("下降")],
                bars=[
                    *(Bar(m.township, [m.up(), m.same(), m.down()]) for m in townships),
                    Bar(total.township, [total.up(), total.same(), total.down()]),
                ],
            )
        )
    return charts
