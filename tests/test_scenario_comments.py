"""kikcalc.scenario_comments: every number of a file with the comment the file gives it, wherever it stands."""

from __future__ import annotations

import tomllib

from kikcalc.scenario_comments import commented_numbers, leading_comment

TEXT = '''# Example: a heading line.
#
# Sources: the minutes of 11 Feb 2021;
#   - first item
#   - second item
#     continued

[scenario]
discount_rate = 0.035   # Finansministeriet

# the block above a table
[states.kh]
initial = 1130          # counted in 2018
inflow = { 2020 = 40, 2021 = 42 }   # assumption: a series
cost = 100_000

# a block above two keys
measures_cost = 18_585
other = 7

after_blank = 3

[[transitions]]
probability = 0.05      # own
shares = [0.5, 0.25]    # the shares

# above the second transition
[[transitions]]
probability = 0.04
'''


def comments() -> dict[str, str]:
    return {c.path: c.comment for c in commented_numbers(TEXT, tomllib.loads(TEXT))}


def test_a_numbers_own_comment_then_the_block_above_its_key_then_the_block_above_its_table():
    found = comments()
    assert found["scenario.discount_rate"] == "Finansministeriet"
    assert found["states.kh.initial"] == "counted in 2018"
    assert found["states.kh.inflow.2020"] == found["states.kh.inflow.2021"] == "assumption: a series"
    assert found["states.kh.cost"] == "the block above a table"
    assert found["states.kh.measures_cost"] == found["states.kh.other"] == "a block above two keys"
    assert found["states.kh.after_blank"] == "the block above a table"  # a blank line ends the block above keys
    assert found["transitions[0].probability"] == "own"
    assert found["transitions[0].shares[0]"] == found["transitions[0].shares[1]"] == "the shares"
    assert found["transitions[1].probability"] == "above the second transition"


def test_every_number_of_the_file_is_listed_once_in_file_order():
    listed = [c.path for c in commented_numbers(TEXT, tomllib.loads(TEXT))]
    assert listed[:3] == ["scenario.discount_rate", "states.kh.initial", "states.kh.inflow.2020"]
    assert len(listed) == len(set(listed)) == 12


def test_assumption_and_set_values_are_marked():
    raw = tomllib.loads(TEXT)
    raw["states"]["kh"]["initial"] = 900
    raw["states"]["kh"]["measures_cost_new"] = 5
    set_values = (("states.kh.initial", 900, 1130), ("states.kh.measures_cost_new", 5, None))
    listed = {c.path: c for c in commented_numbers(TEXT, raw, set_values)}
    assert listed["states.kh.initial"].value == 900 and listed["states.kh.initial"].set_from == 1130
    assert listed["states.kh.initial"].is_set and listed["states.kh.measures_cost_new"].is_set
    assert listed["states.kh.measures_cost_new"].set_from is None and not listed["states.kh.cost"].is_set
    assert listed["states.kh.inflow.2021"].assumption and not listed["states.kh.cost"].assumption


def test_the_leading_comment_keeps_its_paragraphs_and_list_items():
    assert leading_comment(TEXT).splitlines() == [
        "Example: a heading line.", "Sources: the minutes of 11 Feb 2021;", "- first item", "- second item continued"]
