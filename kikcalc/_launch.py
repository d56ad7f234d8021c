"""The ``kikcalc`` command's first moment: Ctrl-C while kikcalc is still loading (numpy, pandas and scipy take
about a second) is exit 130 with one line, as it is later (kikcalc.cli), not a Python traceback."""

import signal
import sys


def _interrupted(signum, frame):
    sys.stderr.write("kikcalc: interrupted\n")
    raise SystemExit(130)  # 128 + SIGINT, as later


def main() -> None:
    previous = signal.signal(signal.SIGINT, _interrupted)
    from kikcalc.cli import main as command  # the slow part

    signal.signal(signal.SIGINT, previous)  # from here kikcalc.cli's own handling: no partial output, exit 130
    command()


if __name__ == "__main__":
    main()
