"""Options that ``kikcalc plot`` and ``kikcalc report`` share (--locale, --draws, --seed) and the draws they run.

Kept apart from :mod:`kikcalc.cli`: the command modules import from here, and this module imports nothing of
the command line, so no import goes in a circle however kikcalc is started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kikcalc import locale as loc
from kikcalc.errors import UsageError

if TYPE_CHECKING:  # sensitivity and uncertainty load scipy: only when draws are made
    from kikcalc.sensitivity import Run
    from kikcalc.spec import Scenario
    from kikcalc.uncertainty import Uncertainty

DEFAULT_DRAWS, DEFAULT_SEED = 1000, 1
"""The draws every command that draws makes by default, and the ones ``kikcalc validate`` checks (no draw runs)."""
LOCALE = click.option("--locale", "locale", type=click.Choice(list(loc.LOCALES)), default="en", show_default=True,
                      help="Numbers and words: en (1,234.5) or da (1.234,5, Danish labels).")
DRAWS = click.option("--draws", "-n", type=click.IntRange(1, 10_000_000), default=DEFAULT_DRAWS, show_default=True,
                     help="Draws of the [uncertainty] table's numbers (fan; report: the sensitivity summary).")
SEED = click.option("--seed", type=click.IntRange(0), default=DEFAULT_SEED, show_default=True,
                    help="Seed of the draws: the same seed, the same chart.")


def sensitivity_run(scenario: Scenario, uncertainty: Uncertainty, draws: int, seed: int, file: str) -> Run:
    """The draws of a fan chart or a report's sensitivity summary (one process); none that can run is bad input."""
    from kikcalc import sensitivity as psa

    run = psa.run(scenario, uncertainty, draws, seed)
    if run.summary["draws_used"] == 0:
        raise UsageError(psa.no_draw_runs(file, run.summary["excluded"]["by_state"], run.summary["excluded"]["by_key_path"]))
    return run
