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


#: The national set's rounds (issue 15): six criteria, 500 entries and seven judges a year.
NATIONAL_CRITERIA = [
    ("組織運作", 15, "會議、帳冊與會員參與"),
    ("財務管理", 15, "經費自籌與核銷"),
    ("社區活動", 20, "活動規劃與參與"),
    ("福利服務", 20, "照顧關懷與志工"),
    ("社區特色", 15, "人文地產景的營造"),
    ("永續發展", 15, "人才培育與傳承"),
]
NATIONAL_ENTRIES = 500


def awards_national(
    *, seed: int, years: tuple[int, ...], county_user: object, judges: list[object]
) -> list[str]:
    """One round a year in the county officer's county: 500 accepted entries, seven judges, six criteria.
    Set-up, judges, start of scoring and publication go through the services (with their events); the
    entries, sheets and scores are written in bulk with the events the services would have written
    (受理參選, 送出評分), since 3,500 sheets a year one service call at a time would take minutes. Past
    rounds are fully scored and published (results stored by `round_publish`); this year's is in scoring,
    with the first judge's sheets not begun and about half of the others' submitted."""
    from associations.demo.national import bulk_insert
    from awards.models import AwardEvent, Conflict, Score, ScoreSheet

    county = county_user.membership.county  # type: ignore[attr-defined]
    rng = random.Random(f"{seed}:awards:national")
    now = datetime.datetime.now(tz=datetime.UTC)
    for year in years:
        award_round = AwardRound.objects.create(
            county=county,
            year=year,
            code=f"GE{roc_year(year)}",
            name=_("%(year)s金卓越社區選拔") % {"year": format_roc_year(year)},
            method="trimmed",
        )
        group = AwardGroup.objects.create(
            round=award_round, name="績效組", kind=AwardGroup.Kind.PERFORMANCE, sort_order=1, national_quota=3
        )
        criteria = [
            Criterion.objects.create(
                group=group, position=position, name=name, max_points=Decimal(points), description=text
            )
            for position, (name, points, text) in enumerate(NATIONAL_CRITERIA, start=1)
        ]
        for rank, (name, minimum, quota) in enumerate((("優等", 85, 10), ("甲等", 75, None)), start=1):
            AwardLevel.objects.create(
                group=group, name=name, rank=rank, min_score=Decimal(minimum), quota=quota
            )
        for judge in judges:
            services.judge_assign(actor=county_user, award_round=award_round, judge=judge)
        normal = list(
            Assessment.objects.filter(
                year=year - 1, association__township__county=county, status=ComplianceStatus.NORMAL
            )
            .order_by("association_id")
            .values_list("association_id", flat=True)
        )
        others = list(
            Association.objects.active()
            .filter(township__county=county)
            .exclude(pk__in=normal)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        chosen = rng.sample(normal, min(NATIONAL_ENTRIES, len(normal)))
        chosen += rng.sample(others, min(NATIONAL_ENTRIES - len(chosen), len(others)))
        townships = dict(Association.objects.filter(pk__in=chosen).values_list("pk", "township_id"))
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    round=award_round,
                    group=group,
                    township_id=townships[pk],
                    association_id=pk,
                    state=Entry.State.ACCEPTED,
                    nominated_by=county_user,
                    accepted_by=county_user,
                )
                for pk in sorted(chosen)
            ],
            batch_size=1000,
        )
        services.conflicts_detect(award_round=award_round, entries=entries)
        events = [
            AwardEvent(round=award_round, kind=AwardEvent.Kind.ENTRY_ACCEPTED, entry=e, actor=county_user)
            for e in entries
        ]
        services.round_start_scoring(actor=county_user, award_round=award_round)
        current = year == years[-1]
        conflicted = set(
            Conflict.objects.filter(entry__round=award_round, cleared_at__isnull=True).values_list(
                "entry_id", "judge_id"
            )
        )
        sheets, points = [], []
        for entry in entries:
            quality = rng.uniform(0.65, 0.97)
            for number, judge in enumerate(judges):
                if (entry.pk, judge.pk) in conflicted:
                    continue
                if current and (number == 0 or rng.random() < 0.5):
                    continue
                sheets.append(
                    ScoreSheet(
                        entry=entry,
                        judge=judge,
                        state=ScoreSheet.State.SUBMITTED,
                        updated_at=now,
                        submitted_at=now,
                    )
                )
                points.append(
                    [
                        min(
                            c.max_points,
                            Decimal(round(float(c.max_points) * rng.gauss(quality, 0.04) * 2) / 2),
                        )
                        for c in criteria
                    ]
                )
        sheets = ScoreSheet.objects.bulk_create(sheets, batch_size=2000)
        bulk_insert(
            Score,
            ("sheet", "criterion", "points"),
            [
                (sheet.pk, c.pk, p)
                for sheet, given in zip(sheets, points, strict=True)
                for c, p in zip(criteria, given, strict=True)
            ],
        )
        events += [
            AwardEvent(
                round=award_round,
                kind=AwardEvent.Kind.SHEET_SUBMITTED,
                entry_id=sheet.entry_id,
                actor_id=sheet.judge_id,
                detail={"judge": sheet.judge_id, "total": str(sum(given, Decimal(0)))},
            )
            for sheet, given in zip(sheets, points, strict=True)
        ]
        AwardEvent.objects.bulk_create(events, batch_size=2000)
        if not current:
            services.round_publish(actor=county_user, award_round=award_round)
    return [
        _("選拔：%(n)d 個年度回合（每回合 %(entries)d 名參選、%(judges)d 位評審、%(criteria)d 個評分項目）。")
        % {
            "n": len(years),
            "entries": NATIONAL_ENTRIES,
            "judges": len(judges),
            "criteria": len(NATIONAL_CRITERIA),
        }
    ]
