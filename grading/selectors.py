"""Reads for the grading pages and exports. Every one starts from a queryset already scoped to the user
(`Assessment.objects.visible_to(user)`), so counts, lists and files show only what the user may see."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from associations import access
from associations.models import Association, Officer
from grading.messages import in_record_language
from grading.models import Assessment, ComplianceStatus, Tier, TierRegister


def _current_chair() -> Subquery:
    chairs = (
        Officer.objects.current()
        .filter(association=OuterRef("association_id"), position=Officer.Position.CHAIR)
        .order_by(F("term_start").desc(nulls_last=True), "-pk")
    )
    return Subquery(chairs.values("name")[:1])


def register_keys(assessments: QuerySet[Assessment], *, sort: str) -> QuerySet[Assessment]:
    """The register's rows to sort and count: what `REGISTER_SORTING` may order by (the tier in force; the
    current chair only when sorting by it, as it is a subquery per row)."""
    keys = assessments.with_tier()
    if sort.removeprefix("-") == "chair":
        keys = keys.annotate(chair_name=_current_chair())
    return keys


def register_rows(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The register as listed and exported: township, the current chair's name and the tier in force, all
    in the one query. The tier trail is left in the database: neither shows it, and decoding its JSON was
    a tenth of a register page's time."""
    return (
        assessments.select_related("association__township")
        .defer("tier_trail")
        .with_tier()
        .annotate(chair_name=_current_chair())
        .order_by(
            "association__township__sort_order", "association__township__name", "association__name", "pk"
        )
    )


def totals_of(counts: list[dict[str, object]]) -> dict[str, object]:
    """The totals of `YearSummary.counts` rows (per township): no second query."""
    return {
        "total": sum(row["total"] for row in counts),
        "statuses": [sum(row["statuses"][i] for row in counts) for i in range(len(ComplianceStatus.values))],
        "tiers": [sum(row["tiers"][i] for row in counts) for i in range(len(Tier.values))],
    }


# --- movement between two years -------------------------------------------------------------------------


@dataclass
class Movement:
    township: str
    #: matrix[before][after] for the three tiers, in Tier order.
    matrix: list[list[int]] = field(default_factory=lambda: [[0, 0, 0] for _ in Tier.values])
    new: list[int] = field(default_factory=lambda: [0, 0, 0])  # not in the earlier register, by tier now
    left: list[int] = field(default_factory=lambda: [0, 0, 0])  # not in the later register, by tier before

    def before(self) -> list[int]:
        return [sum(self.matrix[i]) + self.left[i] for i in range(3)]

    def after(self) -> list[int]:
        return [sum(self.matrix[i][j] for i in range(3)) + self.new[j] for j in range(3)]

    def rows(self) -> list[tuple[str, list[int], int]]:
        """The matrix as table rows: (tier before, counts by tier after, how many left the register)."""
        return [(str(label), self.matrix[i], self.left[i]) for i, label in enumerate(Tier.labels)]

    def counts_by_tier(self) -> list[tuple[int, int]]:
        return list(zip(self.before(), self.after(), strict=True))

    def up(self) -> int:
        return sum(self.matrix[i][j] for i in range(3) for j in range(3) if j > i)

    def down(self) -> int:
        return sum(self.matrix[i][j] for i in range(3) for j in range(3) if j < i)

    def same(self) -> int:
        return sum(self.matrix[i][i] for i in range(3))

    def add(self, other: Movement) -> None:
        for i in range(3):
            self.new[i] += other.new[i]
            self.left[i] += other.left[i]
            for j in range(3):
                self.matrix[i][j] += other.matrix[i][j]


@dataclass
class YearSummary:
    """What the grading overview, the home page and the movement page show of one year, read by
    `year_summary` in one query."""

    year: int
    #: Per township with an assessment of the year: its year, township_id, township (name), total,
    #: overridden, and the counts of each status and each tier in force (lists in choice order).
    counts: list[dict[str, object]]
    #: Tier movement from the earlier year, per township with an assessment of either year, and in total.
    movement: list[Movement]
    movement_total: Movement
    #: Active (not dissolved) associations without an assessment of the year.
    unassessed: int
    #: Per township with an association: pk, name, count and `status_<value>` counts of the associations.
    townships: list[dict[str, object]]

    def totals(self) -> dict[str, object]:
        return totals_of(self.counts)


def year_summary(associations: QuerySet[Association], *, year: int, before: int | None = None) -> YearSummary:
    """The year's statuses and tiers in force by township, the tier movement from `before` (the year
    before unless given), how many active associations have no assessment of the year, and the
    associations by status per township: one query. Each association of the scope (`associations`, already
    scoped to the user) is joined once to its assessment of each of the two years (`FilteredRelation`: LEFT
    JOINs on the unique association and year, one index probe each), and counted by township and the few
    columns the figures depend on; the figures are summed from those groups. This replaced three queries
    that each read the same assessments again (the overview's counts, the movement chart and the
    unassessed count)."""
    before = year - 1 if before is None else before
    rows = (
        associations.order_by()
        .alias(
            summary_earlier=FilteredRelation("assessments", condition=Q(assessments__year=before)),
            summary_later=FilteredRelation("assessments", condition=Q(assessments__year=year)),
        )
        .values_list(
            "township_id",
            "township__name",
            "township__sort_order",
            "status",
            "summary_earlier__override_tier",
            "summary_earlier__suggested_tier",
            "summary_later__override_tier",
            "summary_later__suggested_tier",
            "summary_later__status",
        )
        .annotate(n=Count("pk"))
    )
    tiers = {tier: i for i, tier in enumerate(Tier.values)}
    statuses = {status: i for i, status in enumerate(ComplianceStatus.values)}
    by_township: dict[tuple[int, str, int], dict[str, object]] = {}
    unassessed = 0
    for township_id, name, order, status, e_override, e_suggested, override, suggested, state, n in rows:
        entry = by_township.get((order, name, township_id))
        if entry is None:
            entry = by_township[(order, name, township_id)] = {
                "township": {
                    "pk": township_id,
                    "name": name,
                    "count": 0,
                    **{f"status_{s}": 0 for s in Association.Status.values},
                },
                "counts": {
                    "year": year,
                    "township_id": township_id,
                    "township": name,
                    "total": 0,
                    "overridden": 0,
                    "statuses": [0] * len(statuses),
                    "tiers": [0] * len(tiers),
                },
                "movement": Movement(township=str(name)),
            }
        township, counts, moved = entry["township"], entry["counts"], entry["movement"]
        township["count"] += n
        township[f"status_{status}"] += n
        earlier_tier = e_override or e_suggested  # none: not in the earlier register
        tier = override or suggested  # none: not in this year's register
        if tier is None:
            if status != Association.Status.DISSOLVED:
                unassessed += n
            if earlier_tier is not None:
                moved.left[tiers[earlier_tier]] += n
            continue
        counts["total"] += n
        counts["overridden"] += n if override is not None else 0
        counts["statuses"][statuses[state]] += n
        counts["tiers"][tiers[tier]] += n
        if earlier_tier is None:
            moved.new[tiers[tier]] += n
        else:
            moved.matrix[tiers[earlier_tier]][tiers[tier]] += n
    entries = [by_township[key] for key in sorted(by_township)]
    movement = [e["movement"] for e in entries if sum(e["movement"].before()) + sum(e["movement"].new)]
    total = Movement(township=_("合計"))
    for township in movement:
        total.add(township)
    return YearSummary(
        year=year,
        counts=[e["counts"] for e in entries if e["counts"]["total"]],
        movement=movement,
        movement_total=total,
        unassessed=unassessed,
        townships=[e["township"] for e in entries],
    )


# --- the export ---------------------------------------------------------------------------------------------


def export_headers() -> list[str]:
    with in_record_language():
        return [
            _("鄉鎮市"),
            _("協會名稱"),
            _("理事長"),
            _("會務財務狀態"),
            _("未符規定事項"),
            _("建議分級"),
            _("核定分級"),
            _("調整理由"),
        ]


def export_rows(assessments: QuerySet[Assessment]) -> Iterator[list[str]]:
    """The register's rows for a spreadsheet, in the order of `export_headers()`, in the portal's own language
    (the county's document), whichever language the reader chose."""
    for assessment in register_rows(assessments).iterator(chunk_size=2000):
        # The language is switched per row: a generator holding it between rows would lend it to its caller.
        with in_record_language():
            failed = [f"{rule['label']}：{rule['message']}" for rule in assessment.failed_rules()]
            row = [
                assessment.association.township.name,
                assessment.association.name,
                assessment.chair_name or "",
                str(ComplianceStatus(assessment.status).label),
                "\n".join(failed),
                str(Tier(assessment.suggested_tier).label),
                str(Tier(assessment.tier_in_force).label),
                assessment.override_reason,
            ]
        yield row


def home_summary(user: object) -> tuple[YearSummary, dict[str, object] | None]:
    """The home page's figures in the user's scope: the `YearSummary` of the latest register (of this year
    when there is none; it also holds the associations by township and the year's charts), and the grading
    summary (that register's year, statuses and tiers; none without a register). One query for the year,
    one for the rest."""
    year = (
        access.scope_by_county(TierRegister.objects.all(), user)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    summary = year_summary(Association.objects.visible_to(user), year=year or timezone.localdate().year)
    if year is None:
        return summary, None
    counts = summary.totals()
    return summary, {
        "year": year,
        "statuses": list(
            zip(ComplianceStatus.values, ComplianceStatus.labels, counts["statuses"], strict=True)
        ),
        "tiers": list(zip(Tier.values, Tier.labels, counts["tiers"], strict=True)),
    }
