"""The grading part of the demo (`manage.py seed_demo`): the demo years judged through the same services the
portal's pages use, county by county, as each county's demo officer, on that county's own registers.
`config.demo` calls it after the associations' part."""

from __future__ import annotations

import datetime
import random

from django.utils.translation import gettext as _

from associations.demo.planning import demo_years
from associations.demo.words import COUNTY as MIAOLI
from core.dates import format_roc_year, roc_year
from grading import services
from grading.models import Assessment, TierRegister

#: Written by the demo county officer on the middle year's register, so it shows 調整理由: the status and
#: suggested tier to look for, whether the association must run a care station, the tier set and the
#: reason (`{year}` is the register's ROC year).
OVERRIDES = (
    (
        "normal",
        "potential",
        False,
        "developing",
        "該會{year}年度自籌經費開辦老人共餐，並承接長青學苑課程，服務量已達發展型，經輔導團隊訪視後調升。",
    ),
    (
        "guidance",
        "stagnant",
        False,
        "potential",
        "{year}年下半年已組成社區巡守隊並開始辦理課後陪讀，方案資料尚待補登，先列潛力型持續輔導。",
    ),
    (
        "normal",
        "developing",
        True,
        "potential",
        "關懷據點{year}年度服務人次明顯下降，志工實際出勤不足，暫列潛力型，下年度再行檢視。",
    ),
)


def grade_demo(*, seed: int, today: datetime.date, county: str, county_user: object) -> list[str]:
    """Recompute every open demo year of `county` (`county_user`'s), finalise the oldest, and override a
    few tiers of the middle one; a year whose register of the county is finalised is left as it is, so
    running the seed again changes nothing there."""
    years = demo_years(today)
    finalised = set(
        TierRegister.objects.filter(
            county__name=county, year__in=years, state=TierRegister.State.FINALISED
        ).values_list("year", flat=True)
    )
    graded = [year for year in years if year not in finalised]
    for year in graded:
        services.assessments_recompute(year=year, actor=county_user, as_of=today)
    notes = []
    oldest, middle = years[0], years[1]
    overrides = 0
    already_overridden = Assessment.objects.filter(
        year=middle, association__township__county__name=county, override_tier__isnull=False
    ).exists()
    if middle not in finalised and not already_overridden:
        overrides = _override(seed=seed, year=middle, county=county, county_user=county_user)
    if graded:
        notes.append(
            _("%(county)s年度分級：已計算%(years)s（人工調整 %(overrides)d 筆）")
            % {
                "county": county,
                "years": "、".join(format_roc_year(year) for year in graded),
                "overrides": overrides,
            }
        )
    if oldest not in finalised:
        services.register_finalise(year=oldest, actor=county_user)
        notes.append(
            _("%(county)s%(year)s分級清冊已定案。") % {"county": county, "year": format_roc_year(oldest)}
        )
    return notes


def _override(*, seed: int, year: int, county: str, county_user: object) -> int:
    # 苗栗縣 keeps the generator it always had, so its overrides stay the same for the same seed.
    rng = random.Random(f"{seed}:overrides" if county == MIAOLI else f"{seed}:{county}:overrides")
    candidates = list(
        Assessment.objects.filter(year=year, association__township__county__name=county)
        .select_related("association__township")
        .order_by("association__township__name", "association__name")
    )
    townships: set[int] = set()
    for status, suggested, care_station, tier, reason in OVERRIDES:
        matches = [
            a
            for a in candidates
            if a.status == status
            and a.suggested_tier == suggested
            and (a.association.runs_care_station or not care_station)
            and a.association.township_id not in townships
        ]
        if not matches:
            continue
        assessment = rng.choice(matches)
        services.assessment_override(
            assessment=assessment, tier=tier, reason=reason.format(year=roc_year(year)), actor=county_user
        )
        townships.add(assessment.association.township_id)
    return len(townships)


def grade_national(*, years: tuple[int, ...], today: datetime.date, county_user: object) -> list[str]:
    """The national set judged by the real recompute of every county and year (as the server, since only
    the home county has an officer), then the home county's completed years before last year finalised by
    its officer, as a county closes its registers. The other counties' registers stay open: finalising is a
    county officer's act and they have none."""
    from associations.models import County

    home = county_user.membership.county  # type: ignore[attr-defined]
    counties = list(County.objects.filter(townships__associations__isnull=False).distinct().order_by("pk"))
    for county in counties:
        for year in years:
            services.assessments_recompute_system(county=county, year=year, as_of=today)
    closed = [year for year in years if year <= today.year - 2]
    for year in closed:
        services.register_finalise(year=year, actor=county_user, county=home)
    return [
        _("年度分級：%(counties)d 個縣市 × %(years)d 年已計算；%(county)s%(first)s至%(last)s分級清冊已定案。")
        % {
            "counties": len(counties),
            "years": len(years),
            "county": home.name,
            "first": format_roc_year(closed[0]) if closed else "—",
            "last": format_roc_year(closed[-1]) if closed else "—",
        }
    ]
