"""Shared helpers: small scenarios built from Python dicts, checked by the same reader as files."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from kikcalc.scenario import build

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def one_state(p_exit: float = 0.1, initial: float = 1000.0, inflow: float = 0.0, months: int = 24, **state) -> dict:
    """One benefit state ("kh") leaving to one outside state ("job") with a monthly probability."""
    end_year, end_month = 2020 + (months - 1) // 12, (months - 1) % 12 + 1
    return {
        "scenario": {"name": "test", "start": "2020-01", "end": f"{end_year}-{end_month:02d}", "discount_rate": 0.035},
        "states": {
            "kh": {"initial": initial, "inflow": inflow, "cost": 120_000, **state},
            "job": {"kind": "outside"},
        },
        "transitions": [{"from": "kh", "to": "job", "probability": p_exit}],
        "strategies": {"baseline": {"label": "Baseline"}},
    }


def with_changes(raw: dict, **sections) -> dict:
    """A deep copy of raw with top-level sections replaced or added."""
    changed = copy.deepcopy(raw)
    changed.update(copy.deepcopy(sections))
    return changed


@pytest.fixture
def make():
    """Build a validated scenario from a raw dict."""
    return build
