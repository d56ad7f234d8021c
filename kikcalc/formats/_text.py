"""The layout shared by the text formats (``table`` and ``markdown``): headings, grids and cells.

Every number comes from :mod:`kikcalc.tables`; every number is written by :mod:`kikcalc.locale`
(1,234,567.8 by default, 1.234.567,8 and Danish month names with ``--locale da``). ``style`` is
``"table"`` (a plain text table) or ``"markdown"`` (GitHub Markdown).
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace
from typing import Any

from pandas.api.types import is_object_dtype

from kikcalc import locale as loc
from kikcalc import provenance, tables
from kikcalc.formats import View
from kikcalc.result import Result

_TABLEFMT = {"table": "simple", "markdown": "github"}
_SYMBOL = {"below": "<", "max": "<=", "above": ">", "min": ">="}
TARGET_HEADERS = ["target", "strategy", "value", "threshold", "verdict", "margin", "first month met"]
def headers(names: list[str], locale: str) -> list[str]:
    """Column headings in the locale: English as written, Danish from :data:`kikcalc.locale.PHRASES_DA`."""
    return [loc.phrase(name, locale) for name in names]


# --- Markdown: the file's text as written ------------------------------------------------------------

_MARKUP = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)")
"""What Markdown would take as markup (CommonMark): a ``<`` that opens a tag, a comment or an autolink, and an ``&``
that starts an entity. A ``<`` before a space or ``=`` (a target's ``< 800``), a ``>`` and a lone ``&`` are text."""


def _as_text(words: str) -> str:
    """``words`` with what would be markup escaped: a backslash doubled (it escapes what follows), a ``](`` that
    would make a link or an image, HTML (:data:`_MARKUP`, as entities), and a leading ``>`` (a quote). Emphasis
    (``*``, ``_``) passes: it changes how text looks, never what it does."""
    words = words.replace("\\", "\\\\").replace("](", "\\](")
    words = _MARKUP.sub(lambda match: "&lt;" if match.group() == "<" else "&amp;", words)
    return "&gt;" + words[1:] if words.startswith(">") else words


def line(words: str, style: str) -> str:
    """A line of text (a heading, a header line, a note) in ``style``: in Markdown, a ``<`` that would open a tag
    and an ``&`` that would start an entity as HTML's entities (``&lt;``, ``&amp;``), and a line break as a space,
    so that a name or label from a file (``<script>``, ``<img src=x onerror=...>``) shows as written and is never
    markup, while ``< 800`` and ``P(NPV > 0)`` read as they are; as it is in a text table.

    This and :func:`cell` are the one home of Markdown's escaping: :func:`grid`, :func:`heading` and
    :func:`title` use them, and every line a Markdown document writes goes through one of them.
    """
    if style != "markdown":
        return words
    return " ".join(_as_text(part) for part in words.splitlines())


def paragraphs(document: str) -> str:
    """A Markdown document with a blank line between two lines of text that follow each other (header lines, notes,
    a title and its provenance line), which Markdown would run together into one paragraph; a table's rows stay
    together, and so does whatever is in a code fence. The one home of this rule: every Markdown document of a
    command goes through it (:mod:`kikcalc.formats.markdown`; check and diff in :func:`kikcalc.cli._stamped_on_top`)."""
    out: list[str] = []
    fenced = False
    for text in document.split("\n"):
        opening = text.startswith("```") and not fenced
        if (not fenced or opening) and text and out and out[-1] and not (text.startswith("|") and out[-1].startswith("|")):
            out.append("")
        if text.startswith("```"):
            fenced = not fenced
        out.append(text)
    return "\n".join(out)


def cell(value: Any, style: str) -> Any:
    """A table cell in ``style``: in Markdown, a text's ``|`` escaped (``\\|``; else it would end the cell
    and add a column), markup as in :func:`line`, and a line break as ``<br>`` (else it would end the row); a
    number or None as it is."""
    if style != "markdown" or not isinstance(value, str):
        return value
    return "<br>".join(_as_text(part).replace("|", "\\|") for part in value.splitlines())


def title(words: str, style: str) -> str:
    """A document's first line: ``# words`` in Markdown, WORDS in a text table."""
    return f"# {line(words, style)}" if style == "markdown" else words.upper()


# --- cells ---------------------------------------------------------------------------------------

def blank(value: Any) -> bool:
    """True for a missing value: None, or the NaN pandas puts in its place."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def text(value: Any, missing: str = "") -> str:
    return missing if blank(value) else str(value)


def kroner(value: float, locale: str = "en") -> str:
    return loc.kroner(value, locale)


def mio(value: float, locale: str = "en") -> str:
    return loc.mio(value, locale)


def persons(value: float, locale: str = "en") -> str:
    return loc.persons(value, locale)


def verdict_word(met: bool | None, locale: str = "en") -> str:
    """met, MISSED (in capitals, to stand out in a column) or n/a; in Danish opfyldt, IKKE OPFYLDT, ikke relevant."""
    if met is None:
        return loc.word("na", locale)
    return loc.word("met", locale) if met else loc.word("missed", locale).upper()


def target_value(value: Any, unit: str, met: bool | None = None, locale: str = "en") -> str:
    if blank(value):
        if unit == "month":
            return "none"
        # A share judged on no one (a programme nobody has left yet, an empty denominator) is missed.
        return "none to count" if unit == "share" and met is False else ""
    if unit == "month":
        return loc.month_text(value, locale)
    if unit == "share":
        return loc.share(value, locale)
    if unit == "kr.":
        return kroner(value, locale)
    return persons(value, locale)


def margin(value: Any, unit: str, locale: str = "en") -> str:
    if blank(value):
        return ""
    if unit == "month":
        return f"{loc.signed(value, 0, locale)} {loc.word('months', locale)}"
    if unit == "share":
        return f"{loc.signed(value * 100, 1, locale)} pt"
    if unit == "kr.":
        return loc.signed(value, 0, locale)
    return loc.signed(value, 1, locale)


def target_margin(value: Any, unit: str, met: Any, locale: str = "en") -> str:
    """A judged target's margin, its sign the verdict's: a missed target's margin that rounds to 0 is -0.0, not
    +0.0 (a value of 62.906 against at most 62.9 is shown as 62.9, MISSED, -0.0; 800 against below 800 too)."""
    text = margin(value, unit, locale)
    return "-" + text[1:] if met is not None and not met and text.startswith("+") else text


def _one_column_wide(cell: str) -> bool:
    """True if every character of ``cell`` takes one column on a terminal, as tabulate measures it: printable
    Latin (æ, ø, å, é, ...), not a control character, soft hyphen or combining mark."""
    return all(" " <= c < "\x7f" or ("\xa0" <= c < "\u0300" and c != "\xad") for c in cell)


def grid(rows: list[list[Any]], headers: list[str], style: str) -> str:
    """A grid with the first column left-aligned and the others right-aligned: ``simple`` (table) or ``github``
    (markdown), as tabulate lays them out with ``disable_numparse``. Importing tabulate costs a command as long as
    the rest of its startup (importlib.metadata, wcwidth), so the usual grid is laid out here and tabulate is asked
    only for what this layout does not cover: no rows, ragged rows, a line break or a character wider or narrower
    than one column, before any cell is stripped (tests/test_startup.py checks that both give the same text)."""
    rows = [[cell(value, style) for value in row] for row in rows]
    headers = [cell(name, style) for name in headers]
    given = [["" if value is None else str(value) for value in row] for row in rows]
    names = [str(name) for name in headers]
    if not given or any(len(row) != len(names) for row in given) or not all(
            _one_column_wide(cell) for cell in [*names, *(cell for row in given for cell in row)]):
        from tabulate import tabulate

        return tabulate(rows, headers=headers, tablefmt=_TABLEFMT[style], disable_numparse=True,
                        colalign=("left",) + ("right",) * (len(headers) - 1))
    cells = [[cell.strip() for cell in row] for row in given]
    widths = [max(len(name) + 2, *(len(row[j]) for row in cells)) for j, name in enumerate(names)]

    def line(row: list[str]) -> list[str]:
        return [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))]

    if style == "markdown":
        lines = [f"| {' | '.join(line(names))} |", f"|{'|'.join('-' * (width + 2) for width in widths)}|",
                 *(f"| {' | '.join(line(row))} |" for row in cells)]
    else:
        lines = [("  ".join(line(names))).rstrip(), "  ".join("-" * width for width in widths),
                 *(("  ".join(line(row))).rstrip() for row in cells)]
    return "\n".join(lines)


def heading(words: str, style: str) -> str:
    return f"### {line(words, style)}" if style == "markdown" else f"{words}\n{'-' * len(words)}"


def provenance_line(record: provenance.Provenance, style: str = "table") -> str:
    """The header line that says where the output came from."""
    return line(f"Provenance: {record.one_line()}", style)


def stamp(content: str, record: provenance.Provenance, style: str = "table") -> str:
    """The provenance line put under a document's first line (its title)."""
    first, newline, rest = content.partition("\n")
    return f"{first}\n{provenance_line(record, style)}" + (newline + rest if newline else "\n")


def _record(results: list[Result], view: View) -> provenance.Provenance:
    return view.provenance or provenance.of([r.scenario for r in results])


# --- the sections of a run ---------------------------------------------------------------------

def header_text(result: Result, style: str, locale: str = "en", file: str | None = None) -> str:
    """The scenario's title and horizon; ``file``: its path, after the title, where the name alone is not enough
    (:func:`same_names`)."""
    s = result.scenario
    calendar = s.calendar
    start, end = loc.month_text(calendar.labels[0], locale), loc.month_text(calendar.labels[-1], locale)
    lines = [s.name,
             f"{s.municipality + ', ' if s.municipality else ''}{start} {loc.word('to', locale)} {end} "
             f"({calendar.months} {loc.word('months', locale)}), {loc.word('discount_rate', locale)} "
             f"{loc.share(s.discount_rate, locale)}"]
    if s.source:
        lines.append(f"{loc.word('source', locale)}: {s.source}")
    if s.prices is not None:
        lines.append(price_line(s))
    uncertain = s.raw.get("uncertainty")
    if isinstance(uncertain, dict) and uncertain:
        but = loc.word("but_set", locale) if any(path.split(".", 1)[0].split("[", 1)[0] not in ("uncertainty", "correlations")
                                                  for path, _, _ in s.overrides) else ""
        lines.append(loc.word("base_case", locale).format(but=but, n=len(uncertain)))
    first = title(lines[0], style) + ("" if file is None else f" ({line(file, style)})")
    return "\n".join([first, *(line(words, style) for words in lines[1:])])


def price_line(scenario: Any) -> str:
    """What prices money is in: the header line of a scenario with a [prices] table."""
    base = scenario.prices.base_year
    if scenario.prices.view == "fixed":
        return f"Money in fixed {base} prices; present values in {base} kroner"
    return f"Money in current prices (each year's kroner, price index {base} = 1); present values in {base} kroner"


def notes_text(result: Result, style: str = "table") -> str:
    return "\n".join(line(f"Note: {note}", style) for note in result.notes)


def set_text(result: Result, style: str = "table") -> str:
    """The header lines of a text or Markdown report that say which values were set."""
    return "\n".join(line(f"Set: {words}", style) for words in tables.set_lines(result))


def _cells(frame: Any) -> list[list[Any]] | None:
    """Each row of ``frame`` as a list of Python values (as iterating a column gives them), or None if two columns
    share a name. The frame is read in one piece: to_dict and itertuples take each column with .iloc (a Series, its
    attrs copied), a few ms of every ``kikcalc run`` for the few small tables of a report."""
    if not frame.columns.is_unique:
        return None
    return frame.to_numpy(dtype=object).tolist()


def _records(frame: Any) -> list[dict[Any, Any]]:
    """``frame.to_dict(orient="records")``: the same dicts; to_dict itself where a column holds objects other than
    text and None (which it would turn into Python numbers) or two columns share a name."""
    rows = _cells(frame)
    objects = [j for j, dtype in enumerate(frame.dtypes.tolist()) if is_object_dtype(dtype)]  # as to_dict boxes them
    if rows is None or not all(row[j] is None or isinstance(row[j], str) for row in rows for j in objects):
        return frame.to_dict(orient="records")
    names = frame.columns.tolist()
    return [dict(zip(names, row, strict=True)) for row in rows]


def _rows(frame: Any) -> list[Any]:
    """``frame.itertuples()`` as the sections read it: each row's columns by name (``row.strategy``), the same values."""
    rows = _cells(frame)
    if rows is None or not all(isinstance(name, str) and name.isidentifier() for name in frame.columns):
        return list(frame.itertuples())
    names = frame.columns.tolist()
    return [SimpleNamespace(**dict(zip(names, row, strict=True))) for row in rows]


def _strategy_label(result: Result, strategy: str) -> str:
    return result.scenario.strategies[result.strategy(strategy)].label


def persons_text(result: Result, strategy: str, style: str, locale: str = "en") -> str:
    """Full-year persons by state and year for one strategy, with the benefit states' total."""
    table = tables.persons_by_year(result, strategy)
    years = [c for c in table.columns if c not in ("state", "row")]

    def row_label(name: str, row: str) -> str:
        return {"programme": f"of which: {name}", "outside": f"{name} (outside)",
                "economic": f"{name}: economic (paid share)"}.get(row, name)

    rows = [[row_label(r["state"], r["row"]), *(persons(r[y], locale) for y in years)]
            for r in _records(table)]
    return heading(f"{loc.word('h_full_year', locale)}: {_strategy_label(result, strategy)} [{strategy}]", style) + \
        "\n" + grid(rows, ["state", *map(str, years)], style)


def money_text(result: Result, strategy: str, style: str, locale: str = "en") -> str:
    """Every money line by year for one strategy, kr., with a total column."""
    table = tables.money_by_year(result, strategy)
    years = [c for c in table.columns if c not in ("line", "label", "total")]
    rows = [[r["label"], *(kroner(r[y], locale) for y in [*years, "total"])] for r in _records(table)]
    return heading(f"{loc.word('h_money', locale)}: {_strategy_label(result, strategy)} [{strategy}]", style) + "\n" + \
        grid(rows, ["line", *map(str, years), "total"], style)


def payback_text(row: Any, locale: str = "en") -> str:
    """A strategy's payback month for reading: the month, 'not within the horizon', or 'never behind'."""
    if row.never_behind:
        return "never behind"
    return "not within the horizon" if blank(row.payback_month) else loc.month_text(row.payback_month, locale)


def summary_text(result: Result, style: str, strategies: list[str] | None = None, locale: str = "en") -> str:
    summary = tables.summary(result, strategies)
    spending, grants = "spending" in summary.columns, "grants" in summary.columns
    with_state = summary.attrs.get("with_state", False)
    rows = [
        [row.strategy, row.label, mio(row.investment, locale),
         *([mio(row.spending, locale)] if spending else []), *([mio(row.grants, locale)] if grants else []),
         mio(row.net_saving, locale), "-" if row.baseline else payback_text(row, locale),
         mio(row.npv, locale), *([mio(row.npv_state, locale)] if with_state else []),
         loc.number(row.return_per_krone, 2, locale)]
        for row in _rows(summary)
    ]
    headers = ["strategy", "label", "investment, mio. kr.",
               *(["spending incl. programmes, mio. kr."] if spending else []),
               *(["grants, mio. kr."] if grants else []),
               "net saving, mio. kr.", "payback month", "NPV, mio. kr.", *(["NPV for the state, mio. kr."] if with_state else []),
               "kr. saved per kr. invested"]
    return heading(loc.word("h_summary", locale), style) + "\n" + grid(rows, headers, style)


def programmes_text(result: Result, style: str, strategies: list[str], locale: str = "en") -> str:
    """Each programme of the chosen strategies: started, left, reached an outcome, cost per outcome."""
    frame = tables.programmes(result, strategies)
    rows = [[row.programme, row.strategy, persons(row.started, locale), persons(row.left, locale),
             persons(row.reached_outcome, locale), loc.share(row.success_share, locale), kroner(row.cost, locale),
             kroner(row.cost_per_outcome, locale)]
            for row in _rows(frame)]
    names = ["programme", "strategy", "started", "left", "reached an outcome", "share of leavers", "cost, kr.",
             "cost per outcome, kr."]
    return heading(loc.word("h_programmes", locale), style) + "\n" + grid(rows, headers(names, locale), style)


def targets_rows(result: Result, strategies: list[str] | None = None, locale: str = "en") -> list[list[str]]:
    return [
        [row.name, row.strategy, target_value(row.value, row.unit, row.met, locale),
         f"{_SYMBOL[row.comparison]} {target_value(row.threshold, row.unit, locale=locale)}", verdict_word(row.met, locale),
         target_margin(row.margin, row.unit, row.met, locale),
         loc.month_text(None if blank(row.first_month_met) else row.first_month_met, locale)]
        for row in _rows(tables.targets(result, strategies))
    ]


def targets_text(result: Result, style: str, strategies: list[str] | None = None, locale: str = "en") -> str:
    rows = targets_rows(result, strategies, locale)
    if not rows:
        return heading(loc.word("h_targets", locale), style) + f"\n({loc.word('no_targets', locale)})"
    return heading(loc.word("h_targets", locale), style) + "\n" + grid(rows, headers(TARGET_HEADERS, locale), style)


def monthly_text(result: Result, strategy: str, style: str, locale: str = "en") -> str:
    """Full-time persons by month (rows) and state (columns) for one strategy."""
    table = tables.monthly_persons(result, strategy)
    rows = [[loc.month_text(month, locale), *(persons(v, locale) for v in values)]
            for month, values in zip(table.index, table.to_numpy(), strict=True)]
    return heading(f"{loc.word('h_monthly', locale)}: {_strategy_label(result, strategy)} [{strategy}]", style) + "\n" + \
        grid(rows, ["month", *table.columns], style)


# --- whole documents ---------------------------------------------------------------------------

def run(result: Result, view: View, style: str) -> str:
    strategies = view.strategies or result.scenario.strategy_names
    locale = view.locale
    parts = [header_text(result, style, locale) + "\n" + provenance_line(_record([result], view), style)]
    if result.scenario.overrides:
        parts.append(set_text(result, style))
    if result.notes:
        parts.append(notes_text(result, style))
    for name in strategies:
        parts.append(monthly_text(result, name, style, locale) if view.monthly else persons_text(result, name, style, locale))
        parts.append(money_text(result, name, style, locale))
    parts.append(summary_text(result, style, strategies, locale))
    if result.programmes.strategy.isin(strategies).any():
        parts.append(programmes_text(result, style, strategies, locale))
    parts.append(targets_text(result, style, strategies, locale))
    return "\n\n".join(parts) + "\n"


def compare_cell(unit: str, line: str, value: Any, locale: str = "en") -> str:
    if blank(value):
        return ""
    if isinstance(value, str):
        if unit == "targets":  # "4 of 4"
            return value.replace(" of ", f" {loc.word('of', locale)} ")
        return loc.month_text(value, locale) if unit == "month" and value[:4].isdigit() else value
    if unit in ("full-year persons", "economic full-year persons"):
        return persons(value, locale)
    if unit == "kr. per kr.":
        return loc.number(value, 2, locale)
    return kroner(value, locale)


def _one_figure_table(frames: list, headers: list[str], style: str, locale: str) -> str:
    """One-figure lines as rows; a column per strategy of each frame, in order."""
    columns: list[dict[str, str]] = []
    for frame in frames:
        single = tables.one_figure_lines(frame)
        for strategy in dict.fromkeys(single.strategy):
            records = single[single.strategy == strategy].to_dict(orient="records")
            columns.append({r["line"]: compare_cell(r["unit"], r["line"], r["total"], locale) for r in records})
    lines = list(dict.fromkeys(line for column in columns for line in column))
    rows = [[loc.line_name(line, locale), *(column.get(line, "") for column in columns)] for line in lines]
    return grid(rows, ["", *headers], style)


def targets_pivot_rows(result: Result, locale: str = "en") -> tuple[list[list[str]], list[str]]:
    """One row per target, one column per strategy: the verdict and the value."""
    rows = []
    for record in tables.targets_by_strategy(result):
        unit = record["unit"]
        row = [record["name"], f"{_SYMBOL[record['comparison']]} {target_value(record['threshold'], unit, locale=locale)}"]
        for met, value in record["verdicts"].values():
            row.append(verdict_word(None, locale) if met is None
                       else f"{verdict_word(met, locale)} ({target_value(value, unit, met, locale)})")
        rows.append(row)
    return rows, [*headers(["target", "threshold"], locale), *result.scenario.strategy_names]


def same_names(results: list[Result]) -> list[str | None]:
    """Each scenario's file (its path as given) where two of a comparison share a name, so that their sections and
    columns can be told apart (the command refuses one file given twice), else None."""
    names = [r.scenario.name for r in results]
    return [r.scenario.path if names.count(r.scenario.name) > 1 else None for r in results]


def compare(results: list[Result], view: View, style: str) -> str:
    locale = view.locale
    parts = [provenance_line(_record(results, view), style)]
    files = same_names(results)
    for result, file in zip(results, files, strict=True):
        parts.append(header_text(result, style, locale, file))
        if result.scenario.overrides:
            parts.append(set_text(result, style))
        if result.notes:
            parts.append(notes_text(result, style))
        years = [str(y) for y in result.scenario.calendar.year_list]
        mine = tables.comparison_frame([result])
        labels = {s.name: s.label for s in result.scenario.strategies}
        rows, previous = [], None
        for record in tables.by_year_lines(mine).to_dict(orient="records"):
            if record["line"] != previous:
                rows.append([loc.line_name(record["line"], locale), *[""] * (len(years) + 1)])
                previous = record["line"]
            rows.append([f"- {labels[record['strategy']]}",
                         *(compare_cell(record["unit"], record["line"], record[y], locale) for y in [*years, "total"])])
        parts.append(heading(loc.word("h_by_year", locale), style) + "\n" + grid(rows, ["", *years, loc.word("total", locale)], style))
        if len(result.scenario.strategies) > 1:
            parts.append(heading(loc.word("h_against", locale), style) + "\n" +
                         _one_figure_table([mine], [labels[s] for s in result.scenario.strategy_names[1:]], style, locale))
        if result.verdicts:
            target_rows, headers = targets_pivot_rows(result, locale)
            parts.append(heading(loc.word("h_targets", locale), style) + "\n" + grid(target_rows, headers, style))
    if len(results) > 1:
        frames = [tables.comparison_frame([r]) for r in results]
        headers = [f"{r.scenario.name}{'' if file is None else f' ({file})'}: {s.label}"
                   for r, file in zip(results, files, strict=True) for s in r.scenario.strategies[1:]]
        parts.append(heading(loc.word("h_all", locale), style) + "\n" +
                     _one_figure_table(frames, headers, style, locale))
    return "\n\n".join(parts) + "\n"


def targets(results: list[Result], view: View, style: str) -> str:
    parts = [provenance_line(_record(results, view), style)]
    for result in results:
        set_part = set_text(result, style) + "\n\n" if result.scenario.overrides else ""
        absent = view.strategies and not set(view.strategies) & set(result.scenario.strategy_names)
        parts.append(heading(f"{result.scenario.name} ({result.scenario.path})", style) + "\n" + set_part +
                     (f"({loc.word('no_targets', view.locale)})" if not result.verdicts else
                      f"({loc.word('no_strategy', view.locale)}: {', '.join(view.strategies)})" if absent else  # not a table without rows
                      grid(targets_rows(result, view.strategies, view.locale), headers(TARGET_HEADERS, view.locale), style)))
    return "\n\n".join(parts) + "\n"
