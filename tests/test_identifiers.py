"""Identifier normalisation (one spelling per id) and the free-text identifier detector."""

from __future__ import annotations

import pandas as pd
import pytest

from scripts.make_bad_uploads import LOOKALIKE_IDS
from uploads import pseudonymise
from uploads.identifiers import (
    identifier_in_text,
    identifier_kinds,
    identifier_message,
    invalid_ids,
    normalise_ids,
)

KEY = b"test-key-0123456789abcdef"


def test_every_lookalike_normalises_to_the_ascii_id() -> None:
    ids = normalise_ids(pd.Series(LOOKALIKE_IDS))
    assert ids.tolist() == ["CSC1"] * len(LOOKALIKE_IDS)
    hashes = pseudonymise.pseudonymise_ids(pd.Series(LOOKALIKE_IDS), KEY)
    assert hashes.nunique() == 1
    assert hashes.iloc[0] == pseudonymise.keyed_hashes(["CSC1"], KEY)[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "\u0669\u0664\u0663 \u0664\u0667\u0666 \u0665\u0669\u0661\u0669",
            "9434765919",
        ),  # Arabic-Indic
        (
            "\u096f\u096a\u0969\u096a\u096d\u096c\u096b\u096f\u0967\u096f",
            "9434765919",
        ),  # Devanagari
        ("943\u2009476\u202f5919", "9434765919"),  # thin and narrow no-break spaces
        ("h801200001001", "H801200001001"),
        ("  ", None),
        ("\u200b\ufeff", None),  # nothing but invisible characters: blank, then refused
    ],
)
def test_normalise(raw: str, expected: str | None) -> None:
    out = normalise_ids(pd.Series([raw])).iloc[0]
    assert (None if pd.isna(out) else out) == expected


def test_what_is_still_not_an_id_is_flagged() -> None:
    ids = normalise_ids(pd.Series(["CSC/12", "CSC\u00e91", "A\u0394B", "x" * 65, "OK_1.2"]))
    assert invalid_ids(ids).tolist() == [False, True, True, True, False]


def test_identifiers_found_in_text_only_when_their_check_passes() -> None:
    # NHS 943 476 5919: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299 = 27*11 + 2; 11-2 = 9.
    # ULN 1000000000: 1*10 = 10, remainder 10, check digit 10 - 10 = 0.
    # UPN H801200001001: 8*2+1*4+2*5+1*10+1*13 = 53 = 2*23 + 7, letter 7 is H.
    texts = pd.Series(
        [
            "Seen 943 476 5919 today",
            "NHS no 9434765919.",
            "learner 1000000000",
            "pupil h801200001001 moved",
            "ticket 1234567890",  # NHS: 210 % 11 = 1, check 10: invalid; ULN wants 9: invalid
            "pupil X801200001001",  # wrong check letter
            "phone 07700 900123",
            "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full-width digits
            None,
        ]
    )
    assert identifier_kinds(texts).tolist() == [
        "an NHS number",
        "an NHS number",
        "a ULN",
        "a UPN",
        pd.NA,
        pd.NA,
        pd.NA,
        "an NHS number",
        pd.NA,
    ]


def test_the_message_never_repeats_the_identifier() -> None:
    kind = identifier_in_text("Call about 943 476 5919")
    assert kind == "an NHS number"
    message = identifier_message(kind, "The commentary")
    assert message.startswith("The commentary seems to hold an NHS number")
    assert "5919" not in message
    assert identifier_in_text("Nothing here, 12 children waiting") is None
