"""kikcalc: a monthly open-cohort simulator for municipal employment investment strategies.

The public API, on which the command line stands::

    import kikcalc
    scenario = kikcalc.load("scenarios/aabenraa-kik2.toml")   # validated, frozen
    result = kikcalc.run(scenario)                             # or kikcalc.run("file.toml")
    result.yearly, result.monthly, result.money, result.summary, result.targets  # DataFrames
    kikcalc.sensitivity(FILE, draws=1000).summary    # and tornado, calibrate, solve, followup: kikcalc.api
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from kikcalc.api import calibrate, solve, tornado
from kikcalc.errors import Problem, ScenarioError
from kikcalc.result import Result, run_scenario
from kikcalc.scenario import load
from kikcalc.spec import Scenario

__version__ = "0.1.0"
__all__ = ["Problem", "Result", "Scenario", "ScenarioError", "__version__", "calibrate", "followup", "load", "run",
           "sensitivity", "solve", "tornado"]


def run(scenario: Scenario | str | Path) -> Result:
    """Run every strategy of a scenario (a validated Scenario, or a path to a scenario file)."""
    if not isinstance(scenario, Scenario):
        scenario = load(scenario)
    return run_scenario(scenario)


def __getattr__(name: str) -> Any:
    """``kikcalc.sensitivity`` and ``kikcalc.followup``: modules that are also called (kikcalc.api), imported when
    first named, so that ``import kikcalc`` stays light."""
    if name in ("sensitivity", "followup"):
        return importlib.import_module(f"kikcalc.{name}")
    raise AttributeError(f"module 'kikcalc' has no attribute {name!r}")
