"""The base of every row class: frozen keyword-only dataclasses built with `from_row()`."""

from __future__ import annotations

import dataclasses
import enum
import functools
import typing
from collections.abc import Mapping
from typing import Any, Self


class Row:
    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in dict(row).items() if k in names}
        # The database returns enum columns as text; the fields hold the enum members.
        for name, kind in _enum_fields(typing.cast(type, cls)).items():
            if values.get(name) is not None:
                values[name] = kind(values[name])
        return cls(**values)


@functools.cache
def _enum_fields(cls: type) -> dict[str, type[enum.Enum]]:
    hints = typing.get_type_hints(cls)
    return {n: t for n, t in hints.items() if isinstance(t, type) and issubclass(t, enum.Enum)}
