"""Keys, keyed hashes, ages and school years; and proof that no raw identifier, name, date of
birth or postcode leaves read_upload, in its table or its log."""

from __future__ import annotations

import hmac
import logging
import stat
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from uploads import pseudonymise
from uploads.intake import UploadError, read_upload
from uploads.keys import load_key
from uploads.pseudonymise import age_on, keyed_hashes, nc_year, pseudonymise_ids

TODAY = date(2025, 6, 1)


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv(pseudonymise.KEY_ENV, raising=False)
    monkeypatch.setenv(pseudonymise.CONFIG_ENV, str(tmp_path / "config"))
    return tmp_path / "config" / pseudonymise.KEY_FILE


@pytest.fixture
def env_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> bytes:
    monkeypatch.setenv(pseudonymise.CONFIG_ENV, str(tmp_path))
    monkeypatch.setenv(pseudonymise.KEY_ENV, "test-key-0123456789abcdef")
    return b"test-key-0123456789abcdef"


def test_key_file_is_created_once_owner_only(no_env_key: Path) -> None:
    key = load_key()
    assert no_env_key.exists() and len(key) == 64
    assert stat.S_IMODE(no_env_key.stat().st_mode) == 0o600
    assert load_key() == key  # reused, not replaced


def test_loose_permissions_are_tightened(no_env_key: Path) -> None:
    load_key()
    no_env_key.chmod(0o644)
    load_key()
    assert stat.S_IMODE(no_env_key.stat().st_mode) == 0o600


def test_environment_key_wins_and_must_be_long(
    env_key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_key() == env_key
    monkeypatch.setenv(pseudonymise.KEY_ENV, "short")
    with pytest.raises(pseudonymise.PseudonymisationKeyError, match="shorter than 16"):
        load_key()


def test_key_file_never_inside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pseudonymise.KEY_ENV, raising=False)
    monkeypatch.setenv(
        pseudonymise.CONFIG_ENV, str(pseudonymise.REPO / "tests" / "artifacts" / "cfg")
    )
    with pytest.raises(pseudonymise.PseudonymisationKeyError, match="inside the project folder"):
        load_key()
    assert not (pseudonymise.REPO / "tests" / "artifacts" / "cfg").exists()


def test_default_config_dir_is_the_users(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(pseudonymise.CONFIG_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert pseudonymise.config_dir() == tmp_path / "send-lens"


def test_keyed_hash_is_hmac_sha256() -> None:
    for key in (b"k" * 16, b"x" * 64, b"long" * 40, "clé".encode() * 6):
        ids = ["H801200001001", "9434765919", "CSC-1"]
        assert keyed_hashes(ids, key) == [
            hmac.digest(key, i.encode(), "sha256")[:16].hex() for i in ids
        ]


def test_same_child_same_pseudonym_after_normalising() -> None:
    out = pseudonymise_ids(
        pd.Series(
            [
                " 943 476 5919",
                "9434765919",
                "943-476-5919",
                "h801200001001",
                "H801200001001",
                "",
                None,
            ]
        ),
        key=b"k" * 32,
    )
    assert out[0] == out[1] == out[2] and out[3] == out[4] and out[0] != out[3]
    assert out[5:].isna().all()
    assert out[0] != pseudonymise_ids(pd.Series(["9434765919"]), key=b"other key 123456")[0]


def test_age_and_national_curriculum_year_by_hand() -> None:
    dob = pd.to_datetime(
        pd.Series(
            ["2015-03-15", "2014-09-01", "2015-08-31", "2015-09-01", "2019-12-25", "2007-06-30"]
        )
    )
    ref = pd.to_datetime(
        pd.Series(
            ["2024-10-01", "2025-06-01", "2024-09-01", "2025-08-31", "2024-09-02", "2025-03-31"]
        )
    )
    # Born 15 March 2015, in October 2024 (academic year 2024/25): 9 years old; on 31 August
    # 2024 they were 9, so Year 9 - 4 = Year 5. The oldest (1 September 2014) and youngest
    # (31 August 2015) of that cohort are Year 5 too; 1 September 2015 is a year below.
    # Born 25 December 2019: 4 on 31 August 2024, so Reception (0) in 2024/25.
    # Born 30 June 2007: 17 on 31 August 2024, so Year 13.
    assert list(age_on(dob, ref)) == [9, 10, 9, 9, 4, 17]
    assert list(nc_year(dob, ref)) == [5, 5, 5, 4, 0, 13]


COHORT_CSV = (
    "agency,UPN,ULN,NHS number,local_id,date_of_birth,Forename,Surname,Postcode,Address,sen_status\n"
    "education,H801200001001,1234567899,9434765919,ED-77,15/03/2015,Amelia,Zedworth,BD1 1AA,1 Quay Street,K\n"
    "health,,,943 476 5919,NHS-LOCAL-9,01/02/2012,Bo,Yarrowby,LS2 9JT,2 Mill Lane,E\n"
)
SECRETS = [
    "H801200001001",
    "1234567899",
    "9434765919",
    "943 476 5919",
    "ED-77",
    "NHS-LOCAL-9",
    "15/03/2015",
    "2015-03-15",
    "01/02/2012",
    "2012-02-01",
    "Amelia",
    "Zedworth",
    "BD1 1AA",
    "LS2 9JT",
    "Quay",
    "Mill Lane",
    "Yarrowby",
]


def test_no_raw_identifier_reaches_the_table(env_key: bytes) -> None:
    table = read_upload(COHORT_CSV.encode(), "extract.csv", "cohort", today=TODAY)
    cells = [str(v) for v in table.to_numpy().ravel()] + [str(c) for c in table.columns]
    cells += [str(v) for v in table.attrs.values()]
    for secret in SECRETS:
        assert not any(secret in cell for cell in cells), secret
    assert "date_of_birth" not in table.columns and {"age", "nc_year"} <= set(table.columns)
    assert table.loc[0, "nhs_number"] == table.loc[1, "nhs_number"]  # the same child, linked


def test_nothing_identifying_is_logged(
    env_key: bytes, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    read_upload(COHORT_CSV.encode(), "extract.csv", "cohort", today=TODAY)
    bad = COHORT_CSV.replace("H801200001001", "Q207000016049").replace("1234567899", "1234567890")
    with pytest.raises(UploadError) as caught:
        read_upload(bad.encode(), "extract.csv", "cohort", today=TODAY)
    from uploads import validation

    def broken(*args: object) -> None:
        raise ValueError("cell H801200001001 for Amelia Zedworth")

    monkeypatch.setitem(validation.PARSERS, "code", broken)
    with pytest.raises(UploadError):
        read_upload(COHORT_CSV.encode(), "extract.csv", "cohort", today=TODAY)
    assert caplog.records  # the module does log: counts, timings and error types
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for secret in [*SECRETS, "Q207000016049", "1234567890"]:
        assert secret not in logged, secret
    shown = " ".join(f"{p.value} {p.message}" for p in caught.value.problems)
    assert "Q207000016049" not in shown and "1234567890" not in shown and str(caught.value)


def test_a_rotated_chain_hashes_through_every_key() -> None:
    k0, k1 = b"k" * 40, b"n" * 40
    first = hmac.new(k0, b"A123", "sha256").hexdigest()[:32]
    expected = hmac.new(k1, first.encode(), "sha256").hexdigest()[:32]
    got = pseudonymise_ids(pd.Series(["a 123", None]), [k0, k1])
    assert got[0] == expected and pd.isna(got[1])
    assert pseudonymise_ids(pd.Series(["A123"]), k0)[0] == first  # one key: plain HMAC


def test_load_key_refuses_a_rotated_chain(no_env_key: Path) -> None:
    no_env_key.parent.mkdir(parents=True)
    no_env_key.write_text("a" * 64 + "\n" + "b" * 64 + "\n")
    with pytest.raises(pseudonymise.PseudonymisationKeyError, match="rotated"):
        load_key()
