"""A large scenario for the benchmarks and the memory tests: many benefit states, a long horizon.

``large_raw(n_benefit, n_outside, months)`` writes it as a raw TOML structure (a dict for
``kikcalc.scenario.build``), the same for the same arguments:

- benefit states ``b0 .. b{n-1}``, gross cost basis (the refusion staircase reads anciennitet),
  100 to 300 persons at the start with no ``initial_anciennitet`` (their mix is settled from the
  baseline's rates), inflow of 2 to 10 persons a month into each, entering at anciennitet 0;
- outside states, up to three: ``job``, ``education`` and ``gone`` (nobody leaves ``gone``);
- from each benefit state: moves to three other benefit states (one by anciennitet band), to
  ``job`` by anciennitet band (the anciennitet months 0, 1, ..., 12, 13+ of kikcalc's default),
  to ``education`` as a yearly hazard and to ``gone``;
- returns from ``job`` into every tenth benefit state, ``job`` to ``gone``, ``education`` to ``job``;
- two strategies: the baseline and ``invest``, which multiplies the moves to ``job`` of the first
  fifth of the benefit states by 1.3, ramped in over 6 months, for 2 million kr. a year.
"""

from __future__ import annotations

import numpy as np

OUTSIDE = ("job", "education", "gone")


def large_raw(n_benefit: int = 197, n_outside: int = 3, months: int = 240, seed: int = 2026) -> dict:
    """The scenario with ``n_benefit`` benefit and ``n_outside`` (1 to 3) outside states over ``months`` months."""
    rng = np.random.default_rng(seed)
    names = [f"b{i}" for i in range(n_benefit)]
    outside = OUTSIDE[:n_outside]
    states: dict[str, dict] = {
        name: {"initial": float(rng.uniform(100, 300)), "inflow": float(rng.uniform(2, 10)), "cost": 120_000,
               "cost_basis": "gross"}
        for name in names}
    states.update({name: {"kind": "outside"} for name in outside})
    transitions: list[dict] = []
    for i, name in enumerate(names):
        f = float(rng.uniform(0.5, 1.5))
        for k, hop in enumerate((1, 7, 31)):
            target = names[(i + hop) % n_benefit]
            if target == name:
                continue
            p = float(rng.uniform(0.002, 0.01))
            transitions.append({"from": name, "to": target, "probability": {"0-5": p, "6+": p / 2} if k == 0 else p})
        transitions.append({"from": name, "to": "job",
                            "probability": {"0-5": 0.04 * f, "6-11": 0.03 * f, "12+": 0.02 * f}})
        if "education" in outside:
            transitions.append({"from": name, "to": "education", "hazard": 0.06 * f, "per": "year"})
        if "gone" in outside:
            transitions.append({"from": name, "to": "gone", "probability": 0.002})
    transitions += [{"from": "job", "to": names[i], "probability": 0.0005} for i in range(0, n_benefit, 10)]
    if "gone" in outside:
        transitions.append({"from": "job", "to": "gone", "probability": 0.001})
    if "education" in outside:
        transitions.append({"from": "education", "to": "job", "probability": 0.05})
    effects = [{"from": name, "to": "job", "multiply": 1.3, "ramp_months": 6} for name in names[: max(1, n_benefit // 5)]]
    end_year, end_month = 2025 + (months - 1) // 12, (months - 1) % 12 + 1
    return {
        "scenario": {"name": f"large: {n_benefit} benefit and {n_outside} outside states", "start": "2025-01",
                     "end": f"{end_year}-{end_month:02d}"},
        "states": states,
        "transitions": transitions,
        "strategies": {"baseline": {}, "invest": {"investment": 2_000_000, "effects": effects}},
    }
