"""The plan of a demo county (苗栗縣, and the smaller 雲林縣): every association with its villages, officers
and three years of compliance facts (the two completed years before today's and the current year to date),
drawn from the word tables.

Pure: seed and date in, rows out, no database. The whole roster is planned from `random.Random(seed)` (for
a county other than 苗栗縣, from the seed and the county's label) and today's date, so the same seed on the
same day always plans the same rows (`writing` then writes only the missing ones). The compliance facts
are planned from a second generator of the same seed, so adding them left the roster exactly as it was.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from associations.demo.words import (
    CARE_SERVICES,
    FEMALE_GIVEN,
    LAND,
    MALE_GIVEN,
    MIAOLI,
    OTHER_SERVICES,
    PEOPLE,
    PLACE_PREFIXES,
    PLACE_SUFFIXES,
    ROADS,
    SURNAME_CHOICES,
    SURNAME_WEIGHTS,
    CountyWords,
    TownshipWords,
)
from associations.models import Association, Meeting, Officer, Village
from core.dates import add_months, roc_year

TERM_YEARS = 4
FOUNDED_FIRST, FOUNDED_LAST = 1991, 2023


# --- Planning (pure: seed and date in, rows out) ---------------------------------------------------------


@dataclass
class _OfficerPlan:
    position: str
    name: str
    term_start: datetime.date
    term_end: datetime.date
    phone: str = ""
    note: str = ""


@dataclass
class _MeetingPlan:
    kind: str
    held_on: datetime.date
    minutes_filed_on: datetime.date | None
    quorum_met: bool = True
    note: str = ""


@dataclass
class _FilingPlan:
    year: int
    plan_budget_filed_on: datetime.date | None
    report_accounts_filed_on: datetime.date | None
    note: str = ""


@dataclass
class _ElectionPlan:
    term_number: int
    elected_on: datetime.date | None
    term_ends_on: datetime.date
    note: str = ""


@dataclass
class _ProgrammePlan:
    care_station_since: datetime.date | None
    volunteer_team: bool
    volunteer_count: int | None
    regular_services: str


@dataclass
class _CompliancePlan:
    meetings: list[_MeetingPlan] = field(default_factory=list)
    filings: list[_FilingPlan] = field(default_factory=list)
    elections: list[_ElectionPlan] = field(default_factory=list)
    programme: _ProgrammePlan | None = None


@dataclass
class AssociationPlan:
    township: str
    name: str
    villages: list[str]
    values: dict[str, object]
    officers: list[_OfficerPlan]
    compliance: _CompliancePlan = field(default_factory=_CompliancePlan)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def village_name(word: str, kind: str) -> str:
    return word if word.endswith(kind) else word + kind


def village_kind(township_name: str) -> str:
    """村 under a 鄉, 里 under a 鎮 or 市."""
    return Village.Kind.VILLAGE if township_name.endswith("鄉") else Village.Kind.NEIGHBOURHOOD


def _person(rng: random.Random, taken: set[str]) -> str:
    while True:
        pool = MALE_GIVEN if rng.random() < 0.55 else FEMALE_GIVEN
        name = rng.choices(SURNAME_CHOICES, SURNAME_WEIGHTS)[0] + "".join(rng.sample(pool, 2))
        if name not in taken:
            taken.add(name)
            return name


def _mobile(rng: random.Random) -> str:
    return f"09{rng.randint(10, 89)}-{rng.randint(0, 999999):06d}"


def _community_words(rng: random.Random, township: TownshipWords) -> list[str]:
    """The place words the township's associations are named after: most are whole villages, the rest
    smaller places inside them."""
    words = rng.sample(township.villages, min(township.associations, len(township.villages)))
    while len(words) < township.associations:
        word = rng.choice(PLACE_PREFIXES) + rng.choice(PLACE_SUFFIXES)
        if word not in words and word not in township.villages:
            words.append(word)
    return words


def _registration(rng: random.Random, founded: datetime.date, prefixes: tuple[str, str, str]) -> str:
    prefix = rng.choices(prefixes, (8, 1, 1))[0]
    return f"{prefix}第{roc_year(founded.year):03d}{rng.randint(1000, 99999):07d}號"


def _features(rng: random.Random, township: TownshipWords, culture: tuple[str, ...]) -> str:
    return "；".join(
        [
            f"人：{rng.choice(PEOPLE)}",
            f"文：{rng.choice(culture)}",
            f"地：{rng.choice(LAND)}",
            f"產：{'、'.join(rng.sample(township.products, 2))}",
            f"景：{rng.choice(township.sights)}",
        ]
    )


def _board(rng: random.Random, start: datetime.date, end: datetime.date) -> list[_OfficerPlan]:
    """One elected term: chair, executive secretary, directors, supervisors and alternates. The board keeps
    the rules for civic bodies: at most 15 directors (the chair is one), supervisors at most a third."""
    taken: set[str] = set()

    def officer(position: Officer.Position, *, phone: bool = False) -> _OfficerPlan:
        return _OfficerPlan(
            position.value, _person(rng, taken), start, end, phone=_mobile(rng) if phone else ""
        )

    board_size = rng.randint(10, 15)
    rows = [
        officer(Officer.Position.CHAIR, phone=True),
        officer(Officer.Position.EXECUTIVE_SECRETARY, phone=True),
    ]
    rows += [officer(Officer.Position.DIRECTOR) for _i in range(board_size - 1)]
    rows += [officer(Officer.Position.SUPERVISOR) for _i in range(rng.randint(3, min(5, board_size // 3)))]
    rows += [officer(Officer.Position.ALTERNATE_DIRECTOR) for _i in range(rng.randint(1, 3))]
    rows += [officer(Officer.Position.ALTERNATE_SUPERVISOR) for _i in range(rng.randint(0, 1))]
    return rows


def _plan_association(
    rng: random.Random,
    township: TownshipWords,
    word: str,
    *,
    county_words: CountyWords,
    status: str,
    care_station: bool,
    today: datetime.date,
) -> AssociationPlan:
    kind = village_kind(township.name)
    others = [v for v in township.villages if v != word]
    extra = rng.choices((0, 1, 2), (6, 3, 1))[0]
    words = ([word] if word in township.villages else [rng.choice(others)]) + rng.sample(others, extra)
    villages = list(dict.fromkeys(village_name(w, kind) for w in words))

    year = FOUNDED_FIRST + min(FOUNDED_LAST - FOUNDED_FIRST, int(rng.expovariate(1 / 9)))
    if status == Association.Status.DISSOLVED:
        year = min(year, today.year - 2 * TERM_YEARS)  # old enough for its last term to have run out
    founded = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    elections = 0  # elections held after the founding assembly
    while _add_years(founded, TERM_YEARS * (elections + 1)) <= today:
        elections += 1
    if status == Association.Status.DISSOLVED:
        elections -= 1  # the last term ran out without an election
    start = _add_years(founded, TERM_YEARS * elections)
    end = _add_years(start, TERM_YEARS) - datetime.timedelta(days=1)
    term = elections + 1
    officers = _board(rng, start, end)
    if term > 1 and rng.random() < 0.3:
        current_chair = officers[0].name
        previous = _person(rng, {current_chair})
        officers.append(
            _OfficerPlan(
                Officer.Position.CHAIR.value,
                previous,
                _add_years(start, -TERM_YEARS),
                start - datetime.timedelta(days=1),
                note=f"第{term - 1}屆",
            )
        )

    notes = ""
    if status == Association.Status.REORGANISING:
        notes = f"{roc_year(today.year) - 1}年度未召開會員大會，經本府命令限期整理。"
    elif status == Association.Status.DISSOLVED:
        notes = "任期屆滿未辦理改選，已廢止立案。"
    number = (
        f"{rng.randint(1, 400)}號" if rng.random() < 0.85 else f"{rng.randint(1, 200)}之{rng.randint(1, 5)}號"
    )
    area, low, high = county_words.phone
    values = {
        "registration_number": _registration(rng, founded, county_words.registration_prefixes),
        "founded_on": founded,
        "term_number": term,
        "address": f"{county_words.county}{township.name}{villages[0]}{rng.choice(ROADS)}{number}",
        "phone": f"{area}-{rng.randint(low, high)}",
        "member_count": int(rng.triangular(30, 400, 70)),
        "status": status,
        "local_features": _features(rng, township, county_words.culture),
        "runs_care_station": care_station,
        "notes": notes,
    }
    return AssociationPlan(township.name, f"{word}社區發展協會", villages, values, officers)


def demo_plan(
    *,
    seed: int,
    today: datetime.date,
    words: CountyWords = MIAOLI,
    years: tuple[int, ...] | None = None,
) -> list[AssociationPlan]:
    """Every association of the demo county `words`, in a fixed order, with compliance facts for `years`
    (the demo's three, `demo_years`, unless given: the national set asks for ten). Touches no database."""
    rng = random.Random(f"{seed}{words.label}" if words.label else seed)
    slots = [(township, word) for township in words.townships for word in _community_words(rng, township)]
    order = rng.sample(range(len(slots)), len(slots))
    dissolved = set(order[: round(len(slots) * 0.03)])
    reorganising = set(order[len(dissolved) : len(dissolved) + round(len(slots) * 0.08)])
    care = set(rng.sample(range(len(slots)), round(len(slots) * 0.4)))
    plans = []
    for index, (township, word) in enumerate(slots):
        status = (
            Association.Status.DISSOLVED
            if index in dissolved
            else Association.Status.REORGANISING
            if index in reorganising
            else Association.Status.ACTIVE
        )
        plans.append(
            _plan_association(
                rng,
                township,
                word,
                county_words=words,
                status=status.value,
                care_station=index in care and status != Association.Status.DISSOLVED,
                today=today,
            )
        )
    # Real rosters have gaps and copy-paste slips: some numbers blank, a few given twice.
    for index in rng.sample(range(len(plans)), words.blank_registrations):
        plans[index].values["registration_number"] = ""
    numbered = [p for p in plans if p.values["registration_number"]]
    for _i in range(words.duplicate_registrations):
        source, copy = rng.sample(numbered, 2)
        copy.values["registration_number"] = source.values["registration_number"]
    _plan_compliance(plans, seed=f"{seed}{words.label}", today=today, years=years)
    return plans


# --- Planning the compliance facts -----------------------------------------------------------------------
#
# Each association gets a planned outcome per year from a small Markov chain (most keep their habits, the
# county's guidance lifts some, a few slip), and facts are then drawn to produce it: a year planned
# "normal" keeps every duty, "guidance" has one or two lapses (late minutes, a late or missing filing, a
# missed board meeting), "abnormal" holds no general assembly. A handful of terms run out with the
# re-election held only months later, which `grading` judges abnormal for the year the term lapsed in.
# Only `grading` decides the status and tier; the plan merely steers towards a believable mix.

NORMAL, GUIDANCE, ABNORMAL = "normal", "guidance", "abnormal"
OUTCOMES = (NORMAL, GUIDANCE, ABNORMAL)
#: First-year outcome weights for associations that run programmes and for the rest.
_FIRST_YEAR = {True: (64, 30, 6), False: (46, 42, 12)}
#: Next year's outcome weights given this year's: most keep their habits, guidance lifts some.
_NEXT_YEAR = {NORMAL: (85, 12, 3), GUIDANCE: (45, 50, 5), ABNORMAL: (30, 45, 25)}
#: The lapses of a year that needs guidance, with their weights.
_LAPSES = (
    ("minutes_late", 3),
    ("minutes_missing", 1),
    ("plan_late", 2),
    ("report_late", 3),
    ("report_missing", 1),
    ("board_missed", 2),
    ("supervisory_missed", 1),
)
QUARTERLY_SHARE = 0.12  # constitutions that ask for board meetings every 3 months
JOINT_SHARE = 0.55  # associations that hold joint board and supervisory meetings (理監事聯席會議)
LATE_ELECTIONS = (2, 3)  # terms that lapse without election in the first and second completed year
CARE_STATION_FIRST = 2005  # the year the county's community care stations began
_DAY = datetime.timedelta(days=1)


def demo_years(today: datetime.date) -> tuple[int, int, int]:
    """The years the demo has compliance facts for: the two completed years before today's, and today's."""
    return today.year - 2, today.year - 1, today.year


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _schedule(rng: random.Random, year: int, interval: int) -> list[datetime.date]:
    """Meeting days of one year, never more than `interval` months apart (from 1 January on) and at least
    12 / interval of them, covering the year to its end."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    days: list[datetime.date] = []
    previous = first
    while len(days) < 12 // interval or add_months(previous, interval) < last:
        span = (add_months(previous, interval) - previous).days
        low = 0.3 if previous == first else 0.55
        day = min(previous + datetime.timedelta(days=round(span * rng.uniform(low, 0.93))), last)
        days.append(day)
        previous = day
    return days


def _missed(days: list[datetime.date], interval: int, window_end: datetime.date) -> list[datetime.date]:
    """`days` without the meetings of the last `interval` months (and a little more) before `window_end`:
    the board skipped its meeting, so the gap runs past the interval."""
    cutoff = add_months(window_end, -interval) - datetime.timedelta(days=10)
    return [day for day in days if day <= cutoff]


def _minutes(rng: random.Random, held_on: datetime.date, *, late: bool = False) -> datetime.date:
    return held_on + datetime.timedelta(days=rng.randint(35, 80) if late else rng.randint(3, 28))


def _plan_compliance(
    plans: Sequence[AssociationPlan],
    *,
    seed: str,
    today: datetime.date,
    years: tuple[int, ...] | None = None,
) -> None:
    """Fill in each plan's compliance facts. A generator of its own keeps the roster's draws untouched."""
    rng = random.Random(f"{seed}:compliance")
    years = years or demo_years(today)
    late = _late_elections(rng, plans, years, today)
    for index, plan in enumerate(plans):
        _plan_facts(rng, plan, years=years, today=today, late_election=late.get(index))


def _terms(plan: AssociationPlan) -> tuple[datetime.date, datetime.date]:
    """The board's term on the roster (the first officer is the chair of the latest term)."""
    chair = plan.officers[0]
    return chair.term_start, chair.term_end


def _late_elections(
    rng: random.Random, plans: Sequence[AssociationPlan], years: tuple[int, ...], today: datetime.date
) -> dict[int, datetime.date]:
    """A handful of active associations whose previous term ran out in the second half of a completed year
    and which re-elected only in the first half of the next: index -> the late election's day."""
    late: dict[int, datetime.date] = {}
    for year, count in zip(years[:2], LATE_ELECTIONS, strict=True):
        candidates = []
        for index, plan in enumerate(plans):
            start, _end = _terms(plan)
            lapsed = start - _DAY
            if (
                plan.values["status"] == Association.Status.ACTIVE
                and plan.values["term_number"] > 1
                and lapsed.year == year
                and lapsed.month >= 7
            ):
                candidates.append(index)
        for index in rng.sample(candidates, min(count, len(candidates))):
            elected = _day_between(rng, datetime.date(year + 1, 1, 20), datetime.date(year + 1, 6, 20))
            if elected <= today - datetime.timedelta(days=7):
                late[index] = elected
    return late


def _plan_facts(
    rng: random.Random,
    plan: AssociationPlan,
    *,
    years: tuple[int, ...],
    today: datetime.date,
    late_election: datetime.date | None,
) -> None:
    status = plan.values["status"]
    active = status == Association.Status.ACTIVE
    interval = 3 if active and rng.random() < QUARTERLY_SHARE else 6
    plan.values["board_meeting_interval_months"] = interval
    compliance = plan.compliance
    compliance.elections = _elections(rng, plan, late_election, first_year=years[0])
    if status == Association.Status.DISSOLVED:
        return  # the term ran out, nobody met, and the county dissolved it
    compliance.programme = _programme(rng, plan, years, today)
    programme = compliance.programme
    runs_programmes = bool(plan.values["runs_care_station"]) or (
        programme is not None
        and (programme.volunteer_count or 0) >= 10
        and len(programme.regular_services.splitlines()) >= 1
    )
    joint = rng.random() < JOINT_SHARE
    elected = {
        e.elected_on.year: e for e in compliance.elections if e.elected_on and e.elected_on.year in years
    }
    lapsed_year = late_election.year - 1 if late_election else None
    outcome = ""
    for year in years:
        if datetime.date(year, 12, 31) < plan.values["founded_on"]:
            continue  # not founded yet (only the national set's ten years reach back that far)
        if status == Association.Status.REORGANISING:
            # As the roster's note says: no general assembly last year, so the county ordered it reorganised.
            outcome = rng.choices((GUIDANCE, ABNORMAL), (3, 7))[0] if year == years[0] else ABNORMAL
        else:
            weights = _NEXT_YEAR[outcome] if outcome else _FIRST_YEAR[runs_programmes]
            outcome = rng.choices(OUTCOMES, weights)[0]
            if year == lapsed_year:
                outcome = NORMAL  # the lapsed term alone makes the year abnormal
        if outcome == ABNORMAL and year in elected:
            if status == Association.Status.REORGANISING and year != years[0]:
                # No assembly that year, so no election day to show: the term end is all that is on record.
                elected.pop(year).elected_on = None
            else:
                outcome = GUIDANCE  # it met to elect its board, so it did hold an assembly
        meetings, filing = _year_facts(
            rng,
            year=year,
            outcome=outcome,
            interval=interval,
            joint=joint,
            today=today,
            founded=plan.values["founded_on"],
            election=elected.get(year),
            reorganising=status == Association.Status.REORGANISING,
        )
        compliance.meetings += meetings
        if filing is not None:
            compliance.filings.append(filing)
    # Those on top of their papers have filed next year's plan and budget already.
    next_year = years[-1] + 1
    if active and outcome == NORMAL and rng.random() < 0.8:
        filed = _day_between(rng, datetime.date(next_year - 1, 10, 20), datetime.date(next_year - 1, 12, 27))
        if filed <= today:
            compliance.filings.append(_FilingPlan(next_year, filed, None))


def _elections(
    rng: random.Random,
    plan: AssociationPlan,
    late_election: datetime.date | None,
    *,
    first_year: int,
) -> list[_ElectionPlan]:
    """The election that opened the roster's term and, from the second term on, the ones before it, each
    ending the day before the next began, back to the term in force on 1 January of `first_year` (the
    demo's three years always lie within the last two terms; the national set's ten reach further back).
    A term's first election is the founding assembly; later ones are held at the general assembly up to
    three weeks before the term starts (or, for the late ones, months after it lapsed)."""
    term = int(plan.values["term_number"])
    founded = plan.values["founded_on"]
    start, end = _terms(plan)

    def elected_on(term_number: int, term_start: datetime.date) -> datetime.date:
        if term_number == 1:
            return founded
        return max(founded + _DAY, term_start - datetime.timedelta(days=rng.choice((0, 0, 3, 7, 14, 21))))

    rows = []
    if term > 1:
        previous_start = _add_years(start, -TERM_YEARS)
        earlier = []
        number, term_start = term - 1, previous_start
        while number > 1 and term_start > datetime.date(first_year, 1, 1):
            number, term_start = number - 1, _add_years(term_start, -TERM_YEARS)
            earlier.append((number, term_start))
        for number, term_start in reversed(earlier):
            ends = _add_years(term_start, TERM_YEARS) - _DAY
            rows.append(_ElectionPlan(number, elected_on(number, term_start), ends))
        rows.append(_ElectionPlan(term - 1, elected_on(term - 1, previous_start), start - _DAY))
    if late_election is not None:
        rows.append(_ElectionPlan(term, late_election, end, "任期屆滿後逾期改選（經本府通知限期改選）"))
    else:
        rows.append(_ElectionPlan(term, elected_on(term, start), end))
    return rows


def _programme(
    rng: random.Random, plan: AssociationPlan, years: tuple[int, ...], today: datetime.date
) -> _ProgrammePlan | None:
    """Care station, volunteer team and regular services. Most care stations opened years ago and come
    with a volunteer team and regular services; about a quarter opened in one of the demo's years as the
    association's first programme (so its tier moves up that year). Most of the others run something;
    about a quarter nothing at all."""
    founded = plan.values["founded_on"]
    if plan.values["runs_care_station"]:
        roll = rng.random()
        if roll < 0.25:
            year = years[0] if roll < 0.07 else years[1] if roll < 0.18 else years[2]
            since = _day_between(rng, datetime.date(year, 1, 5), min(datetime.date(year, 12, 20), today))
            return _ProgrammePlan(min(max(since, founded), today), False, None, "")
        first = max(datetime.date(CARE_STATION_FIRST, 3, 1), founded + datetime.timedelta(days=180))
        since = _day_between(rng, first, datetime.date(years[0] - 1, 12, 20))
        team = rng.random() < 0.8
        count = int(rng.triangular(8, 60, 20)) if team else None
        services = rng.sample(CARE_SERVICES, rng.choices((1, 2, 3), (3, 4, 3))[0])
        return _ProgrammePlan(min(max(since, founded), today), team, count, "\n".join(services))
    if rng.random() >= 0.75:
        return None
    team = rng.random() < 0.55
    count = int(rng.triangular(5, 40, 12)) if team else None
    services = rng.sample(OTHER_SERVICES, rng.choices((0, 1, 2, 3), (2, 5, 3, 1))[0])
    if not team and not services:
        return None
    return _ProgrammePlan(None, team, count, "\n".join(services))


def _lapses(rng: random.Random, *, current: bool) -> set[str]:
    """One or two lapses; this year's work report is not due yet, so it cannot be one of them."""
    choices = [(name, weight) for name, weight in _LAPSES if not (current and name.startswith("report"))]
    names, weights = [name for name, _w in choices], [weight for _name, weight in choices]
    return set(rng.choices(names, weights, k=rng.choices((1, 2), (7, 3))[0]))


def _year_facts(
    rng: random.Random,
    *,
    year: int,
    outcome: str,
    interval: int,
    joint: bool,
    today: datetime.date,
    founded: datetime.date,
    election: _ElectionPlan | None,
    reorganising: bool,
) -> tuple[list[_MeetingPlan], _FilingPlan | None]:
    """One year's meetings and filings, drawn to the planned outcome; nothing dated after `today`."""
    current = year == today.year
    window_end = min(today, datetime.date(year, 12, 31))
    lapses = _lapses(rng, current=current) if outcome == GUIDANCE else set()
    board_kind = Meeting.Kind.JOINT if joint else Meeting.Kind.BOARD
    if outcome == ABNORMAL:
        meetings = _dormant_meetings(rng, year, board_kind, reorganising=reorganising, current=current)
    else:
        meetings = _assemblies(rng, year, election, lapses)
        meetings += _board_meetings(rng, year, interval, joint, lapses, window_end)
    filing = _filing(
        rng,
        year,
        outcome,
        lapses,
        today=today,
        founded=founded,
        reorganising=reorganising,
    )
    kept: dict[tuple[str, datetime.date], _MeetingPlan] = {}
    for meeting in meetings:
        if founded <= meeting.held_on <= window_end:
            if meeting.minutes_filed_on is not None and meeting.minutes_filed_on > today:
                meeting.minutes_filed_on = None  # not filed yet
            kept.setdefault((meeting.kind, meeting.held_on), meeting)
    return sorted(kept.values(), key=lambda m: (m.held_on, m.kind)), filing


def _other_minutes(rng: random.Random, day: datetime.date) -> datetime.date | None:
    """Minutes of board and supervisory meetings: mostly filed within 30 days, some late, a few never."""
    roll = rng.random()
    return None if roll < 0.08 else _minutes(rng, day, late=roll < 0.15)


def _assemblies(
    rng: random.Random, year: int, election: _ElectionPlan | None, lapses: set[str]
) -> list[_MeetingPlan]:
    """The general assembly: the election's in an election year, else mostly in spring. Now and then the
    first call misses its quorum and is held again a few weeks later, or an extra assembly is called."""
    rows = []
    if election is not None and election.elected_on is not None:
        day, note = election.elected_on, f"改選第{election.term_number}屆理事、監事"
    else:
        month = rng.choices(range(1, 13), (1, 2, 6, 6, 5, 4, 2, 2, 2, 2, 2, 2))[0]
        first = datetime.date(year, month, 1)
        day, note = _day_between(rng, first, add_months(first, 1) - _DAY), ""
        if rng.random() < 0.03 and month < 12:
            rows.append(
                _MeetingPlan(Meeting.Kind.GENERAL_ASSEMBLY, day, None, False, "出席未達法定人數，流會")
            )
            day = min(day + datetime.timedelta(days=rng.randint(14, 28)), datetime.date(year, 12, 31))
            note = "流會後重新召開"
    filed = None if "minutes_missing" in lapses else _minutes(rng, day, late="minutes_late" in lapses)
    rows.append(_MeetingPlan(Meeting.Kind.GENERAL_ASSEMBLY, day, filed, note=note))
    if rng.random() < 0.06 and day.month < 8:
        extra = _day_between(rng, datetime.date(year, 8, 1), datetime.date(year, 12, 15))
        rows.append(
            _MeetingPlan(Meeting.Kind.GENERAL_ASSEMBLY, extra, _minutes(rng, extra), note="臨時會員大會")
        )
    return rows


def _board_meetings(
    rng: random.Random,
    year: int,
    interval: int,
    joint: bool,
    lapses: set[str],
    window_end: datetime.date,
) -> list[_MeetingPlan]:
    """Board and supervisory meetings at the association's interval: joint meetings, or the two boards on
    the same days or on days of their own. A missed meeting leaves a gap longer than the interval."""
    board = _schedule(rng, year, interval)
    if joint:
        if lapses & {"board_missed", "supervisory_missed"}:
            board = _missed(board, interval, window_end)
        return [_MeetingPlan(Meeting.Kind.JOINT, day, _other_minutes(rng, day)) for day in board]
    supervisory = board if rng.random() < 0.6 else _schedule(rng, year, interval)
    if "board_missed" in lapses:
        board = _missed(board, interval, window_end)
    if "supervisory_missed" in lapses:
        supervisory = _missed(supervisory, interval, window_end)
    return [_MeetingPlan(Meeting.Kind.BOARD, day, _other_minutes(rng, day)) for day in board] + [
        _MeetingPlan(Meeting.Kind.SUPERVISORY, day, _other_minutes(rng, day)) for day in supervisory
    ]


def _dormant_meetings(
    rng: random.Random, year: int, board_kind: str, *, reorganising: bool, current: bool
) -> list[_MeetingPlan]:
    """No general assembly; at most one board meeting in the first half of the year, often not even that
    (an association under a reorganisation order this year rarely meets at all)."""
    if rng.random() >= (0.2 if reorganising and current else 0.6):
        return []
    day = _day_between(rng, datetime.date(year, 2, 1), datetime.date(year, 6, 30))
    note = "研議會務重整" if reorganising else ""
    return [_MeetingPlan(board_kind, day, _other_minutes(rng, day), note=note)]


def _filing(
    rng: random.Random,
    year: int,
    outcome: str,
    lapses: set[str],
    *,
    today: datetime.date,
    founded: datetime.date,
    reorganising: bool,
) -> _FilingPlan | None:
    """The plan and budget in the last weeks of the year before (or late, or never), the report and
    accounts by the end of March of the next year (or late, or never). Nothing filed after `today` is on
    record yet."""
    plan_lapse = "plan_late" if "plan_late" in lapses else ""
    report_lapse = next((name for name in ("report_late", "report_missing") if name in lapses), "")
    if outcome == ABNORMAL:
        plan_lapse = rng.choices(("", "plan_late", "plan_missing"), (5, 3, 2))[0]
        report_lapse = rng.choices(("report_late", "report_missing"), (4, 6))[0]
        if reorganising:
            report_lapse = "report_missing"
    if plan_lapse == "plan_missing":
        plan_day = None
    elif plan_lapse == "plan_late":
        plan_day = _day_between(rng, datetime.date(year, 1, 5), datetime.date(year, 4, 30))
    else:
        plan_day = _day_between(rng, datetime.date(year - 1, 10, 20), datetime.date(year - 1, 12, 27))
    if report_lapse == "report_missing":
        report_day = None
    elif report_lapse == "report_late":
        report_day = _day_between(rng, datetime.date(year + 1, 4, 5), datetime.date(year + 1, 8, 31))
    else:
        report_day = _day_between(rng, datetime.date(year + 1, 1, 10), datetime.date(year + 1, 3, 31))
    plan_day = max(plan_day, founded) if plan_day is not None and plan_day <= today else None
    report_day = report_day if report_day is not None and report_day <= today else None
    note = ""
    if reorganising and outcome == ABNORMAL and year == today.year - 1:
        note = f"{roc_year(year)}年度未召開會員大會，經本府命令限期整理。"
    elif report_lapse == "report_late" and report_day is not None:
        note = "經公所催告後補送工作報告及決算。"
    if plan_day is None and report_day is None and not note:
        return None
    return _FilingPlan(year, plan_day, report_day, note)
