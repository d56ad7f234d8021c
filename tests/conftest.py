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


RUN_TIME_EPOCH = "1767225600"
"""The time of every run in the tests (2026-01-01T00:00:00Z), as SOURCE_DATE_EPOCH gives it: outputs are stable."""


@pytest.fixture(autouse=True)
def _stable_run_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", RUN_TIME_EPOCH)


def without_command(text: str) -> str:
    """An output with its provenance's command line taken out: two commands that differ only in how they
    choose the format (--format or the output's suffix) write the same document otherwise."""
    import re

    text = re.sub(r"command: .*?; run ", "command: ...; run ", text)
    return re.sub(r'"command": ".*?",', '"command": "...",', text)
