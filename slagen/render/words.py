"""Numbers worded the way contracts word them, in English, Simplified and Traditional Chinese.

"ninety-nine point nine percent (99.9%)", "fifteen (15) minutes", "百分之九十九点九（99.9%）",
"十五（15）分钟". Words come from num2words (English) and cn2an (Chinese); the digits are
always the policy's own figures, so words and digits cannot disagree with the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from slagen.policy.model import Tier

LANGUAGES = ("en", "zh-Hans", "zh-Hant")

# cn2an writes Simplified characters; these are the only numeral characters that differ.
_HANT = str.maketrans({"点": "點", "万": "萬", "亿": "億", "两": "兩", "负": "負"})

_UNITS = {
    "en": {"day": ("day", "days"), "hour": ("hour", "hours"), "minute": ("minute", "minutes"), "second": ("second", "seconds")},
    "zh-Hans": {"day": "日", "hour": "小时", "minute": "分钟", "second": "秒"},
    "zh-Hant": {"day": "日", "hour": "小時", "minute": "分鐘", "second": "秒"},
}


def plain(value: Decimal | int) -> str:
    """A policy figure as digits without exponent or trailing zeros: 99.90 -> '99.9'."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class Words:
    """Number wording for one language; templates call these as `w.percent(x)` and so on."""

    lang: str

    @property
    def chinese(self) -> bool:
        return self.lang != "en"

    def number(self, value: Decimal | int) -> str:
        """The number in words only: 'ninety-nine point nine' / '九十九点九'."""
        digits = plain(value)
        if not self.chinese:
            from num2words import num2words

            return num2words(Decimal(digits))
        import cn2an

        words = cn2an.an2cn(digits, "low")
        return words.translate(_HANT) if self.lang == "zh-Hant" else words

    def count(self, value: int) -> str:
        """'fifteen (15)' / '十五（15）'."""
        return self._both(self.number(value), f"{value:,}")

    def ordinal(self, value: int) -> str:
        """'first', 'second' / '第一个'."""
        if self.chinese:
            return f"第{self.number(value)}个" if self.lang == "zh-Hans" else f"第{self.number(value)}個"
        from num2words import num2words

        return num2words(value, to="ordinal")

    def percent(self, value: Decimal) -> str:
        """'ninety-nine point nine percent (99.9%)' / '百分之九十九点九（99.9%）'."""
        if self.chinese:
            return self._both("百分之" + self.number(value), f"{plain(value)}%")
        return f"{self.number(value)} percent ({plain(value)}%)"

    def duration(self, delta: timedelta) -> str:
        """In the largest unit that states it exactly: 'seventy-two (72) hours', '十五（15）分钟'."""
        seconds = int(delta.total_seconds())
        if seconds % 86400 == 0 and seconds > 3 * 86400:
            amount, unit = seconds // 86400, "day"
        elif seconds % 3600 == 0 and seconds:
            amount, unit = seconds // 3600, "hour"
        elif seconds % 60 == 0 and seconds:
            amount, unit = seconds // 60, "minute"
        else:
            amount, unit = seconds, "second"
        return self.quantity(amount, unit)

    def quantity(self, amount: int, unit: str) -> str:
        """'thirty (30) days' / '三十（30）日'."""
        names = _UNITS["en" if not self.chinese else self.lang][unit]
        if self.chinese:
            return f"{self.count(amount)}{names}"
        return f"{self.count(amount)} {names[0] if amount == 1 else names[1]}"

    def money(self, amount: Decimal, currency: str) -> str:
        """'HKD 2,000.00' in English; '港币2,000.00元', '人民币120,000.00元', '1,000.00美元' in
        Chinese (rounded half-up to the currency's minor unit, as the engine rounds)."""
        from slagen.engine.money import minor_unit, round_money
        from slagen.render.places import money

        return money(round_money(amount, currency), currency, self.lang, minor_unit(currency))

    def zone(self, zone: str) -> str:
        """'Hong Kong Time (UTC+08:00)' / '北京时间（UTC+08:00）', never the IANA id."""
        from slagen.render.places import zone_name

        return zone_name(zone, self.lang)

    def holidays(self, country: str, subdivision: str | None = None) -> str:
        """'Hong Kong general holidays' / '香港特别行政区公众假期'."""
        from slagen.render.places import holiday_name

        return holiday_name(country, self.lang, subdivision)

    def dates(self, values) -> str:
        """Dates in order, joined as a list reads: '1 May 2026, 2 May 2026 and 9 May 2026' / '2026年5月1日、2026年5月2日'."""
        items = [self.date(v) for v in sorted(values)]
        if self.chinese:
            return "、".join(items)
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    def digits(self, value: Decimal | int) -> str:
        return plain(value)

    def date(self, value: date) -> str:
        """'1 January 2026' / '2026年1月1日'."""
        if self.chinese:
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.day} {value:%B} {value.year}"

    def band(self, tier: Tier) -> str:
        """A credit tier's availability band, word for word the engine's boundary rule."""
        if not self.chinese:
            return tier.describe()
        below, not_below, above, at_most, but = (
            ("低于", "不低于", "高于", "不高于", "但") if self.lang == "zh-Hans" else ("低於", "不低於", "高於", "不高於", "但")
        )
        upper = f"{at_most if tier.upper_inclusive else below}{tier.upper}%"
        if tier.lower == 0 and tier.lower_inclusive:
            return upper
        lower = f"{not_below if tier.lower_inclusive else above}{tier.lower}%"
        return f"{upper}{but}{lower}"

    def _both(self, words: str, digits: str) -> str:
        return f"{words}（{digits}）" if self.chinese else f"{words} ({digits})"
