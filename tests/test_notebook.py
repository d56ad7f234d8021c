"""docs/examples/kikcalc-api.ipynb runs from top to bottom (nbclient, a real kernel) and shows kikcalc's numbers."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

import kikcalc
from conftest import SCENARIOS

ROOT = SCENARIOS.parent
NOTEBOOK = ROOT / "docs" / "examples" / "kikcalc-api.ipynb"


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    return notebook


def _text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_every_cell_runs_without_an_error(executed):
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert code and all(cell.get("execution_count") for cell in code)
    assert not any(output.get("output_type") == "error" for cell in code for output in cell.get("outputs", []))


def test_the_notebook_shows_the_numbers_kikcalc_gives(executed):
    psa = kikcalc.sensitivity(SCENARIOS / "aabenraa-kik2.toml", draws=1000, seed=1)
    kik2 = psa.draws[psa.draws.strategy == "kik2"]
    printed = next(_text(cell) for cell in executed.cells if cell.cell_type == "code" and "share_positive" in cell.source)
    assert printed == f"NPV above 0 in {(kik2.npv > 0).mean():.0%} of the draws\n"
    goal = kikcalc.solve(SCENARIOS / "aabenraa-kik2.toml", target="under-800-maj-2022", vary="strategies.kik2.effects[0].multiply")
    shown = next(_text(cell) for cell in executed.cells if cell.cell_type == "code" and "kikcalc.solve" in cell.source)
    assert f"{goal.solutions['number'].iloc[0]:.6f}" in shown
