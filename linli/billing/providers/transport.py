"""The one door to a provider's servers. Every provider call goes through `send`, so a test
stands in for WeChat's or Alipay's servers by replacing the transport (`use`) and nothing else.

urllib keeps this free of another dependency: the calls are few, small and synchronous.
"""

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from linli.billing.providers.base import ProviderUnavailable

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


Transport = Callable[[Request], Response]


def urllib_transport(request: Request) -> Response:
    raw = urllib.request.Request(
        request.url, data=request.body or None, headers=request.headers, method=request.method
    )
    try:
        with urllib.request.urlopen(raw, timeout=TIMEOUT_SECONDS) as answer:
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:  # an answer with an error status is still an answer
        return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ProviderUnavailable(str(error)) from error


_current: list[Transport] = [urllib_transport]


def send(request: Request) -> Response:
    return _current[0](request)


def use(transport: Transport) -> Transport:
    """Replace the transport (tests); returns the previous one to put back."""
    previous, _current[0] = _current[0], transport
    return previous
