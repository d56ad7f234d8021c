"""The ``kikcalc`` command's first moment: Ctrl-C while kikcalc is still loading (numpy, pandas and scipy take
about a second) is exit 130 with one line, as it is later (kikcalc.cli), not a Python traceback; and its last:
no garbage collection of everything loaded on the way out."""

import gc
import signal
import sys


def _interrupted(signum, frame):
    sys.stderr.write("kikcalc: interrupted\n")
    raise SystemExit(130)  # 128 + SIGINT, as later


def main() -> None:
    previous = signal.signal(signal.SIGINT, _interrupted)
    from kikcalc.cli import main as command  # the slow part

    signal.signal(signal.SIGINT, previous)  # from here kikcalc.cli's own handling: no partial output, exit 130
    try:
        command()
    finally:
        # The command is done (its output written and closed, its pools shut): Python's exit would now collect
        # garbage over every object numpy, pandas and kikcalc made, 60 to 80 ms of a 0.4 s command, to free memory
        # the process is about to give back whole. Frozen objects are left out of that collection; atexit handlers
        # still run and the standard streams are still flushed. (Python never promises __del__ at exit.)
        gc.freeze()


if __name__ == "__main__":
    main()
