"""Schemathesis hooks for scripts/contract.sh (loaded through SCHEMATHESIS_HOOKS).

A few failures say nothing about the API and are dropped, narrowly; each one dropped is
printed, so nothing is hidden:

- The local API runs behind `cargo lambda watch`, which stands in for API Gateway. A
  request body that is not valid UTF-8, sent with a text content type (`application/json`,
  `text/*`), never reaches a function there: the emulator cannot put it in the Lambda
  event and answers its own 500 (`{"type": "https://httpstatuses.com/500", ...}`,
  `text/plain`). API Gateway hands such a body to the function, whose JSON parsing answers
  422.
- Starting and stopping a recording ask the media server (LiveKit, `LIVEKIT_URL`); when
  none answers there, the contract's answer is 503 with `Retry-After`. Those 503s are
  accepted from those two routes only, and only while nothing listens at `LIVEKIT_URL`.
"""

import os
import re
import socket
import sys
import urllib.parse

import schemathesis

EMULATOR_PROBLEM = b'"type":"https://httpstatuses.com/'
MEDIA_SERVER_ROUTES = re.compile(r"^/api/v1/recordings(/[^/]+/stop)?$")

_media_server_answers = None


def _is_utf8(body):
    if body is None or isinstance(body, str):
        return True
    try:
        bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header(response, name):
    return ",".join(response.headers.get(name, []))


def _emulator_answered(response):
    return (
        _header(response, "content-type").startswith("text/plain")
        and EMULATOR_PROBLEM in response.content
    )


def _media_server_is_up():
    global _media_server_answers
    if _media_server_answers is None:
        url = urllib.parse.urlsplit(os.environ.get("LIVEKIT_URL", ""))
        try:
            port = url.port or (443 if url.scheme == "https" else 80)
            with socket.create_connection((url.hostname, port), timeout=2):
                _media_server_answers = True
        except (OSError, TypeError, ValueError):
            _media_server_answers = False
    return _media_server_answers


def _ignored(why, response):
    request = response.request
    path = urllib.parse.urlsplit(request.url).path
    print(f"contract: ignored ({why}): {request.method} {path}", file=sys.stderr)
    return False


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    request = response.request
    if _emulator_answered(response) and not _is_utf8(request.body):
        return _ignored(
            f"cargo lambda watch's own {response.status_code} for a non-UTF-8 body", response
        )
    path = urllib.parse.urlsplit(request.url).path
    if (
        response.status_code == 503
        and request.method == "POST"
        and MEDIA_SERVER_ROUTES.match(path)
        and _header(response, "retry-after")
        and not _media_server_is_up()
    ):
        return _ignored("503: no media server answers at LIVEKIT_URL", response)
    return True
