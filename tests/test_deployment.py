"""The container files, checked without Docker (CI has no Docker daemon).

compose.yaml is parsed as Compose would; the Dockerfile's health check command is run for real
against a running app; the secrets example is valid TOML with every key sign-in needs.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import yaml

from tests.browser_support import running_app
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instruction(name: str) -> list[str]:
    """Every ``name`` instruction of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [
        line[len(name) :].strip() for line in joined.splitlines() if line.startswith(name + " ")
    ]


def test_dockerfile_base_user_data_and_address() -> None:
    assert _instruction("FROM") == ["python:3.11-slim"]
    users = _instruction("USER")
    assert users and users[-1].split(":")[0] not in ("0", "root")
    run = " ".join(_instruction("RUN"))
    assert "build.load_tidy()" in run  # the parquet cache is built into the image
    command = json.loads(_instruction("CMD")[-1])
    assert command[:3] == ["streamlit", "run", "serve.py"]
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".streamlit/secrets.toml" in ignored and ".git" in ignored and "data/cache" in ignored


def test_dockerfile_health_check_works_against_a_running_app() -> None:
    check = _instruction("HEALTHCHECK")[0]
    command = json.loads(check[check.index("CMD") + 3 :])
    assert command[0] == "python" and "/_stcore/health" in command[-1]
    with running_app() as url:
        port = url.rsplit(":", 1)[1]
        healthy = [sys.executable, *command[1:-1], command[-1].replace(":8501", f":{port}")]
        assert subprocess.run(healthy, timeout=30).returncode == 0
    # And it fails when nothing answers (the same command, the server gone).
    assert subprocess.run(healthy, timeout=30, capture_output=True).returncode != 0


def test_compose_app_and_postgres() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert set(compose["services"]) == {"app", "db"}
    app, db = compose["services"]["app"], compose["services"]["db"]

    url = app["environment"]["SEND_LENS_DATABASE_URL"]
    assert url.startswith("postgresql://send_lens:") and url.endswith("@db:5432/send_lens")
    password = "${POSTGRES_PASSWORD:?"
    assert password in url and db["environment"]["POSTGRES_PASSWORD"].startswith(password)
    assert db["environment"]["POSTGRES_USER"] == "send_lens"
    assert db["environment"]["POSTGRES_DB"] == "send_lens"
    for name in ("SEND_LENS_ADMINS", "SEND_LENS_PSEUDONYMISATION_KEY"):
        assert app["environment"][name].startswith("${" + name + ":?")  # required, no default

    assert "./.streamlit/secrets.toml:/app/.streamlit/secrets.toml:ro" in app["volumes"]
    assert app["ports"] == ["127.0.0.1:8501:8501"]
    assert app["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "/_stcore/health" in " ".join(app["healthcheck"]["test"])

    assert "ports" not in db  # the database is reachable from the app only
    volume = db["volumes"][0].split(":")
    assert volume == ["pgdata", "/var/lib/postgresql/data"] and "pgdata" in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_secrets_example_has_what_sign_in_needs() -> None:
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())
    auth = example["auth"]
    for key in ("redirect_uri", "cookie_secret", "client_id", "client_secret"):
        assert auth[key], key
    assert auth["redirect_uri"].startswith("https://")
    assert auth["redirect_uri"].endswith("/oauth2callback")
    assert auth["server_metadata_url"].startswith("https://login.microsoftonline.com/")
    assert auth["server_metadata_url"].endswith("/v2.0/.well-known/openid-configuration")


def test_local_config_binds_to_loopback_without_a_prompt() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["headless"] is True
    assert config["server"].get("enableXsrfProtection", True) is True
