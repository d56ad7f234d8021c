"""kikcalc plot and kikcalc.charts: valid, non-blank images of every shipped scenario, drawn without a display,
from kikcalc's own tables (kikcalc.chart_data), with numbers written by the locale."""

from __future__ import annotations

import io
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import kikcalc
from conftest import SCENARIOS, one_state
from kikcalc import chart_data, charts
from kikcalc.cli import main
from kikcalc.scenario import build

SHIPPED = sorted(SCENARIOS.glob("*.toml"))
UNCERTAIN = [p for p in SHIPPED if "[uncertainty]" in p.read_text(encoding="utf-8")]
OBSERVED = [p for p in SHIPPED if "[observed" in p.read_text(encoding="utf-8")]


def plot(*args: str):
    return CliRunner().invoke(main, ["plot", *args], catch_exceptions=False)


def assert_real_png(content: bytes) -> np.ndarray:
    """A PNG that decodes, is a committee chart's size, and has drawn pixels (not one colour, not almost all white)."""
    from matplotlib.image import imread

    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(io.BytesIO(content), format="png")[..., :3]
    assert pixels.shape[0] >= 400 and pixels.shape[1] >= 800
    assert pixels.std() > 0.05, "the image is (nearly) one colour"
    drawn = (pixels.min(axis=2) < 0.9).mean()
    assert 0.01 < drawn < 0.6, f"{drawn:.1%} of the pixels are drawn"
    return pixels


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_gives_a_caseload_and_a_saving_chart(path, tmp_path):
    strategies = len(kikcalc.load(path).strategies)
    for kind in ("caseload", "saving"):
        out = tmp_path / f"{kind}.png"
        result = plot(str(path), "-o", str(out), "--kind", kind, "--quiet")
        if kind == "saving" and strategies == 1:  # nothing to save against: said so
            assert result.exit_code == 2 and "a saving is against the baseline" in result.output
            continue
        assert result.exit_code == 0, result.output
        assert_real_png(out.read_bytes())


@pytest.mark.parametrize("path", UNCERTAIN, ids=[p.stem for p in UNCERTAIN])
def test_scenarios_with_uncertainty_give_a_tornado_and_a_fan(path, tmp_path):
    for kind in ("tornado", "fan"):
        out = tmp_path / f"{kind}.png"
        result = plot(str(path), "-o", str(out), "--kind", kind, "--draws", "60", "--seed", "3")
        assert result.exit_code == 0, result.output
        assert_real_png(out.read_bytes())


@pytest.mark.parametrize("path", OBSERVED, ids=[p.stem for p in OBSERVED])
def test_scenarios_with_observations_give_a_followup_chart(path, tmp_path):
    out = tmp_path / "followup.png"
    from kikcalc.observed import from_scenario

    in_file = len(from_scenario(kikcalc.load(path))[0])  # else the data file beside it, named after it
    data = [] if in_file else [a for f in sorted((SCENARIOS / "data").glob(f"{path.stem}-*.csv")) for a in ("--observed", str(f))]
    result = plot(str(path), "-o", str(out), "--kind", "followup", "--quiet", *data)
    if result.exit_code == 2:  # only flows observed: said so, not drawn
        assert "no caseload to plot" in result.output
        return
    assert result.exit_code == 0, result.output
    assert_real_png(out.read_bytes())


def test_svg_and_pdf_are_what_their_suffix_says_and_the_same_each_time(tmp_path):
    kik2 = str(SCENARIOS / "aabenraa-kik2.toml")
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    # the same command (the footer's provenance names it) at the same SOURCE_DATE_EPOCH, in two folders
    for folder in ("first", "second"):
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(tmp_path / folder)
            assert plot(kik2, "-o", "chart.svg").exit_code == 0
    svg = (tmp_path / "first" / "chart.svg").read_bytes()
    assert ElementTree.fromstring(svg).tag.endswith("svg")
    assert svg == (tmp_path / "second" / "chart.svg").read_bytes()
    assert plot(kik2, "-o", str(tmp_path / "c.pdf"), "--kind", "saving").exit_code == 0
    pdf = (tmp_path / "c.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def test_danish_locale_writes_danish_numbers_and_words(tmp_path):
    kik2 = str(SCENARIOS / "aabenraa-kik2.toml")
    plot(kik2, "-o", str(tmp_path / "da.svg"), "--locale", "da")
    plot(kik2, "-o", str(tmp_path / "en.svg"))
    da, en = (tmp_path / "da.svg").read_text(encoding="utf-8"), (tmp_path / "en.svg").read_text(encoding="utf-8")
    assert "1.000" in da and "1,000" not in da and "Sagstal" in da and "fuldtidspersoner" in da and "mål" in da
    assert "1,000" in en and "Caseload" in en
    plot(kik2, "-o", str(tmp_path / "saving.svg"), "--kind", "saving", "--locale", "da")
    saving = (tmp_path / "saving.svg").read_text(encoding="utf-8")
    assert "mio. kr." in saving and "januar 2021" in saving  # the payback month, as kikcalc compare gives it: 2021-01


# --- the chart draws kikcalc's numbers -------------------------------------------------------------


def test_caseload_line_is_the_runs_full_time_persons_and_a_target_sits_at_its_threshold():
    result = kikcalc.run(SCENARIOS / "aabenraa-kik2.toml")
    figure = charts.caseload(result)
    ax = figure.axes[0]
    kik2 = result.monthly[(result.monthly.strategy == "kik2") & (result.monthly.state == "kontanthjaelp")]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), kik2.full_time_persons.to_numpy(), rtol=1e-12)
    under_800 = [line for line in ax.lines if "under-800" in str(line.get_label())]
    assert [float(y) for y in under_800[0].get_ydata()] == [800.0]


def test_saving_chart_marks_the_payback_month_of_the_summary():
    result = kikcalc.run(SCENARIOS / "aabenraa-kik2.toml")
    ax = charts.saving(result).axes[0]
    payback = result.summary.set_index("strategy").payback_month["kik2"]
    vertical = [line for line in ax.lines if len(set(map(str, line.get_xdata()))) == 1 and len(line.get_xdata()) == 2]
    from matplotlib.dates import num2date

    x = vertical[0].get_xdata()[0]
    when = pd.Timestamp(num2date(x) if isinstance(x, float) else x).tz_localize(None)
    assert when == pd.Period(payback, "M").end_time.normalize() + pd.Timedelta(days=1)  # the end of the payback month


def test_caseload_table_matches_a_closed_form_and_the_yearly_table():
    """One state left with probability p a month, no inflow: persons at the end of month t are N (1 - p)^(t+1)."""
    p, initial = 0.1, 1000.0
    result = kikcalc.run(build(one_state(p_exit=p, initial=initial, months=24), "closed-form.toml"))
    table = chart_data.caseload(result, ("kh",))
    np.testing.assert_allclose(table.headcount_end, initial * (1 - p) ** np.arange(1, 25), rtol=1e-12)
    # full-time persons: the mean of the month's start and end, N (1 - p)^t (1 - p/2)
    np.testing.assert_allclose(table.full_time_persons, initial * (1 - p) ** np.arange(24) * (1 - p / 2), rtol=1e-12)
    budget = kikcalc.run(SCENARIOS / "aabenraa-budget-2021.toml")
    states = chart_data.level_groups(budget.scenario)[0]
    monthly = chart_data.caseload(budget, states)
    monthly["year"] = monthly.month.str[:4].astype(int)
    yearly = budget.yearly[budget.yearly.state.isin(states)].groupby(["strategy", "year"]).full_year_persons.sum()
    by_months = monthly.groupby(["strategy", "year"]).full_time_persons.mean()
    np.testing.assert_allclose(by_months.loc[yearly.index], yearly, rtol=1e-12)


def test_level_marks_cover_the_months_a_target_is_judged_in():
    scenario = kikcalc.load(SCENARIOS / "aabenraa-kik2.toml")
    marks = {m.name: m for m in chart_data.level_marks(scenario, ("kontanthjaelp",))}
    assert (marks["budget-2021"].first_month, marks["budget-2021"].last_month) == ("2021-01", "2021-12")
    assert (marks["under-800-maj-2022"].first_month, marks["under-800-maj-2022"].last_month) == ("2022-05", "2022-05")
    assert marks["under-800-maj-2022"].threshold == 800


def test_fan_is_the_sensitivity_summary():
    from kikcalc import sensitivity as psa
    from kikcalc.uncertainty import read

    scenario = kikcalc.load(SCENARIOS / "aabenraa-kik2.toml")
    run = psa.run(scenario, read(scenario)[0], 80, 5)
    table = chart_data.fan(scenario, run.summary)
    summary = run.summary["strategies"][1]["net_saving"]
    assert list(table.year) == scenario.calendar.year_list
    for row in table.itertuples():
        assert (row.p5, row.p50, row.p95) == (summary[str(row.year)]["p5"], summary[str(row.year)]["p50"],
                                              summary[str(row.year)]["p95"])
    ax = charts.fan(run).axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), table.p50.astype(float))


def test_a_fan_draws_six_strategies_and_counts_the_rest_or_the_one_asked_for(tmp_path):
    from kikcalc import sensitivity as psa
    from kikcalc.uncertainty import read

    raw = one_state(p_exit=0.05, inflow=50.0)
    raw["strategies"] = {"baseline": {}} | {f"s{i}": {"label": f"Strategy {i}", "effects": [
        {"from": "kh", "to": "job", "multiply": 1 + i / 10}]} for i in range(charts.FAN_MOST + 2)}
    raw["uncertainty"] = {"states.kh.inflow": {"dist": "gamma", "mean": 1.0, "sd": 0.1, "scale": True}}
    scenario = build(raw)
    run = psa.run(scenario, read(scenario)[0], 40, 3)
    every = charts.fan(run)
    assert [ax.get_title(loc="left").split(":")[1].split(",")[0].strip() for ax in every.axes] == \
        [f"Strategy {i}" for i in range(charts.FAN_MOST)]
    assert every.axes[-1].texts[-1].get_text() == "and 2 more strategies: kikcalc plot --kind fan --strategy S draws one"
    one = charts.fan(run, strategy="s7")
    assert len(one.axes) == 1 and "Strategy 7" in one.axes[0].get_title(loc="left")
    table = chart_data.fan(scenario, run.summary)
    np.testing.assert_allclose(one.axes[0].lines[0].get_ydata(), table[table.strategy == "s7"].p50.astype(float))


# --- bad requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["-o", "chart.gif"], "suffix .gif is no image format"),
    (["-o", "chart"], "no suffix"),
    (["-o", "chart.png", "--kind", "pie"], "Invalid value for '--kind'"),
    (["-o", "chart.png", "--locale", "de"], "Invalid value for '--locale'"),
    (["-o", "chart.png", "--kind", "tornado", "--strategy", "baseline"], "the baseline"),
    (["-o", "chart.png", "--kind", "tornado", "--strategy", "kik3"], 'did you mean "kik2"'),
    (["-o", "chart.png", "--observed", "scenarios/data/aabenraa-kik2-status-2021.csv"], "only --kind followup"),
    (["-o", "chart.png", "--map", "Kontanthjælp=kontanthjaelp"], "--map: only --kind followup"),
    (["-o", "chart.png", "--measure", "persons"], "--measure: only --kind followup"),
    (["-o", "chart.png", "--kind", "saving", "--strategy", "kik2"], "--strategy: only --kind tornado, followup and fan reads it"),
    (["-o", "chart.png", "--strategy", "nope"], "--strategy: only --kind tornado, followup and fan reads it (this is --kind caseload"),
    (["-o", "chart.png", "--kind", "fan", "-s", "baseline"], "the baseline; a fan compares a strategy with it"),
    (["-o", "chart.png", "--kind", "saving", "--metric", "net_saving"], "--metric: only --kind tornado reads it"),
    (["-o", "chart.png", "--kind", "followup", "--map", "Kontanthjælp=kontanthjaelp", "--map", "Kontanthjælp=selvforsorgende"],
     "--map: Kontanthjælp is mapped twice: to kontanthjaelp and to selvforsorgende"),
    (["-o", "scenarios/aabenraa-kik2.toml"], "is an input file"),
])
def test_bad_requests_are_exit_2_with_a_message(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    result = plot("scenarios/aabenraa-kik2.toml", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_chart_never_overwrites_its_input(tmp_path):
    copy = tmp_path / "kik2.png"
    copy.write_bytes(b"not a scenario")
    result = plot(str(copy), "-o", str(copy))
    assert result.exit_code == 2 and "is an input file" in result.output


def test_fan_and_tornado_need_an_uncertainty_table(tmp_path):
    result = plot(str(SCENARIOS / "aabenraa-kijos.toml"), "-o", str(tmp_path / "fan.png"), "--kind", "fan")
    assert result.exit_code == 2 and "[uncertainty]" in result.output


def test_followup_needs_observations(tmp_path):
    result = plot(str(SCENARIOS / "aabenraa-kijos.toml"), "-o", str(tmp_path / "f.png"), "--kind", "followup")
    assert result.exit_code == 2 and "no observations" in result.output


def test_a_table_command_sends_an_image_suffix_to_plot(tmp_path):
    result = CliRunner().invoke(main, ["compare", str(SCENARIOS / "aabenraa-kik2.toml"), "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 2 and "kikcalc plot" in result.output


def test_without_matplotlib_the_message_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if matplotlib were not installed
    result = plot(str(SCENARIOS / "aabenraa-kik2.toml"), "-o", str(tmp_path / "c.png"))
    assert result.exit_code == 2
    assert 'pip install "kikcalc[plot]"' in result.output
    assert not (tmp_path / "c.png").exists()


def test_titles_name_the_states_or_say_every_benefit_state_and_wrap():
    lemvig = kikcalc.run(SCENARIOS / "lemvig-projects-2021.toml")  # no level target: every benefit state
    assert charts.caseload(lemvig).axes[0].get_title(loc="left") == "Caseload: every benefit state"
    assert charts.caseload(lemvig, "da").axes[0].get_title(loc="left") == "Sagstal: alle forsørgelsesgrupper"
    kijos = kikcalc.run(SCENARIOS / "aabenraa-kijos.toml")
    titles = [ax.get_title(loc="left") for ax in charts.caseload(kijos).axes]
    assert titles == ["Caseload: Jobafklaring", "Caseload: Sygedagpenge"]
    assert all(len(line) <= charts.TITLE_WIDTH for t in titles for line in t.splitlines())


def test_the_readme_chart_is_a_chart_kikcalc_plot_makes(tmp_path):
    """docs/kik2-caseload.png (README) is made by `kikcalc plot scenarios/aabenraa-kik2.toml -o docs/kik2-caseload.png`:
    a real image of the size that command draws (the bytes may differ with another FreeType)."""
    readme = (SCENARIOS.parent / "README.md").read_text(encoding="utf-8")
    assert "kikcalc plot scenarios/aabenraa-kik2.toml -o docs/kik2-caseload.png" in readme
    committed = assert_real_png((SCENARIOS.parent / "docs" / "kik2-caseload.png").read_bytes())
    assert plot(str(SCENARIOS / "aabenraa-kik2.toml"), "-o", str(tmp_path / "c.png")).exit_code == 0
    assert committed.shape == assert_real_png((tmp_path / "c.png").read_bytes()).shape


def test_tornado_bars_run_from_the_base_case_to_the_metric_at_each_end():
    from kikcalc import sensitivity as psa
    from kikcalc.uncertainty import read

    scenario = kikcalc.load(SCENARIOS / "aabenraa-kik2.toml")
    base, bars = psa.tornado(scenario, read(scenario)[0], "kik2", "npv")
    ax = charts.tornado(scenario, "kik2", "npv", base, bars, "da").axes[0]
    drawn = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches)
    expected = sorted((base, end) for b in bars for end in (b.metric_low, b.metric_high))
    np.testing.assert_allclose(drawn, expected, rtol=1e-12)
    assert ax.get_title(loc="left") == "Ét tal ad gangen: nutidsværdi for KIK II"
    assert "1,36 – 1,85" in ax.get_yticklabels()[0].get_text()  # the widest swing on top, its ends in Danish


def test_a_charts_footer_is_its_provenance():
    """The footer names kikcalc's version, the file and its SHA-256, the values set and the time (wrapped)."""
    import hashlib

    from kikcalc import provenance

    path = SCENARIOS / "aabenraa-kik2.toml"
    scenario = kikcalc.load(path, [("strategies.kik2.effects[0].multiply", 1.5)])
    record = provenance.of([scenario])
    footer = charts.stamp(charts.caseload(kikcalc.run(scenario)), scenario, record).get_supxlabel()
    flat = footer.replace("\n", " ")
    assert flat.startswith("KIK II, Aabenraa. kikcalc 0.1.0; ")
    assert f"sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}" in footer.replace("\n", "")
    assert "set strategies.kik2.effects[0].multiply = 1.5" in flat and flat.endswith(f"run {record.time}")


def test_a_followup_chart_draws_a_count_at_the_horizons_start(tmp_path):
    """README's follow-up data count 1130 persons on 2018-06-01, the plan's first day: no month ends before it, so
    the point sits at the horizon's start (it was exit 3, 'NaTType' object has no attribute 'start_time')."""
    out = tmp_path / "followup.png"
    result = plot(str(SCENARIOS / "aabenraa-kik2-plan.toml"), "-o", str(out), "--kind", "followup", "--quiet",
                  "--observed", str(SCENARIOS / "data" / "aabenraa-kik2-status-2021.csv"))
    assert result.exit_code == 0, result.output
    assert_real_png(out.read_bytes())


def test_targets_are_never_drawn_in_the_colours_of_a_verdict():
    """A target met in green or missed in red would be read as a verdict whatever the verdict is."""
    from matplotlib.colors import to_rgb

    figure = charts.caseload(kikcalc.run(SCENARIOS / "aabenraa-kik2.toml"))
    verdict = {to_rgb("C2"), to_rgb("C3")}
    marks = [*figure.axes[0].get_lines(), *figure.axes[0].collections]
    targets = [m for m in marks if str(m.get_label()).startswith("target")]
    assert len(targets) == 3
    for mark in targets:
        colour = mark.get_color() if hasattr(mark, "get_marker") else mark.get_edgecolor()[0]
        assert to_rgb(colour) not in verdict


def test_a_character_the_font_lacks_is_one_note_not_a_python_warning(tmp_path):
    """A label with an emoji or a Chinese name: matplotlib warned once per character, with kikcalc's own source line
    (``charts.py:330: UserWarning: Glyph 128200 ...``); now one note names the characters, and the chart is written."""
    import warnings

    text = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8")
    odd = tmp_path / "odd.toml"
    odd.write_text(text.replace('name = "KIK II, Aabenraa"', 'name = "KIK II \U0001F4C8 \u5317"', 1), encoding="utf-8")
    out = tmp_path / "odd.svg"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning that escaped would fail the run here
        result = plot(str(odd), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert "UserWarning" not in result.output and "charts.py" not in result.output
    notes = [line for line in result.output.splitlines() if "has no glyph" in line]
    assert len(notes) == 1 and "(U+1F4C8)" in notes[0] and "(U+5317)" in notes[0]
    assert kikcalc.load(odd).name.split()[-1] in out.read_text(encoding="utf-8")  # the text is in the SVG all the same


def _strategies(count: int, pays_back: bool, years: int = 2) -> kikcalc.Result:
    """One state over ``years`` years and ``count`` strategies after the baseline, each investing 1 mio. kr. for an
    exit 10 % higher: the saving pays back within the horizon or, with no effect, never."""
    raw = one_state(p_exit=0.05, initial=1000.0, inflow=50.0, months=12 * years)
    raw["strategies"] = {"baseline": {}} | {
        f"s{i}": {"label": f"Strategy {i}", "investment": 1_000_000,
                  "effects": [{"from": "kh", "to": "job", "multiply": 1.1 if pays_back else 1.0}]}
        for i in range(count)}
    return kikcalc.run(build(raw))


def test_a_legend_names_ten_strategies_at_the_most_and_counts_the_rest():
    for count in (charts.LEGEND_MOST - 1, charts.LEGEND_MOST + 5):  # strategies after the baseline
        result = _strategies(count, pays_back=True)
        # the caseload chart draws every strategy, the baseline too; the saving chart those after it
        for figure, lines in ((charts.caseload(result), count + 1), (charts.saving(result), count)):
            shown = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
            if lines <= charts.LEGEND_MOST:
                assert len(shown) == lines
            else:
                named = charts.LEGEND_MOST - 1
                first = count + 1 - lines  # the baseline's line is the caseload chart's first
                assert shown[:named] == [result.scenario.strategies[k].label for k in range(first, first + named)]
                assert shown[named:] == [f"and {lines - named} more strategies"]


def test_strategies_that_never_pay_back_are_named_five_at_the_most():
    result = _strategies(charts.UNPAID_MOST + 3, pays_back=False)
    said = [text.get_text() for text in charts.saving(result).axes[0].texts]
    assert said == [f"Strategy {i}: no payback within the horizon" for i in range(charts.UNPAID_MOST)] + ["and 3 more without payback"]


@pytest.mark.parametrize("years, every", [(2, 1), (11, 1), (12, 2), (20, 2), (40, 4)])
def test_a_long_horizon_labels_every_second_year_or_fewer(years, every):
    """A horizon of Y years has Y + 1 year starts to label (its end too): up to 12 each, beyond every n-th."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = charts.saving(_strategies(1, pays_back=True, years=years))
    FigureCanvasAgg(figure).draw()  # the ticks as drawn
    low, high = figure.axes[0].get_xlim()
    labelled = [int(label.get_text()) for tick, label in zip(figure.axes[0].get_xticks(), figure.axes[0].get_xticklabels(),
                                                             strict=True) if low <= tick <= high]
    assert labelled[1] - labelled[0] == every
    assert len(labelled) <= charts.YEAR_TICKS_MOST + 1


def test_payback_labels_stand_one_above_another_three_at_the_most_and_count_the_rest():
    """Strategies paying back in months close together wrote their labels over each other."""
    result = _strategies(charts.PAID_MOST + 4, pays_back=True)
    texts = charts.saving(result).axes[0].texts
    payback = result.summary.set_index("strategy").payback_month
    months = [payback[s.name] for s in result.scenario.strategies[1:]]
    assert [t.get_text() for t in texts] == [f"pays back {kikcalc.locale.month_label(m, 'en')}" for m in months[:charts.PAID_MOST]] \
        + ["and 4 more pay back (dotted lines)"]
    rows = [t.xyann[1] for t in texts]
    assert len(set(rows)) == len(rows) and rows == sorted(rows)


def test_a_payback_label_late_in_the_horizon_stays_on_the_chart():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    raw = one_state(p_exit=0.05, initial=1000.0, inflow=50.0, months=24)
    raw["strategies"] = {"baseline": {}, "s": {"investment": 4_900_000,
                                              "effects": [{"from": "kh", "to": "job", "multiply": 1.1}]}}
    result = kikcalc.run(build(raw))
    assert result.summary.set_index("strategy").payback_month["s"] == result.scenario.calendar.labels[-1]
    figure = charts.saving(result)
    FigureCanvasAgg(figure).draw()
    (label,) = figure.axes[0].texts
    assert label.get_window_extent().x1 <= figure.axes[0].get_window_extent().x1


@pytest.mark.parametrize("years, every", [(11, 1), (20, 2), (40, 4)])
def test_a_fan_of_a_long_horizon_labels_its_years_as_a_time_axis_does(years, every):
    """A fan's axis of whole years labelled each of 41 years, running them together."""
    from kikcalc import sensitivity as psa
    from kikcalc.uncertainty import read

    raw = one_state(p_exit=0.05, inflow=50.0, months=12 * years)
    raw["strategies"] = {"baseline": {}, "s": {"effects": [{"from": "kh", "to": "job", "multiply": 1.1}]}}
    raw["uncertainty"] = {"states.kh.inflow": {"dist": "gamma", "mean": 1.0, "sd": 0.1, "scale": True}}
    scenario = build(raw)
    ax = charts.fan(psa.run(scenario, read(scenario)[0], 5, 3)).axes[0]
    labelled = [int(label.get_text()) for label in ax.get_xticklabels()]
    assert labelled == [y for y in scenario.calendar.year_list if y % every == 0]
    assert len(labelled) <= charts.YEAR_TICKS_MOST


def test_a_file_of_a_baseline_alone_gets_no_fan_but_a_report(tmp_path):
    """A fan is of a strategy against the baseline: without one, plot --kind fan and report were a bug (exit 3)."""
    import tomlkit

    raw = one_state(p_exit=0.05, inflow=50.0)
    raw["strategies"] = {"baseline": {}}
    raw["uncertainty"] = {"states.kh.inflow": {"dist": "gamma", "mean": 1.0, "sd": 0.1, "scale": True}}
    file = tmp_path / "alone.toml"
    file.write_text(tomlkit.dumps(raw), encoding="utf-8")
    fanned = plot(str(file), "-o", str(tmp_path / "fan.png"), "--kind", "fan", "-n", "5")
    assert fanned.exit_code == 2
    assert "a fan compares a strategy with the baseline; the file has only baseline" in fanned.output
    reported = CliRunner().invoke(main, ["report", str(file), "-o", str(tmp_path / "r.html"), "-n", "5"],
                                  catch_exceptions=False)
    assert reported.exit_code == 0, reported.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 1  # the caseload chart; no saving, no fan


def _drawn(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure).draw()
    return figure


def test_strategies_without_payback_are_listed_under_the_time_axis_clear_of_the_legend():
    """Inside the axes, a legend of many strategies was drawn over the list."""
    raw = one_state(p_exit=0.05, initial=1000.0, inflow=50.0, months=24)
    raw["strategies"] = {"baseline": {}} | {f"s{i}": {"label": f"Strategy number {i} with a long name",
                                                      "investment": 1e6 * (1 + i),
                                                      "effects": [{"from": "kh", "to": "job", "multiply": 1 + 0.02 * i}]}
                                           for i in range(12)}
    figure = _drawn(charts.saving(kikcalc.run(build(raw))))
    ax = figure.axes[0]
    listed = [t for t in ax.texts if "no payback" in t.get_text() or "without payback" in t.get_text()]
    assert len(listed) == charts.UNPAID_MOST + 1
    legend = ax.get_legend().get_window_extent()
    for text in listed:
        assert not text.get_window_extent().overlaps(legend)
        assert text.get_window_extent().y1 < ax.get_window_extent().y0  # under the axes
        assert text.get_window_extent().y0 > 0  # on the figure


def test_payback_labels_go_below_the_zero_line_where_it_is_high_in_the_chart():
    """Stacked above a zero line near the chart's top, the labels ran into the title."""
    raw = one_state(p_exit=0.05, initial=1000.0, inflow=50.0, months=24)
    raw["strategies"] = {"baseline": {}} | {f"s{i}": {"investment": 1_000_000,
                                                      "effects": [{"from": "kh", "to": "job", "multiply": 1.1 + 0.01 * i}]}
                                           for i in range(charts.PAID_MOST + 2)} | {
        "costly": {"investment": 60_000_000}}
    figure = _drawn(charts.saving(kikcalc.run(build(raw))))
    ax = figure.axes[0]
    low, high = ax.get_ylim()
    assert -low > 2 * high  # the zero line is in the upper third
    labels = [t for t in ax.texts if "pay" in t.get_text() and "no payback" not in t.get_text()]
    assert len(labels) == charts.PAID_MOST + 1
    inside = ax.get_window_extent()
    for label in labels:
        box = label.get_window_extent()
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1


def test_a_strategy_never_behind_is_said_so_on_an_axis_of_distinct_labels():
    """Lemvig's projects save exactly 0 (the same course, no grant): the chart said 'pays back December 2019', the
    horizon's first month, where the tables say 'never behind', on an axis labelled 0.0 five times."""
    result = kikcalc.run(kikcalc.load(SCENARIOS / "lemvig-projects-2021.toml"))
    assert chart_data.never_behind(result) == {
        s for s, never in zip(result.summary.strategy, result.summary.never_behind, strict=True) if never is True} != set()
    for locale, words in (("en", "never behind"), ("da", "aldrig bagud")):
        ax = _drawn(charts.saving(result, locale)).axes[0]
        assert [t.get_text() for t in ax.texts] == [words]
        shown = [label.get_text() for label in ax.get_yticklabels()]
        assert len(shown) > 2 and len(set(shown)) == len(shown)


def test_warnings_about_the_draws_follow_quiet_and_are_said_once_in_a_report(tmp_path):
    """plot --kind tornado/fan --quiet printed them all the same, and report printed each twice (with the file's
    other warnings and again before drawing)."""
    source = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8")
    file = tmp_path / "unscaled.toml"
    file.write_text(source.replace('mean = 1.0, sd = 0.10, scale = true }', 'mean = 1.0, sd = 0.10 }', 1), encoding="utf-8")
    from kikcalc import plausibility

    (warned,) = [w.render(str(file)) for w in plausibility.uncertainty_warnings(kikcalc.load(file))]
    for args in (["plot", str(file), "-o", str(tmp_path / "t.png"), "--kind", "tornado"],
                 ["plot", str(file), "-o", str(tmp_path / "f.png"), "--kind", "fan", "-n", "5"],
                 ["report", str(file), "-o", str(tmp_path / "r.html"), "-n", "5"]):
        said = CliRunner().invoke(main, args, catch_exceptions=False)
        assert said.exit_code == 0 and said.stderr.splitlines().count(warned) == 1, (args, said.stderr)
        quiet = CliRunner().invoke(main, [*args, "--quiet"], catch_exceptions=False)
        assert quiet.exit_code == 0 and "warning:" not in quiet.stderr, (args, quiet.stderr)


def test_a_report_notes_a_character_the_font_lacks_once_not_once_a_chart(tmp_path):
    text = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8")
    odd = tmp_path / "odd.toml"
    odd.write_text(text.replace('label = "KIK II"', 'label = "KIK II \u5317"', 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(odd), "-o", str(tmp_path / "r.html"), "-n", "5", "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "has no glyph" in line]
    assert len(notes) == 1 and "(U+5317)" in notes[0]
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("KIK II \u5317") > 1  # in more than one chart
