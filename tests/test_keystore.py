"""Key management: the key's fingerprint with every pseudonymised version, refusing data or
links made with another key, never making a new key where data exists, and key rotation
(chained, all or nothing, audited). Runs on SQLite, and PostgreSQL when configured."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from store import admin as store_admin
from store import audit as store_audit
from store.datasets import Store
from store.failures import KeyMismatchError, KeyMissingError
from store.identity import User
from store.keystore import checked_chain, require_same_key, rotate_key
from tests import test_store
from uploads import keys, pseudonymise
from uploads.frameworks import shipped_frameworks
from uploads.intake import read_upload
from uploads.outcomes_returns import read_returns

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
# The store tests' fixtures: a store on SQLite and, when configured, on PostgreSQL.
url, store = test_store.url, test_store.store
ANN = test_store.ANN  # the local user in the default workspace: an analyst there and more
ADMIN = ANN["by"]  # and, being the local user, an instance admin
COHORT = (DEMO / "demo_outcomes_cohort.csv").read_bytes()
RETURN = (DEMO / "demo_outcomes_national.csv").read_bytes()


def hmac_hex(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), "sha256").hexdigest()[:32]


@pytest.fixture
def key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv(pseudonymise.KEY_ENV, raising=False)
    monkeypatch.setenv(pseudonymise.CONFIG_ENV, str(tmp_path / "config"))
    return tmp_path / "config" / pseudonymise.KEY_FILE


def save(s: Store, kind: str, name: str, frame: pd.DataFrame, n: int = 1):
    return s.save_version(
        kind, name, frame, file_name=f"{name}.csv", file_sha256=f"{n:064x}", **ANN
    )


def cohort() -> pd.DataFrame:
    return read_upload(COHORT, "cohort.csv", "cohort")


def returns() -> pd.DataFrame:
    return read_returns(RETURN, "return.csv", shipped_frameworks()["national"])


def test_fingerprint_is_a_keyed_hash_of_a_label_never_the_key() -> None:
    k0, k1 = b"a" * 64, b"b" * 64
    one = keys.KeyChain((k0,), "test")
    assert one.fingerprint == hmac_hex(k0, keys.FINGERPRINT_LABEL)
    assert one.fingerprint not in (hashlib.sha256(k0).hexdigest()[:32], k0.decode()[:32])
    assert keys.KeyChain((k1,), "test").fingerprint != one.fingerprint
    # A rotated chain: each key applied to the previous code, label first.
    two = one.extended(k1)
    assert two.fingerprint == hmac_hex(k1, hmac_hex(k0, keys.FINGERPRINT_LABEL))
    # The label is not a normalised id, so no child's code can equal a fingerprint.
    assert pseudonymise.normalise_ids(pd.Series([keys.FINGERPRINT_LABEL]))[0] != (
        keys.FINGERPRINT_LABEL
    )


def test_every_pseudonymised_version_keeps_its_key_fingerprint(store: Store, key_file: Path):
    chain = keys.load_chain()
    info = save(store, "cohort", "social care", cohort())
    assert info.key_fingerprint == chain.fingerprint
    assert store.version_info(info.dataset_id, **ANN).key_fingerprint == chain.fingerprint
    kpi = read_upload((DEMO / "demo_kpi_return.csv").read_bytes(), "k.csv", "kpi_return")
    assert save(store, "kpi_return", "kpis", kpi, 2).key_fingerprint is None
    listed = store.list_datasets(**ANN).set_index("name")["key_fingerprint"]
    assert listed["social care"] == chain.fingerprint and pd.isna(listed["kpis"])


def test_child_ids_without_a_fingerprint_are_refused(store: Store):
    frame = pd.DataFrame({"agency": ["social care"], "local_id": ["0" * 32]})
    with pytest.raises(ValueError, match="local_id"):
        save(store, "cohort", "hand made", frame)
    assert store.list_datasets(**ANN).empty


def test_data_made_with_another_key_is_refused_naming_the_datasets(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv(pseudonymise.CONFIG_ENV, str(tmp_path))
    monkeypatch.setenv(pseudonymise.KEY_ENV, "first-key-" + "1" * 40)
    first = save(store, "cohort", "social care extract", cohort())
    raw = set(pd.read_csv(DEMO / "demo_outcomes_cohort.csv")["local_id"])
    raw &= set(pd.read_csv(DEMO / "demo_outcomes_national.csv", skiprows=1)["child_id"])
    same_key = set(returns()["child_id"]) & set(store.load(first.dataset_id, **ANN)["local_id"])
    assert len(same_key) == len(raw) == 53  # every child of the extract links, same key

    monkeypatch.setenv(pseudonymise.KEY_ENV, "second-key-" + "2" * 40)
    later = returns()
    assert not set(later["child_id"]) & set(store.load(first.dataset_id, **ANN)["local_id"])
    with pytest.raises(KeyMismatchError) as caught:
        save(store, "outcomes_return", "annual reviews", later, 2)
    message = str(caught.value)
    assert "'social care extract'" in message and "Nothing was saved" in message
    assert "Restore the key" in message and "delete those datasets" in message
    assert store.list_datasets(**ANN)["name"].tolist() == ["social care extract"]
    with pytest.raises(KeyMismatchError, match="social care extract"):
        save(store, "cohort", "social care extract", cohort(), 3)  # nor a new version
    assert store.version_info(first.dataset_id, **ANN).version == 1


def test_linking_datasets_made_with_different_keys_is_refused():
    require_same_key([("a", "f" * 32), ("b", "f" * 32), ("kpis", None)])
    with pytest.raises(KeyMismatchError) as caught:
        require_same_key([("returns", "a" * 32), ("cohort", "b" * 32)])
    assert "'returns' (key aaaaaaaa)" in str(caught.value)
    assert "'cohort' (key bbbbbbbb)" in str(caught.value)


def test_a_missing_key_is_not_made_anew_where_data_exists(store: Store, key_file: Path):
    checked_chain(store)  # an empty store: the first key is made
    assert key_file.exists()
    save(store, "cohort", "social care extract", cohort())
    key_file.unlink()
    with pytest.raises(KeyMissingError) as caught:
        checked_chain(store)
    message = str(caught.value)
    assert str(key_file) in message and "'social care extract'" in message
    assert "Restore the key file" in message
    assert not key_file.exists()


def test_another_key_file_is_refused_before_any_upload(store: Store, key_file: Path):
    save(store, "cohort", "social care extract", cohort())
    key_file.write_text("c" * 64 + "\n")
    with pytest.raises(KeyMismatchError, match="social care extract"):
        checked_chain(store)


def test_key_and_data_folders_are_owner_only_and_tightened(key_file: Path):
    key_file.parent.mkdir(mode=0o755)
    key_file.parent.chmod(0o755)
    keys.load_chain()
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_rotation_rekeys_every_stored_id_so_new_uploads_still_link(store: Store, key_file: Path):
    old = keys.load_chain()
    a = save(store, "cohort", "social care extract", cohort())
    b = save(store, "outcomes_return", "annual reviews", returns(), 2)
    before_a, before_b = store.load(a.dataset_id, **ANN), store.load(b.dataset_id, **ANN)

    done = rotate_key(store, by=ADMIN)

    new = keys.load_chain()
    assert done.versions_rekeyed == 2 and len(new.keys) == 2 and new.keys[0] == old.keys[0]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    after_a, after_b = store.load(a.dataset_id, **ANN), store.load(b.dataset_id, **ANN)
    # Each stored code is now HMAC(new key, old code), worked out here independently.
    expected = [hmac_hex(new.keys[1], c) for c in before_a["local_id"]]
    assert after_a["local_id"].tolist() == expected
    assert not set(after_b["child_id"]) & set(before_b["child_id"])
    pd.testing.assert_frame_equal(
        after_a.drop(columns="local_id"), before_a.drop(columns="local_id")
    )
    # A fresh upload hashes through the chain and lands on the stored codes.
    assert cohort()["local_id"].tolist() == after_a["local_id"].tolist()
    assert len(set(returns()["child_id"]) & set(after_a["local_id"])) == 53
    assert (
        store.version_info(a.dataset_id, **ANN).key_fingerprint
        == new.fingerprint
        == done.new_fingerprint
    )
    row = instance_audit(store).iloc[0]
    assert (row["action"], row["actor"]) == ("key_change", ADMIN.email)
    assert row["detail"]["versions_rekeyed"] == 2
    assert old.keys[0].decode() not in str(row["detail"])


def test_a_failure_halfway_through_rotation_leaves_old_data_and_key(
    store: Store, key_file: Path, monkeypatch: pytest.MonkeyPatch
):
    save(store, "cohort", "social care extract", cohort())
    save(store, "outcomes_return", "annual reviews", returns(), 2)
    key_before = key_file.read_text()
    frames_before = {n: store.load(i, **ANN) for n, i in _ids(store).items()}
    audit_before = len(instance_audit(store))
    real = store_admin.to_parquet
    calls = []

    def second_fails(frame: pd.DataFrame) -> bytes:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("crash half-way")
        return real(frame)

    monkeypatch.setattr(store_admin, "to_parquet", second_fails)
    with pytest.raises(RuntimeError, match="half-way"):
        rotate_key(store, by=ADMIN)
    assert len(calls) == 2  # the first version had been re-keyed in the transaction
    assert key_file.read_text() == key_before
    assert not list(key_file.parent.glob("*.pending"))
    for name, dataset_id in _ids(store).items():
        pd.testing.assert_frame_equal(store.load(dataset_id, **ANN), frames_before[name])
    assert len(instance_audit(store)) == audit_before
    assert checked_chain(store).fingerprint == keys.load_chain().fingerprint


def test_a_crash_after_commit_is_finished_at_the_next_start(
    store: Store, key_file: Path, monkeypatch: pytest.MonkeyPatch
):
    save(store, "cohort", "social care extract", cohort())
    monkeypatch.setattr(keys, "commit_pending", _crash)
    with pytest.raises(SystemExit):
        rotate_key(store, by=ADMIN)
    monkeypatch.undo()
    monkeypatch.delenv(pseudonymise.KEY_ENV, raising=False)
    monkeypatch.setenv(pseudonymise.CONFIG_ENV, str(key_file.parent))
    assert len(key_file.read_text().split()) == 1  # the rename did not happen
    chain = checked_chain(store)  # the next start
    assert len(chain.keys) == 2 and len(key_file.read_text().split()) == 2
    assert (
        cohort()["local_id"].tolist()
        == store.load_kind("cohort", **ANN)["social care extract"]["local_id"].tolist()
    )


def rotate_cli(url: str, by: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "store.rotate_key", "--by", by, "--database-url", url],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_rotation_from_the_command_line(url: str, key_file: Path, monkeypatch: pytest.MonkeyPatch):
    s = Store(url)
    save(s, "cohort", "social care extract", cohort())
    s.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEND_LENS_ADMINS": "boss@council.gov.uk"}
    key_before = key_file.read_text()
    # A workspace admin is not enough: the key is the instance's.
    stranger = rotate_cli(url, "wendy@council.gov.uk", env)
    assert stranger.returncode == 1 and "The key was not rotated" in stranger.stderr
    assert "wendy@council.gov.uk cannot rotate the pseudonymisation key" in stranger.stderr
    assert "Traceback" not in stranger.stderr
    assert key_file.read_text() == key_before and not list(key_file.parent.glob("*.pending"))

    done = rotate_cli(url, "Boss@Council.gov.uk", env)
    assert done.returncode == 0, done.stderr
    assert "1 stored version(s) re-keyed" in done.stdout
    assert len(key_file.read_text().split()) == 2
    s = Store(url)
    monkeypatch.setenv("SEND_LENS_ADMINS", "boss@council.gov.uk")  # so this process may read it
    rows = store_audit.audit_rows(s._engine, User("boss@council.gov.uk"))
    s.close()
    assert rows["action"].tolist().count("key_change") == 1
    assert rows.set_index("action").loc["key_change", "actor"] == "boss@council.gov.uk"
    env[pseudonymise.KEY_ENV] = "env-key-" + "9" * 40
    refused = rotate_cli(url, "boss@council.gov.uk", env)
    assert refused.returncode == 1 and "The key was not rotated" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_rotation_needs_an_instance_admin(
    store: Store, key_file: Path, monkeypatch: pytest.MonkeyPatch
):
    from store import workspaces
    from store.access import PermissionDenied

    info = save(store, "cohort", "social care extract", cohort())
    monkeypatch.setenv("SEND_LENS_ADMINS", "boss@council.gov.uk")
    boss, wendy = User("boss@council.gov.uk"), User("wendy@council.gov.uk")
    workspaces.create_workspace(store._engine, boss, "west", "West", [])
    workspaces.set_role(store._engine, boss, "west", wendy.email, "admin")
    key_before = key_file.read_text()
    with pytest.raises(PermissionDenied, match="only an admin named in SEND_LENS_ADMINS"):
        rotate_key(store, by=wendy)
    with pytest.raises(PermissionDenied):  # nor by calling the store directly
        store_admin.rekey_pseudonyms(store, "a", "b", lambda ids: ids, by=wendy)
    assert key_file.read_text() == key_before
    assert (
        store.version_info(info.dataset_id, **ANN).key_fingerprint == keys.load_chain().fingerprint
    )
    assert rotate_key(store, by=boss).versions_rekeyed == 1


def test_data_made_with_another_key_in_another_workspace_is_refused_without_its_name(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """The key is instance-wide: a save is checked against every workspace's data, and the
    refusal does not name another workspace's dataset."""
    from store import workspaces

    monkeypatch.setenv(pseudonymise.CONFIG_ENV, str(tmp_path))
    monkeypatch.setenv(pseudonymise.KEY_ENV, "first-key-" + "1" * 40)
    workspaces.create_workspace(store._engine, ADMIN, "west", "West", [])
    west = {"by": ADMIN, "workspace": "west"}
    store.save_version(
        "cohort", "west extract", cohort(), file_name="w.csv", file_sha256="1" * 64, **west
    )
    monkeypatch.setenv(pseudonymise.KEY_ENV, "second-key-" + "2" * 40)
    with pytest.raises(KeyMismatchError) as caught:
        save(store, "cohort", "local extract", cohort(), 2)
    assert "a dataset of another workspace" in str(caught.value)
    assert "west extract" not in str(caught.value)
    assert store.list_datasets(**ANN).empty
    with pytest.raises(KeyMismatchError) as before_upload:
        checked_chain(store, workspace="local")
    assert "west extract" not in str(before_upload.value)


def _crash() -> None:
    raise SystemExit("killed between commit and rename")


def instance_audit(s: Store) -> pd.DataFrame:
    """The audit rows of instance-wide actions (the key, retention), newest first."""
    rows = store_audit.audit_rows(s._engine, ADMIN)
    return rows[rows["workspace_id"].isna()].reset_index(drop=True)


def _ids(s: Store) -> dict[str, int]:
    listed = s.list_datasets(**ANN)
    return dict(zip(listed["name"], listed["dataset_id"].astype(int)))


KILL_ROTATION = r"""
import sys, time
from store import admin
from store.datasets import Store
from store.identity import User
from store.keystore import rotate_key

real, calls = admin.to_parquet, []

def stall(frame):
    calls.append(1)
    if len(calls) == 2:  # the first version is re-keyed inside the open transaction
        print("ready", flush=True)
        time.sleep(120)
    return real(frame)

admin.to_parquet = stall
rotate_key(Store(sys.argv[1]), by=User("admin@localhost", local=True))
print("committed", flush=True)
"""


def test_a_kill_mid_rotation_leaves_old_data_and_key(store: Store, url: str, key_file: Path):
    save(store, "cohort", "social care extract", cohort())
    save(store, "outcomes_return", "annual reviews", returns(), 2)
    key_before = key_file.read_text()
    before = {n: store.load(i, **ANN) for n, i in _ids(store).items()}
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_ROTATION, url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = child.stdout.readline().decode()
        assert line.startswith("ready"), child.stderr.read().decode()
        assert len(list(key_file.parent.glob("*.pending"))) == 1  # the new chain, not yet used
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    reopened = Store(url)
    try:
        chain = checked_chain(reopened)  # the next start discards the unused pending chain
        assert key_file.read_text() == key_before and len(chain.keys) == 1
        assert not list(key_file.parent.glob("*.pending"))
        for name, dataset_id in _ids(reopened).items():
            pd.testing.assert_frame_equal(reopened.load(dataset_id, **ANN), before[name])
        assert set(store_admin.key_fingerprints(reopened)) == {chain.fingerprint}
        assert "key_change" not in instance_audit(reopened)["action"].tolist()
    finally:
        reopened.close()


def test_a_second_rotation_or_a_start_leaves_a_running_rotation_alone(store: Store, key_file: Path):
    save(store, "cohort", "social care extract", cohort())
    chain = keys.load_chain()
    keys.write_pending(chain.extended(keys.new_key()))  # as a running rotation has
    with keys.rotation_lock() as held:
        assert held
        with pytest.raises(pseudonymise.PseudonymisationKeyError, match="Another key rotation"):
            rotate_key(store, by=ADMIN)
        checked_chain(store)  # another session starting: the pending file is not touched
        assert keys.pending_chain() is not None
    checked_chain(store)  # the rotation died before committing: now it is tidied away
    assert keys.pending_chain() is None and keys.load_chain() == chain


def test_data_saved_before_fingerprints_is_rotated_only_when_the_admin_vouches(
    store: Store, key_file: Path
):
    info = save(store, "cohort", "old extract", cohort())
    with store._engine.begin() as conn:  # as a store written before this change holds it
        conn.execute(text("UPDATE versions SET key_fingerprint = NULL"))
    key_before = key_file.read_text()
    with pytest.raises(KeyMismatchError, match=r"'old extract' \(key unknown\).*--adopt-unmarked"):
        rotate_key(store, by=ADMIN)
    assert key_file.read_text() == key_before
    assert rotate_key(store, by=ADMIN, adopt_unmarked=True).versions_rekeyed == 1
    assert cohort()["local_id"].tolist() == store.load(info.dataset_id, **ANN)["local_id"].tolist()
    assert (
        store.version_info(info.dataset_id, **ANN).key_fingerprint == keys.load_chain().fingerprint
    )
