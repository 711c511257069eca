"""Child identifiers: one spelling per id before it is checked or hashed, and identifiers
spotted where they must never be (free text).

Why normalise so hard: a pseudonym is a keyed hash of the id's characters, so "CSC-1" with a
zero-width space, a byte order mark, a soft hyphen, a right-to-left override, full-width or
Arabic-Indic digits, a no-break space or an en dash would hash as a different child and slip
past the duplicate check. :func:`normalise_ids` therefore applies Unicode NFKC, removes every
format (Cf) character, folds every decimal digit to ASCII, treats Unicode spaces and dashes
like ASCII ones, then removes spaces and hyphens and upper-cases, as SEND Lens always has.
Whatever is still outside :data:`VALID_ID` afterwards is refused by the validator.

Free text (commentary, outcome labels, questions, actions typed in the app) is searched for
tokens shaped like a UPN, NHS number or ULN that also pass their check character, so a
random 10-digit reference is not flagged but a real-looking NHS number is.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from uploads.check_digits import nhs_problems, uln_problems, upn_problems

VALID_ID = r"[A-Z0-9_./:#]{1,64}"  # what a local id may hold once normalised
_ASCII_PRINTABLE = r"[\x20-\x7e]*"
_SPACES_AND_HYPHENS = "[ \t\n\r\f\v-]+"  # ASCII only: everything else is folded first
# Dashes that are not in Unicode's Pd category but are typed as one (minus sign, hyphen bullet).
_DASH_LIKE = {"\u2212", "\u2043", "\ufe63", "\uff0d"}
# In free text: a UPN, or 10 digits written as 10, 3-3-4 or 3 3 4 (NHS style), whole words.
_UPN_TOKEN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][0-9]{11}[0-9A-Za-z])(?![A-Za-z0-9])")
_TEN_DIGITS = re.compile(r"(?<![0-9])([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{4})(?![0-9])")


def _fold_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""  # zero-width space and joiners, BOM, soft hyphen, direction overrides
    if category == "Nd":
        return str(unicodedata.decimal(ch))  # Arabic-Indic, Devanagari, full-width ... digits
    if category == "Zs" or ch in "\u2028\u2029":
        return " "  # no-break, thin, en/em and other spaces
    if category == "Pd" or ch in _DASH_LIKE:
        return "-"  # en dash, em dash, non-breaking hyphen, minus ...
    return ch


def fold(text: str) -> str:
    """One string in the form its ASCII look-alike takes (NFKC, then character by character)."""
    return "".join(_fold_char(ch) for ch in unicodedata.normalize("NFKC", text))


def normalise_ids(ids: pd.Series) -> pd.Series:
    """Ids as they are validated and hashed: folded, spaces and hyphens removed, upper case;
    blanks become <NA>. Only non-ASCII ids take the slow per-character path."""
    text = ids.astype("string")
    plain = text.str.fullmatch(_ASCII_PRINTABLE).fillna(True)
    if not plain.all():
        text = text.copy()
        text[~plain] = text[~plain].map(fold, na_action="ignore")
    out = text.str.replace(_SPACES_AND_HYPHENS, "", regex=True).str.upper()
    return out.where(out != "", pd.NA)


def invalid_ids(normalised: pd.Series) -> pd.Series:
    """True where a normalised id still holds something an id never does."""
    return normalised.notna() & ~normalised.str.fullmatch(VALID_ID).fillna(False)


def _candidates(text: str) -> tuple[list[str], list[str]]:
    folded = fold(text)
    upns = [m.group(1).upper() for m in _UPN_TOKEN.finditer(folded)]
    tens = ["".join(m.groups()) for m in _TEN_DIGITS.finditer(folded)]
    return upns, tens


def identifier_kinds(texts: pd.Series) -> pd.Series:
    """For each text, which identifier it holds ("a UPN", "an NHS number", "a ULN"), or <NA>.

    Only tokens that pass their check character count (the validators of
    ``uploads.check_digits``), so order numbers and phone numbers are not flagged."""
    out = pd.Series(pd.NA, index=texts.index, dtype="string")
    rows, upns, tens = [], [], []
    for i, value in texts.dropna().items():
        found_upns, found_tens = _candidates(str(value))
        rows += [("upn", i)] * len(found_upns) + [("ten", i)] * len(found_tens)
        upns += found_upns
        tens += found_tens
    if not rows:
        return out
    upn_ok = upn_problems(pd.Series(upns, dtype="string")).isna().tolist()
    ten = pd.Series(tens, dtype="string")
    nhs_ok = nhs_problems(ten).isna().tolist()
    uln_ok = (uln_problems(ten).isna() & ten.ne("9999999999")).tolist()
    upn_at = iter(upn_ok)
    ten_at = iter(zip(nhs_ok, uln_ok, strict=True))
    for shape, i in rows:
        if shape == "upn":
            kind = "a UPN" if next(upn_at) else None
        else:
            nhs, uln = next(ten_at)
            kind = "an NHS number" if nhs else "a ULN" if uln else None
        if kind and pd.isna(out[i]):
            out[i] = kind
    return out


def identifier_in_text(text: str) -> str | None:
    """The kind of identifier one piece of typed text holds ("an NHS number"), or None."""
    found = identifier_kinds(pd.Series([text], dtype="string")).iloc[0]
    return None if pd.isna(found) else str(found)


def identifier_message(kind: str, where: str) -> str:
    """The refusal, which never repeats the identifier itself."""
    return (
        f"{where} seems to hold {kind} (it passes the check {'letter' if 'UPN' in kind else 'digit'}). "
        "Free text must never identify a child: remove the identifier and try again."
    )
