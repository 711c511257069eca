"""HTTP for the refresh command: timeouts, retries, and failures worded for the user."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

RETRY_STATUS = (429, 500, 502, 503, 504)
ATTEMPTS = 4


class RefreshError(Exception):
    """A failed refresh; the message is one plain-English line. Nothing was changed."""


class Offline(RefreshError):
    """EES could not be reached, or kept failing."""


class Rejected(RefreshError):
    """EES answered, but with something we will not store."""


@dataclass
class Fetcher:
    session: requests.Session
    timeout: float = 30.0
    backoff: float = 1.0

    def get(self, url: str, params: dict | None = None) -> requests.Response:
        """A streamed GET, retried with backoff on connection errors, timeouts and 5xx.

        A plain loop rather than urllib3's Retry, so that the retries are testable offline
        with a transport adapter, and so that a failure mid-body is reported, not hidden.
        """
        timeouts = (min(10.0, self.timeout), self.timeout)  # (connect, read)
        for attempt in range(ATTEMPTS):
            last = attempt == ATTEMPTS - 1
            try:
                resp = self.session.get(url, params=params, timeout=timeouts, stream=True)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last:
                    raise Offline(offline_reason(exc, self.timeout)) from None
            except requests.RequestException as exc:
                raise Rejected(f"the request for {url} failed ({exc})") from None
            else:
                if resp.status_code not in RETRY_STATUS:
                    return resp
                resp.close()
                if last:
                    raise Offline(f"the server answered {resp.status_code} {resp.reason}".strip())
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def json(self, url: str, params: dict | None = None) -> dict | None:
        """A JSON document, or None when the server says there is none (404)."""
        resp = self.get(url, params)
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise Rejected(f"{url} answered {resp.status_code}")
        try:
            return resp.json()
        except ValueError:  # before RequestException: requests' JSONDecodeError is both
            raise Rejected(f"{url} did not answer with JSON") from None
        except requests.RequestException as exc:  # the body broke off, or stalled
            raise Offline(offline_reason(exc, self.timeout)) from None


def offline_reason(exc: Exception, timeout: float) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy refused the connection"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the download broke off"
    return "no connection"
