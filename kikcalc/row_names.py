"""The names of rows kikcalc prints itself in its tables, beside rows a scenario's labels name.

:mod:`kikcalc.tables` writes these rows; :mod:`kikcalc.scenario_labels` refuses a state's label that would
read as one of them (:func:`reserved_state_labels`), so that no row of the file's stands beside one of
kikcalc's with the same words.
"""

from __future__ import annotations

BENEFIT_TOTAL = "Benefit states, total"
"""The last row of a strategy's full-year persons table: the benefit states' total."""
PERSONS_LINE = "Full-year persons: "
"""A comparison line of full-year persons: this, then a benefit state's label (or the total's words)."""
BENEFIT_TOTAL_LINE = PERSONS_LINE + "benefit states, total"
"""The comparison line of the benefit states' total of full-year persons."""


def reserved_state_labels() -> tuple[str, ...]:
    """The labels a state must not have: the total row's, and the total line's words after
    :data:`PERSONS_LINE` in every locale ("benefit states, total", Danish "forsørgelse i alt"), where a
    state's label takes their place."""
    from kikcalc import locale as loc

    found = [BENEFIT_TOTAL]
    for locale in loc.LOCALES:
        prefix = loc.line_name(PERSONS_LINE, locale)  # "Helårspersoner: " in Danish
        found.append(loc.line_name(BENEFIT_TOTAL_LINE, locale).removeprefix(prefix))
    return tuple(dict.fromkeys(found))
