"""Report charts drawn with matplotlib: SVG (vector, for the PDF) and PNG (for Word).

Byte-stable: a fixed SVG hash salt, no date or software metadata, text kept as text in the
SVG (the PDF renderer embeds the fonts).

Fonts are loaded from their files, never looked up by family name through matplotlib's
font cache (which may be stale and then silently draws □ for every Chinese character):
a chart with Chinese text uses the Noto Sans CJK face for its language (SC for zh-Hans, TC
for zh-Hant), found with fc-match or at the usual Noto CJK paths; other charts use the
DejaVu Sans file matplotlib ships. A chart whose text the font cannot draw is a RenderError
naming the character, before anything is written; `require_fonts(lang)` checks up front.
"""

from __future__ import annotations

import contextvars
import io
import shutil
import subprocess
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable

from slagen.errors import RenderError

FONTS = ["Noto Sans CJK SC", "DejaVu Sans"]  # names only for rcParams; text gets a font file (see _use_font_files)
CJK_FAMILY = {"zh-Hans": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC"}
CJK_FILES = (  # where distributions put Noto Sans CJK when fc-match cannot say
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu (fonts-noto-cjk)
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/opt/homebrew/share/fonts/NotoSansCJK-Regular.ttc",
)
_LANG = contextvars.ContextVar("slagen_chart_lang", default="zh-Hans")


@lru_cache(maxsize=None)
def _fc_match(family: str) -> tuple[str, int] | None:
    """(file, face index) fontconfig gives for `family`, if it is that family."""
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", f"{family}:style=Regular"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.split("\n")
    if len(lines) < 3 or family not in lines[2].split(","):
        return None  # fontconfig fell back to another family
    return lines[0], int(lines[1] or 0)


@lru_cache(maxsize=None)
def cjk_font(lang: str):
    """The font file (a matplotlib FontPath: file and face) for Chinese text in `lang`, or a
    RenderError when none is installed."""
    from matplotlib import ft2font
    from matplotlib.font_manager import FontPath

    family = CJK_FAMILY.get(lang, CJK_FAMILY["zh-Hans"])
    found = _fc_match(family)
    candidates = [found] if found else []
    candidates += [(path, None) for path in CJK_FILES if Path(path).is_file()]
    for path, index in candidates:
        try:
            if index is None:
                faces = ft2font.FT2Font(path).num_faces
                index = next((i for i in range(faces) if ft2font.FT2Font(path, face_index=i).family_name == family), None)
                if index is None:
                    continue
            ft2font.FT2Font(path, face_index=index)  # loads
            return FontPath(path, index)
        except (OSError, RuntimeError, ValueError):
            continue
    raise RenderError(f"a {lang} chart needs the font {family} and none was found (fc-match, {', '.join(CJK_FILES[:3])}...): install Debian's fonts-noto-cjk (make setup does)")


@lru_cache(maxsize=None)
def latin_font():
    """DejaVu Sans from matplotlib's own data directory."""
    import matplotlib
    from matplotlib.font_manager import FontPath

    return FontPath(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), 0)


def require_fonts(lang: str) -> None:
    """Fail before rendering when a `lang` document's charts could not show their text."""
    if lang in CJK_FAMILY:
        cjk_font(lang)


@contextmanager
def chart_language(lang: str):
    """Charts made inside use the CJK face for `lang` (checked first: a missing font is an
    error here, before anything is drawn)."""
    require_fonts(lang)
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def _is_cjk(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")


def _use_font_files(fig) -> None:
    """Every text of the figure in a font loaded from its file; a character the font has
    no glyph for is a RenderError (matplotlib would only warn and draw a box)."""
    from matplotlib import ft2font
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

    fig.canvas.draw()  # tick labels get their text when drawn; Axis copies these properties to any tick it adds
    texts = [t for t in fig.findobj(Text) if t.get_text()]
    chars = {c for t in texts for c in t.get_text() if not c.isspace()}
    lang = _LANG.get()
    path = cjk_font(lang if lang in CJK_FAMILY else "zh-Hans") if any(_is_cjk(c) for c in chars) else latin_font()
    font = ft2font.FT2Font(path.path, face_index=path.face_index)
    missing = sorted(c for c in chars if font.get_char_index(ord(c)) == 0)
    if missing:
        raise RenderError(f"the chart font {Path(path.path).name} has no glyph for {''.join(missing[:10])!r}; a chart label uses a character it cannot draw")
    family = [font.family_name, "sans-serif"]  # what an SVG reader (the PDF renderer) looks up; the PNG is drawn from the file
    for text in texts:
        text.set_fontproperties(FontProperties(family=family, fname=path, size=text.get_fontsize(), weight=text.get_fontweight(), style=text.get_fontstyle()))


class Chart:
    """A chart, drawn when a renderer first asks for it: SVG for HTML and PDF, PNG for Word.

    A document needs only one of the two, and drawing both took half a report's render
    time. The figure is drawn in the chart language current when the Chart was made."""

    def __init__(self, draw: Callable[[], Any]):
        self._draw = draw
        self._lang = _LANG.get()

    def _figure(self):
        """The figure, its text in font files (a missing glyph: RenderError, figure closed)."""
        import matplotlib.pyplot as plt

        token = _LANG.set(self._lang)
        fig = None
        try:
            fig = self._draw()
            _use_font_files(fig)
        except BaseException:
            if fig is not None:
                plt.close(fig)
            raise
        finally:
            _LANG.reset(token)
        return fig

    @cached_property
    def svg(self) -> str:
        out = io.StringIO()
        self._save(out, format="svg", metadata={"Date": None, "Creator": None})
        return out.getvalue()

    @cached_property
    def png(self) -> bytes:
        out = io.BytesIO()
        self._save(out, format="png", dpi=200, metadata={"Software": None})
        return out.getvalue()

    def _save(self, out, **options) -> None:
        import matplotlib.pyplot as plt

        fig = None
        try:
            fig = self._figure()
            fig.savefig(out, bbox_inches="tight", **options)
        finally:
            if fig is not None:
                plt.close(fig)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({
        "svg.hashsalt": "slagen",
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": FONTS,
        "font.size": 8,
        "axes.spines.top": False,
        "path.simplify": False,
    })
    return plt


def availability_chart(first_day: date, last_day: date, daily: dict[date, Decimal], minutes_per_day: dict[date, int], objective: Decimal, labels: dict[str, str]) -> Chart:
    """Daily downtime bars and availability-to-date against the objective line."""
    return Chart(lambda: _availability_figure(first_day, last_day, daily, minutes_per_day, objective, labels))


def _availability_figure(first_day: date, last_day: date, daily: dict[date, Decimal], minutes_per_day: dict[date, int], objective: Decimal, labels: dict[str, str]):
    plt = _pyplot()
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    bars = [float(daily.get(d, 0)) for d in days]
    cumulative, elapsed, down = [], 0, Decimal(0)
    for d in days:
        elapsed += minutes_per_day[d]
        down += daily.get(d, Decimal(0))
        cumulative.append(float((Decimal(elapsed) - down) / Decimal(elapsed) * 100))
    fig, ax = plt.subplots(figsize=(6.7, 2.6))
    x = list(range(1, len(days) + 1))
    ax.bar(x, bars, color="#c0504d", width=0.7, label=labels["chart_daily"])
    ax.set_ylabel(labels["chart_minutes"])
    ax.set_xlim(0.3, len(days) + 0.7)
    if len({(d.year, d.month) for d in days}) == 1:  # one month: its days
        ax.set_xlabel(labels["chart_day"])
        ticks = [i for i in x if i == 1 or i % 5 == 0]
        ax.set_xticks(ticks, [str(days[i - 1].day) for i in ticks])
    else:  # a quarter or a rolling window: dates, each month's 1st and 15th
        ax.set_xlabel(labels.get("chart_date", labels["chart_day"]))
        ticks = [i for i in x if days[i - 1].day in (1, 15) or i == 1]
        ax.set_xticks(ticks, [f"{days[i - 1]:%m-%d}" for i in ticks])
    right = ax.twinx()
    right.plot(x, cumulative, color="#1f4e79", linewidth=1.4, label=labels["chart_to_date"])
    right.axhline(float(objective), color="#2e7d32", linestyle="--", linewidth=1, label=f"{labels['chart_objective']} {objective}%")
    low = min(min(cumulative), float(objective))
    right.set_ylim(max(0.0, low - (100 - low) * 0.3 - 0.01), 100.0 + (100 - low) * 0.05 + 0.001)
    right.set_ylabel(labels["chart_availability"])
    handles = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="lower left", fontsize=7, frameon=False, ncol=3, bbox_to_anchor=(0, 1.0))
    return fig


def trend_chart(points: list[tuple[str, Decimal | None]], objective: Decimal, labels: dict[str, str]) -> Chart:
    """Availability per window (oldest first) against the objective; a window without a
    figure (None) keeps its place on the axis and shows no point."""
    return Chart(lambda: _trend_figure(points, objective, labels))


def _trend_figure(points: list[tuple[str, Decimal | None]], objective: Decimal, labels: dict[str, str]):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.7, 2.3))
    x = list(range(len(points)))
    values = [float("nan") if v is None else float(v) for _, v in points]  # None: no figure (not in force, no data), a gap
    ax.plot(x, values, marker="o", color="#1f4e79", linewidth=1.4, markersize=3, label=labels["chart_availability"])
    ax.axhline(float(objective), color="#2e7d32", linestyle="--", linewidth=1, label=f"{labels['chart_objective']} {objective}%")
    ax.set_xticks(x, [label for label, _ in points], rotation=45 if len(points) > 6 else 0, ha="right" if len(points) > 6 else "center")
    low = min([float(v) for _, v in points if v is not None] + [float(objective)])
    ax.set_ylim(max(0.0, low - (100 - low) * 0.3 - 0.01), 100.0 + (100 - low) * 0.05 + 0.001)
    ax.set_ylabel(labels["chart_availability"])
    ax.legend(loc="lower left", fontsize=7, frameon=False, ncol=2, bbox_to_anchor=(0, 1.0))
    return fig
