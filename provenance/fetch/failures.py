"""Library exceptions as the status and reason the resolver records: translated here, at the one seam."""

from __future__ import annotations

import errno
import http.client
import ssl

import requests
import urllib3

from ..errors import FetchError
from ..models import Status
from .deadline import Attempt


def connect_failure(url: str, e: OSError | None) -> FetchError:
    if isinstance(e, TimeoutError):
        return FetchError(url, Status.TIMEOUT, "connect_timeout")
    code = getattr(e, "errno", None)
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL):
        return FetchError(url, Status.ERROR, "network_unreachable", str(e))
    if code == errno.ECONNREFUSED:
        return FetchError(url, Status.ERROR, "connection_refused", str(e))
    return FetchError(url, Status.ERROR, "connection_error", str(e))


def translate(url: str, e: BaseException, attempt: Attempt) -> FetchError:
    """A library exception as the status and reason the resolver records."""
    if isinstance(e, FetchError):
        return e
    if attempt.expired:
        return FetchError(url, Status.TIMEOUT, "deadline")
    text = str(e)[:200]
    inner: BaseException | None = e
    while getattr(inner, "__context__", None) is not None and not isinstance(inner, ssl.SSLError):
        inner = inner.__context__ if inner is not None else None
    if isinstance(e, requests.exceptions.SSLError) or isinstance(inner, ssl.SSLError) \
            or "CERTIFICATE_VERIFY_FAILED" in text:
        return FetchError(url, Status.ERROR, "tls_error", text)
    if isinstance(e, requests.exceptions.ConnectTimeout):
        return FetchError(url, Status.TIMEOUT, "connect_timeout")
    if isinstance(e, (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)):
        return FetchError(url, Status.TIMEOUT, "read_timeout")
    if isinstance(e, (urllib3.exceptions.IncompleteRead, http.client.IncompleteRead)) \
            or "IncompleteRead" in text:
        return FetchError(url, Status.ERROR, "incomplete_body", text)
    if isinstance(e, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                      requests.exceptions.InvalidSchema, UnicodeError, ValueError)):
        return FetchError(url, Status.ERROR, "invalid_url", text)
    if isinstance(e, (requests.exceptions.ConnectionError, urllib3.exceptions.ProtocolError,
                      http.client.HTTPException, OSError)):
        return FetchError(url, Status.ERROR, "connection_error", text)
    return FetchError(url, Status.ERROR, "protocol_error", f"{type(e).__name__}: {text}")
