"""Writing the demo's plans (`planning`) for the associations, 苗栗縣's and then the smaller 雲林縣's: the
reference geography, the villages,
the associations with their officers and compliance facts, each with an initial history row, and the demo
users. Only the rows that are missing are written, so running the seed twice changes nothing, and deleting
an association and seeding again brings back exactly the same one."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from associations.demo.planning import AssociationPlan, demo_plan, village_kind, village_name
from associations.demo.words import MIAOLI, CountyWords
from associations.demo.yunlin import YUNLIN
from associations.geography import townships_import
from associations.models import (
    Association,
    Election,
    Meeting,
    Officer,
    ProgrammeProfile,
    Township,
    Village,
    YearlyFiling,
)
from associations.staff import staff_add
from core.history import CREATED, copy_to_history
from core.roles import Role

DEMO_PASSWORD = "demo-portal-2026"
DEMO_URL = "http://127.0.0.1:8000/"
CHANGE_REASON = "示範資料"
#: The demo's counties, written in this order (苗栗縣 first, so its rows are what they were before 雲林縣).
DEMO_COUNTIES: tuple[CountyWords, ...] = (MIAOLI, YUNLIN)


class DemoError(Exception):
    pass


@dataclass
class DemoUser:
    username: str
    role: Role
    township: str
    full_name: str
    password: str
    created: bool
    county: str = ""  # the county a county officer or township clerk serves; none for judges and admins


@dataclass
class DemoResult:
    associations_created: int = 0
    associations_skipped: int = 0
    villages_created: int = 0
    officers_created: int = 0
    #: The counties whose associations this run created (the apps above add their part for these only).
    counties_created: list[str] = field(default_factory=list)
    users: list[DemoUser] = field(default_factory=list)
    meetings_created: int = 0
    filings_created: int = 0
    elections_created: int = 0
    programmes_created: int = 0
    #: One line each from the apps above `associations` that added their part (`config.demo`).
    notes: list[str] = field(default_factory=list)
    url: str = DEMO_URL
    seconds: float = 0.0


# --- Writing ---------------------------------------------------------------------------------------------


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _townships(words: CountyWords) -> dict[str, Township]:
    townships = {t.name: t for t in Township.objects.filter(county__name=words.county)}
    missing = [t.name for t in words.townships if t.name not in townships]
    if missing:
        raise DemoError(_("參考資料缺少鄉鎮市區：%(names)s") % {"names": "、".join(missing)})
    return townships


def _villages(
    townships: dict[str, Township], words: CountyWords
) -> tuple[dict[tuple[int, str], Village], int]:
    existing = {(v.township_id, v.name): v for v in Village.objects.filter(township__in=townships.values())}
    new = []
    for spec in words.townships:
        township = townships[spec.name]
        kind = village_kind(spec.name)
        for word in spec.villages:
            name = village_name(word, kind)
            if (township.pk, name) not in existing:
                village = Village(township=township, name=name, kind=kind)
                village.full_clean(exclude=["township"], validate_unique=False, validate_constraints=False)
                new.append(village)
    for village in Village.objects.bulk_create(new):
        existing[(village.township_id, village.name)] = village
    return existing, len(new)


def _write_associations(
    plans: Sequence[AssociationPlan],
    townships: dict[str, Township],
    villages: dict[tuple[int, str], Village],
) -> tuple[int, int]:
    """Create the associations of `plans` with their villages and officers, each with an initial history
    row (the village links too, so the first edit someone makes shows only what they changed)."""
    # Field checks only: the generator guarantees unique names and sane terms, and the database enforces
    # the constraints; validating them row by row would cost thousands of queries.
    skip = {"validate_unique": False, "validate_constraints": False}
    associations = []
    for plan in plans:
        township = townships[plan.township]
        association = Association(
            township=township,
            name=plan.name,
            name_key=Association.key_for(plan.name, township),
            **plan.values,
        )
        association.full_clean(exclude=["township", "villages"], **skip)
        associations.append(association)
    associations = bulk_create_with_history(
        associations, Association, batch_size=500, default_change_reason=CHANGE_REASON
    )

    Link = Association.villages.through
    links = Link.objects.bulk_create(
        [
            Link(association_id=association.pk, village_id=villages[(association.township_id, name)].pk)
            for association, plan in zip(associations, plans, strict=True)
            for name in plan.villages
        ],
        batch_size=500,
    )
    first_records = dict(
        Association.history.filter(id__in=[a.pk for a in associations], history_type="+")
        .values_list("id", "history_id")
        .order_by("history_id")  # SQLite may reuse a deleted row's id: the newest record wins
    )
    LinkHistory = Association.history.model._meta.get_field("historicalassociation_villages").related_model
    LinkHistory.objects.bulk_create(
        [
            LinkHistory(
                id=link.pk,
                history_id=first_records[link.association_id],
                association_id=link.association_id,
                village_id=link.village_id,
            )
            for link in links
        ],
        batch_size=500,
    )

    officers = []
    for association, plan in zip(associations, plans, strict=True):
        for row in plan.officers:
            officer = Officer(
                association=association,
                position=row.position,
                name=row.name,
                phone=row.phone,
                term_start=row.term_start,
                term_end=row.term_end,
                note=row.note,
            )
            officer.full_clean(exclude=["association"], **skip)
            officers.append(officer)
    bulk_create_with_history(officers, Officer, batch_size=500, default_change_reason=CHANGE_REASON)
    return associations, len(officers)


def _write_compliance(
    associations: Sequence[Association], plans: Sequence[AssociationPlan], result: DemoResult
) -> None:
    """Create the compliance facts of `plans` for their just-created `associations`, each with an initial
    history row copied inside the database (`core.history`), as the compliance import leaves them."""
    skip = {"validate_unique": False, "validate_constraints": False}
    meetings, filings, elections, programmes = [], [], [], []
    for association, plan in zip(associations, plans, strict=True):
        facts = plan.compliance
        meetings += [
            Meeting(
                association=association,
                kind=row.kind,
                held_on=row.held_on,
                quorum_met=row.quorum_met,
                minutes_filed_on=row.minutes_filed_on,
                note=row.note,
            )
            for row in facts.meetings
        ]
        filings += [
            YearlyFiling(
                association=association,
                year=row.year,
                plan_budget_filed_on=row.plan_budget_filed_on,
                report_accounts_filed_on=row.report_accounts_filed_on,
                note=row.note,
            )
            for row in facts.filings
        ]
        elections += [
            Election(
                association=association,
                term_number=row.term_number,
                elected_on=row.elected_on,
                term_ends_on=row.term_ends_on,
                note=row.note,
            )
            for row in facts.elections
        ]
        if facts.programme is not None:
            programmes.append(
                ProgrammeProfile(
                    association=association,
                    care_station_since=facts.programme.care_station_since,
                    volunteer_team=facts.programme.volunteer_team,
                    volunteer_count=facts.programme.volunteer_count,
                    regular_services=facts.programme.regular_services,
                )
            )
    # The models' own checks (fields and clean(): nothing in the future, minutes not before the meeting,
    # term ends after the election); the generator keeps the unique constraints and the database enforces
    # them, as for the roster above.
    stamp = timezone.now()
    for model, rows in (
        (Meeting, meetings),
        (YearlyFiling, filings),
        (Election, elections),
        (ProgrammeProfile, programmes),
    ):
        for row in rows:
            row.full_clean(exclude=["association"], **skip)
        created = model.objects.bulk_create(rows, batch_size=500)
        copy_to_history(
            model, [row.pk for row in created], history_type=CREATED, reason=CHANGE_REASON, stamp=stamp
        )
    result.meetings_created += len(meetings)
    result.filings_created += len(filings)
    result.elections_created += len(elections)
    result.programmes_created += len(programmes)


def _users() -> list[DemoUser]:
    users = []
    for words in DEMO_COUNTIES:
        for username, role, township, full_name in words.users:
            _user, created = staff_add(
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                township=f"{words.county}{township}" if township else None,
                county=words.county if role == Role.COUNTY else None,
                full_name=full_name,
                validate=False,
            )
            serves = words.county if role in (Role.COUNTY, Role.TOWNSHIP) else ""
            users.append(DemoUser(username, role, township or "", full_name, DEMO_PASSWORD, created, serves))
    return users


@transaction.atomic
def demo_write(*, seed: int, today: datetime.date, stdout: TextIO | None = None) -> DemoResult:
    """Load the reference geography and write the associations' part of the demo planned for `seed` and
    `today`, county by county: associations that already exist (same township and name) are left alone
    with their officers and facts; the demo users are created or updated. A county is listed in
    `counties_created` only when its roster was written now; otherwise nothing above it needs adding."""
    result = DemoResult()
    _say(stdout, _("載入鄉鎮市區參考資料…"))
    townships_import(path=settings.BASE_DIR / "fixtures" / "geography.csv")
    written: list[tuple[list[Association], list[AssociationPlan]]] = []
    for words in DEMO_COUNTIES:
        townships = _townships(words)
        villages, created = _villages(townships, words)
        result.villages_created += created
        plans = demo_plan(seed=seed, today=today, words=words)
        existing = set(
            Association.objects.filter(township__in=townships.values()).values_list("township_id", "name")
        )
        missing = [p for p in plans if (townships[p.township].pk, p.name) not in existing]
        result.associations_skipped += len(plans) - len(missing)
        _say(
            stdout,
            _("建立%(county)s %(count)d 個社區發展協會…") % {"county": words.county, "count": len(missing)},
        )
        if missing:
            associations, officers = _write_associations(missing, townships, villages)
            result.associations_created += len(associations)
            result.officers_created += officers
            result.counties_created.append(words.county)
            written.append((associations, missing))
    _say(stdout, _("建立示範帳號…"))
    result.users = _users()
    _say(stdout, _("建立會務財務清查資料…"))
    for associations, plans in written:
        # Facts only for the associations created now, so a second run adds nothing.
        _write_compliance(associations, plans, result)
    return result
