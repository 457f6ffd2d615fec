"""The award's part of the demo (called from `config.demo`): last year's round, finished and published, and
this year's round in scoring with the demo `judge` assigned (one draft begun, the rest theirs to score).
Everything goes through the services, as a county officer and the judges would; scores are drawn from a
seeded random generator, so the demo is the same every time."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from associations.demo.writing import DEMO_PASSWORD
from associations.models import Association
from associations.staff import staff_add
from awards import services
from awards.models import AwardGroup, AwardLevel, AwardRound, Criterion, Entry
from core.dates import format_roc_year, roc_year
from core.roles import Role
from grading.models import Assessment, ComplianceStatus

#: Extra judges of the demo rounds (the trimmed mean needs at least three): username, full name.
PANEL = [("judge-lin", "林淑芬"), ("judge-wu", "吳建宏")]
CRITERIA = [
    ("會務與財務", 30, "會議、帳冊與核銷"),
    ("社區活動", 40, "活動規劃與參與"),
    ("福利服務", 30, "照顧關懷與志工"),
]
ENTRIES_PER_ROUND = 10


def awards_demo(*, seed: int, today: datetime.date, county_user: object) -> list[str]:
    county = county_user.membership.county  # type: ignore[attr-defined]
    if AwardRound.objects.filter(county=county).exists():
        return []
    rng = random.Random(f"{seed}:awards")
    judges = [get_user_model().objects.get(username="judge"), *_panel()]
    last = _round(
        county=county, year=today.year - 1, county_user=county_user, judges=judges, excellence=False
    )
    _enter(last, county_user=county_user, rng=rng, exclude=set())
    services.round_start_scoring(actor=county_user, award_round=last)
    for entry in last.entries.all():
        for judge in judges:
            _score(entry, judge, rng, submit=True)
    services.round_publish(actor=county_user, award_round=last)

    current = _round(county=county, year=today.year, county_user=county_user, judges=judges, excellence=True)
    winners = set(last.results.exclude(level="").values_list("association_id", flat=True))
    _enter(current, county_user=county_user, rng=rng, exclude=winners)
    excellence = current.groups.get(kind=AwardGroup.Kind.EXCELLENCE)
    for association in Association.objects.filter(pk__in=winners).select_related("township"):
        entry = services.entry_nominate(actor=county_user, group=excellence, association=association)
        services.entry_accept(actor=county_user, entry=entry)
    services.round_start_scoring(actor=county_user, award_round=current)
    entries = list(current.entries.order_by("pk"))
    for entry in entries[: len(entries) // 2]:
        for judge in judges[1:]:
            _score(entry, judge, rng, submit=True)
    _score(entries[0], judges[0], rng, submit=False)  # the demo judge has begun one sheet
    return [
        _("選拔：%(last)s已公布（%(n)d 名參選）；%(this)s評分中，評審帳號 judge 已指派。")
        % {
            "last": format_roc_year(last.year),
            "n": last.entries.count(),
            "this": format_roc_year(current.year),
        }
    ]


def _panel() -> list[object]:
    users = []
    for username, full_name in PANEL:
        user, _created = staff_add(
            username=username, role=Role.JUDGE, password=DEMO_PASSWORD, full_name=full_name, validate=False
        )
        users.append(user)
    return users


def _round(
    *, county: object, year: int, county_user: object, judges: list[object], excellence: bool
) -> AwardRound:
    award_round = AwardRound.objects.create(
        county=county,
        year=year,
        code=f"GE{roc_year(year)}",
        name=_("%(year)s金卓越社區選拔") % {"year": format_roc_year(year)},
        method="trimmed",
    )
    groups = [("績效組", AwardGroup.Kind.PERFORMANCE, "", [("優等", 85, 3, ""), ("甲等", 75, None, "")])]
    if excellence:
        groups.append(
            (
                "卓越組",
                AwardGroup.Kind.EXCELLENCE,
                "優等、甲等",
                [
                    ("金質卓越獎", 90, 1, "銀質卓越獎"),
                    ("銀質卓越獎", 85, 2, "銅質卓越獎"),
                    ("銅質卓越獎", 80, None, ""),
                ],
            )
        )
    for order, (name, kind, requires, levels) in enumerate(groups, start=1):
        group = AwardGroup.objects.create(
            round=award_round,
            name=name,
            kind=kind,
            sort_order=order,
            requires_levels=requires,
            national_quota=2,
        )
        for position, (c_name, points, description) in enumerate(CRITERIA, start=1):
            Criterion.objects.create(
                group=group,
                position=position,
                name=c_name,
                max_points=Decimal(points),
                description=description,
            )
        for rank, (l_name, min_score, quota, level_requires) in enumerate(levels, start=1):
            AwardLevel.objects.create(
                group=group,
                name=l_name,
                rank=rank,
                min_score=Decimal(min_score),
                quota=quota,
                requires_level=level_requires,
            )
    for judge in judges:
        services.judge_assign(actor=county_user, award_round=award_round, judge=judge)
    return award_round


def _enter(award_round: AwardRound, *, county_user: object, rng: random.Random, exclude: set[int]) -> None:
    """Nominate and accept some associations whose last compliance status before the year was not 異常."""
    group = award_round.groups.get(kind=AwardGroup.Kind.PERFORMANCE)
    normal = (
        Assessment.objects.filter(
            year=award_round.year - 1,
            association__township__county=award_round.county,
            status=ComplianceStatus.NORMAL,
        )
        .exclude(association_id__in=exclude)
        .order_by("association__township__sort_order", "association__name")
        .values_list("association_id", flat=True)
    )
    chosen = rng.sample(list(normal), min(ENTRIES_PER_ROUND, len(normal)))
    for association in Association.objects.filter(pk__in=chosen).select_related("township").order_by("pk"):
        entry = services.entry_nominate(actor=county_user, group=group, association=association)
        services.entry_accept(actor=county_user, entry=entry)


def _score(entry: Entry, judge: object, rng: random.Random, *, submit: bool) -> None:
    if not services.permissions.scope_entries(Entry.objects.filter(pk=entry.pk), judge).exists():
        return  # a conflict found from the registry: this judge does not score the entry
    criteria = services.current_criteria(entry.group_id)
    quality = rng.uniform(0.65, 0.97)
    points = {
        c.pk: str(min(c.max_points, Decimal(round(float(c.max_points) * rng.gauss(quality, 0.04) * 2) / 2)))
        for c in criteria
    }
    services.sheet_save(actor=judge, entry=entry, points=points, submit=submit)
