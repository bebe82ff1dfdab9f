"""Schemathesis hooks for scripts/contract.sh (loaded through SCHEMATHESIS_HOOKS).

One kind of failure says nothing about the API and is dropped, narrowly; each one dropped
is printed, so nothing is hidden: starting and stopping a recording ask the media server
(LiveKit, `LIVEKIT_URL`); when none answers there, the contract's answer is 503 with
`Retry-After`. Those 503s are accepted from those two routes only, and only while nothing
listens at `LIVEKIT_URL`.

Nothing else is: in particular a body that is not UTF-8 gets the function's own answer
locally too (scripts/gateway.py hands it over as API Gateway does), so every failure
there is the API's.
"""

import os
import re
import socket
import sys
import urllib.parse

import schemathesis

MEDIA_SERVER_ROUTES = re.compile(r"^/api/v1/recordings(/[^/]+/stop)?$")

_media_server_answers = None


def _header(response, name):
    return ",".join(response.headers.get(name, []))


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
