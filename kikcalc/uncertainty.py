"""Uncertain inputs: the ``[uncertainty]`` table's distributions, their checks, and the draws.

An entry gives a distribution to one number of the scenario, named by its key path
(:mod:`kikcalc.keypaths`)::

    [uncertainty]
    "transitions[0].probability" = { dist = "beta", mean = 0.03, sd = 0.005 }
    "states.kontanthjaelp.inflow" = { dist = "gamma", mean = 1.0, sd = 0.10, scale = true }

Every distribution is scipy.stats' own; this module only turns the parameters people think in
(mean and sd) into scipy's, and checks that the distribution fits the number's domain. ``scale =
true`` draws one factor per draw that multiplies the whole number (a series by year, a band table).

The draws themselves are :mod:`kikcalc.sampling`'s. scipy is imported only where draws are made, so a
plain run does not pay for it.
"""

from __future__ import annotations

import functools
import math
import weakref
from typing import Any

import numpy as np

from kikcalc import keypaths, limits
from kikcalc.errors import Problem
from kikcalc.records import frozen
from kikcalc.scenario_reader import describe, did_you_mean, quoted_number, unknown_key

# dist -> the parameter sets it accepts, each (keys, what they mean); the first is the usual one.
PARAMETERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "beta": (("mean", "sd"), ("a", "b")),
    "gamma": (("mean", "sd"), ("shape", "scale")),
    "lognormal": (("mean", "sd"), ("mu", "sigma")),
    "normal": (("mean", "sd"),),
    "truncnormal": (("mean", "sd", "low", "high"), ("mean", "sd", "low"), ("mean", "sd", "high")),
    "triangular": (("low", "mode", "high"),),
    "uniform": (("low", "high"),),
}
ENTRY_KEYS = ("dist", "scale", *dict.fromkeys(key for sets in PARAMETERS.values() for keys in sets for key in keys
                                           if key != "scale"))
"""Every key an [uncertainty] entry may hold: ``dist``, ``scale`` (the flag, or a gamma's parameter) and the
distributions' parameters."""
_CORRELATION_KEYS = ("between", "rank")
ONE_WAY = (0.05, 0.95)
TAIL = 1e-6
"""A distribution whose draws pass a number's limits (:mod:`kikcalc.limits`) more often than this is refused."""
"""The percentiles a one-way (tornado) analysis sets a number to, unless its entry gives low and high."""


@frozen
class Uncertain:
    """One uncertain number: its key path, its distribution in scipy's terms, and whether it scales."""

    path: str
    dist: str
    parameters: tuple[tuple[str, float], ...]
    """The entry's parameters as given."""
    scipy_name: str
    scipy_args: tuple[float, ...]
    scipy_kwargs: tuple[tuple[str, float], ...]
    point: float | None
    """The number itself when the spread is zero (sd = 0, low = high): every draw is that number."""
    scale: bool
    support: tuple[float, float]
    one_way: tuple[float, float] | None
    """low and high given in the entry (uniform, triangular, a two-sided truncnormal), for a tornado."""

    def frozen(self):
        """The scipy.stats frozen distribution (imports scipy); made once per distribution, since scipy
        builds each frozen distribution's documentation anew."""
        return _frozen(self.scipy_name, self.scipy_args, self.scipy_kwargs)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The numbers at probabilities ``u`` (the inverse CDF)."""
        if self.point is not None:
            return np.full(np.shape(u), self.point)
        return self.frozen().ppf(u)

    def rvs(self, size: int, generator: np.random.Generator) -> np.ndarray:
        """``size`` independent draws from ``generator``'s stream (scipy.stats' own ``.rvs``); a point draws nothing."""
        if self.point is not None:
            return np.full(size, self.point)
        return self.frozen().rvs(size=size, random_state=generator)

    @property
    def mean(self) -> float:
        return self.point if self.point is not None else float(self.frozen().mean())

    @property
    def sd(self) -> float:
        return 0.0 if self.point is not None else float(self.frozen().std())

    def endpoints(self) -> tuple[float, float]:
        """The low and high of a one-way analysis: the entry's own, or the 5th and 95th percentiles."""
        if self.one_way is not None:
            return self.one_way
        low, high = self.ppf(np.array(ONE_WAY))
        return float(low), float(high)


@functools.lru_cache(maxsize=4096)
def _frozen(name: str, args: tuple[float, ...], kwargs: tuple[tuple[str, float], ...]):
    from scipy import stats

    return getattr(stats, name)(*args, **dict(kwargs))


@frozen
class Uncertainty:
    """A scenario's uncertain numbers and the rank correlations between them."""

    inputs: tuple[Uncertain, ...]
    correlation: np.ndarray | None
    """The Gaussian copula's correlation matrix (d, d) of the normal scores, None if independent."""

    @property
    def paths(self) -> list[str]:
        return [u.path for u in self.inputs]

    def __len__(self) -> int:
        return len(self.inputs)


# --- reading and checking -------------------------------------------------------------------------


_READ: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Each built scenario's reading: building a file with an [uncertainty] table reads it to check it, and the
command or run that draws from it asks again."""


def read(scenario) -> tuple[Uncertainty, list[Problem]]:
    """The ``[uncertainty]`` and ``[[correlations]]`` tables of a built scenario, and every problem in them
    (read once per scenario: a scenario is not changed once built)."""
    if scenario not in _READ:
        _READ[scenario] = _read(scenario)
    uncertainty, problems = _READ[scenario]
    return uncertainty, list(problems)


def _read(scenario) -> tuple[Uncertainty, list[Problem]]:
    from kikcalc.keyslots import slot

    raw = scenario.raw
    problems: list[Problem] = []
    table = raw.get("uncertainty", {})
    inputs: list[Uncertain] = []
    if not isinstance(table, dict):
        return Uncertainty((), None), [Problem("uncertainty", "expected a table of key path = { dist = ..., ... }")]
    seen: dict[str, str] = {}
    seen_parts: dict[tuple, str] = {}  # each entry's parsed key path, for the check that none holds another
    held: dict[tuple, str] = {}  # each start of an entry's parsed key path, and the first entry it starts
    for given, entry in table.items():
        where = keypaths.child("uncertainty", given)
        try:
            path = keypaths.canonical(given)
            place = slot(scenario, path)
        except keypaths.KeyPathError as error:
            problems.append(Problem(where, f"{given!r} names no number the model can draw: {_outside(error, raw)}"))
            continue
        parts = keypaths.parse(path)
        clash = next((seen_parts[p] for p in (*(parts[:k] for k in range(1, len(parts))), parts) if p in seen_parts), None)
        clash = clash if clash is not None else held.get(parts)
        if clash is not None:
            problems.append(Problem(where, f"given together with {clash!r}, and one holds the other (a table and an "
                                           f"entry of it); give one of the two"))
            continue
        seen[path] = given
        seen_parts[parts] = given
        for k in range(1, len(parts) + 1):
            held.setdefault(parts[:k], given)
        found = _entry(scenario, where, path, place, entry, problems)
        if found is not None:
            inputs.append(found)
    failed = [keypaths.canonical(g) for g in table if _canonical_or_none(g) is not None] if problems else []
    correlation = _correlations(raw.get("correlations"), [u.path for u in inputs], problems, set(failed))
    return Uncertainty(tuple(inputs), correlation), problems


def _outside(error: keypaths.KeyPathError, raw: dict) -> str:
    """The error's message, its nearest key path sought outside [uncertainty] and [[correlations]]: an entry
    "inflow" is nearest to its own key path uncertainty.inflow, which names no number of the model."""
    nearest = error.nearest
    if nearest is None or keypaths.parse(nearest)[0] not in ("uncertainty", "correlations"):
        return error.message
    import difflib

    message = error.message.removesuffix(f"; nearest: {nearest}")
    model = [where for where, _ in keypaths.walk({k: v for k, v in raw.items() if k not in ("uncertainty", "correlations")})]
    found = difflib.get_close_matches(error.path, model, n=1, cutoff=0.0)
    return message + (f"; nearest: {found[0]}" if found else "")


def _canonical_or_none(path: str) -> str | None:
    try:
        return keypaths.canonical(path)
    except keypaths.KeyPathError:
        return None


def _number(entry: dict, key: str, where: str, problems: list[Problem]) -> float | None:
    value = entry[key]
    if not limits.finite(value):  # an integer beyond any float too
        shown = limits.show(value) if isinstance(value, int | float) and not isinstance(value, bool) else describe(value)
        problems.append(Problem(keypaths.child(where, key), f"expected a finite number, got {shown}{quoted_number(value)}"))
        return None
    return float(value)


def _entry(scenario, where: str, path: str, place, entry: Any, problems: list[Problem]) -> Uncertain | None:
    if not isinstance(entry, dict):
        problems.append(Problem(where, 'expected a table such as { dist = "beta", mean = 0.03, sd = 0.005 }'))
        return None
    if "dist" not in entry:
        unknown = [key for key in entry if key not in ENTRY_KEYS]  # dsit = "gamma": the typo, as in every table
        problems.extend(Problem(keypaths.child(where, key), unknown_key(key, ENTRY_KEYS)) for key in unknown)
        if not unknown:
            problems.append(Problem(where, f"expected dist = one of {', '.join(PARAMETERS)}"))
        return None
    dist = entry["dist"]
    if not isinstance(dist, str) or dist not in PARAMETERS:
        hint = did_you_mean(str(dist), list(PARAMETERS))
        problems.append(Problem(keypaths.child(where, "dist"), f"unknown distribution {dist!r}; expected one of "
                                                               f"{', '.join(PARAMETERS)}{hint}"))
        return None
    scale = entry.get("scale", False)
    # A gamma's own parameters are (shape, scale): there a number is the parameter, true or false the flag.
    gamma_scale = dist == "gamma" and not isinstance(scale, bool)
    if gamma_scale and "shape" not in entry and not isinstance(scale, (int, float)):  # neither the flag nor a parameter
        problems.append(Problem(keypaths.child(where, "scale"), f"expected true or false (one factor on the whole number), "
                                                                f"or, with shape, the gamma's own scale parameter; got {scale!r}"))
        return None
    if gamma_scale:
        scale = False
    elif not isinstance(scale, bool):
        problems.append(Problem(keypaths.child(where, "scale"), f"expected true or false, got {scale!r}"))
        return None
    allowed = {key for keys in PARAMETERS[dist] for key in keys}
    given = [k for k in entry if k != "dist" and (k != "scale" or gamma_scale)]
    for key in given:
        if key not in allowed:
            hint = did_you_mean(key, sorted(allowed)).removeprefix("; ") or f"a {dist} takes {_sets(dist)}"
            problems.append(Problem(keypaths.child(where, key), f"not a parameter of a {dist} distribution; {hint}"))
            return None
    keys = next((keys for keys in PARAMETERS[dist] if set(keys) == set(given)), None)
    if keys is None:
        problems.append(Problem(where, f"a {dist} distribution takes {_sets(dist)}; got {', '.join(given) or 'none'}"))
        return None
    numbers = {key: _number(entry, key, where, problems) for key in keys}
    if any(v is None for v in numbers.values()):
        return None
    try:
        name, args, kwargs, point, support, one_way = _scipy_form(dist, numbers)
        bounds_may_be_infinite = name == "truncnorm"  # its standardised low and high
        if not (all((not math.isnan(x)) if bounds_may_be_infinite else (math.isfinite(x) and x != 0) for x in args)
                and all(math.isfinite(v) and (k != "scale" or v > 0) for k, v in kwargs)):
            raise OverflowError
    except ValueError as error:
        problems.append(Problem(where, str(error)))
        return None
    except (OverflowError, ZeroDivisionError):
        problems.append(Problem(where, f"a {dist} with these parameters ({', '.join(f'{k} = {v:g}' for k, v in numbers.items())}) "
                                       f"lies beyond what floating-point numbers can hold: its spread is too small or too "
                                       f"large for its mean (sd = 0 makes a number certain)"))
        return None
    if scenario_value_is_table(scenario, path) and not scale:
        problems.append(Problem(where, f"{path} is a table of numbers (by year, month or anciennitet band); add "
                                       f"scale = true to draw one factor that scales them all, or name one entry"))
        return None
    problem = _fits(place, dist, support, scale, path, scenario)
    if problem:
        problems.append(Problem(where, problem))
        return None
    return Uncertain(path=path, dist=dist, parameters=tuple(numbers.items()), scipy_name=name, scipy_args=args,
                     scipy_kwargs=kwargs, point=point, scale=scale, support=support, one_way=one_way)


def _sets(dist: str) -> str:
    return " or ".join("(" + ", ".join(keys) + ")" for keys in PARAMETERS[dist])


def scenario_value_is_table(scenario, path: str) -> bool:
    """Whether the file gives a table of numbers at the key path (a series by year, a band table)."""
    try:
        return isinstance(keypaths.get(scenario.raw, path), dict)
    except keypaths.KeyPathError:
        return False  # a key left out, at its default


def _scipy_form(dist: str, p: dict[str, float]):
    """(scipy name, args, kwargs, point, support, one-way endpoints) of an entry; ValueError names what fails."""
    inf = math.inf
    if "sd" in p and p["sd"] < 0:
        raise ValueError(f"sd must be at least 0, got {p['sd']:g}")
    if dist == "beta":
        if "mean" in p:
            m, s = p["mean"], p["sd"]
            if not 0 < m < 1:
                raise ValueError(f"a beta's mean lies strictly between 0 and 1, got {m:g}")
            if s == 0:
                return "beta", (), (), m, (m, m), None
            most = math.sqrt(m * (1 - m))
            if s >= most:
                raise ValueError(f"a beta with mean {m:g} has an sd below sqrt(mean (1 - mean)) = {most:.4g}, got {s:g}")
            k = m * (1 - m) / s**2 - 1
            a, b = m * k, (1 - m) * k
        else:
            a, b = p["a"], p["b"]
            if a <= 0 or b <= 0:
                raise ValueError(f"a beta's a and b are above 0, got a = {a:g}, b = {b:g}")
        return "beta", (a, b), (), None, (0.0, 1.0), None
    if dist == "gamma":
        if "mean" in p:
            m, s = p["mean"], p["sd"]
            if m <= 0:
                raise ValueError(f"a gamma's mean is above 0, got {m:g}")
            if s == 0:
                return "gamma", (), (), m, (m, m), None
            shape, scale = m**2 / s**2, s**2 / m
        else:
            shape, scale = p["shape"], p["scale"]
            if shape <= 0 or scale <= 0:
                raise ValueError(f"a gamma's shape and scale are above 0, got shape = {shape:g}, scale = {scale:g}")
        return "gamma", (shape,), (("scale", scale),), None, (0.0, inf), None
    if dist == "lognormal":
        if "mean" in p:
            m, s = p["mean"], p["sd"]
            if m <= 0:
                raise ValueError(f"a lognormal's mean is above 0, got {m:g}")
            if s == 0:
                return "lognorm", (), (), m, (m, m), None
            sigma = math.sqrt(math.log1p((s / m) ** 2))
            mu = math.log(m) - sigma**2 / 2
        else:
            mu, sigma = p["mu"], p["sigma"]
            if sigma <= 0:
                raise ValueError(f"a lognormal's sigma (the sd of its log) is above 0, got {sigma:g}")
        return "lognorm", (sigma,), (("scale", math.exp(mu)),), None, (0.0, inf), None
    if dist == "normal":
        m, s = p["mean"], p["sd"]
        if s == 0:
            return "norm", (), (), m, (m, m), None
        return "norm", (), (("loc", m), ("scale", s)), None, (-inf, inf), None
    if dist == "truncnormal":
        m, s = p["mean"], p["sd"]
        low, high = p.get("low", -inf), p.get("high", inf)
        if not low < high:
            raise ValueError(f"a truncnormal's low is below its high, got low = {low:g}, high = {high:g}")
        if s == 0:
            if not low <= m <= high:
                raise ValueError(f"with sd = 0 the mean {m:g} must lie between low and high")
            return "truncnorm", (), (), m, (m, m), None
        one_way = (low, high) if math.isfinite(low) and math.isfinite(high) else None
        return "truncnorm", ((low - m) / s, (high - m) / s), (("loc", m), ("scale", s)), None, (low, high), one_way
    if dist == "triangular":
        low, mode, high = p["low"], p["mode"], p["high"]
        if not low <= mode <= high:
            raise ValueError(f"a triangular's low <= mode <= high, got {low:g}, {mode:g}, {high:g}")
        if low == high:
            return "triang", (), (), low, (low, low), None
        return "triang", ((mode - low) / (high - low),), (("loc", low), ("scale", high - low)), None, (low, high), (low, high)
    low, high = p["low"], p["high"]  # uniform
    if not low <= high:
        raise ValueError(f"a uniform's low is at most its high, got low = {low:g}, high = {high:g}")
    if low == high:
        return "uniform", (), (), low, (low, low), None
    return "uniform", (), (("loc", low), ("scale", high - low)), None, (low, high), (low, high)


def _fits(place, dist: str, support: tuple[float, float], scale: bool, path: str, scenario) -> str | None:
    """Why a distribution's draws can fall outside the number's domain; None if they cannot.

    A factor (``scale = true``) must not be negative; one that pushes a probability above 1 in
    some draws is allowed, and those draws are excluded and counted (:mod:`kikcalc.sensitivity`).
    Draws beyond the number's limits are :func:`probe`'s to find (it draws).
    """
    low, high = support
    if scale:
        if low < 0:
            return (f"a {dist} can draw a negative factor, and scale = true multiplies {path} by it; "
                    f"use gamma or lognormal (mean 1) for a factor")
        return None
    floor, ceiling = place.natural_low, place.natural_high
    if floor is not None and low < floor:
        bounds = f"between {floor:g} and {ceiling:g}" if ceiling is not None else f"at least {floor:g}"
        fit = ("beta, or a truncnormal, triangular or uniform within it" if ceiling is not None
               else "gamma, lognormal, or a truncnormal with low = 0")
        return (f"a {dist} here can draw {_describe(low)}, and {path} is {place.what} {bounds}; use {fit}")
    if ceiling is not None and high > ceiling:
        return (f"a {dist} here can draw up to {_describe(high)}, and {path} is {place.what} of at most "
                f"{ceiling:g}; use beta, or a truncnormal, triangular or uniform within [0, {ceiling:g}]")
    return None


def _beyond_limits(scenario, u: Uncertain, ends: np.ndarray) -> str | None:
    """Why an entry draws beyond its number's limits (:mod:`kikcalc.limits`) at least once in :data:`TAIL` draws;
    None if it does not. A normal on a cost is fine; one centred on 1e12 kr. is a slip. A factor (``scale``) is
    judged by what it makes of the table's largest number."""
    from kikcalc.keyslots import in_file_units, slot

    place = slot(scenario, u.path)
    number_range = limits.Range(place.low, place.high)
    largest = float(np.max(np.abs(in_file_units(scenario, place)), initial=0.0)) if u.scale else 1.0
    low, high = float(ends[0]) * largest, float(ends[-1]) * largest
    if (u.scale and place.natural_high is not None) or (number_range.holds(low) and number_range.holds(high)):
        return None  # a factor that pushes a probability above 1 in a draw: that draw is excluded and counted
    what = (f"a factor whose 1-in-a-million ends {ends[0]:.4g} and {ends[-1]:.4g} make {limits.show(largest)}" if u.scale
            else "its 1-in-a-million ends are")
    return (f"a {u.dist} here draws beyond the range at least once in {1 / TAIL:,.0f} draws ({what} {low:.4g} and "
            f"{high:.4g}), and {u.path} is {place.what} {number_range.words()}")
    return None


def _describe(x: float) -> str:
    return "any negative number" if x == -math.inf else "any large number" if x == math.inf else f"{x:g}"


def _correlations(table: Any, paths: list[str], problems: list[Problem], failed: set[str] = frozenset()) -> np.ndarray | None:
    """The normal scores' correlation matrix from ``[[correlations]]`` (rank correlations). ``failed``: entries
    of [uncertainty] with a problem of their own, which a correlation may name without a second problem."""
    if table is None:
        return None
    if not isinstance(table, list):
        problems.append(Problem("correlations", 'expected [[correlations]] entries: between = ["PATH", "PATH"], rank = 0.5'))
        return None
    rank = np.eye(len(paths))
    given = False
    pairs: set[frozenset[int]] = set()  # the pairs given a rank so far
    for i, entry in enumerate(table):
        where = f"correlations[{i}]"
        extra = [key for key in entry if key not in _CORRELATION_KEYS] if isinstance(entry, dict) else []
        if extra:  # betwen = [...]: the typo, as in every table
            problems.extend(Problem(keypaths.child(where, key), unknown_key(key, _CORRELATION_KEYS)) for key in extra)
            continue
        if not isinstance(entry, dict) or set(entry) != set(_CORRELATION_KEYS):
            problems.append(Problem(where, 'expected between = ["PATH", "PATH"] and rank = a number between -1 and 1'))
            continue
        pair, r = entry["between"], entry["rank"]
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            problems.append(Problem(f"{where}.between", "expected two key paths named in [uncertainty]"))
            continue
        if isinstance(r, bool) or not isinstance(r, int | float) or not -1 < r < 1:
            shown = repr(r) if isinstance(r, int | float) and not isinstance(r, bool) else describe(r) + quoted_number(r)
            problems.append(Problem(f"{where}.rank", f"expected a rank correlation strictly between -1 and 1, got {shown}"))
            continue
        index = []
        for p in pair:
            if _canonical_or_none(p) in failed:
                continue  # its entry's own problem is reported
            try:
                index.append(paths.index(keypaths.canonical(p)))
            except (ValueError, keypaths.KeyPathError):
                problems.append(Problem(f"{where}.between", f"{p!r} is not an entry of [uncertainty]{did_you_mean(p, paths)}"))
        if len(index) < 2:
            continue
        if index[0] == index[1]:
            problems.append(Problem(f"{where}.between", "names one number twice"))
            continue
        if frozenset(index) in pairs:
            problems.append(Problem(f"{where}.between", f"the pair {paths[index[0]]} and {paths[index[1]]} is given a rank "
                                                        f"correlation twice; give it once"))
            continue
        rank[index[0], index[1]] = rank[index[1], index[0]] = r
        pairs.add(frozenset(index))
        given = True
    if not given:
        return None
    # Numbers correlated with none form an identity block (eigenvalues 1): only the rest need the eigenvalues.
    tied = correlated_inputs(rank)
    block = np.ix_(tied, tied)
    smallest = float(min([1.0, *np.linalg.eigvalsh(rank[block])]))
    if smallest <= 1e-12:
        problems.append(Problem("correlations", f"the rank correlations form a matrix that is not positive definite "
                                                f"(smallest eigenvalue {smallest:.3g}): some of them contradict "
                                                f"each other; weaken one"))
        return None
    # Spearman's rank correlation r of two normal scores is (6 / pi) asin(rho / 2): the copula's rho.
    normal = 2.0 * np.sin(np.pi * rank / 6.0)
    np.fill_diagonal(normal, 1.0)
    if float(min([1.0, *np.linalg.eigvalsh(normal[block])])) <= 1e-12:
        problems.append(Problem("correlations", "the rank correlations give a normal-score matrix that is not "
                                                "positive definite; weaken one"))
        return None
    return normal


def correlated_inputs(correlation: np.ndarray) -> np.ndarray:
    """The inputs a correlation matrix (d, d) ties to some other (a nonzero entry off its diagonal), in order.
    The rest form an identity block: independent of everything."""
    off_diagonal = correlation - np.diag(np.diag(correlation))
    return np.flatnonzero((off_diagonal != 0).any(axis=1))


def probe(uncertainty: Uncertainty, scenario=None) -> list[Problem]:
    """Problems that only drawing shows (imports scipy): a distribution whose inverse CDF gives no finite number
    at the 1-in-a-million ends or the median, and, given the scenario, one that draws beyond its number's limits
    (:mod:`kikcalc.limits`) at those ends."""
    problems = []
    for u in uncertainty.inputs:
        where = keypaths.child("uncertainty", u.path)
        try:
            with np.errstate(all="ignore"):
                ends = u.ppf(np.array([TAIL, 0.5, 1 - TAIL]))
        except (ArithmeticError, ValueError) as error:  # scipy's special functions overflow (a beta's a = b = 1e-308)
            problems.append(Problem(where, f"a {u.dist} with these parameters "
                                           f"({', '.join(f'{k} = {v:g}' for k, v in u.parameters)}) cannot be evaluated: "
                                           f"scipy.stats fails at its inverse CDF ({type(error).__name__}); give it "
                                           f"parameters that floating-point numbers can hold"))
            continue
        if not np.isfinite(ends).all():
            problems.append(Problem(where, f"a {u.dist} with these parameters gives no finite number at some probabilities "
                                           f"(1 in a million: {ends[0]:g}, median {ends[1]:g}, 1 - 1 in a million: {ends[2]:g}); "
                                           f"give it a mean and spread that floating-point numbers can hold"
                                           + _hint_certain(dict(u.parameters))))
            continue
        beyond = _beyond_limits(scenario, u, ends) if scenario is not None else None
        if beyond:
            problems.append(Problem(where, beyond))
    return problems


def _hint_certain(parameters: dict[str, float]) -> str:
    """For a spread too small for the distribution to be drawn: that sd = 0 says "this number is certain"."""
    mean, sd = parameters.get("mean"), parameters.get("sd")
    if mean is None or sd is None or not 0 < sd <= 1e-6 * abs(mean):
        return ""
    return f" (a spread of {sd:g} beside a mean of {mean:g} is as good as none: sd = 0 keeps the number certain)"


def without(uncertainty: Uncertainty, paths: set[str]) -> Uncertainty:
    """The uncertainty with some numbers made certain (set by --set): their rows and columns of the copula dropped."""
    keep = [i for i, u in enumerate(uncertainty.inputs) if u.path not in paths]
    correlation = uncertainty.correlation
    if correlation is not None:
        correlation = correlation[np.ix_(keep, keep)]
        if np.allclose(correlation, np.eye(len(keep))):
            correlation = None
    return Uncertainty(tuple(uncertainty.inputs[i] for i in keep), correlation)
