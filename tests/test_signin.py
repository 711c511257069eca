"""Sign-in through a real OpenID Connect provider, in a real Chromium.

The provider is ``oidc-provider-mock`` (a Flask OIDC server built on Authlib) on a free
loopback port; the app is ``streamlit run app.py`` whose secrets (``STREAMLIT_SECRETS_FILES``)
point at it. Nothing is mocked inside the app: Streamlit's own ``st.login`` fetches the
provider's metadata, the browser goes through the provider's authorisation form, Streamlit
checks the ID token and sets its identity cookie.
"""

from __future__ import annotations

import functools
import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import indicators
from data_loaders.build import load_tidy
from ui.area_picker import DEFAULT_AREA

pytestmark = pytest.mark.browser

EMAIL = "Ana.Analyst@council.example"  # mixed case: the app keys people by the lower-cased form
NAME = "Ana Analyst"
SIGN_IN = "Sign in with your organisation account"
# Every page's address: none may show data before sign-in.
PATHS = [
    "",
    "/home",
    "/local-profile",
    "/benchmarking",
    "/governance",
    "/outcomes",
    "/map",
    "/data",
]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OIDC provider on loopback that knows one person."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Authlib deprecation notices inside the mock
        import oidc_provider_mock
        from oidc_provider_mock._storage import User as ProviderUser

    person = ProviderUser(sub="ana", claims={"email": EMAIL, "name": NAME})
    with oidc_provider_mock.run_server_in_thread(user_claims=[person]) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def signin_app(
    national, chromium, provider: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[object, str]]:
    """Chromium and the app with ``[auth]`` pointing at the provider."""
    from tests.browser_support import running_app

    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        # Streamlit fills in {port}: running_app picks a free one.
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "send-lens-test"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    env = {"STREAMLIT_SECRETS_FILES": str(secrets_file)}
    with running_app(env=env) as url:
        yield chromium, url


@functools.cache  # read from the national table once, not once per page visited
def _figures() -> tuple[str, ...]:
    """Figures the Home page shows for the default area, worked out from the national table."""
    table = load_tidy()
    bradford = indicators.series("ehc_plans", DEFAULT_AREA, table=table)
    latest = bradford.iloc[-1]
    england = indicators.value("ehc_plans", "E92000001", str(latest["period"]), table=table)
    return (f"{latest['value']:,.0f}", f"{england:,.0f}")


def test_home_figures_are_what_the_page_would_show():
    # The figures checked for below, against the published SEN2 2025 release by hand.
    assert _figures() == ("7,493", "638,745")


def test_anonymous_visitor_sees_only_the_sign_in_page(signin_app):
    from tests.browser_support import wait_until_rendered

    browser, url = signin_app
    context = browser.new_context()
    page = context.new_page()
    for path in PATHS:
        page.goto(f"{url}{path}?area={DEFAULT_AREA}")
        wait_until_rendered(page)
        page.get_by_role("button", name=SIGN_IN).wait_for()
        html = page.content()
        text = page.locator("body").inner_text()
        assert "sign in with your organisation account" in text.lower(), path
        assert "Bradford" not in html, path
        assert "Local authority" not in text, path  # no area picker
        for figure in _figures():
            assert figure not in html, (path, figure)
        # No navigation to the data pages, and no "page not found" dialog over the sign-in.
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0, path
        assert page.get_by_role("dialog").count() == 0, path
        assert page.locator('[data-testid="stException"]').count() == 0, path

    from tests.browser_support import serious_findings

    serious = serious_findings(page, "Sign-in page")
    assert not serious, "\n".join(serious)
    page.screenshot(path=str(_artifacts() / "sign_in.png"))
    context.close()


def test_sign_in_lands_on_home_and_sign_out_returns_to_sign_in(signin_app, provider: str):
    from tests.browser_support import wait_until_rendered

    browser, url = signin_app
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    wait_until_rendered(page)
    page.get_by_role("button", name=SIGN_IN).click()

    # The provider's own authorisation form, on its own origin.
    page.wait_for_url(f"{provider}/**")
    page.get_by_placeholder("sub").fill("ana")
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url(f"{url}/**")
    page.get_by_text("SEND in Bradford").wait_for(timeout=120_000)
    wait_until_rendered(page, 120_000)
    main = page.locator('[data-testid="stMain"]').inner_text()
    for figure in _figures():
        assert figure in main, figure
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Signed in as" in sidebar
    assert f"{NAME} ({EMAIL.lower()})" in sidebar
    assert "Local mode" not in sidebar
    page.screenshot(path=str(_artifacts() / "signed_in.png"))

    page.get_by_role("button", name="Sign out").click()
    # Streamlit sends the browser to the provider's end-session endpoint, which comes back.
    page.wait_for_url(f"{provider}/**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{url}/**")
    page.get_by_role("button", name=SIGN_IN).wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert "Bradford" not in page.content()

    # The identity cookie is gone: a fresh visit to Home is not let in either.
    page.goto(f"{url}/home")
    wait_until_rendered(page)
    page.get_by_role("button", name=SIGN_IN).wait_for()
    assert _figures()[0] not in page.content()
    context.close()


def test_an_unreadable_secrets_file_shows_nothing(chromium, tmp_path: Path) -> None:
    """A typo in secrets.toml must not switch a team server into local mode (no sign-in)."""
    from tests.browser_support import running_app, wait_until_rendered

    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback\n')  # no "
    env = {"STREAMLIT_SECRETS_FILES": str(broken)}
    with running_app(env=env) as url:
        page = chromium.new_page()
        for address in ("", "/home", "/data"):
            page.goto(f"{url}{address}?area={DEFAULT_AREA}")
            wait_until_rendered(page)
            page.get_by_text("cannot read its secrets file").wait_for()
            html = page.content()
            assert "Bradford" not in html and _figures()[0] not in html, address
            assert page.get_by_role("button", name=SIGN_IN).count() == 0, address
        page.close()


def _artifacts() -> Path:
    folder = Path(__file__).parent / "artifacts"
    folder.mkdir(exist_ok=True)
    return folder
