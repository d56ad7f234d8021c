"""Every shipped scenario's headline numbers against its committed snapshot (tests/snapshots/NAME.json).

This is the project's own use of ``kikcalc check``: a change of a model rule that moves a number of a
shipped scenario fails here, with the table of what moved. After a deliberate change, regenerate every
snapshot with one command, and read the diff before committing it::

    python tests/test_shipped_snapshots.py

(the same as ``kikcalc snapshot scenarios/NAME.toml -o tests/snapshots/NAME.json`` for each file).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "snapshots"
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
REGENERATE = "python tests/test_shipped_snapshots.py"


def _main():
    from kikcalc.cli import main

    return main


def test_every_shipped_scenario_has_a_snapshot_and_every_snapshot_a_scenario():
    expected = {f"{path.stem}.json" for path in SHIPPED}
    present = {path.name for path in SNAPSHOTS.glob("*.json")}
    assert expected - present == set(), f"no snapshot for these scenarios; write them with: {REGENERATE}"
    assert present - expected == set(), f"snapshots of scenarios that are no longer shipped; remove them, or run: {REGENERATE}"


@pytest.mark.parametrize("scenario", SHIPPED, ids=lambda path: path.stem)
def test_shipped_scenario_matches_its_snapshot(scenario):
    snapshot = SNAPSHOTS / f"{scenario.stem}.json"
    if not snapshot.exists():
        pytest.fail(f"no snapshot {snapshot.relative_to(ROOT)}; write it with: {REGENERATE}")
    result = CliRunner().invoke(_main(), ["check", str(scenario), "--against", str(snapshot), "--quiet"])
    assert result.exit_code == 0, (
        f"{scenario.name}: numbers moved from tests/snapshots/{snapshot.name}:\n{result.output}\n"
        f"If the change is intended, regenerate every snapshot with `{REGENERATE}`, read the diff, and say in "
        f"docs/cases.md what changed and why.")


def regenerate() -> None:
    """Write every shipped scenario's snapshot again (paths relative to the repository, as CI runs them)."""
    main = _main()
    os.chdir(ROOT)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # the provenance's time: the same file for the same numbers
    SNAPSHOTS.mkdir(exist_ok=True)
    for scenario in SHIPPED:
        relative = scenario.relative_to(ROOT).as_posix()
        target = f"tests/snapshots/{scenario.stem}.json"
        result = CliRunner().invoke(main, ["snapshot", relative, "-o", target, "--quiet"])
        if result.exit_code != 0:
            sys.exit(f"{relative}: {result.output}")
        print(f"wrote {target}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    regenerate()
