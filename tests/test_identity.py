"""Who is acting: sign-in when ``[auth]`` is configured, the laptop's one user otherwise.

The full sign-in through a real provider is in test_signin.py (a browser); these run the app
under AppTest, with ``[auth]`` given as AppTest secrets and nobody signed in.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from store.identity import User, local_user
from tests.conftest import ROOT
from ui.identity import _loopback

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "0123456789abcdef0123456789abcdef",
    "client_id": "send-lens",
    "client_secret": "not-used",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def _who_script() -> None:
    import streamlit as st

    from ui import identity

    try:
        user = identity.current_user()
        st.text(f"{user.email}|{user.name}|{user.local}")
    except identity.NotSignedInError:
        st.text("refused")


def test_local_mode_is_the_laptops_user_or_the_one_a_test_names() -> None:
    at = AppTest.from_function(_who_script)
    at.run()
    me = local_user()
    assert at.text[0].value == f"{me.email}|{me.name}|True"
    at.session_state["user"] = User(email="Viewer@Council.example", name="Vi Ewer")
    at.run()
    assert at.text[0].value == "viewer@council.example|Vi Ewer|False"


def test_with_sign_in_configured_nobody_is_assumed() -> None:
    at = AppTest.from_function(_who_script)
    at.secrets["auth"] = AUTH
    # Not even a User in session state stands in for a sign-in.
    at.session_state["user"] = User(email="admin@council.example")
    at.run()
    assert at.text[0].value == "refused"


def test_anonymous_visitor_gets_the_sign_in_page_only(national) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = "E08000032"
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["SEND Lens"]
    assert [b.label for b in at.button] == ["Sign in with your organisation account"]
    assert "area" not in at.session_state  # the area picker never ran
    assert not at.metric and not at.dataframe and not at.selectbox
    shown = " ".join(m.value for m in at.markdown)
    assert "Bradford" not in shown and "sign in" in shown


def test_local_mode_says_so_in_the_sidebar(national) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.sidebar.caption]
    assert "Local mode: only this computer can open SEND Lens." in captions
    assert not any(b.key == "identity.sign_out" for b in at.button)
    # The pages still offer uploads and examples here (test_public_mode checks they vanish).
    at.switch_page("app_pages/governance.py").run()
    assert "gov.example.load" in [b.key for b in at.button]


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("", False),  # Streamlit's default: every interface
        ("192.168.1.20", False),
        ("sendlens.council.example", False),
    ],
)
def test_loopback(address: str, loopback: bool) -> None:
    assert _loopback(address) is loopback
