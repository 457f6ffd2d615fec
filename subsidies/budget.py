"""Budget execution (預算執行) per source and year, from the applications themselves, so the page matches
them to the dollar. Execution is money out net of returns ((disbursed − returned) ÷ allocated), watched
against the targets of 90% for recurrent and 80% for capital spending."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum

from subsidies.models import COMMITTED_STATES, Allocation, Application, ExpenseKind, FundingLine

TARGETS = {ExpenseKind.RECURRENT: 90, ExpenseKind.CAPITAL: 80}


@dataclass
class Row:
    label: str
    kind: ExpenseKind | None
    allocated: int | None
    approved: int = 0
    disbursed: int = 0
    spent: int = 0
    returned: int = 0

    @property
    def executed(self) -> int:
        return self.disbursed - self.returned

    @property
    def balance(self) -> int | None:
        return None if self.allocated is None else self.allocated - self.approved

    @property
    def rate(self) -> float | None:
        return None if not self.allocated else round(self.executed * 100 / self.allocated, 1)

    @property
    def target(self) -> int | None:
        return TARGETS.get(self.kind) if self.kind else None

    @property
    def on_target(self) -> bool | None:
        return None if self.rate is None or self.target is None else self.rate >= self.target


@dataclass
class Execution:
    sources: list[Row] = field(default_factory=list)
    townships: list[Row] = field(default_factory=list)
    total: Row | None = None


SUMS = {
    "approved": Sum("approved"),
    "disbursed": Sum("disbursed"),
    "spent": Sum("spent"),
    "returned": Sum("returned"),
}


def execution(
    *, applications: QuerySet[Application], year: int, county_id: int | None, show_allocations: bool
) -> Execution:
    """Per source and kind and per township, for the committed applications of `applications` (already
    scoped to the viewer) in `year`. Three queries however many applications there are."""
    lines = FundingLine.objects.filter(
        application__in=applications.filter(year=year, state__in=COMMITTED_STATES).values("pk")
    )
    by_source = {
        (r["source_id"], r["kind"]): r for r in lines.values("source_id", "kind").annotate(**SUMS).order_by()
    }
    allocations = list(
        Allocation.objects.filter(source__county_id=county_id, year=year)
        .select_related("source")
        .order_by("source__sort_order", "source__name")
    )
    result = Execution()
    for allocation in allocations:
        for kind in ExpenseKind:
            sums = by_source.get((allocation.source_id, kind.value), {})
            result.sources.append(
                Row(
                    f"{allocation.source.name}（{kind.label}）",
                    kind,
                    allocation.amount(kind.value) if show_allocations else None,
                    **{k: sums.get(k) or 0 for k in SUMS},
                )
            )
    for r in (
        lines.values(
            "application__association__township__name", "application__association__township__sort_order"
        )
        .annotate(**SUMS)
        .order_by(
            "application__association__township__sort_order", "application__association__township__name"
        )
    ):
        result.townships.append(
            Row(r["application__association__township__name"], None, None, **{k: r[k] or 0 for k in SUMS})
        )
    total = Row("", None, sum(r.allocated or 0 for r in result.sources) if show_allocations else None)
    for r in result.townships:
        for k in SUMS:
            setattr(total, k, getattr(total, k) + getattr(r, k))
    result.total = total
    return result


def chart_bars(
    rows: list[Row], *, width: int = 520, bar: int = 22, gap: int = 14, label_width: int = 260
) -> dict:
    """Geometry of the server-drawn SVG chart: one bar per row (execution rate, 0–100%), a dashed mark at
    its target; black outlines and text, so it reads in black and white."""
    plot = width - label_width - 60
    bars = []
    for index, row in enumerate(r for r in rows if r.rate is not None):
        y = index * (bar + gap) + 10
        rate = max(0.0, min(row.rate or 0.0, 100.0))
        bars.append(
            {
                "label": row.label,
                "y": y,
                "text_y": y + bar * 0.7,
                "x": label_width,
                "w": round(plot * rate / 100, 1),
                "rate": row.rate,
                "target_x": label_width + round(plot * (row.target or 0) / 100, 1),
                "target": row.target,
                "end_x": label_width + plot + 6,
                "on_target": row.on_target,
            }
        )
    return {
        "width": width,
        "height": len(bars) * (bar + gap) + 20,
        "bar": bar,
        "bars": bars,
        "axis_x": label_width,
        "axis_end": label_width + plot,
    }
