"""The national data set (`seed_demo --scale national`): 10,000 associations over every county and township
of `fixtures/geography.csv`, with ten years of compliance facts, for measuring the portal at a national size
(`make bench`, issue 15).

Planned by the demo's own planner (`planning.demo_plan`, the same word tables, the same Markov chain of yearly
outcomes), county by county, over ten years instead of three. 苗栗縣 and 雲林縣 keep their real village
tables; the other twenty counties' villages and community place words are composed from the shared field-name
syllables (`words.PLACE_PREFIXES` × `words.PLACE_SUFFIXES`), which is why they read like real 客家/閩南 field
names without being a record of real villages. Area codes are the counties' real ones.

Written in bulk (COPY on PostgreSQL, `bulk_create` on SQLite) onto an empty database, each row with an initial
history row copied inside the database (`core.history`), as the demo leaves them. The model checks the demo
runs row by row (`full_clean`) are left to the test that seeds a small national set and checks every row
(`tests/associations/test_seed_national.py`): on 700,000 rows they would take minutes.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.demo.planning import AssociationPlan, demo_plan, village_kind, village_name
from associations.demo.words import (
    MIAOLI,
    PLACE_PREFIXES,
    PLACE_SUFFIXES,
    CountyWords,
    TownshipWords,
)
from associations.demo.writing import CHANGE_REASON, DEMO_PASSWORD, DemoError, DemoUser
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

NATIONAL_ASSOCIATIONS = 10_000
NATIONAL_YEARS = 10
#: The county the bench's county officer, township clerks and judges work in, and where the award rounds
#: and the subsidy desk are: the deployment's default county (PORTAL_COUNTY), weighted double so that it is
#: one of the largest and a round of 500 entries a year can be drawn from it.
HOME_COUNTY = MIAOLI.county
HOME_WEIGHT = 2.0
#: Each county's telephone area code, and the range of the number after it.
AREA_CODES: dict[str, tuple[str, int, int]] = {
    "臺北市": ("02", 22000000, 29999999),
    "新北市": ("02", 22000000, 29999999),
    "基隆市": ("02", 24200000, 24699999),
    "桃園市": ("03", 3200000, 4999999),
    "新竹市": ("03", 5200000, 5799999),
    "新竹縣": ("03", 5500000, 5999999),
    "苗栗縣": ("037", 220000, 999999),
    "臺中市": ("04", 22000000, 26999999),
    "彰化縣": ("04", 7100000, 8999999),
    "南投縣": ("049", 2200000, 2999999),
    "雲林縣": ("05", 5220000, 5999999),
    "嘉義市": ("05", 2200000, 2899999),
    "嘉義縣": ("05", 3600000, 3799999),
    "臺南市": ("06", 2000000, 2999999),
    "高雄市": ("07", 3000000, 8999999),
    "屏東縣": ("08", 7200000, 8999999),
    "宜蘭縣": ("03", 9000000, 9999999),
    "花蓮縣": ("03", 8200000, 8999999),
    "臺東縣": ("089", 220000, 999999),
    "澎湖縣": ("06", 9200000, 9999999),
    "金門縣": ("082", 310000, 379999),
    "連江縣": ("0836", 20000, 29999),
}
PRODUCTS = ("稻米", "茶葉", "蔬菜", "水果", "花卉", "海產", "竹筍", "地瓜", "花生", "手工醬料")
SIGHTS = ("社區公園", "老街", "河濱步道", "土地公廟", "百年老樹", "社區活動中心", "溪畔綠廊", "古厝")
CULTURE = ("媽祖遶境", "土地公祭典", "廟會陣頭", "社區運動會", "老街巡禮", "傳統米食", "中元普渡")
#: The bench's users in the home county (the demo's, so the same names sign in) and four more judges, so a
#: round has seven.
JUDGES = (
    ("judge", "張國華"),
    ("judge-lin", "林淑芬"),
    ("judge-wu", "吳建宏"),
    ("judge-chen", "陳秋月"),
    ("judge-huang", "黃振興"),
    ("judge-tsai", "蔡玉珠"),
    ("judge-hsu", "許文雄"),
)
BATCH = 5000


def national_years(today: datetime.date) -> tuple[int, ...]:
    """The ten years the national set has facts for: the nine completed years before today's, and today's."""
    return tuple(range(today.year - NATIONAL_YEARS + 1, today.year + 1))


def _geography(path: Path) -> dict[str, list[str]]:
    counties: dict[str, list[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            counties.setdefault(row["縣市"], []).append(row["鄉鎮市區"])
    return counties


def _spread(rng: random.Random, weights: Sequence[float], total: int) -> list[int]:
    """`total` split by `weights` (largest remainders), at least one each while there are enough."""
    scale = total / sum(weights)
    shares = [w * scale for w in weights]
    counts = [max(1, int(s)) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    index = 0
    while sum(counts) < total:
        counts[order[index % len(order)]] += 1
        index += 1
    while sum(counts) > total:
        largest = max(range(len(counts)), key=counts.__getitem__)
        counts[largest] -= 1
    return counts


def _made_up_villages(rng: random.Random, count: int) -> tuple[str, ...]:
    words: list[str] = []
    while len(words) < count:
        word = rng.choice(PLACE_PREFIXES) + rng.choice(PLACE_SUFFIXES)
        if word not in words:
            words.append(word)
    return tuple(words)


def national_words(*, seed: int, associations: int, geography: Path | None = None) -> list[CountyWords]:
    """Every county of the geography fixture with its share of `associations`, spread over its townships by
    a seeded weight (the home county's doubled). Pure: reads the fixture file, touches no database."""
    rng = random.Random(f"{seed}:national")
    counties = _geography(geography or settings.BASE_DIR / "fixtures" / "geography.csv")
    slots = [(county, township) for county, townships in counties.items() for township in townships]
    if associations < len(slots):
        raise DemoError(_("全國規模資料至少需要 %(n)d 個協會（每個鄉鎮市區至少一個）。") % {"n": len(slots)})
    weights = [rng.uniform(0.6, 1.4) * (HOME_WEIGHT if c == HOME_COUNTY else 1.0) for c, _t in slots]
    counts = dict(zip(slots, _spread(rng, weights, associations), strict=True))
    demo_words = {words.county: words for words in (MIAOLI, YUNLIN)}
    result = []
    for county, townships in counties.items():
        known = {t.name: t for t in demo_words[county].townships} if county in demo_words else {}
        specs = []
        for name in townships:
            if counts[(county, name)] == 0:
                continue
            spec = known.get(name) or TownshipWords(
                name,
                0,
                _made_up_villages(rng, rng.randint(8, 24)),
                tuple(rng.sample(PRODUCTS, 4)),
                tuple(rng.sample(SIGHTS, 4)),
            )
            specs.append(replace(spec, associations=counts[(county, name)]))
        short = county[:-1]
        base = demo_words.get(county)
        total = sum(s.associations for s in specs)
        result.append(
            CountyWords(
                county=county,
                townships=tuple(specs),
                culture=base.culture if base else CULTURE,
                registration_prefixes=base.registration_prefixes
                if base
                else ("府社行字", "府社區字", f"{short}府社行字"),
                phone=AREA_CODES[county],
                blank_registrations=total // 20,
                duplicate_registrations=total // 100,
                users=(),
                label=f":national:{county}",
            )
        )
    return result


def national_plan(
    *, seed: int, today: datetime.date, associations: int = NATIONAL_ASSOCIATIONS
) -> list[tuple[CountyWords, list[AssociationPlan]]]:
    """Every county's words and association plans with ten years of facts. Touches no database."""
    years = national_years(today)
    return [
        (words, demo_plan(seed=seed, today=today, words=words, years=years))
        for words in national_words(seed=seed, associations=associations)
    ]


# --- Writing ---------------------------------------------------------------------------------------------


@dataclass
class NationalResult:
    associations: int = 0
    villages: int = 0
    officers: int = 0
    meetings: int = 0
    filings: int = 0
    elections: int = 0
    programmes: int = 0
    counties: list[str] = field(default_factory=list)
    users: list[DemoUser] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
        stdout.flush()


def _cell(value: object) -> object:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return value


def bulk_insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Insert `rows` (values of the fields named by `columns`, in that order) without returning their keys:
    COPY on PostgreSQL, `bulk_create` elsewhere. For the plain fields the national set writes (text,
    integers, decimals, dates, booleans, foreign-key ids), whose Python values PostgreSQL reads as they are
    printed; building hundreds of thousands of model instances and preparing each value through its field
    would take longer than the COPY itself."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        names = [model._meta.get_field(c).attname for c in columns]  # association -> association_id
        model.objects.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=500
        )
        return
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows([_cell(v) for v in row] for row in rows[start : start + 50_000])
            buffer.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
            )


def _copy_history(model: type[models.Model], stamp: datetime.datetime) -> None:
    """An initial history row for every row of `model` (the database was empty: every row is new)."""
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 100_000):
        copy_to_history(
            model, ids[start : start + 100_000], history_type=CREATED, reason=CHANGE_REASON, stamp=stamp
        )


def _villages(county_words: CountyWords, townships: dict[str, Township]) -> dict[tuple[int, str], Village]:
    rows = []
    for spec in county_words.townships:
        kind = village_kind(spec.name)
        for word in dict.fromkeys(spec.villages):
            rows.append(Village(township=townships[spec.name], name=village_name(word, kind), kind=kind))
    return {(v.township_id, v.name): v for v in Village.objects.bulk_create(rows, batch_size=BATCH)}


def _write(planned: list[tuple[CountyWords, list[AssociationPlan]]], result: NationalResult) -> None:
    stamp = timezone.now()
    townships = {(t.county.name, t.name): t for t in Township.objects.select_related("county")}
    associations: list[Association] = []
    all_plans: list[AssociationPlan] = []
    villages: dict[tuple[int, str], Village] = {}
    for words, plans in planned:
        by_name = {spec.name: townships[(words.county, spec.name)] for spec in words.townships}
        villages.update(_villages(words, by_name))
        for plan in plans:
            township = by_name[plan.township]
            associations.append(
                Association(
                    township=township,
                    name=plan.name,
                    name_key=Association.key_for(plan.name, township),
                    **plan.values,
                )
            )
            all_plans.append(plan)
        result.counties.append(words.county)
    result.villages = len(villages)
    associations = Association.objects.bulk_create(associations, batch_size=2000)
    result.associations = len(associations)
    _copy_history(Association, stamp)

    Link = Association.villages.through
    links = Link.objects.bulk_create(
        [
            Link(association_id=a.pk, village_id=villages[(a.township_id, name)].pk)
            for a, plan in zip(associations, all_plans, strict=True)
            for name in plan.villages
        ],
        batch_size=BATCH,
    )
    first_records = dict(Association.history.values_list("id", "history_id"))
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
        batch_size=BATCH,
    )

    officers, meetings, filings, elections, programmes = [], [], [], [], []
    for association, plan in zip(associations, all_plans, strict=True):
        pk = association.pk
        officers += [
            (pk, o.position, o.name, o.phone, o.term_start, o.term_end, o.note) for o in plan.officers
        ]
        facts = plan.compliance
        meetings += [
            (pk, m.kind, m.held_on, m.quorum_met, m.minutes_filed_on, m.note) for m in facts.meetings
        ]
        filings += [
            (pk, f.year, f.plan_budget_filed_on, f.report_accounts_filed_on, f.note) for f in facts.filings
        ]
        elections += [(pk, e.term_number, e.elected_on, e.term_ends_on, e.note) for e in facts.elections]
        if facts.programme is not None:
            p = facts.programme
            programmes.append(
                (pk, p.care_station_since, p.volunteer_team, p.volunteer_count, p.regular_services, stamp)
            )
    for model, columns, rows in (
        (Officer, ("association", "position", "name", "phone", "term_start", "term_end", "note"), officers),
        (Meeting, ("association", "kind", "held_on", "quorum_met", "minutes_filed_on", "note"), meetings),
        (
            YearlyFiling,
            ("association", "year", "plan_budget_filed_on", "report_accounts_filed_on", "note"),
            filings,
        ),
        (Election, ("association", "term_number", "elected_on", "term_ends_on", "note"), elections),
        (
            ProgrammeProfile,
            (
                "association",
                "care_station_since",
                "volunteer_team",
                "volunteer_count",
                "regular_services",
                "updated_at",
            ),
            programmes,
        ),
    ):
        bulk_insert(model, columns, rows)
        _copy_history(model, stamp)
    result.officers, result.meetings, result.filings = len(officers), len(meetings), len(filings)
    result.elections, result.programmes = len(elections), len(programmes)


def _users() -> list[DemoUser]:
    """The demo's users of the home county (county officer, the 竹南 and 頭份 clerks, an administrator) and
    seven judges, all with the demo password."""
    rows: list[tuple[str, Role, str | None, str]] = [
        (username, role, township, full_name)
        for username, role, township, full_name in MIAOLI.users
        if role != Role.JUDGE
    ]
    rows += [(username, Role.JUDGE, None, full_name) for username, full_name in JUDGES]
    users = []
    encoded = make_password(DEMO_PASSWORD)
    for username, role, township, full_name in rows:
        _user, created = staff_add(
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            password_hash=encoded,
            township=f"{HOME_COUNTY}{township}" if township else None,
            county=HOME_COUNTY if role in (Role.COUNTY, Role.ADMIN) else None,
            full_name=full_name,
            validate=False,
        )
        serves = HOME_COUNTY if role in (Role.COUNTY, Role.TOWNSHIP) else ""
        users.append(DemoUser(username, role, township or "", full_name, DEMO_PASSWORD, created, serves))
    return users


def national_write(
    *,
    seed: int,
    today: datetime.date,
    associations: int = NATIONAL_ASSOCIATIONS,
    stdout: TextIO | None = None,
) -> NationalResult:
    """Plan and write the associations' part of the national set onto an empty database (refused
    otherwise: it is a measuring set, not something to merge into real data)."""
    if Association.objects.exists():
        raise DemoError(
            _(
                "資料庫已有協會資料：全國規模資料只能寫入空白資料庫（請另建資料庫，"
                "例如 make bench 使用的 portal_bench）。"
            )
        )
    result = NationalResult()
    _say(stdout, _("載入鄉鎮市區參考資料…"))
    townships_import(path=settings.BASE_DIR / "fixtures" / "geography.csv")
    _say(stdout, _("規劃 %(n)d 個社區發展協會與十年的會務資料…") % {"n": associations})
    planned = national_plan(seed=seed, today=today, associations=associations)
    _say(stdout, _("寫入協會、幹部與會務財務清查資料…"))
    _write(planned, result)
    _say(stdout, _("建立示範帳號…"))
    result.users = _users()
    return result
