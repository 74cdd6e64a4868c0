"""Identifiers: NHS numbers from the test range, GUIDs, record ids and their text.

Examples
--------
>>> id_text("R", np.array([7, 42]), 4).to_list()
['R0007', 'R0042']
"""

from __future__ import annotations

import numpy as np
import polars as pl


def nhs_check_digit(stems: np.ndarray) -> np.ndarray:
    """Modulus 11 check digits of 9-digit NHS number stems; 10 where none exists.

    Weights 10 to 2 on digits 1 to 9; check = 11 - (sum mod 11), 11 becomes 0 and 10
    means the stem cannot be used (docs/extracts.md §3).

    Examples
    --------
    >>> nhs_check_digit(np.array([943476591, 987654432])).tolist()
    [9, 2]
    """
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    total = digits @ np.arange(10, 1, -1)  # weights 10..2 (tech_nn_check_digit)
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct valid NHS numbers (int64) from the test range 999 000 0000-999 999 9999."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        stems = 999_000_000 + rng.integers(0, 1_000_000, size=2 * n + 16)
        check = nhs_check_digit(stems)
        numbers = stems[check < 10] * 10 + check[check < 10]
        numbers = numbers[numbers != 9_999_999_999]  # all one digit
        both = np.concatenate([out, numbers])
        _, first = np.unique(both, return_index=True)
        out = both[np.sort(first)]
    return out[:n]


def invalid_nhs(rng: np.random.Generator, valid: np.ndarray) -> np.ndarray:
    """Numbers like ``valid`` with the check digit changed: they fail modulus 11."""
    check = valid % 10
    wrong = (check + rng.integers(1, 10, size=valid.size)) % 10
    return valid - check + wrong


_HEX = np.array(list("0123456789ABCDEF"))


def guids(rng: np.random.Generator, n: int, *, lower: bool = False) -> pl.Series:
    """Random version-4 GUIDs as upper-case text (EMIS style).

    Examples
    --------
    >>> g = guids(np.random.default_rng(0), 2)
    >>> [len(x) for x in g], g.str.slice(14, 1).to_list()
    ([36, 36], ['4', '4'])
    """
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    chars = np.stack([_HEX[b >> 4], _HEX[b & 15]], axis=2).reshape(n, 32)
    dash = np.full((n, 1), "-")
    parts = [chars[:, :8], dash, chars[:, 8:12], dash, chars[:, 12:16], dash, chars[:, 16:20]]
    full = np.ascontiguousarray(np.concatenate([*parts, dash, chars[:, 20:]], axis=1))
    text = full.view("<U36").ravel() if n else np.array([], dtype="<U36")
    s = pl.Series(text, dtype=pl.String)
    return s.str.to_lowercase() if lower else s


def serials(rng: np.random.Generator, n: int, low: int, high_step: int = 40) -> np.ndarray:
    """``n`` increasing distinct integers from about ``low`` (record ids)."""
    return low + np.cumsum(rng.integers(1, high_step, size=n))


def id_text(prefix: str, numbers: np.ndarray, width: int = 0) -> pl.Series:
    """Identifiers as text: ``prefix`` and the number, zero-padded to ``width`` digits."""
    digits = pl.Series(np.asarray(numbers, dtype=np.int64)).cast(pl.String).str.zfill(width)
    return (prefix + digits) if prefix else digits
