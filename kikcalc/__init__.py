"""kikcalc: a monthly open-cohort simulator for municipal employment investment strategies.

The public API, on which the command line stands::

    import kikcalc
    scenario = kikcalc.load("scenarios/aabenraa-kik2.toml")   # validated, frozen
    result = kikcalc.run(scenario)                             # or kikcalc.run("file.toml")
    result.yearly, result.monthly, result.money, result.summary, result.targets  # DataFrames
    kikcalc.sensitivity(FILE, draws=1000).summary    # and tornado, calibrate, solve, followup, liability: kikcalc.api

Each name is imported when first used, so that ``import kikcalc`` is instant and the command line can take
Ctrl-C from its first moment (kikcalc._launch).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["Problem", "Result", "Scenario", "ScenarioError", "UsageError", "__version__", "calibrate", "followup",
           "liability", "load", "run", "sensitivity", "solve", "tornado"]

_HOMES = {"run": "kikcalc.result", "calibrate": "kikcalc.api", "solve": "kikcalc.api", "tornado": "kikcalc.api",
          "Problem": "kikcalc.errors", "ScenarioError": "kikcalc.errors",
          "UsageError": "kikcalc.errors", "Result": "kikcalc.result",
          "load": "kikcalc.scenario", "Scenario": "kikcalc.spec"}
"""Where each public name lives."""


def __getattr__(name: str) -> Any:
    """A public name, imported from its home when first named; ``kikcalc.sensitivity``, ``kikcalc.followup`` and
    ``kikcalc.liability`` are modules that are also called (kikcalc.api)."""
    if name in ("sensitivity", "followup", "liability"):
        return importlib.import_module(f"kikcalc.{name}")
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kikcalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
