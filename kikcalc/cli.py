"""The command line: thin click commands over kikcalc's public API. No arithmetic here."""

from __future__ import annotations

if __name__ == "__main__":  # python -m kikcalc.cli: the kikcalc command, with kikcalc.cli imported once, as itself
    from kikcalc._launch import main as _launched

    _launched()
    raise SystemExit(0)

import contextlib
import functools
import importlib
import os
import shlex
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

import kikcalc
from kikcalc import formats, keypaths, plausibility, provenance, report
from kikcalc import locale as loc
from kikcalc.errors import ScenarioError, UsageError
from kikcalc.output import check_output, format_for, reason, write_atomically, write_stdout

EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as the shell reports a program stopped by Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as the shell reports a Unix tool whose reader went away (| head)

COMMAND_MODULES = {"liability": "kikcalc.cli_liability", "new": "kikcalc.cli_new", "diff": "kikcalc.cli_new",
                   "plot": "kikcalc.cli_plot", "report": "kikcalc.cli_report", "snapshot": "kikcalc.cli_snapshot",
                   "check": "kikcalc.cli_snapshot", "sensitivity": "kikcalc.cli_sensitivity",
                   "tornado": "kikcalc.cli_sensitivity", "calibrate": "kikcalc.cli_fit", "followup": "kikcalc.cli_fit",
                   "solve": "kikcalc.cli_fit"}
"""The commands defined outside this module, and the module that registers each on :func:`main` when imported
(tests/test_startup.py checks that each module registers exactly these)."""


def _handles_bad_input(command: Callable) -> Callable:
    """Turn a bad scenario or request into a message on stderr and exit code 2, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except UsageError as error:
            click.echo(f"kikcalc: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper


def _unknown_strategy(name: str, known: list[str], where: str) -> str:
    from kikcalc.api import unknown_strategy

    return unknown_strategy(name, known, where)


def _emit(content: str | bytes, output: str | None, inputs: tuple[str, ...], notes: list[str] = (),
          after: list[str] = ()) -> None:
    """Write to --output or the terminal; notes go to stderr where the format itself has no room for them,
    ``after`` ones (a CSV's provenance) once the content is written."""
    if isinstance(content, bytes) and not output:
        raise UsageError("xlsx is a file format: give --output FILE.xlsx")
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if output:
        write_atomically(output, content, list(inputs))
        click.echo(f"wrote {output}", err=True)
        for note in after:
            click.echo(f"note: {note}", err=True)
        return
    if sys.stdout is None:  # started with standard output closed (>&-): click would drop the text without a word
        raise UsageError("cannot write standard output: it is closed")
    try:
        write_stdout(content)  # every byte or an error: a reader that stops halfway is exit 141, not a silent 0
    except BrokenPipeError:
        raise  # the reader went away (| head): quiet, see _Main
    except OSError as error:  # > a file on a full disk
        raise UsageError(f"cannot write standard output: {reason(error)}") from None
    for note in after:
        click.echo(f"note: {note}", err=True)


def _provenance_note(record: provenance.Provenance) -> str:
    """The provenance of a CSV, which has no room for it: a note on stderr (docs/output-columns.md)."""
    return f"provenance: {record.one_line()}"


def _stamped(content: str | bytes, fmt: str, scenarios: list[kikcalc.Scenario], seed: int | None = None,
             draws: int | None = None, data_files: Sequence[str] = ()) -> tuple[str | bytes, list[str]]:
    """A document with its provenance (kikcalc.provenance) in the format's own place, and the notes to print
    after it (a CSV's provenance, on stderr)."""
    record = provenance.of(scenarios, seed, draws, data_files=data_files)
    return formats.get(fmt).stamp(content, record), [_provenance_note(record)] if fmt in report.CSV_FORMATS else []


def _stamped_on_top(content: str, fmt: str, scenarios: list[kikcalc.Scenario], data_files: Sequence[str] = ()) -> str:
    """A report with no title line (check, diff) with its provenance: the JSON object, or the first line of text."""
    if fmt == "json":
        return _stamped(content, fmt, scenarios, data_files=data_files)[0]
    from kikcalc.formats._text import paragraphs, provenance_line

    document = f"{provenance_line(provenance.of(scenarios, data_files=data_files), fmt)}\n\n{content}"
    return paragraphs(document) if fmt == "markdown" else document


def _chosen_format(output: str | None, fmt: str | None, inputs: Sequence[str]) -> str:
    """The output's format, with the output path checked before any work is done."""
    if output:
        check_output(output, list(inputs))
    return format_for(output, fmt)


def _set_locale(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--locale: the command's locale for numbers and months (kikcalc.locale), until the command ends."""
    ctx.meta["kikcalc.locale"] = value
    ctx.with_resource(loc.using(value))
    return value


def _locale() -> str:
    """The --locale of the running command ("en" if it has none)."""
    context = click.get_current_context(silent=True)
    return context.meta.get("kikcalc.locale", "en") if context is not None else "en"


class FileName(click.Path):
    """A file's name on the command line (not a folder): an empty name is refused at the option, where it would
    otherwise mean no file (``-o ''`` printed to the terminal) or be reported as ``: no such file``."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False)

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("the file name is empty", param, ctx)
        return super().convert(value, param, ctx)


FILE = FileName()
"""The type of every file argument and option of the commands."""


def _output_options(command: Callable) -> Callable:
    command = click.option("--locale", type=click.Choice(list(loc.LOCALES)), default="en", show_default=True,
                           expose_value=False, callback=_set_locale,
                           help="How numbers and months are written in tables and Markdown: en (1,234,567.8; 2021-03) or "
                                "da (1.234.567,8; marts 2021). CSV and JSON carry plain numbers; csv-da is the Danish CSV.")(command)
    command = click.option("--output", "-o", type=FILE, default=None,
                           help="Write to this file (atomically) instead of the terminal: a regular file ending in "
                                f"{', '.join(sorted(formats.suffix_formats()))}, or any name but .toml with --format.")(command)
    command = click.option("--format", "-f", "fmt", type=click.Choice(report.FORMATS), default=None,
                           help="; ".join(f"{name}: {module.HELP}" for name, module in formats.REGISTRY.items())
                                + ". Default from --output's suffix.")(command)
    return command


_FILES = click.argument("files", nargs=-1, required=True, type=FILE)
_QUIET = click.option("--quiet", "-q", is_flag=True,
                      help="No plausibility warnings on stderr (a cost of 120 kr. a year, a baseline that drifts, ...).")
_SET = click.option("--set", "assignments", multiple=True, metavar="PATH=VALUE",
                    help="Set a value of the scenario by its key path, as if the file said so (repeatable; with "
                         "several files, in each): --set 'strategies.kik2.effects[0].multiply=1.6'.")


def _each_once(context: click.Context, parameter: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """A repeatable option's values, each once, in the order first given: --strategy kik2 --strategy kik2 shows kik2
    once (run and liability showed its tables twice)."""
    return tuple(dict.fromkeys(values))


_PRICES = click.option("--prices", type=click.Choice(["current", "fixed"]), default=None,
                       help="Money in current prices (each year's kroner, the default with a [prices] table) or fixed "
                            "base-year prices; a file without [prices] has no price year and is shown as it is.")


def _priced(scenario: kikcalc.Scenario, prices: str | None) -> kikcalc.Scenario:
    """The scenario with money in the prices asked for; a note if the file has no [prices] table to tell them apart."""
    from kikcalc.money import price_view

    if prices is not None and scenario.prices is None:
        click.echo(f"note: {scenario.path} has no [prices] table: --prices {prices} leaves its money as the file gives it",
                   err=True)
    return scenario if prices is None else price_view(scenario, prices)


def _overrides(assignments: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The (key path, value) of every --set PATH=VALUE; a malformed one is bad input."""
    overrides = []
    for text in assignments:
        try:
            overrides.append(keypaths.parse_assignment(text))
        except keypaths.KeyPathError as error:
            raise UsageError(f"--set {text}: {error.message}") from None
    return overrides


def _validate_command(file: str) -> str:
    """The ``kikcalc validate`` command that lists every plausibility warning of ``file`` as this command read it: with
    this command's --set values, and ``--`` before a file name that would read as an option; quoted for a shell."""
    context = click.get_current_context(silent=True)
    assignments = context.params.get("assignments", ()) if context is not None else ()
    options = [word for text in assignments for word in ("--set", text)]
    return shlex.join(["kikcalc", "validate", *options, *(["--"] if file.startswith("-") else []), file])


WARNINGS_SHOWN = 10
"""Plausibility warnings of one file that a command other than ``validate`` prints; the rest are counted, and
``kikcalc validate`` lists every one (a generated model of hundreds of states may have hundreds)."""


def _warn(scenario: kikcalc.Scenario, file: str, quiet: bool, result: kikcalc.Result | None = None,
          shown: int | None = WARNINGS_SHOWN) -> list[plausibility.Warning]:
    """The scenario's plausibility warnings, the first ``shown`` (None: all) printed on stderr unless ``quiet``, the
    rest counted; they never change a result. ``result``: the scenario's run, if made, whose baseline the drift check
    reads rather than simulating it again."""
    with _engine_warnings(file, quiet):  # without a result, the drift check runs the baseline
        found = plausibility.check(scenario) if result is None else plausibility.check(scenario, result.values, result.trajectory)
    if not quiet:
        for warning in found[:shown]:
            click.echo(warning.render(file), err=True)
        if shown is not None and len(found) > shown:
            rest = len(found) - shown
            click.echo(f"warning: {file}: and {rest:,} more plausibility warning{'s' if rest > 1 else ''} (the first "
                       f"{shown} are shown; {_validate_command(file)} lists every one)", err=True)
    return found


@contextlib.contextmanager
def _engine_warnings(file: str, quiet: bool) -> Iterator[None]:
    """What the engine warns of within (an initial anciennitet mix that does not settle) said as kikcalc says its
    warnings, ``warning: FILE: ...`` on stderr, once, none with ``quiet``, not as a Python warning with kikcalc's
    source line; any other warning goes on as it came."""
    from kikcalc.engine import UnsettledMixWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    said = set()
    for found in caught:
        ours = issubclass(found.category, UnsettledMixWarning)
        key = str(found.message) if ours else (found.category, str(found.message), found.filename, found.lineno)
        if key in said:
            continue  # once (Python's default says a warning once a place)
        said.add(key)
        if not ours:
            warnings.warn_explicit(found.message, found.category, found.filename, found.lineno)
        elif not quiet:
            click.echo(f"warning: {file}: {found.message}", err=True)


def _run(scenario: kikcalc.Scenario, file: str, quiet: bool) -> kikcalc.Result:
    """kikcalc.run, its engine's warnings said as kikcalc's (:func:`_engine_warnings`)."""
    with _engine_warnings(file, quiet):
        return kikcalc.run(scenario)


def _load_each_once(files: tuple[str, ...], overrides: Sequence[tuple[str, Any]] = (), quiet: bool = False,
                    prices: str | None = None) -> list[kikcalc.Result]:
    """Run each file, with its plausibility warnings; the same file twice is refused, since its columns would be doubled."""
    seen: dict[str, str] = {}
    for file in files:
        key = os.path.realpath(file)
        if key in seen:
            raise UsageError(f"{file} is the same file as {seen[key]}: give each scenario once")
        seen[key] = file
    scenarios = [_priced(kikcalc.load(f, overrides), prices) for f in files]
    results = [_run(scenario, file, quiet) for scenario, file in zip(scenarios, files, strict=True)]
    for file, result in zip(files, results, strict=True):
        _warn(result.scenario, file, quiet, result)
    return results


def _quiet_exit_on_broken_pipe() -> None:
    """Exit as a Unix tool does when its reader has gone: no message, 141, and no complaint at exit
    from Python flushing what is left for the closed pipe."""
    for stream in (sys.stdout, sys.stderr):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
        except (AttributeError, OSError, ValueError):  # no stream, or not a real file (click's test runner)
            pass
    sys.exit(EXIT_BROKEN_PIPE)


class _Main(click.Group):
    """kikcalc's group: the one place where how a command ended becomes an exit code.

    0 fine; 1 a check failed and 2 bad input (the commands exit with these themselves, bad input through
    :func:`_handles_bad_input`; a run larger than the machine's memory is 2 too); 130 interrupted (Ctrl-C);
    141 standard output closed by its reader; 3 anything else, which is a bug: one line saying so and how to
    report it, the traceback with --debug.

    The commands of the ``cli_*`` modules are imported only when named (or listed, by --help): a command pays
    at start-up for no other command's module.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A command, its module imported the first time it is asked for (:data:`COMMAND_MODULES`)."""
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])  # registers it on main
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["kikcalc.argv"] = list(args)  # for the bug report: the command as typed
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        if getattr(sys.stdout, "errors", None) == "strict" and hasattr(sys.stdout, "reconfigure"):
            # A line kikcalc says on standard output (validate's ok:) with a character its encoding lacks (a
            # Windows code page) shows ? for it rather than failing; documents go by output.write_stdout.
            sys.stdout.reconfigure(errors="replace")
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit):
            raise  # click's own: usage errors (exit 2), --help, --version
        except (KeyboardInterrupt, click.Abort):
            click.echo("kikcalc: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            _quiet_exit_on_broken_pipe()
        except MemoryError:  # the input asks more than this machine has: not a bug
            click.echo("kikcalc: not enough memory for this run: a smaller model (fewer states, strategies or months), "
                       "fewer draws where the command takes --draws, or a machine with more memory (docs/scaling.md)",
                       err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as error:
            argv = ctx.meta.get("kikcalc.argv", [])
            if ctx.params.get("debug"):
                traceback.print_exc(file=sys.stderr)
                where = "the traceback above"
            else:
                where = f"the traceback that `{shlex.join(['kikcalc', '--debug', *argv])}` prints"
            what = " ".join(f"{type(error).__name__}: {error}".split())  # one line, whatever the message
            click.echo(f"kikcalc: this is a bug in kikcalc {kikcalc.__version__} ({what}); please report it to kikcalc's "
                       f"maintainers with the command ({shlex.join(['kikcalc', *argv])}), its input files and {where}", err=True)
            sys.exit(EXIT_BUG)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(kikcalc.__version__, prog_name="kikcalc")
@click.option("--debug", is_flag=True, help="On an unexpected error (exit code 3, a bug), also print its Python traceback.")
def main(debug: bool) -> None:
    """kikcalc: investment strategies for municipal employment policy, simulated month by month."""


@main.command()
@click.argument("file", type=FILE)
@click.option("--strategy", "-s", "strategies", multiple=True, callback=_each_once, help="Only this strategy (repeatable).")
@click.option("--monthly", is_flag=True, help="The month-by-month trajectory instead of years.")
@click.option("--money", is_flag=True, help="CSV: the money lines (by year, or by month with --monthly) "
                                             "instead of persons; the other formats hold both.")
@_SET
@_PRICES
@_QUIET
@_output_options
@_handles_bad_input
def run(file: str, strategies: tuple[str, ...], monthly: bool, money: bool, assignments: tuple[str, ...], prices: str | None,
        quiet: bool, fmt: str | None, output: str | None) -> None:
    """Run one scenario: full-year persons and money per year, summary, targets."""
    chosen = _chosen_format(output, fmt, [file])
    scenario = _priced(kikcalc.load(file, _overrides(assignments)), prices)
    result = _run(scenario, file, quiet)
    _warn(scenario, file, quiet, result)
    names = result.scenario.strategy_names
    for name in strategies:
        if name not in names:
            raise UsageError(_unknown_strategy(name, names, file))
    if money and chosen not in report.CSV_FORMATS:
        raise UsageError(f"--money chooses the table of a CSV; {chosen} output holds the money lines already")
    record = provenance.of([scenario])
    content = report.run_document(result, chosen, list(strategies) or names, monthly, money, locale=_locale(), provenance=record)
    plain = chosen in report.CSV_FORMATS
    _emit(content, output, (file,), [*result.notes, *report.set_notes(result)] if plain else [],
          [_provenance_note(record)] if plain else [])


@main.command()
@_FILES
@_SET
@_PRICES
@_QUIET
@_output_options
@_handles_bad_input
def compare(files: tuple[str, ...], assignments: tuple[str, ...], prices: str | None, quiet: bool, fmt: str | None,
            output: str | None) -> None:
    """All strategies of one or more scenarios side by side, against the baseline and the targets."""
    chosen = _chosen_format(output, fmt, files)
    results = _load_each_once(files, _overrides(assignments), quiet, prices)
    record = provenance.of([r.scenario for r in results])
    plain = chosen in report.CSV_FORMATS
    notes = [f"{r.scenario.path}: {n}" for r in results for n in [*r.notes, *report.set_notes(r)]] if plain else []
    _emit(report.compare_document(results, chosen, locale=_locale(), provenance=record), output, files, notes,
          [_provenance_note(record)] if plain else [])


def _drawing_problems(scenario: kikcalc.Scenario) -> str | None:
    """What the commands that draw (sensitivity, tornado, plot, report, snapshot) refuse in a file's [uncertainty], said
    as they say it: a distribution that cannot be drawn from or draws beyond its number's limits
    (:func:`kikcalc.uncertainty.probe`), or draws of which every one breaks the model's rules at the draws those
    commands make by default (:func:`kikcalc.sensitivity.every_draw_excluded`: the infeasibility check, no run)."""
    table = scenario.raw.get("uncertainty")
    if not (isinstance(table, dict) and table):
        return None  # no scipy, no sensitivity module, for a file without one
    from kikcalc import sensitivity
    from kikcalc.cli_draws import DEFAULT_DRAWS, DEFAULT_SEED
    from kikcalc.uncertainty import probe, read

    uncertainty = read(scenario)[0]
    problems = probe(uncertainty, scenario)
    if problems:
        return str(ScenarioError(scenario.path, problems))
    return sensitivity.every_draw_excluded(scenario, uncertainty, DEFAULT_DRAWS, DEFAULT_SEED) if len(uncertainty) else None


@main.command()
@_FILES
@click.option("--strict", is_flag=True, help="Exit with code 1 if any target is missed (plausibility warnings stay warnings: "
                                             "kikcalc validate --strict fails on them).")
@click.option("--strategy", "-s", "strategies", multiple=True, callback=_each_once,
              help="Judge only this strategy (repeatable); the baseline usually misses by design.")
@_SET
@_PRICES
@_QUIET
@_output_options
@_handles_bad_input
def targets(files: tuple[str, ...], strict: bool, strategies: tuple[str, ...], assignments: tuple[str, ...],
            prices: str | None, quiet: bool, fmt: str | None, output: str | None) -> None:
    """Every target's verdict for every strategy; --strict fails on a missed one."""
    output_format = _chosen_format(output, fmt, files)
    results = _load_each_once(files, _overrides(assignments), quiet, prices)
    known = sorted({name for r in results for name in r.scenario.strategy_names})
    for name in strategies:
        if name not in known:
            raise UsageError(_unknown_strategy(name, known, ", ".join(files)))
    chosen = list(strategies) or None
    record = provenance.of([r.scenario for r in results])
    plain = output_format in report.CSV_FORMATS
    notes = [f"{r.scenario.path}: {n}" for r in results for n in report.set_notes(r)] if plain else []
    _emit(report.targets_document(results, output_format, chosen, locale=_locale(), provenance=record), output, files, notes,
          [_provenance_note(record)] if plain else [])
    missed = [v for r in results for v in r.verdicts if v.met is False and (chosen is None or v.strategy in chosen)]
    if strict and missed:
        click.echo(f"{len(missed)} target verdict(s) missed: "
                   + ", ".join(f"{v.target} ({v.strategy})" for v in missed), err=True)
        sys.exit(EXIT_CHECK_FAILED)


def _uncertain(file: str, assignments: tuple[str, ...], prices: str | None = None, quiet: bool = False):
    """The scenario and its uncertain numbers (a number set with --set is certain in this run); a file
    without any is bad input for these commands, and so is a distribution that cannot be drawn from. The
    plausibility warnings about what is drawn go to stderr unless ``quiet`` (--quiet, or said already)."""
    from kikcalc.api import uncertain

    scenario = _priced(kikcalc.load(file, _overrides(assignments)), prices)
    uncertainty, notes = uncertain(scenario)
    for warning in [] if quiet else plausibility.uncertainty_warnings(scenario):  # about what these commands draw
        click.echo(warning.render(file), err=True)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    return scenario, uncertainty


_OBSERVED = click.option("--observed", "observed_files", multiple=True, type=FILE, metavar="DATA",
                         help="Observed caseloads (CSV: long, wide, Danish Excel or jobindsats; or jobindsats JSON); "
                              "repeatable. The scenario's own [observed] table is used too.")
_MAP = click.option("--map", "maps", multiple=True, metavar="NAME=STATE",
                    help="Read the data's benefit group NAME as the scenario's STATE (repeatable): "
                         "--map 'Kontanthjælp=kontanthjaelp'.")
_MEASURE = click.option("--measure", type=click.Choice(["persons", "full_time"]), default=None,
                        help="What a data file's numbers are, where the file does not say: persons (at a month's end) or "
                             "full-time persons.")


def _observations(scenario, files: tuple[str, ...], maps: tuple[str, ...], measure: str | None):
    """The scenario's [observed] table and every data file, as one set of observations; none is bad input."""
    from kikcalc.api import observations
    from kikcalc.observed import mapped_twice

    pairs = []
    for text in maps:
        name, sep, state = text.partition("=")
        if not sep or not name.strip() or not state.strip():
            raise UsageError(f"--map {text}: expected NAME=STATE, e.g. --map 'Kontanthjælp=kontanthjaelp'")
        pairs.append((name.strip(), state.strip()))
    twice = mapped_twice(pairs)
    if twice:
        raise UsageError(f"--map: {twice[0][1]}")
    mapping = dict(pairs)
    if (maps or measure) and not files:  # they say how to read a data file, and there is none
        given = " and ".join(option for option, used in (("--map", maps), ("--measure", measure)) if used)
        click.echo(f"note: {given} say{'s' if ' and ' not in given else ''} how to read a data file (--observed DATA), and "
                   f"none is given: the scenario's [observed] table is read as it is", err=True)
    found, notes = observations(scenario, files, mapping, measure)
    for note in notes:  # what was read, and a warning (data of another area) as it is
        click.echo(note if note.startswith("warning: ") else f"note: {note}", err=True)
    return found


def _realised_strategy(scenario, name: str | None, file: str) -> int:
    """The strategy the observations were made under: the one named, else the first after the baseline."""
    from kikcalc.api import realised_strategy

    return realised_strategy(scenario, name)


@main.command()
@_FILES
@click.option("--strict", is_flag=True, help="Treat plausibility warnings as problems: exit code 2 if any file has one.")
@_SET
@_QUIET
@_handles_bad_input
def validate(files: tuple[str, ...], strict: bool, assignments: tuple[str, ...], quiet: bool) -> None:
    """Check scenario files without running them; every problem is listed, exit code 2 if any.

    Plausibility warnings (numbers that are valid but look unintended) go to stderr too, and fail
    the check only with --strict.
    """
    bad = False
    warned = 0
    overrides = _overrides(assignments)
    for file in files:
        try:
            scenario = kikcalc.load(file, overrides)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            bad = True
            continue
        drawn = _drawing_problems(scenario)
        if drawn:
            click.echo(drawn, err=True)
            bad = True
            continue
        found = _warn(scenario, file, quiet, shown=None)
        warned += len(found)
        if strict and found:
            continue  # not ok under --strict
        click.echo(f"ok: {file}: {len(scenario.states)} states, {len(scenario.transitions)} transitions, "
                   f"{len(scenario.strategies)} strategies, {len(scenario.targets)} targets, "
                   f"{scenario.calendar.labels[0]} to {scenario.calendar.labels[-1]}")
    if strict and warned:
        click.echo(f"kikcalc: --strict: {warned} plausibility warning{'s' if warned != 1 else ''}", err=True)
    if bad or (strict and warned):
        sys.exit(EXIT_BAD_INPUT)


