"""``python -m kikcalc``: the same as the ``kikcalc`` command."""

from kikcalc._launch import main

main()
