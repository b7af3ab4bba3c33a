"""Time zones, public-holiday regions and currencies named as a lawyer names them.

"Hong Kong Time (UTC+08:00)", "香港特别行政区公众假期", "人民币120,000.00元": never the
machine words "Asia/Hong_Kong time zone", "public holidays in HK" or "CNY 120,000.00".
Zones and regions the tables below do not list are named from CLDR (Babel) with their
UTC offsets, so every zone still reads as words and an offset.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

LOCALE = {"en": "en", "zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_HK"}

# zone -> (en, zh-Hans, zh-Hant) names without the offset
ZONES: dict[str, tuple[str, str, str]] = {
    "Asia/Hong_Kong": ("Hong Kong Time", "香港时间", "香港時間"),
    "Asia/Shanghai": ("China Standard Time", "北京时间", "北京時間"),
    "Asia/Chongqing": ("China Standard Time", "北京时间", "北京時間"),
    "PRC": ("China Standard Time", "北京时间", "北京時間"),
    "Asia/Macau": ("Macao Time", "澳门时间", "澳門時間"),
    "Asia/Taipei": ("Taipei Time", "台北时间", "臺北時間"),
    "Asia/Singapore": ("Singapore Time", "新加坡时间", "新加坡時間"),
    "Asia/Tokyo": ("Japan Standard Time", "日本标准时间", "日本標準時間"),
    "UTC": ("Coordinated Universal Time", "协调世界时", "協調世界時"),
    "Etc/UTC": ("Coordinated Universal Time", "协调世界时", "協調世界時"),
    "America/Los_Angeles": ("Pacific Time", "美国太平洋时间", "美國太平洋時間"),
    "America/New_York": ("Eastern Time", "美国东部时间", "美國東部時間"),
    "Europe/London": ("UK Time", "英国时间", "英國時間"),
}

# ISO 3166 region -> (en, zh-Hans, zh-Hant): the holidays as the region's law names them
HOLIDAYS: dict[str, tuple[str, str, str]] = {
    "HK": ("Hong Kong general holidays", "香港特别行政区公众假期", "香港特別行政區公眾假期"),
    "CN": ("statutory holidays of the People's Republic of China", "中华人民共和国法定节假日", "中華人民共和國法定節假日"),
    "MO": ("public holidays of the Macao Special Administrative Region", "澳门特别行政区公众假期", "澳門特別行政區公眾假期"),
    "TW": ("public holidays in Taiwan", "台湾地区公众假期", "臺灣地區公眾假期"),
    "SG": ("Singapore public holidays", "新加坡公共假期", "新加坡公共假期"),
    "US": ("United States federal holidays", "美国联邦假日", "美國聯邦假日"),
    "GB": ("United Kingdom bank holidays", "英国银行假日", "英國銀行假日"),
    "JP": ("Japanese national holidays", "日本国民假日", "日本國民假日"),
}

# currency -> (prefix, suffix) in Chinese legal writing: 人民币120,000.00元, 港币80,000.00元
_CURRENCY_ZH = {
    "zh-Hans": {"CNY": ("人民币", "元"), "HKD": ("港币", "元"), "MOP": ("澳门币", "元"), "TWD": ("新台币", "元")},
    "zh-Hant": {"CNY": ("人民幣", "元"), "HKD": ("港幣", "元"), "MOP": ("澳門幣", "元"), "TWD": ("新臺幣", "元")},
}
_INDEX = {"en": 0, "zh-Hans": 1, "zh-Hant": 2}
_MINUS = "\u2212"


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else _MINUS
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def offsets(zone: str, year: int = 2026) -> tuple[str, ...]:
    """The zone's UTC offsets in a year: one, or standard time then daylight saving time."""
    tz = ZoneInfo(zone)
    winter = datetime(year, 1, 15, 12, tzinfo=tz).utcoffset()
    summer = datetime(year, 7, 15, 12, tzinfo=tz).utcoffset()
    assert winter is not None and summer is not None
    if winter == summer:
        return (_offset(winter),)
    return (_offset(min(winter, summer)), _offset(max(winter, summer)))  # daylight saving adds time


def zone_name(zone: str, lang: str, year: int = 2026) -> str:
    """'Hong Kong Time (UTC+08:00)', '北京时间（UTC+08:00）', 'Pacific Time (UTC−08:00;
    UTC−07:00 during daylight saving time)'."""
    name = ZONES[zone][_INDEX[lang]] if zone in ZONES else _babel_zone_name(zone, lang)
    from slagen.render.messages import Messages

    words = Messages(lang)  # the sentence around the offsets is the catalogue's (zone.*)
    found = offsets(zone, year)
    if zone in ("UTC", "Etc/UTC"):
        detail = "UTC"
    elif len(found) == 1:
        detail = found[0]
    else:
        detail = words.say("zone.daylight_saving", standard=found[0], summer=found[1])
    if not name:  # no name a reader would recognise: the offsets say it all
        return detail
    return words.say("zone.named", name=name, detail=detail)


def _babel_zone_name(zone: str, lang: str) -> str:
    """CLDR's generic name for a zone slagen does not name itself, or "" where it has no
    good one: Etc/ zones and 'Unknown Region', a Latin city in Chinese text ('乌克兰（Kyiv）时间').
    Hong Kong's CLDR data calls region-named zones '夏令時間' (summer time) even where there
    is no daylight saving ('印度夏令時間'); Traditional Chinese then takes the general zh_Hant."""
    if zone.startswith("Etc/"):
        return ""
    from babel.dates import get_timezone_name

    name = get_timezone_name(zone, width="long", zone_variant="generic", locale=LOCALE[lang])
    if lang == "zh-Hant" and "夏令" in name:
        name = get_timezone_name(zone, width="long", zone_variant="generic", locale="zh_Hant")
    if "Unknown" in name or "未知" in name or (lang != "en" and any("a" <= c.lower() <= "z" for c in name)):
        return ""
    return name


def holiday_name(country: str, lang: str, subdivision: str | None = None) -> str:
    """'Hong Kong general holidays', '中华人民共和国法定节假日'."""
    if country in HOLIDAYS and not subdivision:
        return HOLIDAYS[country][_INDEX[lang]]
    from babel import Locale

    locale = Locale.parse(LOCALE[lang])
    region = locale.territories.get(country, country)
    if subdivision:
        region = f"{region} ({subdivision})" if lang == "en" else f"{region}（{subdivision}）"
    if lang == "en":
        return f"public holidays of {region}"
    return f"{region}公众假期" if lang == "zh-Hans" else f"{region}公眾假期"


def money(amount: Decimal, currency: str, lang: str, digits: int) -> str:
    """'HKD 80,000.00' in English; '港币80,000.00元', '人民币120,000.00元', '1,000.00美元' in Chinese."""
    from babel.numbers import format_decimal, get_currency_name

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    figure = format_decimal(amount, format=pattern, locale=LOCALE[lang], decimal_quantization=True)
    if lang == "en":
        return f"{currency} {figure}"
    if currency in _CURRENCY_ZH[lang]:
        prefix, suffix = _CURRENCY_ZH[lang][currency]
        return f"{prefix}{figure}{suffix}"
    return f"{figure}{get_currency_name(currency, locale=LOCALE[lang])}"
