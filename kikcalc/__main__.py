"""``python -m kikcalc``: the same as the ``kikcalc`` command."""

from kikcalc.cli import main

main()
