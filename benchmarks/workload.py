"""The benchmark workload for running many rows: uncertainty draws x strategies.

A *draw* is one set of the model's uncertain inputs, drawn with numpy's Generator from a seed. A
*row* is one (draw, strategy) pair; each draw has two strategies, so R draws make 2R rows. Rows
are ordered draw-major: row ``2*d + k`` is draw ``d`` under strategy ``k`` (0 = baseline,
1 = ``job_effect``).

The model (defaults; ``n_benefit`` and ``months`` change the size):

- states ``b0..b7`` (benefit, gross cost basis, anciennitet tracked in months 0..13, A = 14,
  index 13 = "13 months and more") and ``job``, ``other`` (outside); S = 10;
- 120 months from 2025-01;
- an initial stock of 5,000 persons over the benefit states, each with an explicit
  ``initial_anciennitet`` mix (no settling), nobody in the outside states at the start;
- inflow into every benefit state, entering at anciennitet 0 (the default inflow mix);
- 74 monthly exit probabilities per draw, all given as ``probability``:
    * 56 benefit -> benefit: every ordered pair of distinct benefit states (8 x 7);
    * 16 benefit -> outside: every benefit state to ``job`` and to ``other`` (8 x 2), multiplied
      by the anciennitet factor ``0.6 + 0.9 exp(-a/4)`` (1.5 at a = 0, 0.68 at a = 13+) and
      written as explicit probability bands "0", "1", ..., "12", "13+";
    * 2 outside -> outside: ``job -> other`` and ``other -> job``;
- 16 re-entry probabilities outside -> benefit (``job`` and ``other`` to each benefit state); a
  person who re-enters does so like inflow, their anciennitet forgotten (``[refusion]
  reset_after_weeks = 0``; kikcalc's default keeps it for 52 weeks outside, which the floor does not);
- 8 inflows, persons per month;
- the effect size m: strategy ``job_effect`` multiplies every benefit -> ``job`` probability by
  m, ramped in linearly over 12 months from the start (kikcalc's effect: weight i/12 in the i-th
  month, rate -> rate (1 + (m-1) w));
- gross benefit cost with kikcalc's default refusion staircase.

Draws: the 74 exit probabilities are 0.03 x U(0.5, 1.5), the re-entries 0.003 x U(0.5, 1.5),
each inflow its state's base inflow (20 + 4 i persons a month for b_i) x U(0.8, 1.2), the effect
1 + U(0.1, 0.5). The most a benefit state can lose in a month is then 7 x 0.045 (to the other
benefit states) + 0.045 x 1.5 (anciennitet 0) x 1.5 (the full effect) to job + 0.045 x 1.5 to
other = 0.48, at every anciennitet well below 1; an outside state loses at most 8 x 0.0045
(re-entry) + 0.045 (to the other outside state) = 0.08.

``draw_rows`` returns the parameters as numpy arrays: those with a leading draw axis (R) are
drawn per draw, the rest are shared by all draws. ``scenario_raw`` writes one draw as a kikcalc
scenario (the raw TOML structure as a dict, for ``kikcalc.scenario.build``).
"""

from __future__ import annotations

import functools

import numpy as np

START_YEAR, START_MONTH = 2025, 1
ANCIENNITET_MONTHS = 14  # kikcalc's default A: months 0..12 and "13+"
OUTSIDE = ("job", "other")
STRATEGIES = ("baseline", "job_effect")
RAMP_MONTHS = 12

EXIT_P, REENTRY_P = 0.03, 0.003

# Per-draw keys (leading axis R) and shared keys of the parameter dict.
PER_DRAW = ("p_bb", "p_bo", "p_oo", "p_ob", "inflow", "effect")


def anciennitet_factor(anc: int = ANCIENNITET_MONTHS) -> np.ndarray:
    """The factor on benefit -> outside exits by completed months a: 0.6 + 0.9 exp(-a/4), shape (A,)."""
    return 0.6 + 0.9 * np.exp(-np.arange(anc) / 4.0)


def _initial_mix(n_benefit: int, anc: int) -> np.ndarray:
    """An explicit initial anciennitet mix per benefit state, shape (n_benefit, A), rows adding to 1.

    Geometric over months 0..A-2 with a state-dependent decay, and a state-dependent share in the
    open-ended last month; rounded to 6 decimals and the rounding put on month 0, so the file's
    shares (what kikcalc reads) add up to 1 and are the very numbers the floor uses.
    """
    mix = np.zeros((n_benefit, anc))
    for s in range(n_benefit):
        decay = 0.80 + 0.02 * (s % 8)  # eight shapes, repeated for larger workloads
        tail = 0.15 + 0.03 * (s % 8)
        body = decay ** np.arange(anc - 1)
        mix[s, :-1] = (1 - tail) * body / body.sum()
        mix[s, -1] = tail
    mix = np.round(mix, 6)
    mix[:, 0] += 1.0 - mix.sum(axis=1)
    return mix


def draw_rows(R: int, seed: int, *, n_benefit: int = 8, months: int = 120) -> dict[str, np.ndarray]:
    """Parameters of R draws (2R rows: each draw under both strategies).

    Per draw (leading axis R):
      p_bb   (R, nb, nb)  benefit -> benefit monthly probabilities, zero diagonal;
      p_bo   (R, nb, 2)   benefit -> (job, other) at anciennitet factor 1 (times ``anc_factor[a]`` by month a);
      p_oo   (R, 2)       job -> other, other -> job;
      p_ob   (R, 2, nb)   (job, other) -> benefit re-entry;
      inflow (R, nb)      persons per month into each benefit state;
      effect (R,)         the multiplier m on benefit -> job in strategy ``job_effect``.
    Shared: initial (nb,), initial_mix (nb, A), inflow_mix (nb, A), cost (nb,) kr. per full-year
    person, anc_factor (A,), months, ramp_months, effect_start (model month of the effect's start).
    """
    nb, anc = n_benefit, ANCIENNITET_MONTHS
    rng = np.random.default_rng(seed)
    off_diagonal = ~np.eye(nb, dtype=bool)
    # The 74 exit probabilities: 56 benefit->benefit, 16 benefit->outside, 2 outside->outside.
    n_exit = nb * (nb - 1) + 2 * nb + 2
    exits = EXIT_P * rng.uniform(0.5, 1.5, size=(R, n_exit))
    p_bb = np.zeros((R, nb, nb))
    p_bb[:, off_diagonal] = exits[:, : nb * (nb - 1)] * 7 / max(nb - 1, 1)  # a state's outflow as with 8 states
    p_bo = exits[:, nb * (nb - 1): nb * (nb - 1) + 2 * nb].reshape(R, nb, 2)
    p_oo = exits[:, -2:].copy()
    p_ob = REENTRY_P * rng.uniform(0.5, 1.5, size=(R, 2, nb))
    base_inflow = 20.0 + 4.0 * np.arange(nb)
    inflow = base_inflow * rng.uniform(0.8, 1.2, size=(R, nb))
    effect = 1.0 + rng.uniform(0.1, 0.5, size=R)

    weights = np.linspace(1.6, 0.6, nb)
    initial = np.round(5000.0 * weights / weights.sum())
    initial[0] += 5000.0 - initial.sum()
    inflow_mix = np.zeros((nb, anc))
    inflow_mix[:, 0] = 1.0
    return {
        "p_bb": p_bb, "p_bo": p_bo, "p_oo": p_oo, "p_ob": p_ob, "inflow": inflow, "effect": effect,
        "initial": initial,
        "initial_mix": _initial_mix(nb, anc),
        "inflow_mix": inflow_mix,
        "cost": 120_000.0 + 20_000.0 * np.arange(nb),
        "anc_factor": anciennitet_factor(anc),
        "months": np.array(months),
        "ramp_months": np.array(RAMP_MONTHS),
        "effect_start": np.array(0),
    }


def take(params: dict[str, np.ndarray], draws) -> dict[str, np.ndarray]:
    """The parameters of some draws only (an index, slice or list), shared keys unchanged."""
    return {key: (value[draws] if key in PER_DRAW else value) for key, value in params.items()}


def _month(index: int) -> str:
    months = START_YEAR * 12 + START_MONTH - 1 + index
    return f"{months // 12}-{months % 12 + 1:02d}"


def _mix_table(mix: np.ndarray) -> dict[str, float]:
    return {str(a): float(share) for a, share in enumerate(mix) if share != 0.0}


def scenario_raw(params: dict[str, np.ndarray], row: int) -> dict:
    """Draw ``row`` of ``params`` as a kikcalc scenario with its two strategies (raw dict for ``build``)."""
    d = row
    nb = params["p_bb"].shape[1]
    anc = params["anc_factor"].shape[0]
    months = int(params["months"])
    benefit = [f"b{i}" for i in range(nb)]
    default_inflow_mix = np.zeros(anc)
    default_inflow_mix[0] = 1.0

    states: dict[str, dict] = {}
    for s, name in enumerate(benefit):
        state = {
            "initial": float(params["initial"][s]),
            "initial_anciennitet": _mix_table(params["initial_mix"][s]),
            "inflow": float(params["inflow"][d, s]),
            "cost": float(params["cost"][s]),
            "cost_basis": "gross",
        }
        if not np.array_equal(params["inflow_mix"][s], default_inflow_mix):
            state["inflow_anciennitet"] = _mix_table(params["inflow_mix"][s])
        states[name] = state
    for name in OUTSIDE:
        states[name] = {"kind": "outside"}

    factor = params["anc_factor"]
    labels = [str(a) for a in range(anc - 1)] + [f"{anc - 1}+"]
    transitions = []
    for s, source in enumerate(benefit):
        for j, target in enumerate(benefit):
            if j != s:
                transitions.append({"from": source, "to": target, "probability": float(params["p_bb"][d, s, j])})
        for o, target in enumerate(OUTSIDE):
            p = params["p_bo"][d, s, o]
            transitions.append({"from": source, "to": target,
                                "probability": {label: float(p * factor[a]) for a, label in enumerate(labels)}})
    for o, source in enumerate(OUTSIDE):
        transitions.append({"from": source, "to": OUTSIDE[1 - o], "probability": float(params["p_oo"][d, o])})
        for j, target in enumerate(benefit):
            transitions.append({"from": source, "to": target, "probability": float(params["p_ob"][d, o, j])})

    effects = [{"from": source, "to": "job", "multiply": float(params["effect"][d]),
                "start": _month(int(params["effect_start"])), "ramp_months": int(params["ramp_months"])}
               for source in benefit]
    return {
        "scenario": {"name": f"bench draw {d}", "start": _month(0), "end": _month(months - 1)},
        "states": states,
        "transitions": transitions,
        "strategies": {"baseline": {"label": "Baseline"},
                       "job_effect": {"label": "Benefit -> job exits x m, ramped over 12 months", "effects": effects}},
        # The floor's equations forget anciennitet outside: so does kikcalc with no reset weeks (docs/model.md 7).
        "refusion": {"reset_after_weeks": 0},
    }


@functools.lru_cache(maxsize=4)
def _scenario_values(scenario, n_draws: int):
    """The scenario's own values for n_draws draws, made once per chunk size (values are immutable)."""
    from kikcalc.values import for_scenario

    return for_scenario(scenario, draws=n_draws)


def values_for_draws(scenario, params: dict[str, np.ndarray]):
    """The draws of ``params`` as kikcalc values on the row axis (2 rows a draw), for the scenario
    ``kikcalc.scenario.build(scenario_raw(params, 0))``: each row's exit and re-entry probabilities,
    inflows and effect size, as ``scenario_raw`` would write them for that draw.

    The transitions are in ``scenario_raw``'s order: for each benefit state its moves to the other
    benefit states, then to job and other (by anciennitet band); then for each outside state its
    move to the other outside state and its re-entries.
    """
    n_draws, nb = params["p_bb"].shape[:2]
    factor = params["anc_factor"]
    anc = factor.shape[0]
    per_row = len(STRATEGIES)
    # Each draw's numbers written straight into its rows (R, n, A), in scenario_raw's order of transitions.
    rates = np.empty((n_draws, per_row, nb * (nb + 1) + len(OUTSIDE) * (1 + nb), anc))
    first = rates[:, 0]  # the draw's numbers, then copied to its other strategies' rows
    from_benefit = first[:, : nb * (nb + 1)].reshape(n_draws, nb, nb + 1, anc)
    # Each row of p_bb without its diagonal: the flat matrix from its second element on, in rows of nb + 1, holds
    # one row's moves after the diagonal and the next row's before it; the last column is the next diagonal.
    off_diagonal = params["p_bb"].reshape(n_draws, nb * nb)[:, 1:].reshape(n_draws, nb - 1, nb + 1)[:, :, :nb]
    from_benefit[:, :, : nb - 1] = off_diagonal.reshape(n_draws, nb, nb - 1, 1)
    from_benefit[:, :, nb - 1:] = params["p_bo"][..., None] * factor
    from_outside = first[:, nb * (nb + 1):].reshape(n_draws, len(OUTSIDE), 1 + nb, anc)
    from_outside[:, :, 0] = params["p_oo"][..., None]
    from_outside[:, :, 1:] = params["p_ob"][..., None]
    rates[:, 1:] = first[:, None]
    values = _scenario_values(scenario, n_draws)  # the scenario's own numbers, whose fields are then replaced
    months = int(params["months"])
    inflow = np.zeros((n_draws, 1, nb + len(OUTSIDE)))
    inflow[:, 0, :nb] = params["inflow"]  # the same every month: one month, seen as all of them
    effect = np.broadcast_to(params["effect"][:, None], (n_draws, values.effect.shape[1]))
    return (values.with_field("rate", rates.reshape(per_row * n_draws, *rates.shape[2:]))
            .with_field("inflow", np.broadcast_to(np.repeat(inflow, per_row, axis=0), (per_row * n_draws, months, inflow.shape[2])))
            .with_field("effect", np.repeat(effect, per_row, axis=0)))
