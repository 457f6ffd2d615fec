"""The word tables of the demo's second, smaller county, 雲林縣: its 20 townships with villages, products
and sights, its customs, and its two users (a county officer and the clerk of 斗六市). The names of
people, roads and field places are drawn from the shared tables of `words`. Data only."""

from __future__ import annotations

from associations.demo.words import CountyWords, TownshipWords, _split
from core.roles import Role

COUNTY = "雲林縣"

# About 60 associations: the county seat and the larger towns carry more, every township has some.
TOWNSHIPS: tuple[TownshipWords, ...] = (
    TownshipWords(
        "斗六市",
        9,
        _split("三光 公正 仁義 太平 久安 光興 榴中 溝壩 長平 湖山 梅林 虎溪 江厝 鎮南"),
        ("柳丁", "文旦", "咖啡", "鴨肉飯"),
        ("湖山水庫", "太平老街", "雲中街", "斗六門"),
    ),
    TownshipWords(
        "虎尾鎮",
        6,
        _split("平和 西屯 廉使 埒內 頂溪 東仁 德興 立仁 新吉 北溪 惠來 堀頭"),
        ("毛巾", "花生", "甘蔗", "布袋戲偶"),
        ("虎尾糖廠", "雲林布袋戲館", "虎尾鐵橋", "同心公園"),
    ),
    TownshipWords(
        "斗南鎮",
        4,
        _split("西伯 南昌 阿丁 將軍 石龜 大東 明昌 新崙"),
        ("小麥", "紅蘿蔔", "馬鈴薯", "黃金麥酒"),
        ("他里霧文化園區", "斗南車站", "順安宮", "石龜溪"),
    ),
    TownshipWords(
        "西螺鎮",
        4,
        _split("漢光 福田 安定 頂湳 九隆 吳厝 埔心 魚寮"),
        ("醬油", "西螺米", "蔬菜", "濁水溪米"),
        ("西螺大橋", "延平老街", "福興宮", "濁水溪畔"),
    ),
    TownshipWords(
        "北港鎮",
        4,
        _split("光民 共榮 仁和 南安 新街 大北 好收 府番"),
        ("麻油", "花生糖", "大餅", "牛肉湯"),
        ("北港朝天宮", "北港溪鐵橋", "北港糖廠", "義民廟"),
    ),
    TownshipWords(
        "土庫鎮",
        3,
        _split("順天 宮北 埤腳 奮起 越港 崙內"),
        ("花生", "鴨肉", "胡蘿蔔", "蛋黃酥"),
        ("土庫順天宮", "土庫老街", "鳳山寺", "埤腳溪"),
    ),
    TownshipWords(
        "古坑鄉",
        3,
        _split("古坑 永光 麻園 華山 草嶺 樟湖 荷苞 棋盤"),
        ("咖啡", "柳丁", "竹筍", "愛玉"),
        ("華山咖啡步道", "草嶺風景區", "劍湖山", "荷苞山"),
    ),
    TownshipWords(
        "麥寮鄉",
        3,
        _split("麥寮 橋頭 後安 雷厝 許厝 三盛 施厝 海豐"),
        ("蔬菜", "西瓜", "文蛤", "鹽"),
        ("拱範宮", "麥寮海堤", "許厝分校", "新虎尾溪口"),
    ),
    TownshipWords(
        "大埤鄉",
        2,
        _split("大德 北鎮 嘉興 豐岡 怡然 松竹 西鎮"),
        ("酸菜", "稻米", "芥菜", "醃漬菜"),
        ("酸菜文化館", "太和街", "舊庄溪", "三山國王廟"),
    ),
    TownshipWords(
        "莿桐鄉",
        2,
        _split("莿桐 甘厝 饒平 五華 大美 四合 興貴"),
        ("大蒜", "稻米", "花生", "甘蔗"),
        ("孩子的秘密基地", "莿桐花海", "饒平媽祖廟", "新虎尾溪"),
    ),
    TownshipWords(
        "林內鄉",
        2,
        _split("林中 林北 烏塗 九芎 湖本 重興 林茂"),
        ("木瓜", "竹筍", "紅肉李", "芭樂"),
        ("湖本生態村", "坪頂步道", "林內車站", "濁水溪堤防"),
    ),
    TownshipWords(
        "二崙鄉",
        2,
        _split("崙東 崙西 油車 大華 港後 湳仔 三和 來惠"),
        ("西瓜", "胡瓜", "稻米", "蔬菜"),
        ("二崙西瓜節", "新虎尾溪畔", "三和宮", "油車老屋"),
    ),
    TownshipWords(
        "崙背鄉",
        2,
        _split("崙前 西榮 豐榮 阿勸 大有 港尾 羅厝"),
        ("洋香瓜", "牛乳", "稻米", "詔安米食"),
        ("詔安客家文化館", "崙背乳品", "崙背老街", "豐榮水圳"),
    ),
    TownshipWords(
        "東勢鄉",
        2,
        _split("同安 月眉 程海 龍安 四美 新坤"),
        ("花生", "蔬菜", "稻米", "番薯"),
        ("東勢赤腳鄉", "四美社區", "厚安宮", "新坤大排"),
    ),
    TownshipWords(
        "褒忠鄉",
        2,
        _split("褒忠 潮洋 龍巖 新湖 有才 埔姜 馬鳴"),
        ("花生", "大豆", "蔬菜", "花卉"),
        ("馬鳴山鎮安宮", "褒忠花卉公園", "龍巖糖廠", "潮洋溪"),
    ),
    TownshipWords(
        "臺西鄉",
        2,
        _split("五港 山寮 海南 溪頂 泉州 和豐 崙豐"),
        ("蚵仔", "文蛤", "吳郭魚", "蔬菜"),
        ("台西海口", "五條港", "安西府", "溪頂海堤"),
    ),
    TownshipWords(
        "元長鄉",
        2,
        _split("長北 長南 山子 客厝 潭內 鹿寮 子茂"),
        ("花生", "大蒜", "稻米", "黑豆"),
        ("鹿寮水牛公園", "元長老街", "潭內溪", "客厝媽祖廟"),
    ),
    TownshipWords(
        "四湖鄉",
        2,
        _split("湖西 飛沙 林厝 三條崙 箔子寮 溪底 廣溝"),
        ("蘆筍", "西瓜", "烏魚子", "蒜頭"),
        ("三條崙海水浴場", "箔子寮漁港", "參天宮", "四湖防風林"),
    ),
    TownshipWords(
        "口湖鄉",
        2,
        _split("下崙 水井 金湖 成龍 梧北 蚵寮"),
        ("烏魚子", "鰻魚", "文蛤", "虱目魚"),
        ("成龍濕地", "椬梧滯洪池", "金湖萬善祠", "下崙漁港"),
    ),
    TownshipWords(
        "水林鄉",
        2,
        _split("水北 蘇秀 萬興 土厝 車巷 瓊埔"),
        ("地瓜", "黑金剛花生", "稻米", "蕃薯"),
        ("水林番薯節", "蔦松藝術高中", "顏思齊紀念園區", "北港溪畔"),
    ),
)

CULTURE = ("媽祖遶境", "布袋戲", "宋江陣", "八家將", "廟會陣頭", "詔安客家", "老街巡禮")

#: The 雲林 demo users: username, role, township (without the county) and full name.
DEMO_USERS: tuple[tuple[str, Role, str | None, str], ...] = (
    ("yunlin", Role.COUNTY, None, "廖雅惠"),
    ("douliu", Role.TOWNSHIP, "斗六市", "吳明哲"),
)

YUNLIN = CountyWords(
    county=COUNTY,
    townships=TOWNSHIPS,
    culture=CULTURE,
    registration_prefixes=("府社行字", "府社區字", "雲府社行字"),
    phone=("05", 5220000, 5999999),
    blank_registrations=3,
    duplicate_registrations=1,
    users=DEMO_USERS,
    label=f":{COUNTY}",
)
