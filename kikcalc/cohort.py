"""One month of the open cohort for R rows at once: the moves and the step, x[t+1] = x[t] P[t] + u[t].

The step is laid out as a careful hand-written model would be:

- States are kept in the engine's own order, benefit states first (:class:`Structure`). The stock is
  one array (R, S, A+1): a benefit state carries anciennitet months 0..A-1 and a spare slot A,
  contiguous and last; an outside state holds its persons whose anciennitet is forgotten in its
  spare slot, its other slots 0. Persons outside who keep their anciennitet for a while are held
  apart, in ``kept`` (R, So, C, A) (:mod:`kikcalc.returns`).
- One matrix product a month reduces the whole stock over anciennitet (:func:`reduce_stock`,
  :meth:`Structure.reduction`): the headcount, one column per anciennitet profile of the moves
  out, and the weightings money asks for; an outside state's spare slot counts in every column
  (at anciennitet 0 in the weightings), a benefit state's spare slot is 0 whenever it is reduced.
  The engine writes it straight into its month-major tables.
- The moves between benefit states that do not depend on anciennitet, with the stay on the
  diagonal, are one (R, Sb, Sb) matrix product over every anciennitet month; what leaves otherwise
  is taken off elementwise, over the whole stock at once (0 for outside states). The product is
  written one slot on, which is the ageing: the stock lives in a flat buffer one element longer than
  itself (:func:`stock_buffer`), the product goes into the next buffer from its second element on,
  and what leaves is subtracted there in place, in one flat operation (the spare slot catches those
  aged past A-1, added into A-1, and is emptied).
- Moves into outside states need only a sum over anciennitet. The anciennitet profile of such a
  move, when the file gives it by band, is structure (the file's shape of the bands); a row's rate
  is its own scale times that profile. So the reduced stock's columns that moves out use
  (:attr:`Structure.moved`) and the outside states' persons make one small (R, m Sb + So, S)
  product per row, which moves persons out of benefit, between outside states and back in; with one
  such column it reads the month's reduced column as it is. A row whose bands do not keep the file's
  shape (a draw of one band alone) gets the difference added exactly.
- Moves between benefit states that depend on anciennitet are added pair by pair, in one call.

The moves between benefit states are the same for every strategy of a draw in most scenarios, and a
hand-written model would move both strategies in one (Sb, Sb) @ (Sb, K (A+1)) product per draw (about
a quarter faster than one per row on the benchmark's chunks); kikcalc does not, since that layout
would not let one product a month write the (R, T+1, S) tables (docs/scaling.md).
"""

from __future__ import annotations

import functools

import numpy as np

from kikcalc.records import frozen
from kikcalc.refusion import reset_months
from kikcalc.returns import arriving_outside, leaving_by_anciennitet, outside_month
from kikcalc.spec import Scenario
from kikcalc.transitions import effect_transitions, monthly_rate, transition_probabilities

COLUMN_BY_COLUMN = 64
"""Benefit states up to which each row's matrix of moves between them is stored column by column: BLAS
multiplies a batch of small matrices so about 15 % faster (8 states), large ones row by row (497 states:
15 % faster so)."""

SMALL_BY_BLOCKS = 64
"""Benefit states above which the small product of :func:`step` is made by its two nonzero blocks: moves out of
benefit reach only the outside states, so the rest of their rows is 0 (at 597 benefit states, 0.08 ms a month
against 6.7; up to 64, one product is faster)."""

PROFILE_TOLERANCE = 1e-12
"""Relative to its scale: a row's banded rate within this of its scale times the file's profile takes the profile."""


@frozen(eq=False)
class Structure:
    """The states and transitions as index arrays, in the engine's own order: benefit states first.

    ``order[i]`` is the scenario's index of the engine's state ``i``; the engine keeps its arrays in
    this order and puts the scenario's order back on what it returns.
    """

    n_benefit: int
    anciennitet_months: int
    order: np.ndarray  # (S,) scenario index of each engine state
    source: np.ndarray  # (n,) engine index of each transition's source
    target: np.ndarray  # (n,) engine index of each transition's target
    by_band: np.ndarray  # (n,) bool: the probability may differ between anciennitet months (given by band)
    profiles: np.ndarray  # (k, A+1): the distinct anciennitet profiles of banded moves out of benefit, max 1, spare 0
    profile_of: np.ndarray  # (n,) column of each transition's profile in the reduced stock (0: flat, the headcount)
    reference: np.ndarray  # (n,) the anciennitet month at which a banded move's profile is 1
    profiles_kept: bool = True
    """Whether every row keeps its profiles through the horizon: the banded moves out are probabilities
    that effects only multiply (an add, a set or a competing hazard changes the shape over anciennitet)."""
    rescaled_change: bool = False
    """Whether every move that effects change is a probability out of a benefit state that effects only multiply:
    a move out of benefit (keeping its profile) or a move between benefit states (by band or not). Then a change
    month needs only those moves rescaled (:func:`rescaled_moves`), not the month's moves rebuilt."""
    clock: int = 0
    """C: the months outside benefit for which a person's anciennitet is kept (:mod:`kikcalc.returns`), one
    less than :func:`kikcalc.refusion.reset_months`; 0 when every return starts again, or nobody returns."""

    @classmethod
    def of(cls, scenario: Scenario) -> Structure:
        """The structure of a scenario; built once per scenario (every chunk of a run asks for it)."""
        return _structure_of(scenario)

    @classmethod
    def build(cls, scenario: Scenario) -> Structure:
        benefit = scenario.benefit_mask
        anc = scenario.anciennitet_months
        banded = np.array([t.banded for t in scenario.transitions], dtype=bool)
        hazard = np.array([t.kind == "hazard" for t in scenario.transitions], dtype=bool)
        names = np.array([t.source for t in scenario.transitions])
        # Competing hazards share their total: one banded hazard makes every hazard from its state banded.
        banded |= hazard & np.isin(names, names[banded & hazard])
        order = np.concatenate([np.flatnonzero(benefit), np.flatnonzero(~benefit)])
        position = np.argsort(order)
        source = position[[scenario.state_index(t.source) for t in scenario.transitions]].astype(int)
        target = position[[scenario.state_index(t.target) for t in scenario.transitions]].astype(int)
        nb = int(benefit.sum())
        # The file's own probabilities give each banded move's profile over anciennitet.
        own = np.array([monthly_rate(t.form, t.value) for t in scenario.transitions]).reshape(-1, anc)
        own = transition_probabilities(scenario, own)
        profiles: list[np.ndarray] = []
        profile_of = np.zeros(len(source), dtype=int)
        reference = np.zeros(len(source), dtype=int)
        for i in np.flatnonzero(banded & (source < nb) & (target >= nb)):
            reference[i] = int(np.argmax(own[i]))
            top = own[i, reference[i]]
            shape = np.append(own[i] / top if top > 0 else np.ones(anc), 0.0)
            match = [c for c, known in enumerate(profiles) if np.allclose(known, shape, rtol=PROFILE_TOLERANCE, atol=0.0)]
            if not match:
                profiles.append(shape)
            profile_of[i] = 1 + (match[0] if match else len(profiles) - 1)
        banded_out = np.flatnonzero(banded & (source < nb) & (target >= nb))
        reshaped = {e.transition for _, e in scenario.effects if e.on == "rate" and e.operation != "multiply"}
        kept = all(scenario.transitions[i].kind == "probability" and i not in reshaped for i in banded_out)
        touched = set(effect_transitions(scenario))  # by effects, seasons or the cycle
        rescaled = kept and all(source[i] < nb and scenario.transitions[i].kind == "probability" and i not in reshaped
                                for i in touched)
        returns = nb < len(order) and any(not scenario.states[scenario.state_index(t.source)].is_benefit
                                          and scenario.states[scenario.state_index(t.target)].is_benefit
                                          for t in scenario.transitions)
        clock = max(reset_months(scenario.refusion) - 1, 0) if returns else 0
        return cls(n_benefit=nb, anciennitet_months=anc, order=order, profiles_kept=kept, rescaled_change=rescaled, clock=clock,
                   source=source, target=target, by_band=banded,
                   profiles=np.array(profiles).reshape(-1, anc + 1), profile_of=profile_of, reference=reference)

    @property
    def columns(self) -> int:
        """Columns of the reduced stock each benefit state feeds the moves out: the headcount and each profile."""
        return 1 + len(self.profiles)

    @property
    def identity(self) -> bool:
        return bool((self.order == np.arange(len(self.order))).all())

    def inward(self, array: np.ndarray, axis: int) -> np.ndarray:
        """An array with a state axis in the scenario's order, in the engine's."""
        return array if self.identity else np.take(array, self.order, axis=axis)

    def outward(self, array: np.ndarray, axis: int) -> np.ndarray:
        """An array with a state axis in the engine's order, in the scenario's."""
        return array if self.identity else np.take(array, np.argsort(self.order), axis=axis)

    @functools.cached_property
    def out_moves(self) -> np.ndarray:
        """The transitions out of benefit into outside states, in order."""
        return np.flatnonzero((self.source < self.n_benefit) & (self.target >= self.n_benefit))

    @functools.cached_property
    def flat_between(self) -> np.ndarray:
        """The moves between benefit states that do not depend on anciennitet, in order: the columns of
        :attr:`Moves.flat_probability`."""
        nb = self.n_benefit
        return np.flatnonzero((self.source < nb) & (self.target < nb) & ~self.by_band)

    @functools.cached_property
    def banded_between(self) -> np.ndarray:
        """The moves between benefit states that depend on anciennitet, in order: the rows of
        :attr:`Moves.band_probability`."""
        nb = self.n_benefit
        return np.flatnonzero((self.source < nb) & (self.target < nb) & self.by_band)

    @functools.cached_property
    def flat_by_source(self) -> np.ndarray:
        """Sums :attr:`flat_between`'s probabilities by source state: shape (n_flat, Sb)."""
        return _onehot(self.source[self.flat_between], self.n_benefit)

    @functools.cached_property
    def out_by_column(self) -> np.ndarray:
        """Sums the moves out's rates by (source state, moved column), outside states' columns 0: shape (n_out, S * m)."""
        out, moved = self.out_moves, len(self.moved)
        return _onehot(self.source[out] * moved + self.moved_row[self.profile_of[out]], len(self.order) * moved)

    @functools.cached_property
    def full_profiles(self) -> np.ndarray:
        """Each column's profile over anciennitet, the flat one (the headcount) first, shape (c, A+1)."""
        return np.concatenate([np.append(np.ones(self.anciennitet_months), 0.0)[None], self.profiles])

    @functools.cached_property
    def moved(self) -> np.ndarray:
        """The columns of the reduced stock the moves out use, in order: the headcount (only if some move out
        is flat) and each profile; the rows of :attr:`Moves.small` take them in this order."""
        flat_out = bool((self.profile_of[self.out_moves] == 0).any())
        return np.arange(0 if flat_out else 1, self.columns)

    @functools.cached_property
    def moved_row(self) -> np.ndarray:
        """Each column's place among :attr:`moved` (-1: not moved), shape (c,)."""
        place = np.full(self.columns, -1)
        place[self.moved] = np.arange(len(self.moved))
        return place

    @property
    def out_reduction(self) -> np.ndarray:
        """The reduction of the stock for the moves out, shape (A+1, c): the headcount and each profile."""
        return self.reduction(np.zeros((0, self.anciennitet_months)))

    def reduction(self, weights: np.ndarray) -> np.ndarray:
        """The matrix that reduces the stock (..., S, A+1) over anciennitet, shape (A+1, 1 + k + W): the
        headcount, each profile of the moves out, then each of the W weightings (W, A) asked for.

        Its last row reads the spare slot, where the stock keeps an outside state's persons (a benefit
        state's spare slot is 0 when reduced, :func:`step`): they count in the headcount and in each
        profile's column (the moves out of outside states read them there), and at anciennitet 0 in
        each weighting."""
        columns = np.zeros((self.anciennitet_months + 1, 1 + len(self.profiles) + len(weights)))
        columns[:-1, 0] = 1.0
        columns[:, 1: self.columns] = self.profiles.T
        columns[:-1, self.columns:] = weights.T
        columns[-1, : self.columns] = 1.0
        columns[-1, self.columns:] = weights[:, 0]
        return columns


@functools.lru_cache(maxsize=16)
def _structure_of(scenario: Scenario) -> Structure:
    return Structure.build(scenario)


@frozen(eq=False)
class Moves:
    """One month's moves for R rows, split for :func:`step`; Sb benefit and So outside states, m columns of
    the reduced stock moved by the moves out (:attr:`Structure.moved`)."""

    between_benefit: np.ndarray
    """Transposed, element [r, j, s], shape (R, Sb, Sb): the probability of moving from benefit state s
    to benefit state j for the moves that do not depend on anciennitet; on the diagonal, 1 minus those.
    Each row's matrix is stored column by column (a view of [r, s, j]) for up to :data:`COLUMN_BY_COLUMN`
    benefit states: the step's product is faster so."""
    leaving_else: np.ndarray
    """Probability of leaving s at anciennitet a by every other move, shape (R, S, A+1); 0 in the spare slot
    and for outside states (whose rows let :func:`step` run over the whole stock in one flat operation)."""
    small: np.ndarray
    """The moves out of and between outside states, shape (R, m * Sb + So, S): rows the reduced stock
    (moved column, benefit state) then the outside states, columns the states moved to (an outside
    state's stay on its own column)."""
    out_scale: np.ndarray
    """The rate of each move out of benefit where its profile is 1, shape (R, n_out), in transition order."""
    band_source: np.ndarray
    band_target: np.ndarray
    """Source and target of the moves between benefit states that depend on anciennitet, shape (nd,) each."""
    band_targets_distinct: bool
    """Whether no two of them go to the same state: then :func:`step` adds them with one indexed addition (each
    place gets one number, the same as adding them in order), not ``np.add.at`` (about ten times slower)."""
    band_probability: np.ndarray
    """Their probabilities, shape (R, nd, A+1); 0 in the spare slot."""
    off_profile: np.ndarray
    """Rows whose banded moves out of benefit do not keep the file's profile, shape (R,) bool."""
    off_profile_moves: np.ndarray
    """What those moves differ from scale x profile, element [row, s * (A+1) + a, o], shape (R_off, Sb * (A+1), So)."""
    profiles: np.ndarray
    """Each moved column's profile over anciennitet (:attr:`Structure.full_profiles`), shape (m, A+1)."""
    flat_probability: np.ndarray
    """The probabilities of :attr:`Structure.flat_between`, shape (R, n_flat): what :attr:`between_benefit` holds
    off its diagonal, and its diagonal 1 less their sums by source state."""


def month_moves(structure: Structure, probabilities: np.ndarray, off_profile: np.ndarray | None = None) -> Moves:
    """Split each transition's monthly probability (R, n, A), in the engine's state order, into the step's parts.

    Which moves are treated as depending on anciennitet, and their profiles, are structure, so
    every row takes the same path whatever rows it is run with: chunks give the same numbers.
    ``off_profile`` (R,): the rows found off their profiles in an earlier month, when
    :attr:`Structure.profiles_kept` says effects cannot change that; None: find them.
    """
    rows, _, anc = probabilities.shape
    nb, n_states, moved = structure.n_benefit, len(structure.order), len(structure.moved)
    source, target, by_band = structure.source, structure.target, structure.by_band
    flat, banded = structure.flat_between, structure.banded_between
    out = structure.out_moves
    inward = np.flatnonzero(source >= nb)

    flat_probability = probabilities[:, flat, 0]  # (R, n_flat)
    by_column = nb <= COLUMN_BY_COLUMN  # element [r, s, j] in memory, else [r, j, s]
    between_benefit = np.zeros((rows, nb * nb))
    between_benefit[:, (source[flat] * nb + target[flat]) if by_column else (target[flat] * nb + source[flat])] = flat_probability
    leaving_flat = flat_probability @ structure.flat_by_source  # (R, Sb)
    between_benefit[:, np.arange(nb) * (nb + 1)] = 1.0 - leaving_flat

    # The moves out of benefit by (source, profile column, target): one (source, target) pair is one transition.
    height = nb * moved + n_states - nb
    small = np.zeros((rows, height * n_states))
    scale = probabilities[:, out, structure.reference[out]]  # (R, n_out): the rate where the profile is 1
    small[:, (structure.moved_row[structure.profile_of[out]] * nb + source[out]) * n_states + target[out]] = scale
    inward_probability = probabilities[:, inward, 0]
    small[:, (nb * moved + source[inward] - nb) * n_states + target[inward]] = inward_probability
    stay = np.arange(nb, n_states)
    small[:, (nb * moved + stay - nb) * n_states + stay] = 1.0 - inward_probability @ _onehot(source[inward] - nb, n_states - nb)

    # Leaving by the moves out, as the profiles give them, then by the banded moves between benefit states.
    full_profiles = structure.full_profiles  # (c, A+1)
    band_probability = np.zeros((rows, len(banded), anc + 1))
    band_probability[..., :anc] = probabilities[:, banded]
    leaving_else = _leaving_else(structure, scale, full_profiles[structure.moved], band_probability)

    # Rows whose banded moves out are not scale x profile: the difference, exactly.
    banded_out = out[by_band[out]]
    profile = full_profiles[structure.profile_of[banded_out], :anc]  # (n_bo, A)

    def difference(given: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The banded moves out's rates (R', n_bo, A), a copy, made less scale x profile in place; and the scales (R', n_bo)."""
        scale_of_move = given[:, np.arange(len(banded_out)), structure.reference[banded_out]]
        given -= scale_of_move[..., None] * profile
        return given, scale_of_move

    if off_profile is None:
        found, scale_of_move = difference(np.take(probabilities, banded_out, axis=1))  # np.take: faster than [:, index]
        off_profile = (np.abs(found) > PROFILE_TOLERANCE * np.abs(scale_of_move)[..., None]).reshape(rows, -1).any(axis=1)
        off_difference = found[off_profile]
    else:
        off_difference = difference(np.take(probabilities[off_profile], banded_out, axis=1))[0]
    off_profile_moves = np.zeros((len(off_difference), nb, anc + 1, n_states - nb))
    for m, i in enumerate(banded_out):
        off_profile_moves[:, source[i], :anc, target[i] - nb] = off_difference[:, m]
    if len(off_difference):
        leaving_else[off_profile, :nb] += off_profile_moves.sum(axis=3)
    off_profile_moves = off_profile_moves.reshape(len(off_profile_moves), nb * (anc + 1), n_states - nb)
    between_benefit = between_benefit.reshape(rows, nb, nb)
    return Moves(between_benefit=np.swapaxes(between_benefit, 1, 2) if by_column else between_benefit, leaving_else=leaving_else,
                 small=small.reshape(rows, height, n_states), out_scale=scale, band_source=source[banded], band_target=target[banded],
                 band_targets_distinct=len(np.unique(target[banded])) == len(banded),
                 band_probability=band_probability, off_profile=off_profile, off_profile_moves=off_profile_moves,
                 profiles=full_profiles[structure.moved], flat_probability=flat_probability)


def rescaled_moves(structure: Structure, moves: Moves, touched: list[int], scale: np.ndarray, in_place: bool = False,
                   band_rates: np.ndarray | None = None) -> Moves:
    """Last month's moves with the touched moves at new rates: ``scale`` (R, len(touched)) holds each one's rate where
    its profile is 1 (a move between benefit states not by band: its rate), ``band_rates`` (R, k, A) the rates of the
    k touched moves between benefit states by band, in order (None: there are none).

    For :attr:`Structure.rescaled_change`: the moves out keep their profiles, so a new month needs their scales in
    the small product and what leaves by them; a move between benefit states its place in
    :attr:`Moves.between_benefit` (and its state's stay on the diagonal, 1 less the state's moves: the sum
    :func:`month_moves` takes) or its band rates (and what leaves by them); nothing else. Rows off their profile
    take the full rebuild of :func:`month_moves` instead (the caller's choice). ``in_place``: write the new rates
    into ``moves`` itself and return it (the engine's month loop, which holds the only reference).
    """
    nb = structure.n_benefit
    touched = np.asarray(touched, dtype=int)
    is_out = structure.target[touched] >= nb
    is_band = ~is_out & structure.by_band[touched]
    is_flat = ~is_out & ~is_band
    out_scale, small, leaving_else = moves.out_scale, moves.small, moves.leaving_else
    band_probability = moves.band_probability
    if is_out.any():
        touched_out, scale_out = touched[is_out], scale[:, is_out]
        out_scale = out_scale if in_place else out_scale.copy()
        out_scale[:, np.searchsorted(structure.out_moves, touched_out)] = scale_out
        small = small if in_place else small.copy()
        small[:, structure.moved_row[structure.profile_of[touched_out]] * nb + structure.source[touched_out],
              structure.target[touched_out]] = scale_out
    if is_band.any():
        if band_rates is None:
            raise ValueError("rescaled_moves: moves between benefit states by band are touched, but no band_rates given")
        band_probability = band_probability if in_place else band_probability.copy()
        band_probability[:, np.searchsorted(structure.banded_between, touched[is_band]), :-1] = band_rates
    if is_out.any() or is_band.any():  # what leaves by the moves out, then by the moves by band, as month_moves adds it
        leaving_else = _leaving_else(structure, out_scale, moves.profiles, band_probability, leaving_else if in_place else None)
    between_benefit, flat_probability = moves.between_benefit, moves.flat_probability
    if is_flat.any():
        touched_flat, scale_flat = touched[is_flat], scale[:, is_flat]
        if not in_place:
            between_benefit, flat_probability = between_benefit.copy(order="K"), flat_probability.copy()  # K: its layout
        flat_probability[:, np.searchsorted(structure.flat_between, touched_flat)] = scale_flat
        between_benefit[:, structure.target[touched_flat], structure.source[touched_flat]] = scale_flat
        diagonal = np.arange(nb)
        between_benefit[:, diagonal, diagonal] = 1.0 - flat_probability @ structure.flat_by_source
    if in_place:
        return moves
    return Moves(between_benefit=between_benefit, leaving_else=leaving_else, small=small, out_scale=out_scale,
                 band_source=moves.band_source, band_target=moves.band_target, band_targets_distinct=moves.band_targets_distinct,
                 band_probability=band_probability,
                 off_profile=moves.off_profile, off_profile_moves=moves.off_profile_moves, profiles=moves.profiles,
                 flat_probability=flat_probability)


def _leaving_else(structure: Structure, out_scale: np.ndarray, profiles: np.ndarray, band_probability: np.ndarray,
                  out: np.ndarray | None = None) -> np.ndarray:
    """:attr:`Moves.leaving_else` (R, S, A+1): leaving by the moves out of benefit at their rates where their profiles
    are 1 (R, n_out) and the moved columns' profiles (m, A+1), then by the moves by band between benefit states
    (R, nd, A+1), added in order; written into ``out`` if given. The one home of this sum (:func:`month_moves`,
    :func:`rescaled_moves`)."""
    rows = out_scale.shape[0]
    leaving = _leaving_out(out_scale @ structure.out_by_column, profiles, rows, len(structure.order), out)
    for d, s in enumerate(structure.source[structure.banded_between]):
        leaving[:, s] += band_probability[:, d]
    return leaving


def _leaving_out(by_column: np.ndarray, profiles: np.ndarray, rows: int, n_states: int,
                 out: np.ndarray | None = None) -> np.ndarray:
    """Probability of leaving each state by the moves out of benefit, (R, S, A+1) (0 for outside states), from
    their rates summed by (state, moved column), (R, S * m) (:attr:`Structure.out_by_column`), and the moved
    columns' profiles (m, A+1); written into ``out`` if given."""
    leaving = np.empty((rows, n_states, profiles.shape[1])) if out is None else out
    np.dot(by_column.reshape(rows * n_states, -1), profiles, out=leaving.reshape(rows * n_states, -1))  # BLAS (matmul is slower here)
    return leaving


def _onehot(index: np.ndarray, size: int) -> np.ndarray:
    """The (len(index), size) matrix with a 1 at each index: sums over transitions by a matrix product."""
    onehot = np.zeros((len(index), size))
    onehot[np.arange(len(index)), index] = 1.0
    return onehot


def reduce_stock(stock: np.ndarray, reduction: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The stock (R, S, A+1) reduced over anciennitet by a reduction matrix (A+1, C), shape (C, R, S): one
    matrix product, each column's result contiguous (:meth:`Structure.reduction`)."""
    rows, n_states, slots = stock.shape
    if out is None:
        out = np.empty((reduction.shape[1], rows, n_states))
    np.matmul(reduction.T, stock.reshape(rows * n_states, slots).T, out=out.reshape(len(out), rows * n_states))
    return out


def fill_vector(vector: np.ndarray, reduced: np.ndarray, moved: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """What the small product of :func:`step` moves, (R, m * Sb + So): the reduced stock's moved columns
    (:attr:`Structure.moved`, from :func:`reduce_stock` (C, R, S)) over the benefit states, then the
    outside states' persons (R, So) whose moves the small product makes."""
    so = outside.shape[1]
    nb = reduced.shape[2] - so
    for place, column in enumerate(moved):
        vector[:, place * nb: (place + 1) * nb] = reduced[column, :, :nb]
    vector[:, len(moved) * nb:] = outside
    return vector


def stock_buffer(rows: int, n_states: int, slots: int) -> np.ndarray:
    """A flat buffer of zeros one element longer than a stock (R, S, A+1): :func:`step` writes the next stock
    into such a buffer one slot on, and it holds the stock in its first R S (A+1) elements (:func:`stock_in`).
    A month loop keeps two, which take turns."""
    return np.zeros(rows * n_states * slots + 1)


def stock_in(buffer: np.ndarray, rows: int, n_states: int, slots: int) -> np.ndarray:
    """The stock (R, S, A+1) a :func:`stock_buffer` holds: a view of its first R S (A+1) elements."""
    return buffer[:-1].reshape(rows, n_states, slots)


def step(stock: np.ndarray, vector: np.ndarray, moves: Moves, arriving: np.ndarray, entry_mix: np.ndarray | None,
         flows: np.ndarray | None = None, work: tuple[np.ndarray, np.ndarray] | None = None,
         kept: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """One month: the persons at the start of the next month, states in the engine's order.

    ``stock`` (R, S, A+1): persons in benefit states by anciennitet month, the last slot spare and 0; an
    outside state holds in its spare slot its persons who return like inflow (with a ``kept``, the pool
    of :mod:`kikcalc.returns`), its other slots 0. ``vector``: what the small product moves
    (:func:`fill_vector`, or the moved column of the month's :func:`reduce_stock` when it is the only
    one and the spare slots hold everyone outside). ``arriving`` (R, S) persons entering from outside
    the model; ``entry_mix`` (R, Sb, A) where entrants land in a benefit state, None for all at
    anciennitet 0. ``kept`` (R, So, C, A): persons in outside states who keep their anciennitet
    (:mod:`kikcalc.returns`); None when :attr:`Structure.clock` is 0, and then whoever leaves benefit
    joins the outside state's spare slot. Returns the next stock (laid out as ``stock``), the next
    ``kept`` and the month's kept returners by benefit state and anciennitet carried, (R, Sb, A)
    (both None without ``kept``). If ``flows`` (R, S, S) is given, the month's moves from s to j are
    written into it (zero diagonal). ``work``: an array shaped like ``stock`` to compute in, and the
    :func:`stock_buffer` that receives the next stock (:func:`stock_in`): zeros, or a stock laid out
    as ``stock`` (in a month loop, the month before's), whose outside states' slots but the spare are 0.
    The array to compute in may be ``stock`` itself, which is then overwritten (what leaves, in place: a
    third less memory traffic than a separate array, the engine's month loop), except with ``flows``,
    ``kept`` or rows off their profiles, which read the stock after.
    """
    rows, n_states, slots = stock.shape
    nb = moves.between_benefit.shape[1]
    benefit = stock[:, :nb]
    if work is None:
        work = (np.empty_like(stock), stock_buffer(rows, n_states, slots))
    leaving, buffer = work
    if leaving is stock and (flows is not None or kept is not None or len(moves.off_profile_moves)):
        raise ValueError("step: the stock is computed in, but flows, kept persons or rows off their profiles need it")
    # Ageing: the product is written one slot on, its element i into the next stock's element i + 1; what
    # lands in a benefit state's slot 0 is overwritten by the entrants. The outside states' rows are not
    # written: they keep what the buffer held, 0 but in the spare slot, which is set below (what leaves
    # them is 0); the first outside state's slot 0 takes the product of the last benefit state's spare, 0.
    shifted = buffer[1:].reshape(rows, n_states, slots)
    np.matmul(moves.between_benefit, benefit, out=shifted[:, :nb])  # before ageing
    if len(moves.band_source):  # moves between benefit states that depend on anciennitet, added in order
        added = benefit[:, moves.band_source] * moves.band_probability
        if moves.band_targets_distinct:
            shifted[:, moves.band_target] += added
        else:
            np.add.at(shifted, (slice(None), moves.band_target), added)
    outside = stock[:, nb:, slots - 1]  # read by flows and kept below, so only where the stock is not computed in
    np.multiply(stock, moves.leaving_else, out=leaving)  # 0 for outside states; in the stock itself, half the memory traffic
    np.subtract(buffer[1:], leaving.reshape(-1), out=buffer[1:])  # one flat operation, in place
    following = stock_in(buffer, rows, n_states, slots)
    following_benefit = following[:, :nb]
    # Aged past A-1: still in "A-1 months and more". Over every state at once (a strided pass over all rows is
    # about three times faster than one over the benefit states'), once the outside states' spare slots, which
    # hold the buffer's persons outside, are emptied; the spare slots are emptied for the entrants to come.
    following[:, nb:, slots - 1] = 0.0
    following[..., slots - 2] += following[..., slots - 1]
    following[..., slots - 1] = 0.0
    moving = _moving(vector, moves.small, nb)  # (R, S): into each state from outside and out of benefit
    if len(moves.off_profile_moves):
        moving[moves.off_profile, nb:] += np.matmul(benefit[moves.off_profile].reshape(-1, 1, nb * slots),
                                                    moves.off_profile_moves)[:, 0]
    moving += arriving
    if entry_mix is None:
        following_benefit[..., 0] = moving[:, :nb]
    else:
        following_benefit[..., 0] = 0.0
        following_benefit[..., :-1] += moving[:, :nb, None] * entry_mix
    if flows is not None:
        columns = len(moves.profiles)
        everyone_outside = outside if kept is None else outside + kept.sum(axis=(2, 3))
        _flows(flows, benefit, everyone_outside, vector[:, : columns * nb].reshape(rows, columns, nb), moves)
    if kept is None:
        following[:, nb:, slots - 1] = moving[:, nb:]
        return following, None, None
    # The kept return at the anciennitet they carry; leavers join them; the pool moves by itself.
    outward = moves.small[:, moves.small.shape[1] - (n_states - nb):]  # (R, So, S)
    carried = arriving_outside(leaving_by_anciennitet(benefit, moves.small, moves.profiles, moves.off_profile,
                                                      moves.off_profile_moves))
    kept_following, reset, returned = outside_month(kept, outward, carried, following_benefit[..., :-1])
    following[:, nb:, slots - 1] = np.matmul(outside[:, None, :], outward[:, :, nb:])[:, 0] + arriving[:, nb:] + reset
    return following, kept_following, returned


_vecmat = getattr(np, "vecmat", None)  # numpy 2.2 and later: about a fifth faster on a batch of small products


def _vector_product(vector: np.ndarray, matrices: np.ndarray) -> np.ndarray:
    """Each row's vector times its matrix, (R, K) and (R, K, S) -> (R, S)."""
    if _vecmat is not None:
        return _vecmat(vector, matrices)
    return np.matmul(vector[:, None, :], matrices)[:, 0]


def _moving(vector: np.ndarray, small: np.ndarray, nb: int) -> np.ndarray:
    """What the small product moves into each state, (R, S), from ``vector`` (R, m Sb + So) and :attr:`Moves.small`
    (R, m Sb + So, S): one product, or above :data:`SMALL_BY_BLOCKS` benefit states its two nonzero blocks (the
    moved columns' rows reach only the outside states' columns)."""
    if nb <= SMALL_BY_BLOCKS:
        return _vector_product(vector, small)
    by_benefit = small.shape[1] - (small.shape[2] - nb)  # m Sb: the reduced stock's rows
    moving = _vector_product(vector[:, by_benefit:], small[:, by_benefit:])  # the outside states' persons, anywhere
    moving[:, nb:] += _vector_product(vector[:, :by_benefit], small[:, :by_benefit, nb:])  # out of benefit
    return moving


def _flows(flows: np.ndarray, benefit: np.ndarray, outside: np.ndarray, reduced: np.ndarray, moves: Moves) -> None:
    """The month's moves from s to j, written into ``flows`` (R, S, S), zero diagonal; ``reduced`` (R, c, Sb)."""
    rows, nb, slots = benefit.shape
    columns = reduced.shape[1]
    kept = benefit[..., :-1]
    flows[:, :nb, :nb] = kept.sum(axis=-1)[:, :, None] * np.swapaxes(moves.between_benefit, 1, 2)
    if len(moves.band_source):
        np.add.at(flows, (slice(None), moves.band_source, moves.band_target),
                  (kept[:, moves.band_source] * moves.band_probability[..., :-1]).sum(axis=-1))
    out_of_benefit = moves.small[:, : nb * columns, nb:].reshape(rows, columns, nb, flows.shape[2] - nb)
    flows[:, :nb, nb:] = np.einsum("rcs,rcso->rso", reduced, out_of_benefit)
    if moves.off_profile.any():
        flows[moves.off_profile, :nb, nb:] += np.einsum(
            "rsa,rsao->rso", benefit[moves.off_profile], moves.off_profile_moves.reshape(-1, nb, slots, flows.shape[2] - nb))
    flows[:, nb:, :] = outside[:, :, None] * moves.small[:, nb * columns:]
    diagonal = np.arange(flows.shape[1])
    flows[:, diagonal, diagonal] = 0.0
