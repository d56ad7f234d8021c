"""Problems found in a scenario, as values with a key path, raised together at the boundary."""

from __future__ import annotations

from kikcalc.records import frozen


@frozen
class Problem:
    """One thing wrong with a scenario file: where (a key path) and what was expected."""

    path: str
    message: str

    def render(self, file: str) -> str:
        where = f"{file}: {self.path}" if self.path else file
        return f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be used; carries every problem found in it."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = list(problems)
        shown = [p.render(file) for p in self.problems[:PROBLEMS_SHOWN]]
        if len(self.problems) > PROBLEMS_SHOWN:
            rest = len(self.problems) - PROBLEMS_SHOWN
            shown.append(f"{file}: and {rest:,} more problem{'s' if rest > 1 else ''} (the first {PROBLEMS_SHOWN} are shown)")
        super().__init__("\n".join(shown))


PROBLEMS_SHOWN = 100
"""Problems of one file a message shows; the rest are counted (a generated file may have hundreds of thousands)."""


class UsageError(Exception):
    """A request that cannot be carried out as asked (an unknown strategy, an output onto an input)."""


class UnknownStrategy(UsageError, KeyError):
    """A strategy name the scenario does not have (:meth:`kikcalc.result.Result.strategy`): bad usage with the
    names there are and the nearest, and a KeyError as that method has always raised."""

    __str__ = Exception.__str__  # the message as written, not KeyError's quoted repr of it
