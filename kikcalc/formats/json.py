"""``--format json``: every table as records, full-precision numbers, with a ``provenance`` object (docs/output-columns.md)."""

from __future__ import annotations

import json
import math
import re
import uuid
from typing import Any

import numpy as np
import pandas as pd

from kikcalc import provenance, tables
from kikcalc.formats import View
from kikcalc.formats._cells import rounded
from kikcalc.result import Result

NAME = "json"
SUFFIXES = (".json",)
ORDER = 50
BINARY = False
HELP = "every table, with provenance"


def records(frame: pd.DataFrame) -> list[dict]:
    return rounded(frame).to_dict(orient="records")


def _clean(value: Any) -> Any:
    """JSON-safe: NaN -> null, numpy scalars -> Python numbers. A dict or list that needs no change is returned as it
    is, not copied: a large model's tables are hundreds of thousands of records, and a copy of them all doubled the
    memory a JSON document took (1 GB more for 250 states, 61 strategies and 20 years)."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return value if all(cleaned[k] is v for k, v in value.items()) else cleaned
    if isinstance(value, (list, tuple)):
        items = [_clean(v) for v in value]
        return value if isinstance(value, list) and all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


LONG_LIST = 1_000
"""Records a list may hold before :func:`dumps` writes it record by record."""


def dumps(document: Any) -> str:
    """The document as indented JSON text. Python's encoder writes indented text in pure Python, one small string
    per token, all held until the end: a list of many records (a large model's yearly table) is written record by
    record instead, each in place at its own indentation, so that only one record's tokens are held at a time: the
    same text (a run of 250 states, 61 strategies and 20 years: 861 MB at the most, where it took 1,340 MB)."""
    long_lists: list[list] = []
    token = uuid.uuid4().hex  # no text of a file's can be the place a list is put back in

    def set_aside(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: set_aside(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            if len(value) >= LONG_LIST and all(isinstance(item, dict) for item in value):
                long_lists.append(value)
                return f"\x00{token} {len(long_lists) - 1}\x00"
            return [set_aside(v) for v in value]
        return value

    text = json.dumps(_clean(set_aside(document)), indent=2, ensure_ascii=False) + "\n"
    if not long_lists:
        return text
    parts, end = [], 0
    for match in re.finditer(rf'"\\u0000{token} (\d+)\\u0000"', text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        pad = " " * (len(text[line_start: match.start()]) - len(text[line_start: match.start()].lstrip(" ")))
        inner = pad + "  "
        records = (inner + json.dumps(_clean(item), indent=2, ensure_ascii=False).replace("\n", "\n" + inner)
                   for item in long_lists[int(match.group(1))])
        parts += [text[end: match.start()], "[\n", ",\n".join(records), "\n", pad, "]"]
        end = match.end()
    parts.append(text[end:])
    return "".join(parts)



def run_json(result: Result, strategies: list[str] | None = None, monthly: bool = False) -> dict:
    """The ``run`` document: ``scenario``, ``set``, ``strategies`` (the summary), ``yearly``, ``money``,
    ``targets``, ``programmes`` (and ``monthly``, ``monthly_money`` with ``monthly``)."""
    s = result.scenario
    strategies = strategies or s.strategy_names
    document = {
        "scenario": {"name": s.name, "municipality": s.municipality, "file": s.path, "source": s.source,
                     "start": s.calendar.labels[0], "end": s.calendar.labels[-1],
                     "discount_rate": s.discount_rate, "notes": result.notes,
                     "prices": None if s.prices is None else {"base_year": s.prices.base_year, "view": s.prices.view}},
        "set": tables.set_records(result),
        "strategies": records(tables.only(result.summary, strategies)),
        "yearly": records(tables.only(result.yearly, strategies)),
        "money": records(tables.only(result.money, strategies)),
        "targets": records(tables.only(result.targets, strategies)),
        "programmes": records(tables.only(result.programmes, strategies)),
    }
    if monthly:
        document["monthly"] = records(tables.only(result.monthly, strategies))
        document["monthly_money"] = records(tables.only(result.monthly_money, strategies))
    return document


def _provenance(results: list[Result], view: View) -> dict:
    return (view.provenance or provenance.of([r.scenario for r in results])).to_dict()


def run(result: Result, view: View) -> str:
    return dumps({**run_json(result, view.strategies, view.monthly), "provenance": _provenance([result], view)})


def compare(results: list[Result], view: View) -> str:
    return dumps({"comparison": records(tables.comparison_frame(results)), "scenarios": [run_json(r) for r in results],
                  "provenance": _provenance(results, view)})


def targets(results: list[Result], view: View) -> str:
    return dumps({"targets": records(tables.all_targets(results, view.strategies)),
                  "set": [{"file": r.scenario.path, **record} for r in results for record in tables.set_records(r)],
                  "provenance": _provenance(results, view)})


def stamp(content: str, record: provenance.Provenance) -> str:
    """A JSON document laid out elsewhere (sensitivity, solve, ...) with the ``provenance`` object added."""
    return dumps({**json.loads(content), "provenance": record.to_dict()})
