"""A common base for result objects: frozen, with a short readable repr."""

import dataclasses

import numpy as np


def _short(value):
    if isinstance(value, np.ndarray):
        # six significant digits, as for scalars: a fixed number of decimals would
        # print the machine-dependent digits of large entries
        return np.array2string(value, separator=", ", threshold=8, edgeitems=3,
                               max_line_width=10_000,
                               formatter={"float_kind": lambda v: repr(float(f"{v:.6g}"))})
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value)


class Result:
    """Mixin for frozen dataclasses: ``Name(field=value, ...)``, arrays summarised."""

    def __repr__(self):
        parts = [f"{f.name}={_short(getattr(self, f.name))}"
                 for f in dataclasses.fields(self) if f.repr]
        return f"{type(self).__name__}({', '.join(parts)})"


def frozen(cls):
    """Decorator: a frozen, keyword-friendly dataclass with `Result`'s repr."""
    return dataclasses.dataclass(frozen=True, repr=False, eq=False)(cls)
