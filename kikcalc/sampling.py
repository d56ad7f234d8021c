"""The draws of the uncertain numbers (:mod:`kikcalc.uncertainty`), reproducible bit for bit.

:meth:`Design.numbers` hands out the numbers of draws ``[first, stop)``; they depend only on the
seed, the sampler and the draw numbers, never on how the draws are split among chunks, local
processes or a Dask cluster. The ``random`` sampler draws each number straight from its scipy.stats
distribution (``.rvs``); ``lhs`` and ``sobol`` make a uniform design and take inverse CDFs. Inputs
in a ``[[correlations]]`` entry go through a Gaussian copula whatever the sampler.
"""

from __future__ import annotations

import numpy as np

from kikcalc.uncertainty import Uncertainty, correlated_inputs

SAMPLERS = ("random", "lhs", "sobol")
BLOCK_DRAWS = 1024
"""The random sampler draws in blocks of this many draws, block b from SeedSequence(seed, spawn_key=(b,)):
a draw's numbers do not depend on how the draws are split among chunks or workers."""


class Design:
    """The draws of an uncertainty, handed out by draw range, reproducibly: :meth:`numbers`.

    ``random``: block b of BLOCK_DRAWS draws comes from its own stream, SeedSequence(seed,
    spawn_key=(b,)); within a block, first the standard normals of the Gaussian copula (block rows x
    correlated inputs, row by row), then each other input's draws in [uncertainty] order, straight
    from its scipy.stats distribution (``.rvs``); a block is drawn whole even where the draws end within
    it, so a draw's numbers do not depend on how many are asked for. ``sobol``: one scrambled Sobol sequence,
    fast-forwarded to the first draw asked for (N a power of 2 keeps its balance); ``lhs``: one
    Latin hypercube of all N draws, made once (it needs them all: N x d numbers in memory). Both
    turn their uniform design into numbers by the inverse CDFs, which keeps the design's strata.
    """

    def __init__(self, uncertainty: Uncertainty, draws: int, seed: int, sampler: str = "random"):
        if sampler not in SAMPLERS:
            raise ValueError(f"unknown sampler {sampler!r}; expected one of {', '.join(SAMPLERS)}")
        self.uncertainty, self.draws, self.seed, self.sampler = uncertainty, draws, seed, sampler
        self.dimensions = len(uncertainty)
        self._whole: np.ndarray | None = None
        self._block: tuple[int, np.ndarray] | None = None  # the last random block: chunks smaller than a block share it
        self._copula = _copula(uncertainty)

    def _generator(self, *key: int) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=key)))

    def numbers(self, first: int, stop: int) -> np.ndarray:
        """The uncertain numbers of draws [first, stop), shape (stop - first, d): the same for a draw whatever
        range it is asked for in."""
        if not 0 <= first <= stop <= self.draws:
            raise ValueError(f"draws [{first}, {stop}) are not within the design's {self.draws}")
        if self.dimensions == 0 or first == stop:
            return np.empty((stop - first, self.dimensions))
        if self.sampler != "random":
            return _from_uniforms(self.uncertainty, self._copula, self.uniforms(first, stop))
        parts = []
        for block in range(first // BLOCK_DRAWS, (stop - 1) // BLOCK_DRAWS + 1):
            begin = block * BLOCK_DRAWS
            parts.append(self._random_block(block)[max(first - begin, 0): stop - begin])
        return np.concatenate(parts) if len(parts) > 1 else parts[0].copy()

    def _random_block(self, block: int) -> np.ndarray:
        if self._block is not None and self._block[0] == block:
            return self._block[1]
        generator = self._generator(block)
        n = BLOCK_DRAWS  # a whole block even where the draws end within it: a draw's numbers do not depend on N
        inputs = self.uncertainty.inputs
        out = np.empty((n, len(inputs)))
        correlated, lower = self._copula
        if correlated:
            from scipy.stats import norm

            probabilities = norm.cdf(_mixed(generator.standard_normal((n, len(correlated))), lower))
            out[:, correlated] = _inverse_cdfs([inputs[i] for i in correlated], probabilities)
        chosen = set(correlated)
        run: list[int] = []  # inputs next to each other in the stream, of one distribution: drawn by one call
        for i, item in enumerate(inputs):
            if i in chosen:
                continue
            if run and not _same_family(inputs[run[0]], item):
                _draw_run(inputs, run, out, generator)
                run = []
            run.append(i)
        if run:
            _draw_run(inputs, run, out, generator)
        self._block = (block, out)
        return out

    def uniforms(self, first: int, stop: int) -> np.ndarray:
        """The ``lhs`` or ``sobol`` design's rows for draws [first, stop), shape (stop - first, d), in (0, 1)."""
        d = self.dimensions
        from scipy.stats import qmc

        if self.sampler == "sobol":
            import warnings

            engine = qmc.Sobol(d, scramble=True, rng=self._generator())
            if first:
                engine.fast_forward(first)
            with warnings.catch_warnings():  # N not a power of 2: the docs say so once, not every chunk
                warnings.simplefilter("ignore", UserWarning)
                return engine.random(stop - first)
        if self.sampler != "lhs":
            raise ValueError(f"the {self.sampler} sampler draws numbers, not a uniform design")
        if self._whole is None:
            self._whole = qmc.LatinHypercube(d, rng=self._generator()).random(self.draws)
        return self._whole[first:stop]


SAME_STREAM = ("beta", "gamma", "lognorm", "uniform")
"""scipy.stats distributions whose ``.rvs`` of k parameter sets at once, shape (k, n), draws the numbers k calls of
n each would, one after the other: each number from numpy's Generator in the output's order, then scaled and moved."""


def _same_family(first, item) -> bool:
    """Whether ``item`` can be drawn in one call with the run that ``first`` opens."""
    return (first.point is None and item.point is None and first.scipy_name == item.scipy_name
            and first.scipy_name in SAME_STREAM and [k for k, _ in first.scipy_kwargs] == [k for k, _ in item.scipy_kwargs])


def _draw_run(inputs, run: list[int], out: np.ndarray, generator: np.random.Generator) -> None:
    """The draws of some inputs next to each other in the stream into their columns of ``out`` (n, d): each input's
    own ``.rvs`` of n, one after the other; one scipy call with the parameters as columns where they are of one
    distribution (:data:`SAME_STREAM`), the same numbers."""
    n = len(out)
    if len(run) == 1 or inputs[run[0]].point is not None:
        for i in run:
            out[:, i] = inputs[i].rvs(n, generator)
        return
    from scipy import stats

    first = inputs[run[0]]
    args = [np.array([inputs[i].scipy_args[j] for i in run])[:, None] for j in range(len(first.scipy_args))]
    kwargs = {key: np.array([dict(inputs[i].scipy_kwargs)[key] for i in run])[:, None] for key, _ in first.scipy_kwargs}
    drawn = getattr(stats, first.scipy_name).rvs(*args, **kwargs, size=(len(run), n), random_state=generator)
    out[:, run] = drawn.T


def _copula(uncertainty: Uncertainty) -> tuple[tuple[int, ...], np.ndarray | None]:
    """The inputs that take part in a rank correlation, and the lower Cholesky factor of their normal scores'
    correlation; ((), None) if none does. The others are independent of everything and draw on their own."""
    correlation = uncertainty.correlation
    if correlation is None:
        return (), None
    correlated = tuple(int(i) for i in correlated_inputs(correlation))
    if not correlated:
        return (), None
    return correlated, np.linalg.cholesky(correlation[np.ix_(correlated, correlated)])


def _mixed(scores: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Independent normal scores (n, c) made correlated: scores @ lower.T, summed term by term. Not the matrix
    product: BLAS sums in an order that depends on the number of rows, so a draw's numbers would change in the
    last bit with the rows drawn with it."""
    correlated = np.zeros_like(scores)
    for j in range(scores.shape[1]):
        correlated += scores[:, j:j + 1] * lower[:, j]
    return correlated


def _from_uniforms(uncertainty: Uncertainty, copula: tuple[tuple[int, ...], np.ndarray | None],
                   uniforms: np.ndarray) -> np.ndarray:
    """The numbers of a uniform design (n, d): the copula's correlation applied to the correlated inputs' columns,
    then each distribution's inverse CDF."""
    u = uniforms
    correlated, lower = copula
    if correlated:
        from scipy.stats import norm

        u = u.copy()
        u[:, correlated] = norm.cdf(_mixed(norm.ppf(u[:, correlated]), lower))
    return _inverse_cdfs(uncertainty.inputs, u)


def _inverse_cdfs(inputs, u: np.ndarray) -> np.ndarray:
    """Each input's numbers at its column of probabilities ``u`` (n, k), shape (n, k): each one's inverse CDF
    (:meth:`~kikcalc.uncertainty.Uncertain.ppf`), taken by one scipy call for the inputs of one distribution, with their
    parameters as columns (elementwise, the same numbers)."""
    out = np.empty(np.shape(u))
    families: dict[tuple, list[int]] = {}
    for column, item in enumerate(inputs):
        if item.point is not None:
            out[:, column] = item.ppf(u[:, column])
        else:
            families.setdefault((item.scipy_name, len(item.scipy_args), tuple(k for k, _ in item.scipy_kwargs)), []).append(column)
    for (name, n_args, keys), columns in families.items():
        if len(columns) == 1:
            out[:, columns[0]] = inputs[columns[0]].ppf(u[:, columns[0]])
            continue
        from scipy import stats

        args = [np.array([inputs[c].scipy_args[j] for c in columns]) for j in range(n_args)]
        kwargs = {key: np.array([dict(inputs[c].scipy_kwargs)[key] for c in columns]) for key in keys}
        out[:, columns] = getattr(stats, name).ppf(u[:, columns], *args, **kwargs)
    return out
