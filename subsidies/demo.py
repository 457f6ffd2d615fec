"""The subsidies part of the demo (`manage.py seed_demo`): the county's funding configuration for the year
and a year of applications in every state of the route, each taken there through the same services the
staff pages use, by the demo township clerks and county officer. `config.demo` calls it after grading."""

from __future__ import annotations

import datetime

from associations.models import Association, StaffMembership
from core.roles import Role
from grading.eligibility import standings
from subsidies import services
from subsidies.models import Allocation, Application, FundingSource, State, SubsidyItem
from subsidies.services import CostInput, FundingInput

#: (title, item, ministry?, the steps after entry: (who, action)).
T, C = "clerk", "county"
REVIEW = [(T, "submit"), (T, "forward"), (C, "start_review")]
PLANS: list[tuple[str, str, bool, list[tuple[str, str]]]] = [
    ("社區健康促進講座", "凝聚社區意識活動", False, []),
    ("端午節包粽傳承活動", "凝聚社區意識活動", False, [(T, "submit")]),
    ("社區環境綠美化", "福利社區化服務方案", False, [(T, "submit"), (T, "forward")]),
    ("長青食堂共餐計畫", "福利社區化服務方案", True, REVIEW),
    ("社區志工培訓課程", "社區人力培訓", False, [*REVIEW, (C, "return_to_township")]),
    ("社區刊物第12期", "社區刊物", False, [(T, "submit"), (T, "township_return")]),
    ("中秋聯歡晚會", "凝聚社區意識活動", False, [*REVIEW, (C, "approve")]),
    ("活動中心屋頂防漏修繕", "社區活動中心興修建", False, [*REVIEW, (C, "approve_partly")]),
    ("社區觀摩交流參訪", "觀摩活動", False, [*REVIEW, (C, "reject")]),
    ("老人關懷訪視服務", "福利社區化服務方案", True, [*REVIEW, (C, "approve"), (C, "forward_to_ministry")]),
    (
        "社區照顧關懷據點設備",
        "充實設施設備",
        True,
        [*REVIEW, (C, "approve"), (C, "forward_to_ministry"), (C, "record_ministry_decision")],
    ),
    ("重陽敬老活動", "凝聚社區意識活動", False, [*REVIEW, (C, "approve"), (C, "disburse")]),
    (
        "兒童課後陪讀班",
        "福利社區化服務方案",
        False,
        [*REVIEW, (C, "approve"), (C, "disburse"), (T, "submit_closeout")],
    ),
    (
        "社區巡守隊裝備",
        "充實設施設備",
        False,
        [*REVIEW, (C, "approve"), (C, "disburse"), (T, "submit_closeout"), (C, "close")],
    ),
    ("社區歌唱班成果展", "凝聚社區意識活動", False, [(T, "submit"), (T, "withdraw")]),
]
NOTES = {
    "return_to_township": "經費概算表缺少講師鐘點費明細，請公所補正後再層轉。",
    "township_return": "計畫書未附理事會決議紀錄，請協會補件。",
    "reject": "本年度觀摩活動經費已用罄，明年度再提出申請。",
    "withdraw": "協會理事會決議延至明年度辦理。",
}


def subsidies_demo(*, today: datetime.date, county_user: object, repeat: int = 1) -> list[str]:
    """The year's applications of `PLANS`, `repeat` times over (the national set asks for more, each time
    on other associations of the clerks' townships)."""
    county = county_user.membership.county  # type: ignore[attr-defined]
    year = today.year
    if Application.objects.filter(county=county, year=year).exists():
        return []  # seeded before: running the demo again changes nothing
    services.configuration_ensure(county=county, year=year)
    for allocation in Allocation.objects.filter(source__county=county, year=year).select_related("source"):
        ministry = allocation.source.kind == FundingSource.Kind.MINISTRY
        allocation.recurrent_amount = (3_000_000 if ministry else 2_000_000) * repeat
        allocation.capital_amount = (2_000_000 if ministry else 1_000_000) * repeat
        allocation.save(update_fields=["recurrent_amount", "capital_amount"])
    clerks = [
        m.user
        for m in StaffMembership.objects.filter(role=Role.TOWNSHIP, township__county=county)
        .select_related("user", "township")
        .order_by("township__sort_order", "pk")
    ]
    if not clerks:
        return []
    pools = []
    for clerk in clerks:
        associations = list(
            Association.objects.filter(township=clerk.membership.township).active().order_by("name")[:60]
        )
        judged = standings(association_ids=[a.pk for a in associations], year=year)
        pools.append([a for a in associations if not judged[a.pk].blocks_grant])
    items = {i.name: i for i in SubsidyItem.objects.filter(county=county)}
    sources = {s.kind: s for s in FundingSource.objects.filter(county=county).order_by("-sort_order")}
    fund = FundingSource.objects.get(county=county, name="縣社會福利基金")
    made = 0
    for index, (title, item_name, ministry, steps) in enumerate(PLANS * repeat):
        clerk = clerks[index % len(clerks)]
        pool = pools[index % len(clerks)]
        if not pool:
            continue
        association = pool[index // len(clerks) % len(pool)]
        item = items[item_name]
        source = sources[FundingSource.Kind.MINISTRY] if ministry else fund
        cost = 200_000 if item.kind == "capital" else 100_000
        share = 30 if ministry and item.kind == "capital" else 20 if ministry else 10
        own = cost * share // 100
        application = services.application_save(
            actor=clerk,
            association=association,
            year=year,
            item=item,
            title=title,
            starts_on=datetime.date(year, 3, 1),
            ends_on=datetime.date(year, 11, 30),
            self_funded=own,
            costs=[CostInput(item.kind, "活動及材料費", cost)],
            funding=[FundingInput(source.pk, item.kind, cost - own)],
        )
        for who, action in steps:
            line = application.funding_lines.get()
            amounts = {
                "approve_partly": {line.pk: (line.requested * 7 // 10)},
                "record_ministry_decision": {line.pk: (line.approved or 0) * 9 // 10},
                "submit_closeout": {line.pk: line.disbursed - 3_000},
            }.get(action)
            application = services.application_transition(
                application_id=application.pk,
                action=action,
                actor=clerk if who == T else county_user,
                note=NOTES.get(action, ""),
                amounts=amounts,
                letter_number="衛部救字第1140012345號" if action == "record_ministry_decision" else "",
                letter_date=datetime.date(year, 5, 15) if action == "record_ministry_decision" else None,
            )
        made += 1
    states = len({s for s in State})
    return [f"補助申請案 {made} 件，涵蓋 {states} 種狀態。"]
