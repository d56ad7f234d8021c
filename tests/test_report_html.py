"""kikcalc report, rendered in a real browser: headless Chromium (Debian's ``chromium``) takes a screenshot,
which must not be blank, and dumps the DOM, whose table numbers must equal kikcalc's JSON output
(``kikcalc compare --format json`` and ``kikcalc sensitivity --format json``) as the page rounds them.

Without chromium the test fails (never skips) and says how to install it; .ci/run installs it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.dates import get_month_names
from babel.numbers import parse_decimal
from click.testing import CliRunner

from kikcalc import locale as loc
from kikcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
KIK2 = ROOT / "scenarios" / "aabenraa-kik2.toml"
KIJOS = ROOT / "scenarios" / "aabenraa-kijos.toml"
DRAWS, SEED = "150", "7"


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed: kikcalc's committee report is tested in a real browser. Install Debian's "
                    "chromium (apt-get install chromium), as .ci/run does, and run the tests again")
    return path


def browser(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--disable-dev-shm-usage", *args], capture_output=True, timeout=180, check=True)


def kikcalc(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


class Rows(HTMLParser):
    """Every table row of the page with its data-* attributes and its cells (text and data-* attributes), by table
    class; and the data-file of the section each row stands in."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.table: str | None = None
        self.file: str | None = None
        self.cell: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "section" and "data-file" in attrs:
            self.file = attrs["data-file"]
        elif tag == "table":
            self.table = attrs.get("class", "")
        elif tag == "tr":
            self.rows.append({"table": self.table, "file": self.file, "attrs": attrs, "cells": []})
        elif tag == "td" and self.rows:
            self.cell = {"attrs": attrs, "text": ""}
            self.rows[-1]["cells"].append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell["text"] += data

    def of(self, table: str) -> list[dict]:
        return [r for r in self.rows if r["table"] == table and any(k.startswith("data-") for k in r["attrs"])]


def number(text: str, locale: str) -> float:
    """A number as the page writes it, read back with the locale's separators (babel, as kikcalc.locale writes)."""
    text = text.strip().replace("\u2212", "-").replace("\xa0", " ")
    return float(parse_decimal(text, locale=loc.LOCALES[locale], strict=False))


def month(text: str, locale: str) -> str:
    """"January 2021" or "januar 2021" back to the model's 2021-01."""
    name, year = text.strip().rsplit(" ", 1)
    names = {v: k for k, v in get_month_names("wide", locale=loc.LOCALES[locale]).items()}
    return f"{year}-{names[name]:02d}"


def same_number(text: str, expected: float, decimals: int, locale: str) -> None:
    # within half a unit of the JSON's number, not of its rounding: the page rounds the unrounded 466,537,735.4999 to
    # 466,537,735, the JSON keeps it as 466537735.5, and round() of that is 466,537,736
    assert number(text, locale) == pytest.approx(expected, abs=0.51 * 10 ** -decimals), (text, expected)


def same_target(text: str, expected: float | None, unit: str, locale: str) -> None:
    """A target's value, threshold or margin as the page shows it: kr. whole, a share in percent with one
    decimal (a margin in points), persons with one decimal; nothing where the JSON has null."""
    if expected is None:
        assert text == ""
    elif unit == "share":
        same_number(text.replace("%", "").replace("pt", ""), expected * 100, 1, locale)
    else:
        same_number(text, expected, 0 if unit == "kr." else 1, locale)


@pytest.fixture(scope="module", params=["en", "da"])
def page(request, tmp_path_factory):
    """The report of KIK II and KIJOS, rendered by Chromium: (locale, rows of the dumped DOM, screenshot, html)."""
    locale = request.param
    folder = tmp_path_factory.mktemp(f"report-{locale}")
    html = folder / "report.html"
    kikcalc("report", str(KIK2), str(KIJOS), "-o", str(html), "--locale", locale, "--draws", DRAWS, "--seed", SEED, "-q")
    dom = browser("--dump-dom", html.as_uri()).stdout.decode("utf-8")
    shot = folder / "shot.png"
    browser(f"--screenshot={shot}", "--window-size=1200,2400", html.as_uri())
    rows = Rows()
    rows.feed(dom)
    return locale, rows, shot.read_bytes(), html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compare_json():
    return json.loads(kikcalc("compare", str(KIK2), str(KIJOS), "--format", "json", "-q"))


def test_the_screenshot_is_not_blank(page):
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(page[2]), format="png")[..., :3]
    assert pixels.shape[:2] == (2400, 1200)
    assert pixels.std() > 0.05
    assert 0.01 < (pixels.min(axis=2) < 0.8).mean() < 0.5  # text and lines on white


def test_comparison_tables_equal_compare_json(page, compare_json):
    locale, rows, _, _ = page
    records = {(r["file"], r["line"], r["strategy"]): r for r in compare_json["comparison"]}
    seen = set()
    for row in rows.of("comparison by-year"):
        record = records[(row["file"], row["attrs"]["data-line"], row["attrs"]["data-strategy"])]
        seen.add((row["file"], row["attrs"]["data-line"], row["attrs"]["data-strategy"]))
        decimals = 1 if record["unit"] == "full-year persons" else 0
        for cell in row["cells"][1:]:
            expected = record[cell["attrs"]["data-key"]]
            if expected is None:
                assert cell["text"] == ""
            else:
                same_number(cell["text"], expected, decimals, locale)
    for row in rows.of("comparison against"):
        for cell in row["cells"][1:]:
            record = records[(row["file"], row["attrs"]["data-line"], cell["attrs"]["data-strategy"])]
            seen.add((row["file"], row["attrs"]["data-line"], cell["attrs"]["data-strategy"]))
            expected = record["total"]
            if record["unit"] == "month":
                assert month(cell["text"], locale) == expected
            elif record["unit"] == "targets":
                met, _, total = cell["text"].split()
                assert f"{met} of {total}" == expected
            else:
                same_number(cell["text"], expected, 2 if record["unit"] == "kr. per kr." else 0, locale)
    assert seen == set(records), "every line of kikcalc compare is in the report, and no other"


def test_targets_table_equals_the_json_verdicts(page, compare_json):
    locale, rows, _, _ = page
    verdicts = {(s["scenario"]["file"], t["name"], t["strategy"]): t for s in compare_json["scenarios"] for t in s["targets"]}
    shown = rows.of("targets")
    assert len(shown) == len(verdicts)
    for row in shown:
        t = verdicts[(row["file"], row["attrs"]["data-target"], row["attrs"]["data-strategy"])]
        cells = {c["attrs"].get("data-key"): c["text"] for c in row["cells"]}
        if t["unit"] == "month":
            assert month(cells["threshold"][2:], locale) == t["threshold"]
            assert (month(cells["value"], locale) if t["value"] else None) == t["value"]
        else:
            same_target(cells["threshold"][2:], t["threshold"], t["unit"], locale)
            same_target(cells["value"], t["value"], t["unit"], locale)
            same_target(cells["margin"], t["margin"], t["unit"], locale)
        word = "n/a" if t["met"] is None else loc.word("met" if t["met"] else "missed", locale)
        assert cells["verdict"] == (word if t["met"] is not None or locale == "en" else "ikke relevant")
        assert (month(cells["first_month_met"], locale) if cells["first_month_met"] else None) == t["first_month_met"]


def test_sensitivity_table_equals_sensitivity_json(page):
    locale, rows, _, _ = page
    summary = json.loads(kikcalc("sensitivity", str(KIK2), "--draws", DRAWS, "--seed", SEED, "--format", "json"))
    strategies = {s["name"]: s for s in summary["strategies"]}
    probabilities = {"P(pays back within the horizon)": "payback_probability", "P(NPV > 0)": "npv_positive_probability",
                     "P(saves money over the horizon)": "beats_baseline_probability"}
    shown = rows.of("sensitivity")
    assert shown and all(r["file"].endswith("aabenraa-kik2.toml") for r in shown)  # KIJOS has no [uncertainty]
    checked = 0
    for row in shown:
        a = row["attrs"]
        cells = {c["attrs"].get("data-key"): c["text"] for c in row["cells"]}
        entry = strategies.get(a["data-strategy"])
        if a["data-measure"] == "NPV of the net saving":
            stats, probability = entry["npv"], None
        elif a["data-measure"] == "Net saving vs baseline":
            stats = entry["net_saving_total"] if a["data-period"] == "horizon" else entry["net_saving"][a["data-period"]]
            probability = None
        elif a["data-measure"] == "Payback month":
            stats, probability = entry["payback_month"], None
        elif a["data-measure"] in probabilities:
            stats, probability = {}, entry[probabilities[a["data-measure"]]]
        else:
            name = re.match(r"Target (.+?): ", a["data-measure"]).group(1)
            target = next(t for t in summary["targets"] if t["name"] == name and t["strategy"] == a["data-strategy"])
            stats, probability = target["value"], target["probability_met"]
        for key, value in stats.items():
            if key == "mean" and a["data-unit"] == "month":
                continue
            if a["data-unit"] == "month":
                assert (month(cells[key], locale) if cells[key] else None) == value
            else:
                same_number(cells[key], value, 0 if a["data-unit"] == "kr." else 1, locale)
            checked += 1
        if probability is not None:
            same_number(cells["probability"].replace("%", ""), probability * 100, 1, locale)
            checked += 1
    assert checked > 40


def test_the_sensitivity_table_names_a_strategy_by_its_label_as_the_other_tables_do(page):
    _, rows, _, _ = page
    labels = {name: table["label"] for name, table in tomllib.loads(KIK2.read_text(encoding="utf-8"))["strategies"].items()}
    shown = rows.of("sensitivity")
    assert {r["attrs"]["data-strategy"] for r in shown} == set(labels)  # "baseline" was shown as such in a Danish page
    for row in shown:
        assert row["cells"][0]["text"] == labels[row["attrs"]["data-strategy"]]
    targets = {r["cells"][1]["text"] for r in rows.of("targets") if r["file"].endswith("aabenraa-kik2.toml")}
    assert targets == set(labels.values())


def test_the_page_is_self_contained_and_danish_in_danish(page):
    locale, _, _, html = page
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert html.count("<svg") >= 6  # caseload, saving, followup, fan, tornado (KIK II); caseload, saving (KIJOS)
    assert "@media print" in html and "break-before: page" in html
    if locale == "da":
        assert "Bilag til udvalget" in html and "Forudsætninger og kilder" in html and "Sagstal" in html
        assert "opfyldt" in html and "juni 2018 til december 2024" in html and "Nutidsværdi af nettobesparelsen" in html


def test_a_long_horizon_is_split_into_by_year_tables_that_fit_a_page(tmp_path):
    from kikcalc.report_html import COLUMNS_PER_TABLE

    text = KIK2.read_text(encoding="utf-8")
    assert '\nend = "2024-12"\n' in text
    long = tmp_path / "long.toml"
    long.write_text(text.replace('\nend = "2024-12"\n', '\nend = "2036-12"\n', 1), encoding="utf-8")
    out = tmp_path / "long.html"
    kikcalc("report", str(long), "-o", str(out), "-q")
    page = out.read_text(encoding="utf-8")
    heads = re.findall(r'<table class="comparison by-year">\s*<thead><tr><th></th>(.*?)</tr></thead>', page, re.S)
    widths = [h.count("<th") for h in heads]
    assert len(widths) == 3 and max(widths) <= COLUMNS_PER_TABLE  # 19 years and the total ran off an A4 page in one table
    records = {(r["line"], r["strategy"]): r for r in json.loads(kikcalc("compare", str(long), "--format", "json", "-q"))["comparison"]}
    rows = Rows()
    rows.feed(page)
    shown: dict[tuple, list[str]] = {}
    for row in rows.of("comparison by-year"):
        key = (row["attrs"]["data-line"], row["attrs"]["data-strategy"])
        record = records[key]
        for cell in row["cells"][1:]:
            shown.setdefault(key, []).append(cell["attrs"]["data-key"])
            if record[cell["attrs"]["data-key"]] is not None:
                same_number(cell["text"], record[cell["attrs"]["data-key"]], 1 if record["unit"] == "full-year persons" else 0, "en")
    years = [str(y) for y in range(2018, 2037)]
    assert shown and all(keys == [*years, "total"] for keys in shown.values())  # every year once, in order, the total last


# The page's own print rules (its @media print block) made the rules of the screen, at the width of the A4 page
# less the @page margins (182 mm = 688 CSS px); then every table that is wider than the body is named.
PRINT_PROBE = """<script>
for (const sheet of document.styleSheets) {
  for (const rule of [...sheet.cssRules]) {
    if (rule.media && rule.media.mediaText === "print") {
      for (const inner of [...rule.cssRules]) { sheet.insertRule(inner.cssText, sheet.cssRules.length); }
    }
  }
}
const right = document.body.getBoundingClientRect().right + 1;
const wide = [...document.querySelectorAll("table")].filter(t => t.getBoundingClientRect().right > right)
  .map(t => t.className + " in " + t.closest("section").dataset.file);
document.body.setAttribute("data-wide", JSON.stringify(wide));
</script>"""


def test_no_table_is_wider_than_the_a4_page(tmp_path):
    files = sorted((ROOT / "scenarios").glob("*.toml"))
    out = tmp_path / "all.html"
    kikcalc("report", *map(str, files), "-o", str(out), "--draws", "20", "--locale", "da", "-q")
    probe = tmp_path / "probe.html"
    probe.write_text(out.read_text(encoding="utf-8").replace("</body>", PRINT_PROBE + "</body>"), encoding="utf-8")
    dom = browser("--window-size=688,2000", "--dump-dom", probe.as_uri()).stdout.decode("utf-8")
    wide = re.search(r'data-wide="([^"]*)"', dom)
    assert wide is not None, "the probe did not run"
    # IPS Ung's strategies' labels, set as headings that did not wrap, ran off the page; Chromium then shrank every
    # page of the appendix to two thirds, and clipped what was still too wide
    assert json.loads(wide.group(1).replace("&quot;", '"')) == []


def test_every_shipped_scenario_goes_into_one_report(tmp_path):
    files = sorted((ROOT / "scenarios").glob("*.toml"))
    out = tmp_path / "all.html"
    kikcalc("report", *map(str, files), "-o", str(out), "--draws", "20", "-q")
    rows = Rows()
    rows.feed(out.read_text(encoding="utf-8"))
    by_year = {r["file"] for r in rows.of("comparison by-year")}
    assert by_year == {str(f) for f in files}


def test_the_report_carries_its_provenance(page):
    _, _, _, html = page
    for file in (KIK2, KIJOS):
        assert hashlib.sha256(file.read_bytes()).hexdigest() in html
    assert f"draws {SEED}" not in html and f"{DRAWS}, {SEED}" in html
    assert "kikcalc report" in html and "0.1.0" in html


def test_assumptions_show_the_files_comments_and_sources(tmp_path):
    out = tmp_path / "r.html"
    kikcalc("report", str(KIK2), "-o", str(out), "--draws", "20", "--set", "strategies.kik2.effects[0].multiply=1.3", "-q")
    html = out.read_text(encoding="utf-8")
    assert "Aabenraa Arbejdsmarkedsudvalget 11 Feb 2021" in html  # the scenario's source
    row = re.search(r'<tr data-path="states.kontanthjaelp.cost">(.*?)</tr>', html).group(1)
    assert "104,531" in row and "74.740 mio. kr. / 715 (budget 2021)" in row
    row = re.search(r'<tr data-path="strategies.kik2.effects\[0\].multiply">(.*?)</tr>', html).group(1)
    assert ">1.3<" in row and "set with --set; file: 1.59152" in row
    assert "--set</td><td>strategies.kik2.effects[0].multiply = 1.3" in html


def test_text_from_a_scenario_is_escaped(tmp_path):
    text = KIJOS.read_text(encoding="utf-8").replace('name = "', 'name = "<script>alert(1)</script> ', 1)
    file = tmp_path / "hostile.toml"
    file.write_text(text, encoding="utf-8")
    out = tmp_path / "r.html"
    kikcalc("report", str(file), "-o", str(out), "-q")
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_two_scenarios_of_one_name_are_told_apart_by_their_files(tmp_path):
    """A plan and its revision often keep the scenario's name: each section's heading, and the title, then name the
    file, as kikcalc compare's text does."""
    from kikcalc.formats._text import same_names

    revised = tmp_path / "kik2-revised.toml"
    revised.write_text(KIK2.read_text(encoding="utf-8").replace("4_979_000", "5_979_000"), encoding="utf-8")
    out = tmp_path / "r.html"
    kikcalc("report", str(KIK2), str(revised), "-o", str(out), "--draws", "20", "-q")
    html = out.read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    import kikcalc as api

    results = [api.run(api.load(f)) for f in (KIK2, revised)]
    assert headings == [f"{r.scenario.name} ({file})" for r, file in zip(results, same_names(results), strict=True)]
    assert len(set(headings)) == 2 and all(file in html.split("</title>")[0] for file in (str(KIK2), str(revised)))
    single = tmp_path / "one.html"
    kikcalc("report", str(KIK2), "-o", str(single), "--draws", "20", "-q")
    assert re.findall(r"<h2>(.*?)</h2>", single.read_text(encoding="utf-8")) == [results[0].scenario.name]


def test_templates_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["kikcalc"]
    templates = [p.relative_to(ROOT / "kikcalc").as_posix() for p in (ROOT / "kikcalc" / "templates").iterdir()]
    assert templates and all(any(fnmatch.fnmatch(t, p) for p in patterns) for t in templates)


@pytest.mark.parametrize("args, message", [
    (["-o", "report.pdf"], "a report is an HTML file"),
    (["-o", "report.html", "--locale", "sv"], "Invalid value for '--locale'"),
    (["-o", "report.html", "--set", "states.kontanthjaelp.inflw=3"], "did you mean \"inflow\""),
])
def test_bad_requests_are_exit_2(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", str(KIK2), *args])
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize("missing", ["jinja2", "matplotlib.figure"])
def test_without_jinja2_or_matplotlib_the_message_names_the_extra(missing, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, missing, None)
    result = CliRunner().invoke(main, ["report", str(KIJOS), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and 'pip install "kikcalc[report]"' in result.output
