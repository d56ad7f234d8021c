"""kikcalc: a monthly open-cohort simulator for municipal employment investment strategies.

The public API, on which the command line stands::

    import kikcalc
    scenario = kikcalc.load("scenarios/aabenraa-kik2.toml")   # validated, frozen
    result = kikcalc.run(scenario)                             # or kikcalc.run("file.toml")
    result.yearly, result.monthly, result.money, result.summary, result.targets  # DataFrames
"""

from __future__ import annotations

from pathlib import Path

from kikcalc.errors import Problem, ScenarioError
from kikcalc.result import Result, run_scenario
from kikcalc.scenario import load
from kikcalc.spec import Scenario

__version__ = "0.1.0"
__all__ = ["Problem", "Result", "Scenario", "ScenarioError", "__version__", "load", "run"]


def run(scenario: Scenario | str | Path) -> Result:
    """Run every strategy of a scenario (a validated Scenario, or a path to a scenario file)."""
    if not isinstance(scenario, Scenario):
        scenario = load(scenario)
    return run_scenario(scenario)
