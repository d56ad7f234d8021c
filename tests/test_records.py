"""kikcalc.records.frozen: a frozen dataclass with shared methods behaves as ``@dataclass(frozen=True)`` of the same
class, which is what every check here compares it with."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field

import numpy as np
import pytest

from kikcalc.records import frozen


def _body(name: str) -> dict:
    """A class body with every kind of field kikcalc uses: required, plain defaults, a default factory, a field not
    in the repr, one not compared, one compared but not hashed, and a method and a property."""

    def total(self) -> float:
        return self.amount * 2

    return {
        "__annotations__": {"name": "str", "amount": "float", "tags": "tuple", "extra": "dict", "hidden": "int",
                            "loose": "int", "unhashed": "int"},
        "__doc__": f"{name}: a record.",
        "tags": (), "extra": field(default_factory=dict), "hidden": field(default=3, repr=False),
        "loose": field(default=0, compare=False), "unhashed": field(default=1, hash=False),
        "total": total, "double": property(lambda self: self.amount * 2),
    }


def _pair(eq: bool) -> tuple[type, type]:
    """The same class made by @dataclass(frozen=True, eq=eq) and by @frozen(eq=eq), under the same name."""
    reference = dataclass(frozen=True, eq=eq)(type("Rec", (), _body("Rec")))
    ours = frozen(eq=eq)(type("Rec", (), _body("Rec")))
    return reference, ours


def _outcome(call):
    try:
        return "ok", call()
    except Exception as error:
        return "error", type(error)


ARGUMENTS = [((), {}), (("a",), {}), (("a", 1.5), {}), (("a", 1.5, ("x",)), {"unhashed": 9}),
             ((), {"name": "b", "amount": 2.0, "extra": {"k": 1}}), (("a", 1.0, (), {}, 4, 5, 6), {}),
             (("a", 1.0, (), {}, 4, 5, 6, 7), {}), (("a",), {"name": "twice", "amount": 1.0}),
             (("a", 1.0), {"nonsense": 1}), ((), {"amount": 1.0})]
"""Good calls and bad ones: too few, too many, an argument twice, an unknown keyword."""


@pytest.mark.parametrize("eq", [True, False])
def test_construction_and_repr_are_the_dataclasses(eq):
    reference, ours = _pair(eq)
    for args, kwargs in ARGUMENTS:
        expected, got = _outcome(lambda: reference(*args, **kwargs)), _outcome(lambda: ours(*args, **kwargs))  # noqa: B023
        assert expected[0] == got[0], (args, kwargs)
        if expected[0] == "error":
            assert expected[1] is got[1] is TypeError
            continue
        assert repr(got[1]) == repr(expected[1])
        assert [getattr(got[1], f.name) for f in dataclasses.fields(ours)] == \
            [getattr(expected[1], f.name) for f in dataclasses.fields(reference)]
    first, second = ours("a", 1.0), ours("a", 1.0)
    assert first.extra == {} and first.extra is not second.extra  # a fresh value of the factory for each
    assert first.total() == 2.0 and first.double == 2.0


@pytest.mark.parametrize("eq", [True, False])
def test_equality_and_hash_are_the_dataclasses(eq):
    reference, ours = _pair(eq)
    cases = [(("a", 1.0), ("a", 1.0)), (("a", 1.0), ("a", 2.0)), (("a", 1.0, (), {}, 3, 0), ("a", 1.0, (), {}, 3, 99)),
             (("a", 1.0, (), {}, 3, 0, 1), ("a", 1.0, (), {}, 3, 0, 2)), (("a", 1.0), ("b", 1.0))]
    for left, right in cases:
        r1, r2, o1, o2 = reference(*left), reference(*right), ours(*left), ours(*right)
        assert (o1 == o2) == (r1 == r2) and (o1 != o2) == (r1 != r2)
        assert (o1 == o1) and not (o1 != o1)
    assert (ours("a", 1.0) == ("a", 1.0)) is False and ours("a", 1.0).__eq__(reference("a", 1.0)) is NotImplemented
    assert _outcome(lambda: hash(ours("a", 1.0)))[0] == _outcome(lambda: hash(reference("a", 1.0)))[0]  # a dict field
    for args in [("a", 1.0, (), None), ("a", 1.0, ("t",), None, 3, 7, 8)]:
        r, o = reference(*args), ours(*args)
        if eq:  # a frozen dataclass with eq hashes the tuple of its hashed fields: the very same number
            assert hash(o) == hash(r) == hash(tuple(getattr(r, f.name) for f in dataclasses.fields(r)
                                                    if (f.compare if f.hash is None else f.hash)))
        else:  # eq=False: identity, as object's
            assert hash(o) == object.__hash__(o) and o != ours(*args)
    assert ("__hash__" in ours.__dict__) == ("__hash__" in reference.__dict__)


def test_frozen_as_the_dataclass_is():
    reference, ours = _pair(True)
    for cls in (reference, ours):
        record = cls("a", 1.0)
        for action in (lambda: setattr(record, "name", "b"), lambda: setattr(record, "new", 1),  # noqa: B023
                       lambda: delattr(record, "name"), lambda: delattr(record, "new")):  # noqa: B023
            with pytest.raises(FrozenInstanceError):
                action()
        assert record.name == "a"
    for cls in (reference, ours):
        with pytest.raises(FrozenInstanceError, match=r"^cannot assign to field 'name'$"):
            cls("a", 1.0).name = "b"
        with pytest.raises(FrozenInstanceError, match=r"^cannot delete field 'amount'$"):
            del cls("a", 1.0).amount

    class Sub(ours):  # a subclass that is not itself a record: only the fields are frozen, as a dataclass's
        pass

    sub = Sub("a", 1.0)
    sub.note = "free"
    assert sub.note == "free"
    with pytest.raises(FrozenInstanceError):
        sub.name = "b"


def test_the_dataclass_functions_work_on_it():
    reference, ours = _pair(True)
    record = ours("a", 1.0, ("t",), {"k": [1]})
    assert dataclasses.is_dataclass(ours) and dataclasses.is_dataclass(record)
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(reference)]
    changed = dataclasses.replace(record, amount=5.0)
    assert type(changed) is ours and changed.amount == 5.0 and changed.name == "a" and record.amount == 1.0
    assert dataclasses.asdict(record) == dataclasses.asdict(reference("a", 1.0, ("t",), {"k": [1]}))
    assert dataclasses.astuple(record) == dataclasses.astuple(reference("a", 1.0, ("t",), {"k": [1]}))
    assert ours.__match_args__ == reference.__match_args__
    assert ours.__doc__ == reference.__doc__ == "Rec: a record."
    body = {key: value for key, value in _body("Bare").items() if key != "__doc__"}  # a dataclass documents itself
    assert frozen(type("Bare", (), dict(body))).__doc__ == dataclass(frozen=True)(type("Bare", (), dict(body))).__doc__


def test_copies_and_pickles():
    record = Kept("a", np.arange(3.0), ("x",))
    for twin in (copy.copy(record), copy.deepcopy(record), pickle.loads(pickle.dumps(record))):
        assert type(twin) is Kept and twin.name == "a" and twin.labels == ("x",)
        np.testing.assert_array_equal(twin.values, np.arange(3.0))
        with pytest.raises(FrozenInstanceError):
            twin.name = "b"


def test_a_recursive_repr_stops_as_the_dataclasses_does():
    reference, ours = _pair(True)
    outer_ref, outer = reference("a", 1.0, extra={}), ours("a", 1.0, extra={})
    outer_ref.extra["self"], outer.extra["self"] = outer_ref, outer
    assert repr(outer) == repr(outer_ref) and "..." in repr(outer)


def test_a_body_s_own_methods_are_kept_and_a_body_s_setattr_refused():
    @frozen
    class Own:
        """A record that writes itself."""

        x: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

    assert repr(Own(1)) == "own" and Own(1) == Own(2) and hash(Own(1)) == hash((1,))
    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__"):
        @frozen
        class Bad:
            x: int

            def __setattr__(self, name, value):
                pass


@frozen(eq=False)
class Kept:
    """A module-level record (pickle finds it by name)."""

    name: str
    values: np.ndarray
    labels: tuple[str, ...] = ()


@pytest.mark.parametrize("eq", [True, False])
def test_signature_is_the_dataclasses(eq):
    """help() and editors show the fields a frozen record takes, as for a dataclass (not ``(*args, **kwargs)``)."""
    import inspect

    reference, ours = _pair(eq)
    expected, got = inspect.signature(reference), inspect.signature(ours)
    assert [(p.name, p.kind, p.annotation) for p in got.parameters.values()] == \
        [(p.name, p.kind, p.annotation) for p in expected.parameters.values()]
    assert [repr(p.default) for p in got.parameters.values()] == [repr(p.default) for p in expected.parameters.values()]
    assert str(got) == str(expected)
