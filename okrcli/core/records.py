"""Frozen dataclasses that pickle as the arguments of their constructor.

A company's team files and history are read on two cores (files/forked.py), and what the
forked child read comes back pickled: thousands of frozen, slotted dataclasses (the teams'
KRs, the versions of their files). For those, dataclasses pickles each instance's fields
through two Python functions that look the fields up again for every instance; as a call
of the class with its field values, the same instance pickles and unpickles in about 70%
of the time.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar

Record = TypeVar("Record")


def pickled_as_call(cls: type[Record]) -> type[Record]:
    """Make `cls` (a dataclass whose fields are all its constructor's parameters, in order,
    and whose construction has no side effects) pickle as `cls(*fields)`."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if not fields or not all(field.init and not field.kw_only for field in fields):
        raise TypeError(f"{cls.__name__}: every field must be a positional parameter")
    values = operator.attrgetter(*(field.name for field in fields))
    reduce: Callable[[Any], tuple[type[Record], tuple[Any, ...]]]
    if len(fields) == 1:  # attrgetter of one name gives the value, not a tuple
        reduce = lambda self: (cls, (values(self),))  # noqa: E731
    else:
        reduce = lambda self: (cls, values(self))  # noqa: E731
    setattr(cls, "__reduce__", reduce)  # noqa: B010  (a method assigned to the class)
    return cls
