"""Reading a benefit state's ``payment_share`` (partial benefits, :mod:`kikcalc.payment_share`).

Called from :func:`kikcalc.scenario._build` after the states are read; a number or a series by
year or month, 0..1, carried forward like an inflow.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kikcalc import keypaths, limits
from kikcalc.calendar import Calendar
from kikcalc.spec import State


def with_payment_shares(reader: Any, raw_states: Any, states: list[State] | None, calendar: Calendar) -> list[State] | None:
    """The states with each one's ``payment_share`` read, shape (T,); None if ``states`` is None or a share
    is bad (each problem reported to ``reader``, a :class:`kikcalc.scenario_reader.Reader`, at its key path)."""
    if not isinstance(raw_states, dict):
        return states
    shares, ok = {}, True
    for name, body in raw_states.items():
        if not isinstance(body, dict) or "payment_share" not in body:
            continue
        path = keypaths.child(keypaths.child("states", name), "payment_share")
        if body.get("kind") == "outside":
            reader.problem(path, 'only a benefit state has this (an outside state pays no benefit); this state is kind = "outside"')
            ok = False
            continue
        share = reader.monthly_series(body["payment_share"], path, calendar, per_year_spread=False, carry_forward=True,
                                      unit="share of a full benefit paid", limit=limits.SHARE)
        ok &= share is not None
        shares[name] = share
    if states is None or not ok:
        return None
    return [replace(state, payment_share=shares[state.name]) if state.name in shares else state for state in states]
