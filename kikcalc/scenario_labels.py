"""Labels that name rows: each state's and each strategy's label must be its own.

A label names rows of the tables (``Full-year persons: LABEL`` in a comparison, ``- LABEL`` under each
line of the text one, a strategy's heading), so two states or two strategies with one label give rows
that cannot be told apart, and a state labelled as a row kikcalc prints itself (the benefit states'
total, :func:`kikcalc.row_names.reserved_state_labels`) stands beside it. A strategy's or state's
name stands for it as well (the ``strategy`` column of a CSV, the heading's ``[name]``), so a label
must not be another's name either. Labels are compared as a reader compares them: ignoring case and
spaces at their ends or doubled.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from kikcalc.row_names import reserved_state_labels
from kikcalc.scenario_reader import Reader, join

UNIQUE = "labels name rows of the tables, so each must be unique"


def read_as(label: str) -> str:
    """What a reader takes a label for: case and runs of spaces aside."""
    return " ".join(unicodedata.normalize("NFC", label).split()).casefold()


def check(reader: Reader, section: str, kind: str, named: list[tuple[str, str]], raw: Any) -> None:
    """Problems at ``SECTION.NAME.label`` for the (name, label) pairs of ``[section.NAME]`` tables.

    Names must differ as labels do, not in case alone (``kh`` and ``KH``). Beyond that only a label the file gives
    (``raw``'s table holds ``label``) can clash: a label left out is the name. A state's label must not read as a
    row kikcalc prints itself either.
    """
    tables = raw if isinstance(raw, dict) else {}
    given = {name for name, _ in named if isinstance(tables.get(name), dict) and "label" in tables[name]}
    reserved: dict[str, str] = {}
    for row in reserved_state_labels() if section == "states" else ():
        reserved.setdefault(read_as(row), row)
    for i, (name, label) in enumerate(named):
        twin = next((n for n, _ in named[:i] if read_as(n) == read_as(name)), None)
        if twin is not None:  # kh and KH: one to a reader, and to Excel's filters and pivot tables in a CSV's column
            reader.problem(join(section, name), f'"{name}" differs from the name of {kind} {twin} only in case; a name '
                                                f"stands for its {kind} in every output (a CSV's {kind} column, which Excel's "
                                                f"filters and pivot tables read ignoring case), so names must differ in more "
                                                f"than case")
            continue
        if name not in given:
            continue
        where, mine = join(join(section, name), "label"), read_as(label)
        if mine in reserved:
            row = "" if reserved[mine] == label else f' (as "{reserved[mine]}")'
            reader.problem(where, f'"{label}" names a row kikcalc prints itself{row}, the benefit states\' total; {UNIQUE}, '
                                  f"and a state's must differ from kikcalc's own")
            continue
        other = next((n for n, _ in named if n != name and read_as(n) == mine), None)
        if other is not None:
            reader.problem(where, f'"{label}" is the name of {kind} {other}; {UNIQUE} and must differ from the '
                                  f"names of other {section}, which stand for them in the tables as well")
            continue
        earlier = next(((n, text) for n, text in named[:i] if n in given and read_as(text) == mine), None)
        if earlier is not None:
            same = "" if earlier[1] == label else f' (as "{earlier[1]}": labels are compared ignoring case and spaces)'
            reader.problem(where, f'"{label}" is also the label of {kind} {earlier[0]}{same}; {UNIQUE}')
