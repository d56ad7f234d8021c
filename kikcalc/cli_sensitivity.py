"""``kikcalc sensitivity`` and ``kikcalc tornado``: how sure the answer is, many draws or one number at a time. No arithmetic here."""

from __future__ import annotations

import os
import sys

import click

from kikcalc import report
from kikcalc.cli import (
    _PRICES,
    _SET,
    FILE,
    _chosen_format,
    _emit,
    _handles_bad_input,
    _output_options,
    _stamped,
    _uncertain,
    main,
)
from kikcalc.cli_draws import DEFAULT_DRAWS, DEFAULT_SEED
from kikcalc.errors import UsageError
from kikcalc.output import check_output, write_atomically


class _Progress:
    """A progress bar on stderr when it is a terminal and the run has taken more than a second; nothing otherwise."""

    def __init__(self, total: int):
        import time

        self.total, self.done, self.bar, self.clock = total, 0, None, time.monotonic
        self.started = self.clock()
        self.shown = sys.stderr.isatty()

    def __call__(self, finished: int) -> None:
        self.done += finished
        if not self.shown:
            return
        if self.bar is None and self.clock() - self.started > 1.0 and self.done < self.total:
            self.bar = click.progressbar(length=self.total, label="draws", file=sys.stderr)
            self.bar.__enter__()
            self.bar.update(self.done - finished)
        if self.bar is not None:
            self.bar.update(finished)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.command()
@click.argument("file", type=FILE)
@click.option("--draws", "-n", type=click.IntRange(1, 10_000_000), default=DEFAULT_DRAWS, show_default=True,
              help="Sets of the uncertain numbers to draw.")
@click.option("--seed", type=click.IntRange(0), default=DEFAULT_SEED, show_default=True,
              help="Seed of the draws: the same seed, the same answer.")
@click.option("--sampler", type=click.Choice(["random", "lhs", "sobol"]), default="random", show_default=True,
              help="random (independent draws), lhs (Latin hypercube) or sobol (scrambled Sobol points).")
@click.option("--workers", type=click.IntRange(1, 1024), default=1, show_default=True, help="Local processes to run draws on.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run the draws on an existing Dask cluster (tcp://host:8786); needs the dask extra.")
@click.option("--keep-draws", type=FILE, default=None, metavar="FILE",
              help="Also write every draw's numbers and key outputs (CSV, or Parquet for .parquet with pyarrow).")
@_SET
@_PRICES
@_output_options
@_handles_bad_input
def sensitivity(file: str, draws: int, seed: int, sampler: str, workers: int, dask_address: str | None, keep_draws: str | None,
                assignments: tuple[str, ...], prices: str | None, fmt: str | None, output: str | None) -> None:
    """How sure is the answer: every strategy run on many draws of the [uncertainty] table's numbers."""
    from kikcalc import report_sensitivity
    from kikcalc import sensitivity as psa

    chosen = _chosen_format(output, fmt, [file])
    scenario, uncertainty = _uncertain(file, assignments, prices)
    if keep_draws:
        check_output(keep_draws, [file], "--keep-draws")
        suffix = os.path.splitext(keep_draws)[1].lower()
        if suffix not in (".csv", ".parquet"):
            raise UsageError(f"--keep-draws {keep_draws}: give a .csv or .parquet file")
        if suffix == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise UsageError("--keep-draws FILE.parquet needs pyarrow: pip install pyarrow, or give a .csv") from None
        if output and os.path.realpath(keep_draws) == os.path.realpath(output):
            raise UsageError(f"--keep-draws {keep_draws}: the same file as --output; give two files")
    chunks = -(-draws // psa.draws_per_chunk(scenario, draws, workers))
    asked = workers
    if workers > chunks:
        workers = chunks  # more processes than chunks would only wait
    cores = os.cpu_count() or 1
    if asked > cores:
        started = f" ({workers} started: one per chunk of draws)" if workers < asked else ""
        click.echo(f"note: --workers {asked} on {cores} core{'s' if cores > 1 else ''}{started}: more processes than "
                   f"cores run no faster", err=True)
    elif workers < asked:
        made = f"{draws:,} draw{'s make' if draws != 1 else ' makes'} {chunks} chunk{'s' if chunks != 1 else ''}"
        click.echo(f"note: --workers {asked}: {workers} started, one per chunk of draws ({made})", err=True)
    progress = _Progress(draws)
    try:
        result = psa.run(scenario, uncertainty, draws, seed, sampler, workers=workers, dask=dask_address,
                         keep_drawn=keep_draws is not None, progress=progress)
    finally:
        progress.close()
    if result.summary["draws_used"] == 0:
        raise UsageError(psa.no_draw_runs(file, result.summary["excluded"]["by_state"], result.summary["excluded"]["by_key_path"]))
    if keep_draws:
        table = psa.draws_table(result)
        if keep_draws.lower().endswith(".parquet"):
            import io

            try:
                buffer = io.BytesIO()
                table.to_parquet(buffer, index=False)
            except ImportError:
                raise UsageError("--keep-draws FILE.parquet needs pyarrow: pip install pyarrow, or give a .csv") from None
            write_atomically(keep_draws, buffer.getvalue(), [file], "--keep-draws")
        else:
            write_atomically(keep_draws, report.guarded(table).to_csv(index=False), [file], "--keep-draws")
        click.echo(f"wrote {keep_draws}", err=True)
    notes = report_sensitivity.header_lines(result, "table")[1:] if chosen in report.CSV_FORMATS else []
    content, after = _stamped(report_sensitivity.document(result, chosen), chosen, [scenario], seed, draws)
    _emit(content, output, (file,), notes, after)


@main.command()
@click.argument("file", type=FILE)
@click.option("--strategy", "-s", default=None,
              help="The strategy (default: the first after the baseline; for a programme's target, the one that runs it; "
                   "the baseline for a target's level in a file of the baseline alone).")
@click.option("--metric", "-m", default="npv", show_default=True, metavar="npv|net_saving|target:NAME",
              help="npv, net_saving (over the horizon, kr.) or target:NAME (the target's value).")
@_SET
@_PRICES
@_output_options
@_handles_bad_input
def tornado(file: str, strategy: str | None, metric: str, assignments: tuple[str, ...], prices: str | None, fmt: str | None,
            output: str | None) -> None:
    """One-way sensitivity: each uncertain number alone at its low and high, ranked by the swing it makes."""
    from kikcalc import report_sensitivity
    from kikcalc import sensitivity as psa
    from kikcalc.api import tornado_request

    chosen = _chosen_format(output, fmt, [file])
    scenario, uncertainty = _uncertain(file, assignments, prices)
    strategy, unit = tornado_request(scenario, strategy, metric)
    base, bars = psa.tornado(scenario, uncertainty, strategy, metric)
    content, after = _stamped(report_sensitivity.tornado_document(scenario, strategy, metric, unit, base, bars, chosen),
                              chosen, [scenario])
    notes = report.set_notes(scenario) if chosen in report.CSV_FORMATS else []
    _emit(content, output, (file,), notes, after=after)
