"""Chinese personal names for demo and benchmark data, drawn from a seeded `random.Random`.

Surnames are weighted by their approximate share of the population (per cent, from the
published surname rankings), so a name-prefix search on 王 or 李 is as selective as it would be
in a real community. Given names follow the fashion of the decade a person was born in.
"""

import random
from itertools import accumulate

SURNAME_SHARES: dict[str, float] = {
    "王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.4, "陈": 4.5, "杨": 3.1, "黄": 2.2, "赵": 2.0,
    "吴": 1.9, "周": 1.9, "徐": 1.5, "孙": 1.5, "马": 1.4, "朱": 1.3, "胡": 1.3, "郭": 1.2,
    "何": 1.2, "林": 1.1, "高": 1.1, "罗": 1.0, "郑": 1.0, "梁": 0.9, "谢": 0.8, "宋": 0.8,
    "唐": 0.8, "许": 0.7, "韩": 0.7, "冯": 0.7, "邓": 0.7, "曹": 0.7, "彭": 0.6, "曾": 0.6,
    "肖": 0.6, "田": 0.6, "董": 0.5, "袁": 0.5, "潘": 0.5, "于": 0.5, "蒋": 0.5, "蔡": 0.5,
    "余": 0.5, "杜": 0.5, "叶": 0.4, "程": 0.4, "苏": 0.4, "魏": 0.4, "吕": 0.4, "丁": 0.4,
    "任": 0.4, "沈": 0.4, "姚": 0.4, "卢": 0.4, "姜": 0.3, "崔": 0.3, "钟": 0.3, "谭": 0.3,
    "陆": 0.3, "汪": 0.3, "范": 0.3, "金": 0.3, "石": 0.3, "廖": 0.3, "贾": 0.3, "夏": 0.3,
    "韦": 0.3, "付": 0.3, "方": 0.3, "白": 0.2, "邹": 0.2, "孟": 0.2, "熊": 0.2, "秦": 0.2,
    "邱": 0.2, "江": 0.2, "尹": 0.2, "薛": 0.2, "闫": 0.2, "段": 0.2, "雷": 0.2, "侯": 0.2,
    "龙": 0.2, "史": 0.2, "陶": 0.2, "黎": 0.2, "贺": 0.2, "顾": 0.2, "毛": 0.2, "郝": 0.2,
    "龚": 0.2, "邵": 0.2, "万": 0.2, "钱": 0.2, "严": 0.2, "武": 0.2, "戴": 0.2, "覃": 0.1,
    "莫": 0.1, "孔": 0.1, "向": 0.1, "汤": 0.1, "欧阳": 0.05, "上官": 0.01, "司马": 0.01,
}  # fmt: skip

_SURNAMES = list(SURNAME_SHARES)
_SURNAME_CUM = list(accumulate(SURNAME_SHARES.values()))

# Whole given names typical of each generation: (born before year, male names, female names).
_ERA_NAMES: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        1960,
        ("建国", "国强", "建华", "国庆", "志强", "德明", "振华", "永福", "长顺", "卫东", "福海",
         "树林", "玉林", "宝山", "德胜", "洪涛", "学军", "秉义", "守仁", "文斌"),
        ("秀英", "桂兰", "淑珍", "玉兰", "秀兰", "凤英", "桂英", "秀珍", "素芬", "玉梅", "淑芬",
         "丽华", "美兰", "月娥", "金凤", "桂芳", "玉珍", "翠英", "兰芝", "惠芳"),
    ),
    (
        1985,
        ("伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏",
         "海波", "建军", "志刚", "晓东", "立新", "永强", "振宇", "文杰", "国栋", "卫国", "红兵"),
        ("芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "丹", "萍", "红梅", "晓燕",
         "丽娟", "秀梅", "海燕", "雪梅", "春梅", "慧", "婷", "晓红", "丽萍", "彩霞", "建英"),
    ),
    (
        2005,
        ("浩", "宇", "鑫", "昊", "博文", "子豪", "俊杰", "浩然", "天宇", "志远", "家豪", "一鸣",
         "思远", "宇航", "晨阳", "嘉诚", "文博", "明轩", "俊宇", "凯"),
        ("婷婷", "雪", "佳怡", "欣怡", "梦瑶", "思琪", "雨婷", "静怡", "晓彤", "诗涵", "佳琪",
         "心怡", "可欣", "雅琪", "梦洁", "晓雯", "雨欣", "佳慧", "蕾", "倩"),
    ),
    (
        9999,
        ("子轩", "浩宇", "梓睿", "宇轩", "沐阳", "俊熙", "子墨", "奕辰", "皓轩", "铭泽", "睿泽",
         "承泽", "锦程", "一诺", "梓豪", "宸", "煜城", "翊", "嘉懿", "景行"),
        ("梓涵", "一诺", "欣妍", "诗涵", "可馨", "语桐", "梓萱", "雨萱", "若汐", "芷若", "安琪",
         "依诺", "思彤", "沐晨", "语嫣", "梓琪", "子涵", "清妍", "知夏", "书瑶"),
    ),
)  # fmt: skip

# First and second characters that combine into plausible two-character given names.
_COMPOSED = {
    True: ("志建国文明俊浩子嘉家天思博宇晨海永立振德昊", "伟强明杰军华宇轩睿鹏泽辉涛斌林峰超龙阳成"),
    False: ("秀丽美雅欣佳雨梦晓雪诗梓思若静慧", "婷怡涵琪萱妍彤颖洁蕾瑶琳娜芳燕玲月雯"),
}


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, *, male: bool, born_year: int) -> str:
    if rng.random() < 0.7:
        for before, men, women in _ERA_NAMES:
            if born_year < before:
                return rng.choice(men if male else women)
    first, second = _COMPOSED[male]
    return rng.choice(first) + rng.choice(second)


def full_name(rng: random.Random, *, male: bool, born_year: int, family_name: str | None = None) -> str:
    return (family_name or surname(rng)) + given_name(rng, male=male, born_year=born_year)
