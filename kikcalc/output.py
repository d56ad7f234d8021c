"""Writing results to files: atomically, and never over an input."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kikcalc.errors import UsageError

SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".txt": "table", ".xlsx": "xlsx"}


def format_for(output: str | None, requested: str | None) -> str:
    """The format asked for, else the one the output file's suffix names, else a text table."""
    if requested:
        return requested
    if output:
        return SUFFIX_FORMATS.get(Path(output).suffix.lower(), "table")
    return "table"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output(path: str | Path, inputs: list[str | Path] = (), option: str = "--output") -> None:
    """Refuse an output path before any work is done: an input file, a directory, a missing folder."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option} {path}: is a directory; give a file name")
    for given in inputs:
        if target.exists() and Path(given).exists() and target.resolve() == Path(given).resolve():
            raise UsageError(f"{option} {path}: is an input file; kikcalc never overwrites its input")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")


def write_atomically(path: str | Path, content: str | bytes, inputs: list[str | Path] = (), option: str = "--output") -> None:
    """Write text (or bytes) to path through a temporary file in the same folder, then rename it into place.

    A reader never sees half a file, and a failed write leaves the old file as it was. Refuses a
    path that is one of the inputs, so a scenario file can never be overwritten by its own result.
    A path that exists and is not a regular file (``/dev/null``, a named pipe) is written to directly:
    renaming over it would replace the device.
    """
    target = Path(path)
    check_output(target, inputs, option)
    if target.exists() and not target.is_file():
        with open(target, "wb" if isinstance(content, bytes) else "w",
                  **({} if isinstance(content, bytes) else {"encoding": "utf-8", "newline": ""})) as stream:
            stream.write(content)
        return
    folder = target.parent if str(target.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb" if isinstance(content, bytes) else "w",
                       **({} if isinstance(content, bytes) else {"encoding": "utf-8", "newline": ""})) as stream:
            stream.write(content)
        # mkstemp makes a private file; a result is as readable as any file the user writes (or keeps its old mode).
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
