"""Reading the anciennitet reset rule of a scenario's ``[refusion]`` table: ``reset_after_weeks``.

Anciennitet is cumulative: it starts again only after 52 weeks of self-support (docs/model.md
section 7, "Returns from outside"). The number lives in ``[refusion]`` beside the staircase it
serves; :func:`kikcalc.refusion.reset_months` converts it to months, the engine's unit.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from kikcalc import limits
from kikcalc.spec import Refusion

KEYS = ("reset_after_weeks",)
"""The keys of ``[refusion]`` read here."""


def with_reset(reader: Any, table: dict, refusion: Refusion) -> Refusion | None:
    """``refusion`` with the file's ``reset_after_weeks`` (weeks, 0 to 156), or None after a problem.

    ``reader`` is :class:`kikcalc.scenario_reader.Reader`, which records the problem at its key path.
    """
    if "reset_after_weeks" not in table:
        return refusion
    weeks = reader.number(table["reset_after_weeks"], "refusion.reset_after_weeks", limits.RESET_WEEKS,
                          what="a number of weeks of self-support (52 by the rules; 0 for no memory of anciennitet)")
    if weeks is None:
        return None
    return dataclasses.replace(refusion, reset_after_weeks=weeks)
