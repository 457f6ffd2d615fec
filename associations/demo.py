"""A realistic 苗栗縣 demo roster: 280 associations with villages, officers and one user of each role, and
three years of compliance facts (the two completed years before today's and the current year to date)
judged by `grading` into a tier register.

The whole roster is planned in memory from `random.Random(seed)` and today's date before anything is
read from the database, so the same seed on the same day always plans the same rows; only the rows
that are missing are then written. Running the seed twice therefore changes nothing, and deleting an
association and seeding again brings back exactly the same one. The compliance facts are planned from a
second generator of the same seed, so adding them left the roster exactly as it was.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

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
from core.dates import add_months, roc_year
from core.history import CREATED, copy_to_history
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
    meetings_created: int = 0
    filings_created: int = 0
    elections_created: int = 0
    programmes_created: int = 0
    #: One line each from the apps above `associations` that added their part (see `register_demo_step`).
    notes: list[str] = field(default_factory=list)
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
class _AssociationPlan:
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
    _plan_compliance(plans, seed=seed, today=today)
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
_CARE_SERVICES = ("老人共餐", "電話問安", "關懷訪視", "健康促進", "送餐服務")
_OTHER_SERVICES = (
    "社區巡守",
    "課後陪讀",
    "環境綠美化",
    "長青歌唱班",
    "樂齡學習",
    "資源回收",
    "親子共讀",
    "社區食物銀行",
)
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


def _plan_compliance(plans: Sequence[_AssociationPlan], *, seed: int, today: datetime.date) -> None:
    """Fill in each plan's compliance facts. A generator of its own keeps the roster's draws untouched."""
    rng = random.Random(f"{seed}:compliance")
    years = demo_years(today)
    late = _late_elections(rng, plans, years, today)
    for index, plan in enumerate(plans):
        _plan_facts(rng, plan, years=years, today=today, late_election=late.get(index))


def _terms(plan: _AssociationPlan) -> tuple[datetime.date, datetime.date]:
    """The board's term on the roster (the first officer is the chair of the latest term)."""
    chair = plan.officers[0]
    return chair.term_start, chair.term_end


def _late_elections(
    rng: random.Random, plans: Sequence[_AssociationPlan], years: tuple[int, ...], today: datetime.date
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
    plan: _AssociationPlan,
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
    compliance.elections = _elections(rng, plan, late_election)
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
    rng: random.Random, plan: _AssociationPlan, late_election: datetime.date | None
) -> list[_ElectionPlan]:
    """The election that opened the roster's term and, from the second term on, the one before it, ending
    the day before. A term's first election is the founding assembly; later ones are held at the general
    assembly up to three weeks before the term starts (or, for the late ones, months after it lapsed)."""
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
        rows.append(_ElectionPlan(term - 1, elected_on(term - 1, previous_start), start - _DAY))
    if late_election is not None:
        rows.append(_ElectionPlan(term, late_election, end, "任期屆滿後逾期改選（經本府通知限期改選）"))
    else:
        rows.append(_ElectionPlan(term, elected_on(term, start), end))
    return rows


def _programme(
    rng: random.Random, plan: _AssociationPlan, years: tuple[int, ...], today: datetime.date
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
        services = rng.sample(_CARE_SERVICES, rng.choices((1, 2, 3), (3, 4, 3))[0])
        return _ProgrammePlan(min(max(since, founded), today), team, count, "\n".join(services))
    if rng.random() >= 0.75:
        return None
    team = rng.random() < 0.55
    count = int(rng.triangular(5, 40, 12)) if team else None
    services = rng.sample(_OTHER_SERVICES, rng.choices((0, 1, 2, 3), (2, 5, 3, 1))[0])
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
    return associations, len(officers)


def _write_compliance(
    associations: Sequence[Association], plans: Sequence[_AssociationPlan], result: DemoResult
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


# --- The apps above --------------------------------------------------------------------------------------
# `grading` (and later subsidies, awards, flagship) sit above `associations` and may not be imported here
# (docs/architecture.md). Each registers a step in its AppConfig.ready(); the seed runs them, in the order
# registered, after writing the roster and its facts, and only when this run created associations.


class DemoStep(Protocol):
    def __call__(self, *, seed: int, today: datetime.date, county_user: object) -> list[str]:
        """Add this app's part of the demo; return summary lines for the seed's report."""
        ...


_demo_steps: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> None:
    if step not in _demo_steps:
        _demo_steps.append(step)


def _county_user(result: DemoResult) -> object:
    username = next(u.username for u in result.users if u.role == Role.COUNTY)
    return get_user_model().objects.get(username=username)


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

    today = today or timezone.localdate()
    plans = demo_plan(seed=seed, today=today)
    existing = set(
        Association.objects.filter(township__in=townships.values()).values_list("township_id", "name")
    )
    missing = [p for p in plans if (townships[p.township].pk, p.name) not in existing]
    result.associations_skipped = len(plans) - len(missing)
    _say(stdout, _("建立 %(count)d 個社區發展協會…") % {"count": len(missing)})
    associations: list[Association] = []
    if missing:
        associations, result.officers_created = _write_associations(missing, townships, villages)
        result.associations_created = len(associations)
    _say(stdout, _("建立示範帳號…"))
    result.users = _users()
    _say(stdout, _("建立會務財務清查資料…"))
    if associations:
        # Facts only for the associations created now, so a second run adds nothing; the years are judged
        # again (a finalised one stays as it is).
        _write_compliance(associations, missing, result)
        for step in _demo_steps:
            result.notes.extend(step(seed=seed, today=today, county_user=_county_user(result)))
    result.seconds = time.perf_counter() - started
    return result
