"""Writing results to files: atomically, only regular files, and never over an input or a scenario."""

from __future__ import annotations

import io
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

from kikcalc import formats
from kikcalc.errors import UsageError

SUFFIX_FORMATS = dict(sorted(formats.suffix_formats().items()))
"""The suffixes that name a format (each format module's SUFFIXES); any other suffix needs --format."""

_FORMAT_NAMES = ", ".join(formats.names())

IMAGE_SUFFIXES = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""The suffixes of a chart (``kikcalc plot``): the suffix is the image's format."""
HTML_SUFFIXES = (".html", ".htm")
"""The suffixes of a committee report (``kikcalc report``)."""


def format_for(output: str | None, requested: str | None, only: bool = False) -> str:
    """The format asked for, else the one the output file's suffix names; a text table on the terminal.

    An output whose suffix names no format is refused rather than guessed (a ``.xls`` would get a text
    table Excel cannot open), and so is a ``.toml`` in any format: that is a scenario, not a result.
    ``only``: the command writes ``requested`` and no other format (it has no --format).
    """
    if output:
        suffix = Path(output).suffix.lower()
        if suffix == ".toml":
            raise UsageError(f"--output {output}: a .toml file is a scenario; kikcalc writes results only to "
                             f"{', '.join(SUFFIX_FORMATS)} files (or any other name with --format)")
        if not requested and (suffix in IMAGE_SUFFIXES or suffix in HTML_SUFFIXES):
            other = "kikcalc plot FILE -o" if suffix in IMAGE_SUFFIXES else "kikcalc report FILE... -o"
            raise UsageError(f"--output {output}: a {suffix} file is a {'chart' if suffix in IMAGE_SUFFIXES else 'report'}: "
                             f"{other} {Path(output).name} writes one; this command writes {', '.join(SUFFIX_FORMATS)} files "
                             f"(or any other name with --format)")
        if not requested and suffix not in SUFFIX_FORMATS:
            what = f"its suffix {suffix} names no format" if suffix else "it has no suffix to tell the format by"
            hint = f"; for Danish Excel: --format {suffix[1:]} --output {Path(output).stem}.csv" if suffix == ".csv-da" else ""
            raise UsageError(f"--output {output}: {what}: give a file ending in {', '.join(SUFFIX_FORMATS)}, "
                             f"or choose the format with --format ({_FORMAT_NAMES}){hint}")
        chosen = SUFFIX_FORMATS.get(suffix)
        if requested and chosen and chosen != requested:
            module = formats.get(requested)
            if suffix not in (*module.SUFFIXES, *getattr(module, "ALSO_SUFFIXES", ())):
                fits = [*module.SUFFIXES, *getattr(module, "ALSO_SUFFIXES", ())]
                name = f"{Path(output).stem}{fits[0]}" if fits else None
                excel = (f" (Excel refuses a workbook named {suffix})" if requested == "xlsx" else
                         f" (Excel refuses a text file named {suffix})" if chosen == "xlsx" else "")
                if only:
                    raise UsageError(f"--output {output}: its suffix {suffix} says {chosen}, and this command writes "
                                     f"{requested}: the file would not be what its name says{excel}"
                                     + (f"; name it {name}" if name else ""))
                raise UsageError(f"--output {output}: its suffix {suffix} says {chosen}, and --format says {requested}: "
                                 f"the file would not be what its name says{excel}; "
                                 + (f"name it {name}, or " if name else "") + f"leave out --format to write {chosen}")
    if requested:
        return requested
    return SUFFIX_FORMATS[Path(output).suffix.lower()] if output else "table"


def image_format_for(output: str) -> str:
    """The format of a chart file, named by its suffix (png, svg or pdf); any other suffix is refused."""
    suffix = Path(output).suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        what = f"its suffix {suffix} is no image format" if suffix else "it has no suffix to tell the image format by"
        raise UsageError(f"--output {output}: {what}: give a file ending in {', '.join(IMAGE_SUFFIXES)}")
    return IMAGE_SUFFIXES[suffix]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, word in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return word
    return "not a regular file"


def reason(error: OSError) -> str:
    """The operating system's words for an error ("No space left on device"), without errno or path."""
    if error.strerror:
        return error.strerror
    return os.strerror(error.errno) if error.errno else str(error) or type(error).__name__


_STREAM = re.compile(r"/dev/fd/(\d+)|/proc/self/fd/(\d+)")


def standard_stream(path: str | Path) -> int | None:
    """The file descriptor a path names when it is a standard stream (``/dev/stdout``, ``/dev/stderr``,
    ``/dev/fd/N``, ``/proc/self/fd/N``); None for any other path.

    Such a path is written to as the stream it is, never replaced: ``-o /dev/stdout >> log.txt`` appends to the
    log as ``>>`` asks, where renaming a new file over what the link points to would lose its earlier content.
    """
    text = str(path)
    if text in ("/dev/stdout", "/dev/stderr"):
        return 1 if text.endswith("out") else 2
    match = _STREAM.fullmatch(text)
    return int(match.group(1) or match.group(2)) if match else None


def write_stream(descriptor: int, content: str | bytes) -> None:
    """Every byte of ``content`` to an open file descriptor (UTF-8 for text), or an OSError."""
    view = memoryview(content if isinstance(content, bytes) else content.encode("utf-8"))
    while view:
        view = view[os.write(descriptor, view):]


def check_output(path: str | Path, inputs: list[str | Path] = (), option: str = "--output") -> None:
    """Refuse an output path before any work is done.

    Refused: an input file; anything that is not a regular file (a directory, a device such as
    ``/dev/null``, a named pipe: replacing it would replace the device, and kikcalc does not write
    into what it did not create); a missing folder; a folder or a read-only file the user may not write; ``-``,
    which other programs take for the terminal and would here be a file named ``-``; a name that ends in a path
    separator (``x.json/``), a folder's name.
    """
    text = str(path)  # before Path(), which drops a trailing separator
    if text == "-":
        instead = f"leave out {option} to print to the terminal" if option == "--output" else f"give {option} a file name"
        raise UsageError(f"{option} -: kikcalc takes no - for the terminal (it would write a file named -): {instead}")
    if text.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
        raise UsageError(f"{option} {path}: is a folder name (it ends in {text[-1]}); give a file name, such as "
                         f"{text.rstrip(os.sep + (os.altsep or ''))}")
    if standard_stream(path) is not None:
        return  # written as the stream it is (write_atomically)
    target = Path(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {reason(error)}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"{option} {path}: is a directory; give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        instead = (f"leave out {option} to print to the terminal (and redirect that as you like)" if option == "--output"
                   else f"give {option} a file, or leave it out")
        raise UsageError(f"{option} {path}: is {_kind(mode)}; kikcalc writes only regular files: {instead}")
    for given in inputs:
        if mode is not None and Path(given).exists() and target.resolve() == Path(given).resolve():
            raise UsageError(f"{option} {path}: is an input file; kikcalc never overwrites its input")
    real = Path(os.path.realpath(target))
    folder = real.parent
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {target.parent} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {path}: Permission denied (the folder {folder} is not writable)")
    if mode is not None and not os.access(real, os.W_OK):
        raise UsageError(f"cannot write {path}: Permission denied (the file is read-only)")


OPEN_FILES_REFUSE_REPLACING = os.name == "nt"
"""Whether the system refuses to replace a file another program holds open (Windows does; elsewhere an open file is
replaced all the same, and a refusal is the file's or the folder's permissions, so the hint would mislead)."""


def write_atomically(path: str | Path, content: str | bytes, inputs: list[str | Path] = (), option: str = "--output") -> None:
    """Write text (or bytes) to path through a temporary file in the same folder, then rename it into place.

    A reader never sees half a file, and a failed or interrupted write leaves the old file as it was
    and no temporary file behind. Refuses what :func:`check_output` refuses, so a scenario file can
    never be overwritten by its own result. A symbolic link is followed: the file it points to is
    replaced and the link kept. A write the system refuses (a full disk, no permission) is a
    :class:`~kikcalc.errors.UsageError` ``cannot write PATH: REASON``.
    """
    check_output(path, inputs, option)
    descriptor = standard_stream(path)
    if descriptor is not None:  # -o /dev/stdout: the stream, as it was opened (>> appends), not a file put in its place
        sys.stdout.flush()
        try:
            write_stream(descriptor, content)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise UsageError(f"cannot write {path}: {reason(error)}") from None
        return
    target = Path(os.path.realpath(path))
    binary = isinstance(content, bytes)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {reason(error)}") from None
    try:
        with os.fdopen(handle, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) as stream:
            stream.write(content)
        # mkstemp makes a private file; a result is as readable as any file the user writes (or keeps its old mode).
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        # Windows refuses to replace a file another program holds open: a workbook open in Excel, the usual case.
        held = OPEN_FILES_REFUSE_REPLACING and isinstance(error, PermissionError) and target.exists()
        hint = " (if it is open in another program, such as Excel, close it there and run again)" if held else ""
        raise UsageError(f"cannot write {path}: {reason(error)}{hint}") from None
    except BaseException:  # Ctrl-C mid-write: no half file, no temporary file
        Path(temporary).unlink(missing_ok=True)
        raise


def write_new(path: str | Path, content: str | bytes, option: str = "FILE") -> None:
    """Write a file that does not exist yet, completely or not at all; an existing file is never replaced.

    The content goes to a temporary file in the same folder, which is then linked into place: the link
    fails, and nothing is written, if a file of that name exists (or appears meanwhile). A file system
    without hard links gets an exclusive create instead. Refusals are :class:`~kikcalc.errors.UsageError`.
    """
    if os.path.lexists(path):
        raise UsageError(f"{path} exists; kikcalc never writes over it: give a new name, or move the file away first")
    check_output(path, [], option)
    target = Path(path)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {reason(error)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise UsageError(f"{path} exists; kikcalc never writes over it: give a new name") from None
        except OSError:  # no hard links here: create it exclusively instead
            with open(target, "xb") as stream:
                stream.write(data)
    except FileExistsError:
        raise UsageError(f"{path} exists; kikcalc never writes over it: give a new name") from None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {reason(error)}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)


def write_stdout(content: str) -> None:
    """Write text to standard output in full, or raise.

    Python's buffered standard output drops the rest of a large write that a reader stops taking halfway
    (``| head``, a consumer that dies) without a word, so a half-written JSON would end with exit 0. Written
    here with ``os.write`` until every byte is taken, a reader that goes away is a BrokenPipeError
    (exit 141) and a full disk an OSError. A stream with no file descriptor (a test's capture) is written to
    as it is.

    Redirected into a file or a pipe, the text is UTF-8, the same bytes ``--output`` writes, whatever the
    platform's code page (Windows gives redirected output cp1252, which has no ≥ and no byte order mark: a label
    with one failed the command). On a terminal it is in the terminal's encoding, a character it cannot show as ?.
    """
    stream = sys.stdout
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        stream.write(content)
        stream.flush()
        return
    stream.flush()  # anything written to it before goes first
    if os.isatty(descriptor):
        encoding = stream.encoding or "utf-8"
        try:
            "\ufeff".encode(encoding)
        except UnicodeEncodeError:  # csv-da's byte order mark tells Excel a file's encoding; a terminal showed it as ?
            content = content.removeprefix("\ufeff")
        data = content.encode(encoding, "replace")
    else:
        data = content.encode("utf-8")
    write_stream(descriptor, data)
