"""A realistic 苗栗縣 demo roster: 280 associations with villages, officers and one user of each role.

The whole roster is planned in memory from `random.Random(seed)` and today's date before anything is
read from the database, so the same seed on the same day always plans the same rows; only the rows
that are missing are then written. Running the seed twice therefore changes nothing, and deleting an
association and seeding again brings back exactly the same one.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from associations.geography import townships_import
from associations.models import Association, Officer, Township, Village
from associations.staff import staff_add
from core.dates import roc_year
from core.roles import Role

COUNTY = "苗栗縣"
DEMO_PASSWORD = "demo-portal-2026"
DEMO_URL = "http://127.0.0.1:8000/"
CHANGE_REASON = "示範資料"
TERM_YEARS = 4
FOUNDED_FIRST, FOUNDED_LAST = 1991, 2023


@dataclass(frozen=True)
class _Township:
    name: str
    associations: int
    # Village (村 / 里) names without their suffix; also the place words most communities are named after.
    villages: tuple[str, ...]
    products: tuple[str, ...]
    sights: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Association counts follow population: the three urban townships carry a third of the county's 280.
TOWNSHIPS: tuple[_Township, ...] = (
    _Township(
        "苗栗市",
        34,
        _words(
            "北苗 大同 高苗 綠苗 青苗 玉苗 上苗 福星 維新 維祥 建功 新英 恭敬 福麗 文山 文聖 "
            "清華 水源 南勢 新川 嘉盛 嘉新 勝利 玉清 福安 中苗 南苗 新苗"
        ),
        ("客家粄條", "福菜", "陶瓷", "客家花布"),
        ("貓貍山公園", "功維敘隧道", "苗栗鐵道文物展示館", "後龍溪河濱"),
    ),
    _Township(
        "頭份市",
        34,
        _words(
            "田寮 忠孝 仁愛 信義 和平 民族 興隆 尖山 東庄 土牛 流東 蟠桃 斗煥 珊湖 山下 上埔 "
            "下興 廣興 濫坑 成功 文化 合興 尚義 中興 后庄 新華 自強 建國 東興 頭份 埔頂 蘆竹"
        ),
        ("椪柑", "桂竹筍", "客家菜包", "柿餅"),
        ("永貞宮", "斗煥坪", "中港溪畔", "尖山步道"),
    ),
    _Township(
        "竹南鎮",
        30,
        _words(
            "竹南 山佳 埔頂 中港 中英 中美 聖福 開元 正南 竹興 大埔 公館 營盤 佳興 龍鳳 海口 "
            "港墘 照南 崎頂 頂埔 新南 公義 中華 大厝 天文"
        ),
        ("蛇窯陶藝", "漁港海產", "文旦", "海苔"),
        ("崎頂子母隧道", "龍鳳漁港", "假日之森", "中港慈裕宮"),
    ),
    _Township(
        "後龍鎮",
        20,
        _words(
            "龍坑 南港 埔頂 新民 大庄 秀水 復興 溪洲 海埔 中和 北龍 南龍 校椅 豐富 外埔 水尾 "
            "灣寶 大山 東明 龍津 福寧 新港 中龍"
        ),
        ("西瓜", "花生", "地瓜", "芋頭"),
        ("好望角風車", "外埔漁港", "過港貝化石層", "灣寶沙丘"),
    ),
    _Township(
        "通霄鎮",
        20,
        _words(
            "通東 通西 平元 圳頭 通南 內湖 梅南 坪頂 烏眉 南和 新埔 白東 白西 福興 福源 城南 "
            "城北 五北 五南 楓樹 內島 南勢 通灣 土城"
        ),
        ("海鹽", "鮮乳", "西瓜", "稻米"),
        ("通霄神社", "白沙屯拱天宮", "秋茂園", "虎頭山步道"),
    ),
    _Township(
        "苑裡鎮",
        20,
        _words(
            "苑北 苑南 苑港 苑東 西勢 西平 山柑 上館 中正 房裡 玉田 社苓 客庄 南勢 舊社 石鎮 "
            "蕉埔 水坡 新復 田心 山腳 芎蕉 出水 泰田 錦山"
        ),
        ("藺草編織", "稻米", "芋頭", "竹筍"),
        ("藺草文化館", "苑裡海岸", "房裡古城", "火炎山"),
    ),
    _Township(
        "卓蘭鎮",
        10,
        _words("上新 中街 新榮 內灣 老庄 景山 西坪 豐田 坪林 苗豐 雙連 新厝"),
        ("葡萄", "楊桃", "高接梨", "柑橘"),
        ("卓蘭大峽谷", "白布帆", "峸德宮", "大安溪畔"),
    ),
    _Township(
        "造橋鄉",
        10,
        _words("造橋 朝陽 大西 豐湖 平興 龍昇 錦水 大龍 談文"),
        ("木炭", "香菇", "桶柑", "稻米"),
        ("龍昇湖", "香格里拉樂園", "造橋車站", "談文湖"),
    ),
    _Township(
        "西湖鄉",
        10,
        _words("龍洞 高埔 五湖 三湖 四湖 金獅 下埔 湖東 二湖"),
        ("茶葉", "稻米", "柑橘", "紅肉李"),
        ("劉恩寬古宅", "西湖溪", "宣王宮", "湖東步道"),
    ),
    _Township(
        "頭屋鄉",
        10,
        _words("頭屋 象山 北坑 明德 外獅 獅潭 鳴鳳 飛鳳 曲洞 崁頂"),
        ("東方美人茶", "桶柑", "金棗", "竹筍"),
        ("明德水庫", "老田寮溪", "鳴鳳古道", "雲洞宮"),
    ),
    _Township(
        "公館鄉",
        18,
        _words(
            "館中 館南 館東 館義 開礦 玉泉 石墻 福基 福德 中義 仁安 尖山 五谷 大坑 鶴岡 北河 福星 玉谷 南河"
        ),
        ("紅棗", "福菜", "芋頭", "陶藝"),
        ("出磺坑", "五穀宮", "黃金小鎮", "後龍溪自行車道"),
    ),
    _Township(
        "銅鑼鄉",
        13,
        _words("銅鑼 朝陽 竹森 中平 樟樹 福興 新隆 九湖 盛隆 興隆"),
        ("杭菊", "芋頭", "稻米", "茶葉"),
        ("九湖杭菊田", "客家文化園區", "雙峰山", "樟樹林"),
    ),
    _Township(
        "三義鄉",
        10,
        _words("廣盛 西湖 雙湖 雙潭 勝興 龍騰 鯉魚潭"),
        ("木雕", "油桐花", "茶葉", "客家擂茶"),
        ("勝興車站", "龍騰斷橋", "鯉魚潭水庫", "挑炭古道"),
    ),
    _Township(
        "大湖鄉",
        13,
        _words("大湖 明湖 靜湖 大寮 大南 義和 東興 南湖 武榮 新開 富興 栗林"),
        ("草莓", "草莓酒", "甜柿", "桂竹筍"),
        ("馬那邦山", "大湖酒莊", "薑麻園", "法雲寺"),
    ),
    _Township(
        "獅潭鄉",
        6,
        _words("新店 永興 和興 豐林 竹木 百壽 新豐"),
        ("仙草", "桂竹筍", "柑橘", "香菇"),
        ("仙山靈洞宮", "汶水老街", "八角林步道", "百壽河畔"),
    ),
    _Township(
        "三灣鄉",
        7,
        _words("三灣 內灣 永和 大河 頂寮 銅鏡 北埔 大坪"),
        ("高接梨", "南瓜", "桶柑", "客家米食"),
        ("永和山水庫", "三灣老街", "銅鏡步道", "大河底"),
    ),
    _Township(
        "南庄鄉",
        9,
        _words("東村 西村 南富 南江 田美 員林 獅山 蓬萊 東河"),
        ("桂花釀", "鱒魚", "甜柿", "賽夏編織"),
        ("南庄老街", "向天湖", "神仙谷", "蓬萊溪護魚步道"),
    ),
    _Township(
        "泰安鄉",
        6,
        _words("八卦 錦水 清安 大興 中興 梅園 象鼻 士林"),
        ("甜柿", "水蜜桃", "高山茶", "泰雅織布"),
        ("泰安溫泉", "雪見遊憩區", "虎山步道", "士林攔河堰"),
    ),
)

# Names for communities that are not named after a whole village: Hakka and Hoklo field names.
_PLACE_PREFIXES = "上下頂新大小東西南北中老石竹水田牛鹿茶桂松楓柑龍鳳福"
_PLACE_SUFFIXES = "坑窩寮埔坪湖崗崁屋壢背肚嶺排坡"
_ROADS = _words(
    "中正路 中山路 中華路 民生路 民權路 民族路 自由路 光復路 復興路 和平路 信義路 "
    "仁愛路 文化路 建國路 成功路 中興路 公園路 福德路 永興路 新興路"
)

_PEOPLE = ("客家八音團", "社區志工隊", "長青歌唱班", "巧手媽媽班", "守望相助隊", "太鼓隊", "環保志工隊")
_CULTURE = ("伯公祭典", "三山國王廟", "百年伙房", "客家山歌", "媽祖遶境", "義民祭", "老街巡禮")
_LAND = ("社區老樹", "溪畔步道", "灌溉水圳", "老茶園", "山坡梯田", "社區公園", "老街巷弄")

# Common surnames weighted towards the Hakka names frequent in 苗栗.
_SURNAMES = (
    ("陳", 10), ("林", 8), ("黃", 7), ("張", 6), ("李", 5), ("王", 4), ("吳", 4), ("劉", 7), ("蔡", 3),
    ("楊", 3), ("許", 2), ("鄭", 2), ("謝", 4), ("郭", 2), ("曾", 3), ("邱", 4), ("廖", 2), ("賴", 2),
    ("徐", 4), ("彭", 4), ("羅", 3), ("詹", 3), ("鍾", 3), ("湯", 2), ("古", 1), ("傅", 2), ("溫", 2),
    ("葉", 2), ("周", 1), ("蘇", 1), ("何", 1), ("江", 1), ("范", 1), ("涂", 1),
)  # fmt: skip
_SURNAME_CHOICES = [surname for surname, _weight in _SURNAMES]
_SURNAME_WEIGHTS = [weight for _surname, weight in _SURNAMES]
_MALE = "志明文國建忠榮宏俊家德福金勝輝清正永成雄仁信義源昌煌坤龍松海春進順"
_FEMALE = "美玲秀麗惠淑芬華珍雲月英嬌琴蘭鳳梅春玉真芳娟慧雅珠"

DEMO_USERS: tuple[tuple[str, Role, str | None, str], ...] = (
    ("county", Role.COUNTY, None, "陳美玲"),
    ("zhunan", Role.TOWNSHIP, "竹南鎮", "林志豪"),
    ("toufen", Role.TOWNSHIP, "頭份市", "黃淑芬"),
    ("judge", Role.JUDGE, None, "張國華"),
    ("admin", Role.ADMIN, None, "李建宏"),
)


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


@dataclass
class DemoResult:
    associations_created: int = 0
    associations_skipped: int = 0
    villages_created: int = 0
    officers_created: int = 0
    users: list[DemoUser] = field(default_factory=list)
    url: str = DEMO_URL
    seconds: float = 0.0


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
class _AssociationPlan:
    township: str
    name: str
    villages: list[str]
    values: dict[str, object]
    officers: list[_OfficerPlan]


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _village_name(word: str, kind: str) -> str:
    return word if word.endswith(kind) else word + kind


def _village_kind(township_name: str) -> str:
    """村 under a 鄉, 里 under a 鎮 or 市."""
    return Village.Kind.VILLAGE if township_name.endswith("鄉") else Village.Kind.NEIGHBOURHOOD


def _person(rng: random.Random, taken: set[str]) -> str:
    while True:
        pool = _MALE if rng.random() < 0.55 else _FEMALE
        name = rng.choices(_SURNAME_CHOICES, _SURNAME_WEIGHTS)[0] + "".join(rng.sample(pool, 2))
        if name not in taken:
            taken.add(name)
            return name


def _mobile(rng: random.Random) -> str:
    return f"09{rng.randint(10, 89)}-{rng.randint(0, 999999):06d}"


def _community_words(rng: random.Random, township: _Township) -> list[str]:
    """The place words the township's associations are named after: most are whole villages, the rest
    smaller places inside them."""
    words = rng.sample(township.villages, min(township.associations, len(township.villages)))
    while len(words) < township.associations:
        word = rng.choice(_PLACE_PREFIXES) + rng.choice(_PLACE_SUFFIXES)
        if word not in words and word not in township.villages:
            words.append(word)
    return words


def _registration(rng: random.Random, founded: datetime.date) -> str:
    prefix = rng.choices(("府社行字", "府社區字", "苗府社行字"), (8, 1, 1))[0]
    return f"{prefix}第{roc_year(founded.year):03d}{rng.randint(1000, 99999):07d}號"


def _features(rng: random.Random, township: _Township) -> str:
    return "；".join(
        [
            f"人：{rng.choice(_PEOPLE)}",
            f"文：{rng.choice(_CULTURE)}",
            f"地：{rng.choice(_LAND)}",
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
    township: _Township,
    word: str,
    *,
    status: str,
    care_station: bool,
    today: datetime.date,
) -> _AssociationPlan:
    kind = _village_kind(township.name)
    others = [v for v in township.villages if v != word]
    extra = rng.choices((0, 1, 2), (6, 3, 1))[0]
    words = ([word] if word in township.villages else [rng.choice(others)]) + rng.sample(others, extra)
    villages = list(dict.fromkeys(_village_name(w, kind) for w in words))

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
    values = {
        "registration_number": _registration(rng, founded),
        "founded_on": founded,
        "term_number": term,
        "address": f"{COUNTY}{township.name}{villages[0]}{rng.choice(_ROADS)}{number}",
        "phone": f"037-{rng.randint(220000, 999999)}",
        "member_count": int(rng.triangular(30, 400, 70)),
        "status": status,
        "local_features": _features(rng, township),
        "runs_care_station": care_station,
        "notes": notes,
    }
    return _AssociationPlan(township.name, f"{word}社區發展協會", villages, values, officers)


def demo_plan(*, seed: int, today: datetime.date) -> list[_AssociationPlan]:
    """Every association of the demo, in a fixed order. Touches no database."""
    rng = random.Random(seed)
    slots = [(township, word) for township in TOWNSHIPS for word in _community_words(rng, township)]
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
                status=status.value,
                care_station=index in care and status != Association.Status.DISSOLVED,
                today=today,
            )
        )
    # Real rosters have gaps and copy-paste slips: some numbers blank, a few given twice.
    for index in rng.sample(range(len(plans)), 14):
        plans[index].values["registration_number"] = ""
    numbered = [p for p in plans if p.values["registration_number"]]
    for _i in range(3):
        source, copy = rng.sample(numbered, 2)
        copy.values["registration_number"] = source.values["registration_number"]
    return plans


# --- Writing ---------------------------------------------------------------------------------------------


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _townships() -> dict[str, Township]:
    townships = {t.name: t for t in Township.objects.filter(county__name=COUNTY)}
    missing = [t.name for t in TOWNSHIPS if t.name not in townships]
    if missing:
        raise DemoError(_("參考資料缺少鄉鎮市區：%(names)s") % {"names": "、".join(missing)})
    return townships


def _villages(townships: dict[str, Township]) -> tuple[dict[tuple[int, str], Village], int]:
    existing = {(v.township_id, v.name): v for v in Village.objects.filter(township__in=townships.values())}
    new = []
    for spec in TOWNSHIPS:
        township = townships[spec.name]
        kind = _village_kind(spec.name)
        for word in spec.villages:
            name = _village_name(word, kind)
            if (township.pk, name) not in existing:
                village = Village(township=township, name=name, kind=kind)
                village.full_clean(exclude=["township"], validate_unique=False, validate_constraints=False)
                new.append(village)
    for village in Village.objects.bulk_create(new):
        existing[(village.township_id, village.name)] = village
    return existing, len(new)


def _write_associations(
    plans: Sequence[_AssociationPlan],
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
        association = Association(township=townships[plan.township], name=plan.name, **plan.values)
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
    return len(associations), len(officers)


def _users() -> list[DemoUser]:
    users = []
    for username, role, township, full_name in DEMO_USERS:
        _user, created = staff_add(
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            township=f"{COUNTY}{township}" if township else None,
            full_name=full_name,
            validate=False,
        )
        users.append(DemoUser(username, role, township or "", full_name, DEMO_PASSWORD, created))
    return users


@transaction.atomic
def demo_seed(
    *, seed: int = 112, stdout: TextIO | None = None, today: datetime.date | None = None
) -> DemoResult:
    """Load the reference geography and seed the 苗栗縣 demo: associations that already exist (same
    township and name) are left alone with their officers; the demo users are created or updated."""
    started = time.perf_counter()
    result = DemoResult()
    _say(stdout, _("載入鄉鎮市區參考資料…"))
    townships_import(path=settings.BASE_DIR / "fixtures" / "geography.csv")
    townships = _townships()
    villages, result.villages_created = _villages(townships)

    plans = demo_plan(seed=seed, today=today or timezone.localdate())
    existing = set(
        Association.objects.filter(township__in=townships.values()).values_list("township_id", "name")
    )
    missing = [p for p in plans if (townships[p.township].pk, p.name) not in existing]
    result.associations_skipped = len(plans) - len(missing)
    _say(stdout, _("建立 %(count)d 個社區發展協會…") % {"count": len(missing)})
    if missing:
        result.associations_created, result.officers_created = _write_associations(
            missing, townships, villages
        )
    _say(stdout, _("建立示範帳號…"))
    result.users = _users()
    result.seconds = time.perf_counter() - started
    return result
