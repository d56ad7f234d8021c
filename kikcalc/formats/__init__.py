"""The output formats, one module each, registered by name with the file suffixes that choose them.

A format module (``kikcalc/formats/NAME.py``; a name starting with ``_`` is a helper, not a format) says

- ``NAME``: the ``--format`` name (``csv-da``); ``SUFFIXES``: the ``--output`` suffixes that choose it;
- ``ORDER``: where it stands in lists and help; ``BINARY``: True for bytes (a file only, such as xlsx);
- ``HELP``: a few words for ``--help``; ``NOTES_ON_STDERR``: True for a plain table with no room for
  notes and provenance (CSV), which the command line then prints on stderr;

and lays out the documents of the table commands, each from :mod:`kikcalc.tables` and nothing else:
``run(result, view)``, ``compare(results, view)``, ``targets(results, view)``; and ``stamp(content, record)``
adds a :class:`~kikcalc.provenance.Provenance` to a document laid out elsewhere (sensitivity, solve,
calibrate, follow-up: the line under the title, the JSON object, the workbook's sheet; a CSV stays
as it is and the command line prints the provenance on stderr). A new format (html, png)
is one new module here: the registry finds it. No format computes a model number.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from kikcalc.errors import UsageError
from kikcalc.provenance import Provenance
from kikcalc.records import frozen


@frozen
class View:
    """What a command asks of a format besides the result: which strategies, the monthly trajectory,
    the money table of a CSV, the locale of numbers and months, and the provenance to record."""

    strategies: list[str] | None = None
    monthly: bool = False
    money: bool = False
    locale: str = "en"
    provenance: Provenance | None = None


REQUIRED = ("NAME", "SUFFIXES", "ORDER", "BINARY", "HELP", "run", "compare", "targets", "stamp")
"""What a format module must define (see above)."""


def _discover() -> dict[str, ModuleType]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        missing = [name for name in REQUIRED if not hasattr(module, name)]
        if missing:  # a format module half written: say so at import, not at a user's command
            raise TypeError(f"{module.__name__} is not a format module: it lacks {', '.join(missing)} (kikcalc/formats/__init__.py)")
        found.append(module)
    return {m.NAME: m for m in sorted(found, key=lambda m: (m.ORDER, m.NAME))}


REGISTRY: dict[str, ModuleType] = _discover()
"""Every format by name, in the order lists and help show them."""


def names() -> tuple[str, ...]:
    """The --format names: table, markdown, csv, csv-da, json, xlsx, ..."""
    return tuple(REGISTRY)


def suffix_formats() -> dict[str, str]:
    """Each --output suffix and the format it chooses (``.csv`` -> ``csv``)."""
    return {suffix: name for name, module in REGISTRY.items() for suffix in module.SUFFIXES}


def plain_tables() -> tuple[str, ...]:
    """The formats with no room for notes and provenance (CSV): the command line prints them on stderr."""
    return tuple(name for name, module in REGISTRY.items() if getattr(module, "NOTES_ON_STDERR", False))


def get(name: str) -> ModuleType:
    """The format module of a --format name; an unknown name is a usage error listing the choices."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UsageError(f"--format {name}: no such format (there are {', '.join(REGISTRY)})") from None
