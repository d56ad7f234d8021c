import kikcalc


def test_kik2_runs_and_kik2_beats_baseline_in_may_2022():
    result = kikcalc.run("scenarios/aabenraa-kik2.toml")
    monthly = result.monthly
    may = monthly[(monthly.month == "2022-05") & (monthly.state == "kontanthjaelp")].set_index("strategy")
    assert may.full_time_persons["kik2"] < may.full_time_persons["baseline"]
