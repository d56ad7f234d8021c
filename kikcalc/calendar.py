"""The month calendar: the one place where months are parsed, counted and labelled.

A month is held as an integer *month number* (year * 12 + month - 1), so that the distance between
two months is a subtraction. The model's months are indexed 0..T-1 from the scenario's start.
"""

from __future__ import annotations

import re

import numpy as np

from kikcalc.records import frozen

MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
"""A month, ``YYYY-MM``, in ASCII digits ("２０２４-１２" is not a month)."""
YEAR_RE = re.compile(r"^[0-9]{4}$")
"""A key of a series table by year ("2019"); other keys are months ("2019-04")."""


_MONTH_YEAR = re.compile(r"^([0-9]{1,2})[-./]([0-9]{4})$")  # 05-2014, as a Danish Excel may show a month
_YEAR_MONTH = re.compile(r"^([0-9]{4})(?:[/.]|-(?=[0-9]$)|[Mm])([0-9]{1,2})$")  # 2014/05, 2014.05, 2014-5, 2014M05


def month_written_otherwise(text: str) -> str | None:
    """The ``YYYY-MM`` of a month written another common way (``05-2014``, ``5.2014``, ``2014/05``, ``2014-5``,
    jobindsats' ``2014M05``), or None: what a message suggests writing."""
    text = text.strip()
    if match := _MONTH_YEAR.match(text):
        month, year = int(match.group(1)), int(match.group(2))
    elif match := _YEAR_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
    else:
        return None
    return f"{year}-{month:02d}" if 1 <= month <= 12 else None


def parse_month(text: str) -> int:
    """Month number of a ``YYYY-MM`` string; raises ValueError if it is not one (saying what to write for a month
    written another common way)."""
    match = MONTH_RE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        otherwise = month_written_otherwise(text) if isinstance(text, str) else None
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}" + (f": write {otherwise}" if otherwise else ""))
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"expected a month as YYYY-MM with MM in 01..12, got {text!r}")
    return year * 12 + month - 1


def format_month(number: int) -> str:
    """``YYYY-MM`` label of a month number."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


@frozen
class Calendar:
    """The simulated months, from ``start`` to ``end`` inclusive (month numbers)."""

    start: int
    end: int

    @property
    def months(self) -> int:
        """Number of simulated months, T."""
        return self.end - self.start + 1

    def index(self, month_number: int) -> int:
        """0-based model index of a month number (may lie outside 0..T-1)."""
        return month_number - self.start

    def contains(self, month_number: int) -> bool:
        return self.start <= month_number <= self.end

    @property
    def labels(self) -> list[str]:
        """``YYYY-MM`` label of each simulated month, shape (T,)."""
        return [format_month(m) for m in range(self.start, self.end + 1)]

    @property
    def years(self) -> np.ndarray:
        """Calendar year of each simulated month, shape (T,)."""
        return np.arange(self.start, self.end + 1) // 12

    @property
    def year_list(self) -> list[int]:
        """The calendar years the horizon touches, in order."""
        return list(range(self.start // 12, self.end // 12 + 1))

    def year_months(self, year: int) -> np.ndarray:
        """Model indices of the simulated months of a calendar year, shape (n,)."""
        return np.flatnonzero(self.years == year)

    def year_mean(self, monthly: np.ndarray, year: int) -> np.ndarray:
        """A year's mean of monthly values along axis 1: full-year persons from full-time persons,
        (R, T, ...) -> (R, ...). A partial year is the mean of its simulated months. The one home of this rule."""
        return monthly[:, self.year_months(year)].mean(axis=1)

    def year_sum(self, monthly: np.ndarray, year: int) -> np.ndarray:
        """A year's sum of monthly amounts (kroner) along axis 1, (R, T, ...) -> (R, ...)."""
        return monthly[:, self.year_months(year)].sum(axis=1)

    def by_year(self, monthly: np.ndarray, how: str) -> np.ndarray:
        """Every year's mean (``how="mean"``: persons) or sum (``"sum"``: kroner), month axis 1 -> year axis 1."""
        reduce = self.year_mean if how == "mean" else self.year_sum
        return np.stack([reduce(monthly, year) for year in self.year_list], axis=1)

    def series_owners(self, keys: list[str], carry_forward: bool, first: int = 0) -> np.ndarray:
        """Which key of a series table by year ("2019") or month ("2019-04") gives each month's value,
        shape (T,): the key's position in ``keys``, or -1 for none. The one home of the series rules:
        a month's own key wins over its year's; with ``carry_forward`` a month no key covers takes the
        last covered month's key, from model month ``first`` on. The keys must be valid."""
        owner = np.full(self.months, -1)
        for position, key in enumerate(keys):
            if YEAR_RE.match(key):
                owner[self.year_months(int(key))] = position
        for position, key in enumerate(keys):
            if not YEAR_RE.match(key):
                owner[self.index(parse_month(key))] = position
        if carry_forward:
            for t in range(first + 1, self.months):
                if owner[t] < 0:
                    owner[t] = owner[t - 1]
        return owner

    def series_divisors(self, keys: list[str], per_year_spread: bool) -> np.ndarray:
        """What each key's number is divided by in each of its months, shape (len(keys),): a yearly
        amount spread over its year's simulated months, or 1."""
        return np.array([len(self.year_months(int(key))) if per_year_spread and YEAR_RE.match(key) else 1.0
                         for key in keys])
