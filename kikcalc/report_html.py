"""The committee report: one self-contained HTML file per run of ``kikcalc report``, from a Jinja2 template.

For each scenario: the question, the assumptions and their sources (the file's ``source``, its leading
comment and every number with the comment the file gives it, :mod:`kikcalc.scenario_comments`), the
comparison table (:func:`kikcalc.report.comparison_frame`), the targets with their verdicts
(``Result.targets``), the charts (:mod:`kikcalc.charts`, inline SVG), the sensitivity summary where the
scenario has ``[uncertainty]`` (:func:`kikcalc.report_sensitivity.frame`) and the run's provenance.

Nothing here computes a model number: it selects kikcalc's tables and writes their numbers by the
locale (:mod:`kikcalc.locale`). Every table row carries the key of the JSON record it shows
(``data-line``, ``data-strategy``, ``data-target``, ...), so a test can hold the page against
``kikcalc compare --format json``. The template lives in ``kikcalc/templates/`` (package data), with
autoescaping on: a label or comment in a scenario file is text, never markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kikcalc import charts, keypaths
from kikcalc import locale as loc
from kikcalc.errors import UsageError
from kikcalc.report import comparison_frame
from kikcalc.result import Result

_WORDS = {
    "en": {
        "title": "Committee appendix", "question": "The question", "assumptions": "Assumptions and their sources",
        "source": "Source", "file_says": "What the file says", "numbers": "Every number of the scenario",
        "key_path": "key path", "value": "value", "comment": "the file's comment or source", "set": "set with --set; file",
        "comparison": "Comparison", "by_year": "By year", "against": "Against the baseline", "targets": "Targets",
        "target": "target", "strategy": "strategy", "threshold": "threshold", "verdict": "verdict", "margin": "margin",
        "first_month": "first month met", "charts": "Charts", "sensitivity": "How sure is the answer",
        "measure": "measure", "period": "period", "probability": "probability", "mean": "mean",
        "provenance": "Provenance", "version": "kikcalc version", "file": "file", "sha256": "SHA-256", "draws": "draws",
        "seed": "seed", "command": "command", "time": "time of the run (UTC)", "none": "none",
        "assumption": "assumption", "period_text": "{first} to {last} ({months} months), discount rate {rate}",
        "question_text": "Does {strategies} pay back against {baseline} within {last}, and does it meet the "
                         "committee's {targets} target(s)?",
        "question_no_target": "What does {baseline} cost from {first} to {last}, and where do the caseloads go?",
        "sensitivity_text": "{draws} draws (seed {seed}) of the {n} uncertain numbers of the file's [uncertainty] "
                            "table; percentiles over the draws, probability = share of the draws.",
        "no_sensitivity": "The file gives no [uncertainty] table: the results above are the base case alone.",
        "horizon": "horizon", "of": "of", "not_within": "not within the horizon", "never_behind": "never behind",
        "or": "or", "total": "total", "na": "n/a", "not_in_file": "none",
    },
    "da": {
        "title": "Bilag til udvalget", "question": "Spørgsmålet", "assumptions": "Forudsætninger og kilder",
        "source": "Kilde", "file_says": "Hvad filen siger", "numbers": "Alle scenariets tal",
        "key_path": "nøglesti", "value": "værdi", "comment": "filens kommentar eller kilde", "set": "sat med --set; filen",
        "comparison": "Sammenligning", "by_year": "Pr. år", "against": "I forhold til basis", "targets": "Mål",
        "target": "mål", "strategy": "strategi", "threshold": "grænse", "verdict": "vurdering", "margin": "margin",
        "first_month": "første måned opfyldt", "charts": "Figurer", "sensitivity": "Hvor sikkert er svaret",
        "measure": "størrelse", "period": "periode", "probability": "sandsynlighed", "mean": "middel",
        "provenance": "Oprindelse", "version": "kikcalc-version", "file": "fil", "sha256": "SHA-256", "draws": "trækninger",
        "seed": "frø", "command": "kommando", "time": "kørselstidspunkt (UTC)", "none": "ingen",
        "assumption": "antagelse", "period_text": "{first} til {last} ({months} måneder), diskonteringsrente {rate}",
        "question_text": "Tjener {strategies} sig hjem i forhold til {baseline} inden {last}, og opfylder den "
                         "udvalgets {targets} mål?",
        "question_no_target": "Hvad koster {baseline} fra {first} til {last}, og hvordan udvikler sagstallene sig?",
        "sensitivity_text": "{draws} trækninger (frø {seed}) af de {n} usikre tal i filens [uncertainty]-tabel; "
                            "percentiler over trækningerne, sandsynlighed = andel af trækningerne.",
        "no_sensitivity": "Filen har ingen [uncertainty]-tabel: resultaterne ovenfor er basisberegningen alene.",
        "horizon": "hele perioden", "of": "af", "not_within": "ikke inden for perioden", "never_behind": "aldrig bagud",
        "or": "eller", "total": "i alt", "na": "ikke relevant", "not_in_file": "ingen",
    },
}

_MEASURES_DA = {
    "NPV of the net saving": "Nutidsværdi af nettobesparelsen", "Net saving vs baseline": "Nettobesparelse i forhold til basis",
    "Payback month": "Tjent hjem (måned)", "P(pays back within the horizon)": "P(tjent hjem inden for perioden)",
    "P(NPV > 0)": "P(nutidsværdi > 0)", "P(saves money over the horizon)": "P(sparer penge over perioden)",
}
_SYMBOL = {"below": "<", "max": "≤", "above": ">", "min": "≥"}
_MONTH = re.compile(r"\d{4}-\d{2}")


def word(key: str, locale: str) -> str:
    return _WORDS[loc.checked(locale)][key]


# --- cells ------------------------------------------------------------------------------------------


def _decimals(value: float | int) -> int:
    """The decimals a number of the file is written with (at most 8), so the report shows it as given."""
    if isinstance(value, int) or float(value).is_integer():
        return 0
    text = repr(float(value))
    if "e" in text:
        return 8
    return min(len(text.split(".")[1]), 8)


def _month(value: str, locale: str) -> str:
    return loc.month_label(value, locale) if isinstance(value, str) and _MONTH.fullmatch(value) else value


def _comparison_cell(unit: str, line: str, value: Any, locale: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        if line == "Payback month":
            value = {"not within the horizon": word("not_within", locale),
                     "never behind": word("never_behind", locale)}.get(value, value)
            return _month(value, locale)
        return value.replace(" of ", f" {word('of', locale)} ")
    if unit in ("full-year persons", "economic full-year persons"):
        return loc.persons(value, locale)
    if unit == "kr. per kr.":
        return loc.number(value, 2, locale)
    return loc.kroner(value, locale)


def _target_cell(value: Any, unit: str, locale: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return word("none", locale) if unit == "month" else ""
    if unit == "month":
        return _month(value, locale)
    if unit == "share":
        return loc.percent(value, locale)
    if unit == "kr.":
        return loc.kroner(value, locale)
    return loc.persons(value, locale)


def _margin_cell(value: Any, unit: str, locale: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if unit == "month":
        return f"{round(value):+d} {'months' if locale == 'en' else 'måneder'}"
    if unit == "share":
        text = loc.number(abs(value) * 100, 1, locale) + " pt"
    elif unit == "kr.":
        text = loc.kroner(abs(value), locale)
    else:
        text = loc.persons(abs(value), locale)
    return ("-" if value < 0 and text.strip("0,. pt") else "+") + text


def _stat_cell(value: Any, unit: str, locale: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if unit == "month":
        return _month(value, locale)
    if unit == "probability":
        return loc.percent(value, locale)
    return _target_cell(value, unit, locale)


# --- the parts of a scenario's section ----------------------------------------------------------------


@dataclass
class Section:
    """One scenario of the report, every text ready for the template."""

    name: str
    file: str
    period: str
    source: str
    question: str
    file_says: list[str]
    numbers: list[dict[str, Any]]
    years: list[str]
    """The columns of each by-year table (:func:`year_blocks`)."""
    by_year: list[dict[str, Any]]
    against: list[dict[str, Any]]
    against_headers: list[dict[str, str]]
    targets: list[dict[str, Any]]
    charts: list[dict[str, str]] = field(default_factory=list)
    sensitivity: list[dict[str, Any]] | None = None
    sensitivity_text: str = ""
    heading: str = ""
    """The section's heading: the scenario's name, and its file where another section has the same name."""


def _numbers(result: Result, locale: str) -> list[dict[str, Any]]:
    from kikcalc.scenario_comments import commented_numbers
    from kikcalc.textfile import read_text

    s = result.scenario
    rows = []
    for c in commented_numbers(read_text(s.path), s.raw, s.overrides):
        is_year = keypaths.parse(c.path)[-1] == "year"  # a year is a name, not an amount: 2021, never 2.021
        rows.append({"path": c.path, "value": str(c.value) if is_year else loc.number(c.value, _decimals(c.value), locale),
                     "comment": c.comment,
                     "assumption": c.assumption,
                     "set_from": (None if not c.is_set else word("not_in_file", locale) if c.set_from is None
                                  else keypaths.format_value(c.set_from)), "rowspan": 1})
    first = 0
    for i in range(1, len(rows) + 1):  # a comment shared by consecutive numbers (a table by year) is shown once
        same = i < len(rows) and rows[i]["comment"] == rows[first]["comment"] and rows[i]["comment"] \
            and rows[i]["set_from"] is None and rows[first]["set_from"] is None
        if not same:
            rows[first]["rowspan"] = i - first
            for j in range(first + 1, i):
                rows[j]["rowspan"] = 0
            first = i
    return rows


COLUMNS_PER_TABLE = 8
"""The most number columns (years, then the total) of one by-year table: 8 columns of a billion kroner fill an A4
page's width; a longer horizon is split into tables of as even a size as can be, the total in the last."""


def year_blocks(years: list[str]) -> list[list[str]]:
    """The columns of each by-year table: the years in blocks of at most :data:`COLUMNS_PER_TABLE` columns, "total" last."""
    count = -(-(len(years) + 1) // COLUMNS_PER_TABLE)
    size = -(-(len(years) + 1) // count)
    keys = [*years, "total"]
    return [keys[i:i + size] for i in range(0, len(keys), size)]


def _comparison(result: Result, locale: str) -> tuple[list[str], list[dict], list[dict], list[dict]]:
    s = result.scenario
    frame = comparison_frame([result])
    years = [str(y) for y in s.calendar.year_list]
    labels = {st.name: st.label for st in s.strategies}

    def line_words(line: str) -> str:
        return loc.line_name(line, locale)

    by_year, against = [], {}
    for record in frame.to_dict(orient="records"):
        if any(record[y] is not None and record[y] == record[y] for y in years):
            by_year.append({"line": record["line"], "line_words": line_words(record["line"]), "strategy": record["strategy"],
                            "label": labels[record["strategy"]],
                            "cells": [{"key": key, "text": _comparison_cell(record["unit"], record["line"], record[key], locale)}
                                      for key in [*years, "total"]]})
        else:
            row = against.setdefault(record["line"], {"line": record["line"], "line_words": line_words(record["line"]),
                                                      "cells": []})
            row["cells"].append({"key": record["strategy"],
                                 "text": _comparison_cell(record["unit"], record["line"], record["total"], locale)})
    headers = [{"key": name, "label": labels[name]} for name in s.strategy_names[1:]]
    return years, by_year, list(against.values()), headers


def _targets(result: Result, locale: str) -> list[dict[str, Any]]:
    labels = {st.name: st.label for st in result.scenario.strategies}
    rows = []
    for row in result.targets.itertuples():
        rows.append({"name": row.name, "label": row.label, "strategy": row.strategy, "strategy_label": labels[row.strategy],
                     "value": _target_cell(row.value, row.unit, locale),
                     "threshold": f"{_SYMBOL[row.comparison]} {_target_cell(row.threshold, row.unit, locale)}",
                     "met": row.met,
                     "verdict": word("na", locale) if row.met is None else loc.word("met" if row.met else "missed", locale),
                     "margin": _margin_cell(row.margin, row.unit, locale),
                     "first_month": _month(row.first_month_met, locale) if isinstance(row.first_month_met, str) else ""})
    return rows


def _svg(figure: Any, noted: set[str]) -> str:
    """A chart as inline SVG: the file's XML declaration and doctype dropped, so it can stand inside HTML; a character
    its font cannot draw is noted once for the charts that share ``noted``."""
    text = charts.render(figure, "svg", noted).decode("utf-8")
    return text[text.index("<svg"):]


def _question(result: Result, locale: str) -> str:
    s = result.scenario
    labels = [st.label for st in s.strategies]
    fields = {"baseline": labels[0], "first": loc.month_label(s.calendar.labels[0], locale),
              "last": loc.month_label(s.calendar.labels[-1], locale), "targets": len(s.targets)}
    if len(labels) < 2:
        return word("question_no_target", locale).format(**fields)
    strategies = f" {word('or', locale)} ".join(labels[1:])
    return word("question_text", locale).format(strategies=strategies, **fields)


def section(result: Result, locale: str, run: Any = None, tornado: tuple | None = None, follow: tuple | None = None) -> Section:
    """A scenario's section: ``run`` a sensitivity run (:func:`kikcalc.sensitivity.run`) where the file has
    ``[uncertainty]``, ``tornado`` (strategy, base, bars) for its chart, ``follow`` (follow-up, observations)
    where the file has observations to draw."""
    from kikcalc import chart_data
    from kikcalc.scenario_comments import leading_comment
    from kikcalc.textfile import read_text

    s = result.scenario
    years, by_year, against, headers = _comparison(result, locale)
    figures = [charts.caseload(result, locale)]
    noted: set[str] = set()  # characters the charts' font cannot draw, noted once for the section
    if len(s.strategies) > 1:
        figures.append(charts.saving(result, locale))
    if follow is not None and not chart_data.followup_points(s, *follow).empty:
        figures.append(charts.followup(result, *follow, locale))
    if run is not None and len(s.strategies) > 1:  # a fan is of a strategy's saving against the baseline
        figures.append(charts.fan(run, locale))
    if tornado is not None:
        figures.append(charts.tornado(s, tornado[0], "npv", tornado[1], tornado[2], locale))
    out = Section(
        name=s.name, file=s.path,
        period=word("period_text", locale).format(first=loc.month_label(s.calendar.labels[0], locale),
                                                  last=loc.month_label(s.calendar.labels[-1], locale),
                                                  months=s.calendar.months, rate=loc.percent(s.discount_rate, locale)),
        source=s.source, question=_question(result, locale), file_says=leading_comment(read_text(s.path)).splitlines(),
        numbers=_numbers(result, locale), years=year_blocks(years), by_year=by_year, against=against, against_headers=headers,
        targets=_targets(result, locale), charts=[{"svg": _svg(f, noted)} for f in figures])
    if run is not None:
        out.sensitivity = _sensitivity(run, locale)
        out.sensitivity_text = word("sensitivity_text", locale).format(
            draws=loc.number(run.summary["draws_used"], 0, locale), seed=run.seed, n=len(run.uncertainty))
    else:
        out.sensitivity_text = word("no_sensitivity", locale)
    return out


def _sensitivity(run: Any, locale: str) -> list[dict[str, Any]]:
    from kikcalc.report_sensitivity import frame

    labels = {st.name: st.label for st in run.scenario.strategies}  # the words the other tables use, not the key
    rows = []
    for record in frame(run.scenario, run.summary).to_dict(orient="records"):
        unit = record["unit"]
        measure = record["measure"]
        if locale == "da":
            measure = _MEASURES_DA.get(measure, re.sub(r"^Target ", "Mål ", measure))
        rows.append({"strategy": record["strategy"], "strategy_label": labels[record["strategy"]],
                     "measure": record["measure"], "measure_words": measure,
                     "period": record["period"],
                     "period_words": word("horizon", locale) if record["period"] == "horizon" else record["period"],
                     "unit": unit,
                     "cells": [{"key": k, "text": "" if unit == "month" and k == "mean" else _stat_cell(record[k], unit, locale)}
                               for k in ("mean", "p5", "p50", "p95")],
                     "probability": _stat_cell(record["probability"], "probability", locale)})
    return rows


# --- the document ---------------------------------------------------------------------------------


_MISSING = 'kikcalc report needs Jinja2 and matplotlib, which kikcalc\'s "report" extra installs: pip install "kikcalc[report]"'


def _environment() -> Any:
    try:
        import jinja2
    except ImportError:
        raise UsageError(_MISSING) from None
    return jinja2.Environment(loader=jinja2.PackageLoader("kikcalc", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def require() -> None:
    """Refuse early, before any work, when an extra the report needs is missing."""
    _environment()
    try:
        charts.require()
    except UsageError:
        raise UsageError(_MISSING) from None


def document(sections: list[Section], locale: str, provenance_record: dict[str, Any]) -> str:
    """The report as one self-contained HTML page."""
    template = _environment().get_template("report.html.j2")
    words = _WORDS[loc.checked(locale)]
    names = [s.name for s in sections]
    for s in sections:  # two versions of one scenario (a plan and its revision) are told apart by their files
        s.heading = f"{s.name} ({s.file})" if names.count(s.name) > 1 else s.name
    return template.render(sections=sections, w=words, lang=locale, provenance=provenance_record,
                           title=f"{words['title']}: " + "; ".join(s.heading for s in sections))
