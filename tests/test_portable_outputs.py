"""Stored outputs must be the same on every machine.

Strict nbval compares every stored ``text/plain``, ``text/latex`` and
``text/html`` output, every stream and every glued record with a fresh run on
the reader's machine. The last digits of a float, and the size of a rounding
error, depend on that machine's SIMD paths and BLAS kernels, so a stored output
that carries them passes only where it was executed. The rule (README,
"Changing a chapter"; ``mlemap.report``):

* a computed number is stored with at most ``MAX_DIGITS`` significant digits;
* a number below ``TINY`` in size is a rounding-error size, and is never stored:
  the chapter asserts a bound (``mlemap.report.below``) and prints the bound, a
  power of ten such as ``1e-12``.

This test reads the stored notebooks and fails on any number that breaks the
rule, unless it is in ``ALLOWED`` with its reason.
"""
from __future__ import annotations

import re

import pytest

from booktools import book_notebooks, load_notebook

NOTEBOOKS = book_notebooks()
IDS = [p.name for p in NOTEBOOKS]

MAX_DIGITS = 8
TINY = 1e-8

#: (notebook, cell id, number as printed) -> why it may stay. Keep it short.
ALLOWED: dict[tuple[str, str, str], str] = {}

MIMES = ("text/plain", "text/latex", "text/html", "text/markdown")

# A decimal number, optionally in e-notation, LaTeX's "\cdot 10^{-16}" form, or
# the prose's "3.7 × 10⁻⁷" (mlemap.report.scientific and Bound).
SUPERSCRIPTS = str.maketrans("\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "-0123456789")
NUMBER = re.compile(
    r"(?<![\w.])(?P<mant>\d+\.\d+|\d+)"
    r"(?:[eE](?P<exp>[-+]?\d+)|\s*(?:\\cdot|\\times)\s*10\^\{(?P<texp>[-+]?\d+)\}"
    r"|\s*\u00d7\s*10(?P<uexp>\u207b?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+))?")


def significant_digits(mantissa: str) -> int:
    digits = mantissa.replace(".", "").lstrip("0")
    if "." in mantissa:
        digits = digits.rstrip("0")  # 0.500000000000000 is 0.5: SymPy pads Floats
    return len(digits)


def offending_numbers(text: str) -> list[str]:
    """The numbers in ``text`` that carry machine-dependent digits.

    >>> offending_numbers("w0 = 0.746495655394811, n = 56, 0.7465")
    ['0.746495655394811']
    >>> offending_numbers(r"5.6 \\cdot 10^{-16} and 1e-12 and 4.4e-16")
    ['5.6 \\\\cdot 10^{-16}', '4.4e-16']
    >>> offending_numbers("1234567890123 is an integer; 0.500000000000000 is exact")
    []
    >>> offending_numbers("3.7 × 10⁻⁷, 10⁻¹², 1.23456789012 × 10⁻⁷ and 2 × 10⁻¹⁰")
    ['1.23456789012 × 10⁻⁷', '2 × 10⁻¹⁰']
    """
    bad = []
    for m in NUMBER.finditer(text):
        mant = m.group("mant")
        exp = m.group("exp") or m.group("texp") or (m.group("uexp") or "").translate(SUPERSCRIPTS) or None
        if "." not in mant and exp is None:
            continue  # an integer: exact
        if significant_digits(mant) > MAX_DIGITS:
            bad.append(m.group(0))
            continue
        value = float(mant) * 10.0 ** int(exp or 0)
        if 0 < value < TINY and mant.rstrip("0").rstrip(".") != "1":
            bad.append(m.group(0))
    return bad


def output_texts(out: dict):
    """Yield (what, text) for each compared part of one output."""
    if "text" in out:
        yield out.get("name", "stream"), "".join(out["text"])
    for mime, value in out.get("data", {}).items():
        if mime.endswith(MIMES):
            yield mime, "".join(value) if isinstance(value, list) else str(value)


def stored_offenders(path):
    """Yield (cell id, where, number) for every offending number stored in ``path``."""
    for cell in load_notebook(path)["cells"]:
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            glued = out.get("metadata", {}).get("scrapbook", {}).get("name")
            for what, text in output_texts(out):
                for number in offending_numbers(text):
                    yield cell.get("id", "?"), (f"glue {glued!r}" if glued else what), number


def violations(path) -> list[str]:
    return [f"cell {cid} ({where}): {number}" for cid, where, number in stored_offenders(path)
            if (path.name, cid, number) not in ALLOWED]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_numbers_are_machine_independent(path):
    bad = violations(path)
    assert not bad, (
        f"{path.name}: {len(bad)} stored number(s) carry digits that differ between "
        f"machines (more than {MAX_DIGITS} significant digits, or a rounding-error size "
        f"below {TINY:g}); round with mlemap.report.rounded, or assert a bound with "
        "mlemap.report.below and print the bound:\n  " + "\n  ".join(bad[:40]))


def test_every_allowed_exception_is_still_needed():
    present = {(path.name, cid, number) for path in NOTEBOOKS
               for cid, _, number in stored_offenders(path)}
    stale = sorted(set(ALLOWED) - present)
    assert not stale, f"ALLOWED entries that no stored output needs any more: {stale}"


def test_the_guard_reads_the_prose_power_of_ten_notation():
    """mlemap.report.scientific prints 3.7 × 10⁻⁷: the guard must read that form too,
    or a glued number with machine-dependent digits would slip past it."""
    assert offending_numbers("3.7 × 10⁻⁷, 10⁻¹², 2 × 10⁻⁸ and 1.7 × 10²²") == []
    assert offending_numbers("1.23456789012 × 10⁻⁷ and 2 × 10⁻¹⁰") == [
        "1.23456789012 × 10⁻⁷", "2 × 10⁻¹⁰"]
