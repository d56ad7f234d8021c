"""Charts for a committee paper: matplotlib figures of kikcalc's tables, as PNG, SVG or PDF bytes.

Five kinds (:data:`KINDS`): ``caseload`` (persons per strategy over time, each level target drawn at
its threshold), ``saving`` (the cumulative net saving, the payback month marked), ``tornado`` (one
number at a time), ``fan`` (the yearly net saving's 5-95 % band over the draws) and ``followup``
(observed counts against the projection). Every number drawn comes from :mod:`kikcalc.chart_data`,
which selects it from the result, sensitivity and follow-up tables; this module only places and
labels it. Numbers on the axes are written by :mod:`kikcalc.locale` (``--locale da``: 1.234,5 and
Danish words). Figures are drawn without pyplot, on the Agg canvas: no display is needed or touched.
"""

from __future__ import annotations

import io
import re
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kikcalc import chart_data
from kikcalc import locale as loc
from kikcalc.chart_kinds import KINDS  # noqa: F401  (where it has always been named)
from kikcalc.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kikcalc.followup import FollowUp
    from kikcalc.observed import Observations
    from kikcalc.result import Result
    from kikcalc.sensitivity import Bar, Run
    from kikcalc.spec import Scenario

IMAGE_FORMATS = ("png", "svg", "pdf")
SIZE_INCHES = (8.0, 4.5)
PNG_DPI = 150

_TEXT = {
    "en": {
        "caseload": "Caseload: {states}", "caseload_y": "full-time persons per month",
        "saving": "Cumulative net saving against {baseline}", "payback": "pays back {month}", "never_behind": "never behind",
        "no_payback": "{strategy}: no payback within the horizon",
        "tornado": "One number at a time: {metric} of {strategy}", "at_low": "number at its low (5 %)",
        "at_high": "number at its high (95 %)", "base": "base case",
        "fan": "Net saving per year: {strategy}, {draws} draws", "band": "5-95 % of the draws", "median": "median",
        "followup": "Observed against the plan: {strategy}", "observed": "observed", "projected": "projected",
        "target": "target {name} ({symbol} {threshold})", "npv": "net present value", "net_saving": "net saving",
        "persons_end": "persons at the month's end", "full_time": "full-time persons",
        "all_benefit": "every benefit state",
        "more_lines": "and {count} more strategies", "more_no_payback": "and {count} more without payback",
        "more_payback": "and {count} more pay back (dotted lines)",
        "more_fans": "and {count} more strategies: kikcalc plot --kind fan --strategy S draws one",
    },
    "da": {
        "caseload": "Sagstal: {states}", "caseload_y": "fuldtidspersoner pr. måned",
        "saving": "Akkumuleret nettobesparelse i forhold til {baseline}", "payback": "tjent hjem {month}", "never_behind": "aldrig bagud",
        "no_payback": "{strategy}: ikke tjent hjem inden for perioden",
        "tornado": "Ét tal ad gangen: {metric} for {strategy}", "at_low": "tallet lavt (5 %)",
        "at_high": "tallet højt (95 %)", "base": "basisberegning",
        "fan": "Nettobesparelse pr. år: {strategy}, {draws} trækninger", "band": "5-95 % af trækningerne",
        "median": "median",
        "followup": "Faktisk mod plan: {strategy}", "observed": "faktisk", "projected": "forventet",
        "target": "mål {name} ({symbol} {threshold})", "npv": "nutidsværdi", "net_saving": "nettobesparelse",
        "persons_end": "personer ved månedens udgang", "full_time": "fuldtidspersoner",
        "all_benefit": "alle forsørgelsesgrupper",
        "more_lines": "og {count} strategier mere", "more_no_payback": "og {count} mere, ikke tjent hjem",
        "more_payback": "og {count} mere tjent hjem (prikkede linjer)",
        "more_fans": "og {count} strategier mere: kikcalc plot --kind fan --strategy S tegner én",
    },
}
_SYMBOL = {"below": "<", "max": "≤", "above": ">", "min": "≥"}


def _text(key: str, locale: str, **fields: Any) -> str:
    return _TEXT[loc.checked(locale)][key].format(**fields)


def require() -> Any:
    """matplotlib's Figure class, or a usage error naming the extra that installs it."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError('charts need matplotlib, which kikcalc\'s "plot" extra installs: pip install "kikcalc[plot]" '
                         '(or pip install ".[plot]" in kikcalc\'s folder)') from None
    return Figure


def _rc() -> Any:
    import matplotlib

    # svg: text stays text (searchable, small inline), and ids do not change from run to run
    return matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kikcalc", "axes.spines.top": False,
                                  "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3})


def _month_start(label: str) -> pd.Timestamp:
    return pd.Period(label, "M").start_time


def _month_end(label: str) -> pd.Timestamp:
    return (pd.Period(label, "M") + 1).start_time


def _month_middle(label: str) -> pd.Timestamp:
    return _month_start(label) + (_month_end(label) - _month_start(label)) / 2


TARGET_COLOURS = ("C4", "C5", "C9", "C8", "0.35")
"""Targets' marks: purple, brown, cyan, olive, grey; never green or red, which a committee reads as met or missed
whatever the verdict."""


def _figure(scenario: Scenario, rows: int = 1) -> tuple[Figure, list[Any]]:
    Figure = require()
    figure = Figure(figsize=(SIZE_INCHES[0], SIZE_INCHES[1] * (1 if rows == 1 else 0.75 * rows)), layout="constrained")
    axes = figure.subplots(rows, 1, squeeze=False)[:, 0]
    from kikcalc import __version__

    where = f" ({Path(scenario.path).name})" if scenario.path else ""
    figure.get_layout_engine().set(h_pad=0.1)
    figure.supxlabel(f"{scenario.name}{where}, kikcalc {__version__}", fontsize=7, color="0.4", ha="right", x=0.99)
    return figure, list(axes)


def _number_axis(axis: Any, decimals: int, locale: str, scale: float = 1.0) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: loc.number(value / scale, decimals, locale)))


YEAR_TICKS_MOST = 12
"""Years a time axis labels at the most: a longer horizon is labelled every second year (or third, ...), so the
labels do not run into each other."""


def _year_step(years: int) -> int:
    """Every how many years an axis of ``years`` year ticks is labelled: 1 up to :data:`YEAR_TICKS_MOST`."""
    return -(-years // YEAR_TICKS_MOST)


def _date_axis(axis: Any, scenario: Scenario) -> None:
    from matplotlib.dates import DateFormatter, YearLocator

    years = len(scenario.calendar.year_list) + 1  # the tick at the horizon's end too
    axis.set_major_locator(YearLocator(base=_year_step(years)))
    axis.set_major_formatter(DateFormatter("%Y"))  # years are written alike in every locale


def _year_ticks(ax: Any, years: list[int]) -> None:
    """An axis of whole years (a fan's), labelled as a time axis is: every year, or every n-th of a long horizon."""
    step = _year_step(len(years))
    shown = [y for y in years if y % step == 0]
    ax.set_xticks(shown, [str(y) for y in shown])


def _labels(scenario: Scenario) -> dict[str, str]:
    return {s.name: s.label for s in scenario.strategies}


def _state_words(scenario: Scenario, states: tuple[str, ...], locale: str = "en") -> str:
    """The states' labels joined by +; all of several benefit states in a word."""
    benefit = tuple(s.name for s in scenario.states if s.is_benefit)
    if len(states) > 2 and tuple(states) == benefit:
        return _text("all_benefit", locale)
    by_name = {s.name: s.label for s in scenario.states}
    return " + ".join(by_name[s] for s in states)


LEGEND_MOST = 10
"""Strategies a chart's legend names; the rest are counted in one entry (sixty names would leave no room for the
plot, and a line's colour repeats after ten anyway)."""


def _legend(ax: Any, locale: str, strategies: int, **options: Any) -> None:
    """The axes' legend: its first ``strategies`` entries are strategies' lines, of which it names the first
    :data:`LEGEND_MOST` - 1 and counts the rest when there are more than :data:`LEGEND_MOST`; then the other entries
    (targets' marks) as they are."""
    handles, labels = ax.get_legend_handles_labels()
    if strategies > LEGEND_MOST:
        from matplotlib.lines import Line2D

        shown = LEGEND_MOST - 1
        more = Line2D([], [], linestyle="none")  # a line of text, no mark
        handles = [*handles[:shown], more, *handles[strategies:]]
        labels = [*labels[:shown], _text("more_lines", locale, count=loc.number(strategies - shown, 0, locale)),
                  *labels[strategies:]]
    ax.legend(handles, labels, fontsize=8, **options)


TITLE_WIDTH = 80
"""Characters in a line of a title: a long list of states wraps rather than run off the figure."""


def _title(ax: Any, text: str) -> None:
    import textwrap

    ax.set_title(textwrap.fill(text, TITLE_WIDTH), loc="left", fontsize=11)


# --- the kinds --------------------------------------------------------------------------------------


def caseload(result: Result, locale: str = "en") -> Figure:
    """Full-time persons per month in the states each group of level targets counts, a line per strategy; each
    level target at its threshold: a point at its month, a line over its year or up to its date."""
    scenario = result.scenario
    groups = chart_data.level_groups(scenario)
    with _rc():
        figure, axes = _figure(scenario, len(groups))
        labels = _labels(scenario)
        for ax, states in zip(axes, groups, strict=True):
            table = chart_data.caseload(result, states)
            for strategy, rows in table.groupby("strategy", sort=False):
                ax.plot([_month_middle(m) for m in rows.month], rows.full_time_persons, label=labels[strategy], linewidth=1.8)
            for i, mark in enumerate(chart_data.level_marks(scenario, states)):
                text = _text("target", locale, name=mark.name, symbol=_SYMBOL[mark.comparison],
                             threshold=loc.number(mark.threshold, 0 if float(mark.threshold).is_integer() else 1, locale))
                colour = TARGET_COLOURS[i % len(TARGET_COLOURS)]
                if mark.when == "at":
                    when = _month_end(mark.last_month) if mark.measure == "persons" else _month_middle(mark.last_month)
                    marker = "v" if mark.comparison in ("below", "max") else "^"
                    ax.plot([when], [mark.threshold], marker=marker, markersize=9, linestyle="none", color=colour, label=text)
                else:
                    ax.hlines(mark.threshold, _month_start(mark.first_month), _month_end(mark.last_month), colors=colour,
                              linestyles="--", linewidth=1.5, label=text)
            _title(ax, _text("caseload", locale, states=_state_words(scenario, states, locale)))
            ax.set_ylabel(_text("caseload_y", locale))
            ax.set_ylim(bottom=0)
            _number_axis(ax.yaxis, 0, locale)
            _date_axis(ax.xaxis, scenario)
            _legend(ax, locale, table.strategy.nunique(), loc="best")
    return figure


UNPAID_MOST = 5
"""Strategies without a payback that the saving chart names under its time axis; the rest are counted in one line."""

PAID_MOST = 3
"""Strategies whose payback month the saving chart writes beside the zero line, one above another (months close
together wrote their labels over each other); the rest have their dotted line and are counted in one line."""

PAID_STEP = 13
"""Points between the rows of the payback labels: a line of 8-point text in its box."""


SAVING_SPAN_LEAST = 1e6
"""The least range of the saving chart's axis, in kr.: its labels are in mio. kr. to 0.1, so a range of a few kroner
(a strategy that saves nothing) was labelled 0.0 five times."""

UNPAID_BELOW = 26
"""Points from the axes' bottom edge to the first line about strategies without payback: under the year labels."""


def _unpaid_line(ax: Any, text: str, row: int, colour: str) -> None:
    """A line in row ``row`` of the list of strategies without payback, under the chart's time axis, where neither the
    legend nor the lines cover it (inside the axes a legend of many strategies was drawn over the list)."""
    ax.annotate(text, (0, 0), xycoords="axes fraction", xytext=(0, -UNPAID_BELOW - 11 * row), textcoords="offset points",
                va="top", fontsize=8, color=colour)


def _payback_labels(ax: Any, labels: list[tuple[str, str, str]], horizon: tuple[str, str]) -> None:
    """Payback labels (text, month, colour) beside the zero line at the end of each month, one row each: above the
    line, or below it where the line is in the chart's upper half (above, they ran into the title); right of the
    dotted line, or left of it in the last quarter of the ``horizon`` (its first and last month; so a label does not
    run off the chart). Called once the lines are drawn, so the chart's range is known."""
    low, high = ax.get_ylim()
    up = 1 if (0 - low) <= 0.5 * (high - low) else -1
    first, last = _month_start(horizon[0]), _month_end(horizon[1])
    for row, (text, month, colour) in enumerate(labels):
        when = _month_end(month)
        late = when - first > 0.75 * (last - first)
        ax.annotate(text, (when, 0), xytext=(-4 if late else 4, up * (6 + PAID_STEP * row)), textcoords="offset points",
                    ha="right" if late else "left", va="bottom" if up > 0 else "top", fontsize=8, color=colour,
                    zorder=6,  # over the legend (5), should a chart of many lines leave it no room but over them
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})


def saving(result: Result, locale: str = "en") -> Figure:
    """The cumulative net saving against the baseline at each month's end, in mio. kr., a line per strategy,
    with each strategy's payback month marked."""
    scenario = result.scenario
    table, payback = chart_data.cumulative_saving(result)
    never = chart_data.never_behind(result)
    labels = _labels(scenario)
    with _rc():
        figure, (ax,) = _figure(scenario)
        ax.axhline(0, color="0.3", linewidth=0.8)
        unpaid = 0  # strategies that do not pay back, each said in a line at the bottom (the first few)
        paid: list[tuple[str, str, str]] = []  # (label, month, colour) of each payback, the first few labelled
        groups = list(table.groupby("strategy", sort=False))
        horizon = (scenario.calendar.labels[0], scenario.calendar.labels[-1])
        for i, (strategy, rows) in enumerate(groups):
            colour = f"C{i + 1}"  # C0 is the baseline's in the caseload chart
            ax.plot([_month_end(m) for m in rows.month], rows.cumulative_net_saving, color=colour, linewidth=1.8,
                    label=labels[strategy])
            month = payback.get(strategy)
            if month:
                ax.axvline(_month_end(month), color=colour, linestyle=":", linewidth=1.2)
                said = _text("never_behind", locale) if strategy in never else \
                    _text("payback", locale, month=loc.month_label(month, locale))
                paid.append((said, month, colour))
            else:
                if unpaid < UNPAID_MOST:
                    _unpaid_line(ax, _text("no_payback", locale, strategy=labels[strategy]), unpaid, colour)
                unpaid += 1
        low, high = ax.get_ylim()
        if high - low < SAVING_SPAN_LEAST:  # savings all (near) 0: ticks 0.0, 0.0, 0.0 at a tick label's 0.1 mio.
            middle = (low + high) / 2
            ax.set_ylim(middle - SAVING_SPAN_LEAST / 2, middle + SAVING_SPAN_LEAST / 2)
        more = [(_text("more_payback", locale, count=loc.number(len(paid) - PAID_MOST, 0, locale)),
                 min(month for _, month, _ in paid[PAID_MOST:]), "0.3")] if len(paid) > PAID_MOST else []
        _payback_labels(ax, paid[:PAID_MOST] + more, horizon)
        if unpaid > UNPAID_MOST:
            _unpaid_line(ax, _text("more_no_payback", locale, count=loc.number(unpaid - UNPAID_MOST, 0, locale)),
                         UNPAID_MOST, "0.3")
        _title(ax, _text("saving", locale, baseline=labels[scenario.strategy_names[0]]))
        ax.set_ylabel(loc.word("mio", locale))
        _number_axis(ax.yaxis, 1, locale, 1e6)
        _date_axis(ax.xaxis, scenario)
        _legend(ax, locale, len(groups), loc="best")
    return figure


def _end(value: float, scale: bool, locale: str) -> str:
    """An end of a tornado bar's number with three significant digits; a factor on the whole number as × 0.84."""
    import math

    digits = 0 if value == 0 else max(0, min(6, 2 - math.floor(math.log10(abs(value)))))
    return ("× " if scale else "") + loc.number(value, digits, locale)


def tornado(scenario: Scenario, strategy: str, metric: str, base: float, bars: list[Bar], locale: str = "en") -> Figure:
    """Each uncertain number at its low and high (:func:`kikcalc.sensitivity.tornado`), the widest swing on top;
    bars from the base case to the ``metric`` (npv or net_saving, kr.) at each end, in mio. kr."""
    with _rc():
        figure, (ax,) = _figure(scenario)
        positions = list(range(len(bars)))[::-1]
        for y, bar in zip(positions, bars, strict=True):
            for value, colour, key in ((bar.metric_low, "C3", "at_low"), (bar.metric_high, "C2", "at_high")):
                if value == value:  # an end the model cannot run has no bar
                    ax.barh(y, value - base, left=base, color=colour, height=0.6,
                            label=_text(key, locale) if y == positions[0] else None)
        ax.axvline(base, color="0.2", linewidth=1)
        ax.set_yticks(positions, [f"{b.path}\n{_end(b.low, b.scale, locale)} – {_end(b.high, b.scale, locale)}" for b in bars],
                      fontsize=8)
        ax.grid(axis="y", visible=False)
        _title(ax, _text("tornado", locale, metric=_text(metric, locale), strategy=_labels(scenario)[strategy]))
        ax.set_xlabel(f"{loc.word('mio', locale)}; {_text('base', locale)} {loc.mio(base, locale, 1)}")
        _number_axis(ax.xaxis, 1, locale, 1e6)
        ax.legend(fontsize=8, loc="lower right")
    return figure


FAN_MOST = 6
"""Panels a fan chart draws at the most, a strategy each: the first strategies after the baseline, the rest counted
under the last panel (``kikcalc plot --kind fan --strategy S`` draws one of them)."""


def fan(run: Run, locale: str = "en", strategy: str | None = None) -> Figure:
    """The net saving per year over the draws: the band from the 5th to the 95th percentile and the median, in
    mio. kr., a panel per strategy (the first :data:`FAN_MOST`), or of ``strategy`` alone."""
    scenario = run.scenario
    table = chart_data.fan(scenario, run.summary)
    every = list(dict.fromkeys(table.strategy))
    strategies = [strategy] if strategy is not None else every[:FAN_MOST]
    labels = _labels(scenario)
    with _rc():
        figure, axes = _figure(scenario, len(strategies))
        for i, (ax, strategy) in enumerate(zip(axes, strategies, strict=True)):
            rows = table[table.strategy == strategy]
            colour = f"C{i + 1}"
            ax.fill_between(rows.year, rows.p5.astype(float), rows.p95.astype(float), color=colour, alpha=0.25,
                            label=_text("band", locale))
            ax.plot(rows.year, rows.p50.astype(float), color=colour, marker="o", linewidth=1.8, label=_text("median", locale))
            ax.axhline(0, color="0.3", linewidth=0.8)
            _year_ticks(ax, [int(y) for y in rows.year])
            _title(ax, _text("fan", locale, strategy=labels[strategy], draws=loc.number(run.summary["draws_used"], 0, locale)))
            ax.set_ylabel(loc.word("mio", locale))
            _number_axis(ax.yaxis, 1, locale, 1e6)
            ax.legend(fontsize=8, loc="best")
        if len(strategies) < len(every) and len(strategies) > 1:
            axes[-1].annotate(_text("more_fans", locale, count=loc.number(len(every) - len(strategies), 0, locale)),
                              (0.0, -0.22), xycoords="axes fraction", fontsize=8, color="0.3", va="top")
    return figure


def followup(result: Result, follow: FollowUp, observations: Observations, locale: str = "en") -> Figure:
    """Each observed caseload against the projection of the strategy followed: the projection a line (persons at
    each month's end, or full-time persons per month, as the observation counts), the observed counts filled points,
    the projection at the same dates hollow ones."""
    scenario = result.scenario
    points = chart_data.followup_points(scenario, follow, observations)
    if points.empty:
        raise UsageError(f"{scenario.path}: no caseload to plot: the observations are all flows (entrants, exits, "
                         f"passed through); give persons or full-time persons (docs/calibration.md)")
    groups = list(dict.fromkeys(zip(points.states, points.measure, strict=True)))
    with _rc():
        figure, axes = _figure(scenario, len(groups))
        for i, (ax, (states, measure)) in enumerate(zip(axes, groups, strict=True)):
            projected = chart_data.caseload(result, tuple(states.split("+")))
            projected = projected[projected.strategy == follow.strategy]
            persons = measure == "persons"
            x = [_month_end(m) if persons else _month_middle(m) for m in projected.month]
            ax.plot(x, projected.headcount_end if persons else projected.full_time_persons, color="C0", linewidth=1.6,
                    label=_text("projected", locale))
            rows = points[(points.states == states) & (points.measure == measure)]
            start = _month_start(scenario.calendar.labels[0])  # persons counted at the horizon's start have no month
            when = [(start if pd.isna(last) else _month_end(last)) if persons
                    else _month_start(first) + (_month_end(last) - _month_start(first)) / 2
                    for first, last in zip(rows.first_month, rows.last_month, strict=True)]
            ax.plot(when, rows.projected, linestyle="none", marker="o", markerfacecolor="white", color="C0")
            ax.plot(when, rows.observed, linestyle="none", marker="o", markersize=8, color="C3", label=_text("observed", locale))
            words = _state_words(scenario, tuple(states.split("+")), locale)
            _title(ax, f"{_text('followup', locale, strategy=_labels(scenario)[follow.strategy]) + ': ' if i == 0 else ''}{words}")
            ax.set_ylabel(_text("persons_end" if persons else "full_time", locale))
            ax.set_ylim(bottom=0)
            _number_axis(ax.yaxis, 0, locale)
            _date_axis(ax.xaxis, scenario)
            ax.legend(fontsize=8, loc="best")
    return figure


# --- files ------------------------------------------------------------------------------------------


def stamp(figure: Figure, scenario: Scenario, record: Any) -> Figure:
    """The chart's footer made its provenance (:mod:`kikcalc.provenance`): the scenario, kikcalc's version, each
    file and its SHA-256, the values set, seed and draws, the command and the time, wrapped under the axes."""
    import textwrap

    lines = textwrap.wrap(f"{scenario.name}. {record.one_line()}", 150)
    figure.supxlabel("\n".join(lines), fontsize=6, color="0.4", ha="right", x=0.99)
    return figure


def render(figure: Figure, fmt: str, noted: set[str] | None = None) -> bytes:
    """The figure as PNG, SVG or PDF bytes, the same bytes for the same figure (no dates in the metadata). A note on
    stderr names the characters its font cannot draw; ``noted``: those a note named already (the charts of one
    report), which it leaves out, and to which it adds the ones it names."""
    if fmt not in IMAGE_FORMATS:
        raise UsageError(f"a chart is written as {', '.join(IMAGE_FORMATS)}, not {fmt}")
    metadata = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]
    buffer = io.BytesIO()
    with _rc(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=metadata)
    missing: dict[str, str] = {}
    for warning in caught:
        glyph = _MISSING_GLYPH.search(str(warning.message))
        if glyph:
            if noted is None or chr(int(glyph.group(1))) not in noted:
                missing.setdefault(chr(int(glyph.group(1))), glyph.group(2))
        else:  # any other warning as matplotlib gave it
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if missing:  # one line for the reader, not a Python warning per character with kikcalc's source line
        chars = ", ".join(f"{c} (U+{ord(c):04X})" for c in missing)
        sys.stderr.write(f"note: the chart's font ({', '.join(dict.fromkeys(missing.values()))}) has no glyph for "
                         f"{chars}: each is drawn as an empty box\n")
        if noted is not None:
            noted.update(missing)
    return buffer.getvalue()


_MISSING_GLYPH = re.compile(r"Glyph (\d+) .*missing from font\(s\) (.+?)\.?$")
"""matplotlib's warning for a character its font cannot draw (an emoji, a Chinese name in a label)."""
