"""Frozen dataclasses that cost nothing to define: :func:`frozen` is ``@dataclass(frozen=True)`` without a compiled
method per class.

``@dataclass(frozen=True)`` writes the source of ``__init__``, ``__repr__``, ``__setattr__`` and ``__delattr__``
(and ``__eq__`` and ``__hash__`` with ``eq``) for every class and compiles each one: 0.4 to 0.7 ms a class, about
20 ms of every ``kikcalc`` command for the 40 classes a run defines (issue 8, start-up). A class made by
:func:`frozen` is a dataclass all the same (``dataclasses.fields``, ``replace``, ``asdict``, ``is_dataclass``,
``__match_args__``), with those methods shared by every such class and reading the class's fields: the same
behaviour as ``@dataclass(frozen=True)`` of the same class (tests/test_records.py checks every one against it),
but for the wording of a TypeError for a wrong argument. A method the class body defines itself is kept, as a dataclass keeps it.

Use it for a class that a command defines on its way to its output (every module ``kikcalc run`` imports;
tests/test_startup.py checks that they do); elsewhere a plain ``@dataclass`` is as good.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T", bound=type)


class _Fields:
    """What the shared methods need of a class's fields, in order: for ``__init__`` the names, defaults and default
    factories of those it takes; the names of those shown by ``__repr__``, compared by ``__eq__`` and hashed."""

    __slots__ = ("compared", "defaults", "factories", "hashed", "names", "shown")

    def __init__(self, fields: tuple[dataclasses.Field, ...]):
        taken = [f for f in fields if f.init]
        self.names = tuple(f.name for f in taken)
        self.defaults = tuple(f.default for f in taken)
        self.factories = tuple(f.default_factory for f in taken)
        self.shown = tuple(f.name for f in fields if f.repr)
        self.compared = tuple(f.name for f in fields if f.compare)
        self.hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))


def _init(self, *args: Any, **kwargs: Any) -> None:
    """The dataclass ``__init__``: each field from its argument (by position, then by name), its default or a fresh
    value of its default factory; a missing, surplus or repeated argument is a TypeError."""
    cls = type(self)
    spec: _Fields = cls.__records_fields__
    names = spec.names
    if len(args) > len(names):
        raise TypeError(f"{cls.__qualname__}.__init__() takes {len(names) + 1} positional arguments but "
                        f"{len(args) + 1} were given")
    assign = object.__setattr__
    for name, value in zip(names, args, strict=False):
        assign(self, name, value)
    if kwargs or len(args) < len(names):
        for i in range(len(args), len(names)):
            name = names[i]
            if name in kwargs:
                value = kwargs.pop(name)
            elif spec.defaults[i] is not MISSING:
                value = spec.defaults[i]
            elif spec.factories[i] is not MISSING:
                value = spec.factories[i]()
            else:
                raise TypeError(f"{cls.__qualname__}.__init__() missing 1 required argument: '{name}'")
            assign(self, name, value)
        if kwargs:
            name = next(iter(kwargs))
            problem = "got multiple values for argument" if name in names else "got an unexpected keyword argument"
            raise TypeError(f"{cls.__qualname__}.__init__() {problem} '{name}'")


@reprlib.recursive_repr()
def _repr(self) -> str:
    """The dataclass repr: ``Name(field=value!r, ...)`` of the fields with ``repr``; ``...`` where it recurses."""
    shown = type(self).__records_fields__.shown
    return f"{type(self).__qualname__}(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in shown) + ")"


def _eq(self, other: object) -> bool:
    """The dataclass ``__eq__``: the compared fields as a tuple, against an object of the very same class only."""
    if other.__class__ is self.__class__:
        compared = type(self).__records_fields__.compared
        return tuple(getattr(self, name) for name in compared) == tuple(getattr(other, name) for name in compared)
    return NotImplemented


def _hash(self) -> int:
    """The frozen dataclass ``__hash__``: the hash of the tuple of the fields that are hashed (compared, by default)."""
    return hash(tuple(getattr(self, name) for name in type(self).__records_fields__.hashed))


def _frozen_class(self) -> type:
    """The class :func:`frozen` made that ``self`` is an instance of (itself, or a subclass's base)."""
    for cls in type(self).__mro__:
        if "__records_made__" in cls.__dict__:
            return cls
    raise TypeError(f"{type(self).__qualname__} is not a kikcalc.records.frozen class")  # pragma: no cover


def _setattr(self, name: str, value: Any) -> None:
    """Frozen: no attribute of the class's own instances is assigned, nor a field of a subclass's."""
    cls = _frozen_class(self)
    if type(self) is cls or name in cls.__records_fields__.names:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    super(cls, self).__setattr__(name, value)


def _delattr(self, name: str) -> None:
    cls = _frozen_class(self)
    if type(self) is cls or name in cls.__records_fields__.names:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
    super(cls, self).__delattr__(name)


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


def _signature(cls: type):
    """The signature a dataclass's ``__init__`` gives its class: each field it takes, with its annotation and default."""
    import inspect

    parameters = [inspect.Parameter(f.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=f.type,
                                    default=_Factory() if f.default_factory is not MISSING else
                                    (inspect.Parameter.empty if f.default is MISSING else f.default))
                  for f in dataclasses.fields(cls) if f.init]
    return inspect.Signature(parameters)


def _signature_text(cls: type) -> str:
    """What a dataclass without a docstring takes as one after its name: its ``__init__``'s signature."""
    return str(_signature(cls))


class _LazySignature:
    """``inspect.signature`` of a class made by :func:`frozen` (help(), an editor): the dataclass's, made when asked."""

    def __get__(self, instance: Any, owner: type):
        return _signature(owner).replace(return_annotation=None)  # as the generated __init__'s ``-> None``


def _set(cls: type, name: str, method: Callable) -> None:
    """A method the class body does not define itself (a dataclass keeps the body's own)."""
    if name not in cls.__dict__:
        setattr(cls, name, method)


@overload
def frozen(cls: T, /) -> T: ...
@overload
def frozen(*, eq: bool = True) -> Callable[[T], T]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen(cls=None, /, *, eq=True):
    """``@dataclass(frozen=True, eq=eq)`` with shared methods (see the module): ``@frozen`` or ``@frozen(eq=False)``."""

    def make(cls: T) -> T:
        for name in ("__setattr__", "__delattr__"):
            if name in cls.__dict__:  # as dataclass refuses it
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
        body_hash, body_eq = cls.__dict__.get("__hash__", MISSING), "__eq__" in cls.__dict__
        documented = bool(cls.__doc__)
        cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False, frozen=False)
        if not documented:
            cls.__doc__ = cls.__name__ + _signature_text(cls)
        cls.__records_fields__ = _Fields(dataclasses.fields(cls))
        cls.__records_made__ = True
        _set(cls, "__init__", _init)
        _set(cls, "__repr__", _repr)
        if eq:
            _set(cls, "__eq__", _eq)
            if body_hash is MISSING or (body_hash is None and body_eq):  # as a frozen dataclass adds its __hash__
                cls.__hash__ = _hash
        cls.__setattr__ = _setattr
        cls.__delattr__ = _delattr
        _set(cls, "__signature__", _LazySignature())
        return cls

    return make if cls is None else make(cls)
