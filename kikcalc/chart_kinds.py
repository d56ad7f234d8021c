"""The kinds of chart ``kikcalc plot`` draws (:mod:`kikcalc.charts`), apart from the charts themselves: the command
line offers them as choices without loading the charts' chain (results, follow-up, observations) at startup."""

KINDS = ("caseload", "saving", "tornado", "fan", "followup")
