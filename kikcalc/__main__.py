"""``python -m kikcalc``: the same command line as the ``kikcalc`` script."""

from kikcalc.cli import main

main(prog_name="kikcalc")
