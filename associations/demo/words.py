"""The demo's word tables: the 苗栗縣 townships with their villages, products and sights, the field names,
roads, groups, customs and places communities are known by, the surnames and given names officers are
drawn from, and the demo's users. Data only; `planning` draws from it."""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import Role

COUNTY = "苗栗縣"


@dataclass(frozen=True)
class TownshipWords:
    name: str
    associations: int
    # Village (村 / 里) names without their suffix; also the place words most communities are named after.
    villages: tuple[str, ...]
    products: tuple[str, ...]
    sights: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Association counts follow population: the three urban townships carry a third of the county's 280.
TOWNSHIPS: tuple[TownshipWords, ...] = (
    TownshipWords(
        "苗栗市",
        34,
        _split(
            "北苗 大同 高苗 綠苗 青苗 玉苗 上苗 福星 維新 維祥 建功 新英 恭敬 福麗 文山 文聖 "
            "清華 水源 南勢 新川 嘉盛 嘉新 勝利 玉清 福安 中苗 南苗 新苗"
        ),
        ("客家粄條", "福菜", "陶瓷", "客家花布"),
        ("貓貍山公園", "功維敘隧道", "苗栗鐵道文物展示館", "後龍溪河濱"),
    ),
    TownshipWords(
        "頭份市",
        34,
        _split(
            "田寮 忠孝 仁愛 信義 和平 民族 興隆 尖山 東庄 土牛 流東 蟠桃 斗煥 珊湖 山下 上埔 "
            "下興 廣興 濫坑 成功 文化 合興 尚義 中興 后庄 新華 自強 建國 東興 頭份 埔頂 蘆竹"
        ),
        ("椪柑", "桂竹筍", "客家菜包", "柿餅"),
        ("永貞宮", "斗煥坪", "中港溪畔", "尖山步道"),
    ),
    TownshipWords(
        "竹南鎮",
        30,
        _split(
            "竹南 山佳 埔頂 中港 中英 中美 聖福 開元 正南 竹興 大埔 公館 營盤 佳興 龍鳳 海口 "
            "港墘 照南 崎頂 頂埔 新南 公義 中華 大厝 天文"
        ),
        ("蛇窯陶藝", "漁港海產", "文旦", "海苔"),
        ("崎頂子母隧道", "龍鳳漁港", "假日之森", "中港慈裕宮"),
    ),
    TownshipWords(
        "後龍鎮",
        20,
        _split(
            "龍坑 南港 埔頂 新民 大庄 秀水 復興 溪洲 海埔 中和 北龍 南龍 校椅 豐富 外埔 水尾 "
            "灣寶 大山 東明 龍津 福寧 新港 中龍"
        ),
        ("西瓜", "花生", "地瓜", "芋頭"),
        ("好望角風車", "外埔漁港", "過港貝化石層", "灣寶沙丘"),
    ),
    TownshipWords(
        "通霄鎮",
        20,
        _split(
            "通東 通西 平元 圳頭 通南 內湖 梅南 坪頂 烏眉 南和 新埔 白東 白西 福興 福源 城南 "
            "城北 五北 五南 楓樹 內島 南勢 通灣 土城"
        ),
        ("海鹽", "鮮乳", "西瓜", "稻米"),
        ("通霄神社", "白沙屯拱天宮", "秋茂園", "虎頭山步道"),
    ),
    TownshipWords(
        "苑裡鎮",
        20,
        _split(
            "苑北 苑南 苑港 苑東 西勢 西平 山柑 上館 中正 房裡 玉田 社苓 客庄 南勢 舊社 石鎮 "
            "蕉埔 水坡 新復 田心 山腳 芎蕉 出水 泰田 錦山"
        ),
        ("藺草編織", "稻米", "芋頭", "竹筍"),
        ("藺草文化館", "苑裡海岸", "房裡古城", "火炎山"),
    ),
    TownshipWords(
        "卓蘭鎮",
        10,
        _split("上新 中街 新榮 內灣 老庄 景山 西坪 豐田 坪林 苗豐 雙連 新厝"),
        ("葡萄", "楊桃", "高接梨", "柑橘"),
        ("卓蘭大峽谷", "白布帆", "峸德宮", "大安溪畔"),
    ),
    TownshipWords(
        "造橋鄉",
        10,
        _split("造橋 朝陽 大西 豐湖 平興 龍昇 錦水 大龍 談文"),
        ("木炭", "香菇", "桶柑", "稻米"),
        ("龍昇湖", "香格里拉樂園", "造橋車站", "談文湖"),
    ),
    TownshipWords(
        "西湖鄉",
        10,
        _split("龍洞 高埔 五湖 三湖 四湖 金獅 下埔 湖東 二湖"),
        ("茶葉", "稻米", "柑橘", "紅肉李"),
        ("劉恩寬古宅", "西湖溪", "宣王宮", "湖東步道"),
    ),
    TownshipWords(
        "頭屋鄉",
        10,
        _split("頭屋 象山 北坑 明德 外獅 獅潭 鳴鳳 飛鳳 曲洞 崁頂"),
        ("東方美人茶", "桶柑", "金棗", "竹筍"),
        ("明德水庫", "老田寮溪", "鳴鳳古道", "雲洞宮"),
    ),
    TownshipWords(
        "公館鄉",
        18,
        _split(
            "館中 館南 館東 館義 開礦 玉泉 石墻 福基 福德 中義 仁安 尖山 五谷 大坑 鶴岡 北河 福星 玉谷 南河"
        ),
        ("紅棗", "福菜", "芋頭", "陶藝"),
        ("出磺坑", "五穀宮", "黃金小鎮", "後龍溪自行車道"),
    ),
    TownshipWords(
        "銅鑼鄉",
        13,
        _split("銅鑼 朝陽 竹森 中平 樟樹 福興 新隆 九湖 盛隆 興隆"),
        ("杭菊", "芋頭", "稻米", "茶葉"),
        ("九湖杭菊田", "客家文化園區", "雙峰山", "樟樹林"),
    ),
    TownshipWords(
        "三義鄉",
        10,
        _split("廣盛 西湖 雙湖 雙潭 勝興 龍騰 鯉魚潭"),
        ("木雕", "油桐花", "茶葉", "客家擂茶"),
        ("勝興車站", "龍騰斷橋", "鯉魚潭水庫", "挑炭古道"),
    ),
    TownshipWords(
        "大湖鄉",
        13,
        _split("大湖 明湖 靜湖 大寮 大南 義和 東興 南湖 武榮 新開 富興 栗林"),
        ("草莓", "草莓酒", "甜柿", "桂竹筍"),
        ("馬那邦山", "大湖酒莊", "薑麻園", "法雲寺"),
    ),
    TownshipWords(
        "獅潭鄉",
        6,
        _split("新店 永興 和興 豐林 竹木 百壽 新豐"),
        ("仙草", "桂竹筍", "柑橘", "香菇"),
        ("仙山靈洞宮", "汶水老街", "八角林步道", "百壽河畔"),
    ),
    TownshipWords(
        "三灣鄉",
        7,
        _split("三灣 內灣 永和 大河 頂寮 銅鏡 北埔 大坪"),
        ("高接梨", "南瓜", "桶柑", "客家米食"),
        ("永和山水庫", "三灣老街", "銅鏡步道", "大河底"),
    ),
    TownshipWords(
        "南庄鄉",
        9,
        _split("東村 西村 南富 南江 田美 員林 獅山 蓬萊 東河"),
        ("桂花釀", "鱒魚", "甜柿", "賽夏編織"),
        ("南庄老街", "向天湖", "神仙谷", "蓬萊溪護魚步道"),
    ),
    TownshipWords(
        "泰安鄉",
        6,
        _split("八卦 錦水 清安 大興 中興 梅園 象鼻 士林"),
        ("甜柿", "水蜜桃", "高山茶", "泰雅織布"),
        ("泰安溫泉", "雪見遊憩區", "虎山步道", "士林攔河堰"),
    ),
)

# Names for communities that are not named after a whole village: Hakka and Hoklo field names.
PLACE_PREFIXES = "上下頂新大小東西南北中老石竹水田牛鹿茶桂松楓柑龍鳳福"
PLACE_SUFFIXES = "坑窩寮埔坪湖崗崁屋壢背肚嶺排坡"
ROADS = _split(
    "中正路 中山路 中華路 民生路 民權路 民族路 自由路 光復路 復興路 和平路 信義路 "
    "仁愛路 文化路 建國路 成功路 中興路 公園路 福德路 永興路 新興路"
)

PEOPLE = ("客家八音團", "社區志工隊", "長青歌唱班", "巧手媽媽班", "守望相助隊", "太鼓隊", "環保志工隊")
CULTURE = ("伯公祭典", "三山國王廟", "百年伙房", "客家山歌", "媽祖遶境", "義民祭", "老街巡禮")
LAND = ("社區老樹", "溪畔步道", "灌溉水圳", "老茶園", "山坡梯田", "社區公園", "老街巷弄")

# Common surnames weighted towards the Hakka names frequent in 苗栗.
SURNAMES = (
    ("陳", 10), ("林", 8), ("黃", 7), ("張", 6), ("李", 5), ("王", 4), ("吳", 4), ("劉", 7), ("蔡", 3),
    ("楊", 3), ("許", 2), ("鄭", 2), ("謝", 4), ("郭", 2), ("曾", 3), ("邱", 4), ("廖", 2), ("賴", 2),
    ("徐", 4), ("彭", 4), ("羅", 3), ("詹", 3), ("鍾", 3), ("湯", 2), ("古", 1), ("傅", 2), ("溫", 2),
    ("葉", 2), ("周", 1), ("蘇", 1), ("何", 1), ("江", 1), ("范", 1), ("涂", 1),
)  # fmt: skip
SURNAME_CHOICES = [surname for surname, _weight in SURNAMES]
SURNAME_WEIGHTS = [weight for _surname, weight in SURNAMES]
MALE_GIVEN = "志明文國建忠榮宏俊家德福金勝輝清正永成雄仁信義源昌煌坤龍松海春進順"
FEMALE_GIVEN = "美玲秀麗惠淑芬華珍雲月英嬌琴蘭鳳梅春玉真芳娟慧雅珠"

#: Regular services of a care station, and of associations that run other programmes.
CARE_SERVICES = ("老人共餐", "電話問安", "關懷訪視", "健康促進", "送餐服務")
OTHER_SERVICES = (
    "社區巡守",
    "課後陪讀",
    "環境綠美化",
    "長青歌唱班",
    "樂齡學習",
    "資源回收",
    "親子共讀",
    "社區食物銀行",
)

#: The demo's users: username, role, township (without the county) and full name.
DEMO_USERS: tuple[tuple[str, Role, str | None, str], ...] = (
    ("county", Role.COUNTY, None, "陳美玲"),
    ("zhunan", Role.TOWNSHIP, "竹南鎮", "林志豪"),
    ("toufen", Role.TOWNSHIP, "頭份市", "黃淑芬"),
    ("judge", Role.JUDGE, None, "張國華"),
    ("admin", Role.ADMIN, None, "李建宏"),
)


@dataclass(frozen=True)
class CountyWords:
    """What one demo county draws from besides the shared names: its townships, the words its roster is
    written with, and its users. `label` tells its random generators apart from the other counties' (empty
    for 苗栗縣, whose generators keep the plain seed they always had, so its roster stays as it was)."""

    county: str
    townships: tuple[TownshipWords, ...]
    culture: tuple[str, ...]
    registration_prefixes: tuple[str, str, str]
    phone: tuple[str, int, int]  # area code, and the range of the number after it
    blank_registrations: int
    duplicate_registrations: int
    users: tuple[tuple[str, Role, str | None, str], ...]
    label: str = ""


MIAOLI = CountyWords(
    county=COUNTY,
    townships=TOWNSHIPS,
    culture=CULTURE,
    registration_prefixes=("府社行字", "府社區字", "苗府社行字"),
    phone=("037", 220000, 999999),
    blank_registrations=14,
    duplicate_registrations=3,
    users=DEMO_USERS,
)
