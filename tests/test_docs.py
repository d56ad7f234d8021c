"""The documentation shows real output: every ``$ kikcalc ...`` session in README.md and docs/ is re-run.

A text block in the docs that starts with ``$ `` is a terminal session: each ``$ kikcalc ...`` line is a
command, the lines up to the next ``$ `` line its output (stdout and stderr as a terminal shows them),
and ``$ echo $?`` the previous command's exit code. When a number in the model moves, this test names
the page and the command whose printed output no longer matches, so the docs cannot drift from the code.

After a deliberate change, ``python tests/test_docs.py`` rewrites every session with what kikcalc
prints now; read the diff before committing it. Every run is at the time SOURCE_DATE_EPOCH gives
(tests/conftest.py), so the provenance lines of the sessions do not change from run to run.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from kikcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```text\n(\$ .*?)^```", re.S | re.M)


def sessions() -> list[tuple[str, list[str], list[str]]]:
    """(page, command lines, expected output lines) for every command shown in a terminal session."""
    found = []
    for page in PAGES:
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            commands: list[tuple[str, list[str]]] = []
            for line in block.splitlines():
                if line.startswith("$ "):
                    commands.append((line[2:], []))
                else:
                    commands[-1][1].append(line)
            session: list[str] = []
            for command, output in commands:
                session.append(command)
                found.append((page.relative_to(ROOT).as_posix(), list(session), output))
    return found


def normalise(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


SESSIONS = sessions()


def test_the_docs_show_sessions():
    pages = {page for page, _, _ in SESSIONS}
    assert {"README.md", "docs/cases.md"} <= pages, pages
    assert len(SESSIONS) >= 12


def replay(session: list[str]) -> str:
    """What a terminal shows for the commands of a session, run from the project's root."""
    exit_code = None
    output = ""
    for command in session:
        if command == "echo $?":
            output = f"{exit_code}\n"
            continue
        argv = shlex.split(command)
        assert argv[0] == "kikcalc", f"only kikcalc commands can be checked, not {command!r}"
        result = CliRunner().invoke(main, argv[1:], catch_exceptions=False)
        exit_code, output = result.exit_code, result.output
    return output


@pytest.mark.parametrize("page, session, expected", SESSIONS, ids=[f"{p}: {s[-1]}" for p, s, _ in SESSIONS])
def test_documented_output_is_what_kikcalc_prints(page, session, expected, monkeypatch):
    monkeypatch.chdir(ROOT)
    output = replay(session)
    assert normalise(output.splitlines()) == normalise(expected), f"{page}: `{session[-1]}` prints something else"


def test_the_readmes_python_goal_seek_gives_the_number_its_comment_shows(monkeypatch):
    """The README's Python section is not a session; its one result written out (the effect at which KIK II is
    exactly at 800) is checked here, so that a refit of the scenario cannot leave it behind (it said 1.2904)."""
    from kikcalc import load
    from kikcalc.goalseek import solve

    monkeypatch.chdir(ROOT)
    shown = re.search(r"^solution\.crossings\[0\]\.number +# ([0-9.]+)\.\.\.:", (ROOT / "README.md").read_text(encoding="utf-8"),
                      re.M)
    assert shown, "README.md no longer shows solution.crossings[0].number"
    solution = solve(load("scenarios/aabenraa-kik2.toml"), "under-800-maj-2022", "strategies.kik2.effects[0].multiply")
    digits = len(shown.group(1).split(".")[1])
    assert f"{solution.crossings[0].number:.{digits}f}" == shown.group(1)


def _refresh(match: re.Match) -> str:
    commands = [line[2:] for line in match.group(1).splitlines() if line.startswith("$ ")]
    lines = ["```text"]
    for i, command in enumerate(commands):
        lines.append(f"$ {command}")
        lines.extend(normalise(replay(commands[: i + 1]).splitlines()))
    return "\n".join(lines) + "\n```"


if __name__ == "__main__":
    import os

    from conftest import RUN_TIME_EPOCH

    os.environ["SOURCE_DATE_EPOCH"] = RUN_TIME_EPOCH  # the time the tests run at (conftest.py): sessions stay stable
    os.chdir(ROOT)
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        fresh = BLOCK.sub(_refresh, text)
        if fresh != text:
            page.write_text(fresh, encoding="utf-8")
            print(f"refreshed {page.relative_to(ROOT)}")
