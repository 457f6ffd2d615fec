"""Reads for the grading pages and exports. Every one starts from a queryset already scoped to the user
(`Assessment.objects.visible_to(user)`), so counts, lists and files show only what the user may see."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from associations import access
from associations.models import Officer
from grading.messages import in_record_language
from grading.models import Assessment, ComplianceStatus, Tier, TierRegister, tier_in_force, tier_is


def register_rows(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The register as listed and exported: township, the current chair's name and the tier in force, all
    in the one query."""
    chairs = (
        Officer.objects.current()
        .filter(association=OuterRef("association_id"), position=Officer.Position.CHAIR)
        .order_by(F("term_start").desc(nulls_last=True), "-pk")
    )
    return (
        assessments.select_related("association__township")
        .with_tier()
        .annotate(chair_name=Subquery(chairs.values("name")[:1]))
        .order_by(
            "association__township__sort_order", "association__township__name", "association__name", "pk"
        )
    )


def township_counts(assessments: QuerySet[Assessment]) -> list[dict[str, object]]:
    """Per township: how many associations of each status and of each tier in force."""
    aggregates = {"total": Count("pk")}
    aggregates |= {f"status_{s}": Count("pk", filter=Q(status=s)) for s in ComplianceStatus.values}
    aggregates |= {f"tier_{t}": Count("pk", filter=tier_is(t)) for t in Tier.values}
    aggregates["overridden"] = Count("pk", filter=Q(override_tier__isnull=False))
    rows = (
        assessments.order_by()
        .values(
            "association__township_id", "association__township__name", "association__township__sort_order"
        )
        .annotate(**aggregates)
        .order_by("association__township__sort_order", "association__township__name")
    )
    return [
        {
            "township_id": row["association__township_id"],
            "township": row["association__township__name"],
            "total": row["total"],
            "overridden": row["overridden"],
            "statuses": [row[f"status_{s}"] for s in ComplianceStatus.values],
            "tiers": [row[f"tier_{t}"] for t in Tier.values],
        }
        for row in rows
    ]


def totals(assessments: QuerySet[Assessment]) -> dict[str, object]:
    aggregates = {f"status_{s}": Count("pk", filter=Q(status=s)) for s in ComplianceStatus.values}
    aggregates |= {f"tier_{t}": Count("pk", filter=tier_is(t)) for t in Tier.values}
    row = assessments.order_by().aggregate(total=Count("pk"), **aggregates)
    return {
        "total": row["total"],
        "statuses": [row[f"status_{s}"] for s in ComplianceStatus.values],
        "tiers": [row[f"tier_{t}"] for t in Tier.values],
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


def movement(
    visible: QuerySet[Assessment], *, from_year: int, to_year: int
) -> tuple[list[Movement], Movement]:
    """Tier movement between two registers, per township and in total (two queries)."""
    index = {tier: i for i, tier in enumerate(Tier.values)}
    earlier = Assessment.objects.filter(association=OuterRef("association_id"), year=from_year).annotate(
        t=tier_in_force()
    )
    later_rows = (
        visible.filter(year=to_year)
        .order_by()
        .annotate(now=tier_in_force(), before=Subquery(earlier.values("t")[:1]))
        .values("association__township__sort_order", "association__township__name", "before", "now")
        .annotate(n=Count("pk"))
    )
    left_rows = (
        visible.filter(year=from_year)
        .exclude(association__in=Assessment.objects.filter(year=to_year).values("association_id"))
        .order_by()
        .annotate(before=tier_in_force())
        .values("association__township__sort_order", "association__township__name", "before")
        .annotate(n=Count("pk"))
    )
    by_township: dict[tuple[int, str], Movement] = {}

    def entry(row: dict[str, object]) -> Movement:
        key = (row["association__township__sort_order"], row["association__township__name"])
        return by_township.setdefault(key, Movement(township=str(key[1])))

    for row in later_rows:
        now = index[row["now"]]
        if row["before"] is None:
            entry(row).new[now] += row["n"]
        else:
            entry(row).matrix[index[row["before"]]][now] += row["n"]
    for row in left_rows:
        entry(row).left[index[row["before"]]] += row["n"]
    townships = [by_township[key] for key in sorted(by_township)]
    total = Movement(township=_("合計"))
    for township in townships:
        total.add(township)
    return townships, total


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


def grading_summary(user: object) -> dict[str, object] | None:
    """The home page's summary: the latest register's statuses and tiers, in the user's scope."""
    registers = access.scope_by_county(TierRegister.objects.all(), user)
    year = registers.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return None
    counts = totals(Assessment.objects.visible_to(user).filter(year=year))
    return {
        "year": year,
        "statuses": list(
            zip(ComplianceStatus.values, ComplianceStatus.labels, counts["statuses"], strict=True)
        ),
        "tiers": list(zip(Tier.values, Tier.labels, counts["tiers"], strict=True)),
    }
