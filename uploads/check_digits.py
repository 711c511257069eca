"""Check characters of the identifiers a child can carry: the UPN's check letter (DfE), and the
modulus 11 check digit of the NHS number and the ULN.

Vectorised over a column, because an upload may hold 100,000 of them. Each function returns,
for every value, the reason it is invalid, or <NA>.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

# The check letter of a UPN is one of these 23 (DfE: no I, O or S).
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _digit_matrix(codes: pd.Series, width: int) -> np.ndarray:
    """Fixed-width ASCII codes as a (rows, width) matrix of byte values, in one step."""
    joined = "".join(codes.tolist()).encode("ascii")
    return np.frombuffer(joined, np.uint8).reshape(-1, width).astype(np.int64)


_LETTER_VALUE = np.full(256, -1, dtype=np.int64)
_LETTER_VALUE[48:58] = np.arange(10)
for _i, _ch in enumerate(UPN_LETTERS):
    _LETTER_VALUE[ord(_ch)] = _i


def upn_problems(upn: pd.Series) -> pd.Series:
    """For each UPN (upper case) a reason it is invalid, or <NA>."""
    reason = pd.Series(pd.NA, index=upn.index, dtype="string")
    present = upn.notna()
    shaped = present & upn.str.fullmatch(r"[A-Z][0-9]{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]").fillna(
        False
    )
    reason[present & ~shaped] = (
        "is not shaped like a UPN: 13 characters, a letter, 11 digits, then a digit or letter."
    )
    if shaped.any():
        m = _digit_matrix(upn[shaped], 13)
        values = _LETTER_VALUE[m[:, 1:]]
        expected = np.array(list(UPN_LETTERS))[(values * np.arange(2, 14)).sum(axis=1) % 23]
        found = m[:, 0].astype(np.uint8).view("S1").astype("U1")
        wrong = pd.Series(expected != found, index=upn[shaped].index)
        letters = pd.Series(expected, index=upn[shaped].index)
        reason[wrong[wrong].index] = (
            "has the wrong check letter: for these 12 characters the first letter should be "
            + letters[wrong]
            + ". Check the UPN was copied correctly."
        )
    return reason


def _mod11_problems(codes: pd.Series, name: str, uln: bool) -> pd.Series:
    reason = pd.Series(pd.NA, index=codes.index, dtype="string")
    present = codes.notna()
    shaped = present & codes.str.fullmatch(r"[0-9]{10}").fillna(False)
    reason[present & ~shaped] = (
        f"is not 10 digits: {'a' if uln else 'an'} {name} has exactly 10 (if "
        "it began with 0, format the column as Text in Excel so the 0 is kept)."
    )
    if shaped.any():
        m = _digit_matrix(codes[shaped], 10) - 48
        remainder = (m[:, :9] * np.arange(10, 1, -1)).sum(axis=1) % 11
        if uln:
            ok = (remainder != 0) & (10 - remainder == m[:, 9])
            ok |= (m == 9).all(axis=1)  # 9999999999, the temporary ULN
        else:
            check = (11 - remainder) % 11
            ok = (check != 10) & (check == m[:, 9])
        bad = pd.Series(~ok, index=codes[shaped].index)
        reason[bad[bad].index] = (
            "fails its check digit (modulus 11): check it was copied correctly."
        )
    return reason


nhs_problems = partial(_mod11_problems, name="NHS number", uln=False)
uln_problems = partial(_mod11_problems, name="ULN", uln=True)
