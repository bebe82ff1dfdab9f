"""The local API's front door: a stand-in for API Gateway in front of `cargo lambda watch`.

    python3 scripts/gateway.py LISTEN_PORT WATCH_PORT

Every request is passed to `cargo lambda watch` (on 127.0.0.1:WATCH_PORT) unchanged, and
its answer back, except one kind that the emulator cannot put in a Lambda event: a body
that is not UTF-8 under a text content type (none, `text/*`, `application/json...`, the
emulator's test). `cargo lambda watch` answers those with its own 500 and never calls the
function (cargo-lambda-watch 1.9.2, `trigger_router.rs`: `String::from_utf8(body)?`).
API Gateway (HTTP API, payload 2.0) hands such a body to the function base64-encoded with
`isBase64Encoded: true`; so does this gateway: it finds the function in the same router
`cargo lambda watch` reads (`[workspace.metadata.lambda.watch.router]` in Cargo.toml),
builds the event and invokes the function through the emulator's Lambda invoke API, in
the emulator's queue like any other request, then answers with the function's response.

Now and then the emulator loses an invocation: the function answers (its log line says
so), but the emulator replies with its own 500 problem (`https://httpstatuses.com/500`,
which no function writes). An idempotent request (RFC 9110, 9.2.2) that gets it is sent
again, at most twice, and each retry is logged; any other request gets the 500 as is.

Python's standard library only. Listens on 127.0.0.1.
"""

import base64
import datetime
import http.client
import http.server
import json
import pathlib
import subprocess
import sys
import time
import uuid

# The emulator compiles a function on its first request: that can take minutes.
UPSTREAM_TIMEOUT_SECONDS = 900
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade", "expect",
}
REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
EMULATOR_PROBLEM = "https://httpstatuses.com/500"


def emulator_lost(status, body):
    """Whether the answer is the emulator's own 500, not a function's."""
    if status != 500:
        return False
    try:
        return json.loads(body).get("type") == EMULATOR_PROBLEM
    except (ValueError, AttributeError):
        return False


def load_router():
    """[(template, segments, {METHOD or None: function})]: the router `cargo lambda watch`
    serves, read as it reads it (the workspace metadata, from `cargo metadata`)."""
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
            cwd=REPO_ROOT, check=True, capture_output=True, text=True,
        ).stdout
    )
    table = metadata["metadata"]["lambda"]["watch"]["router"]
    routes = []
    for template, target in table.items():
        if isinstance(target, str):
            methods = {None: target}
        else:
            methods = {entry["method"]: entry["function"] for entry in target}
        routes.append((template, template.split("/"), methods))
    return routes


def match_route(routes, path):
    """(template, methods, path parameters) of the route for `path`, as matchit (the
    emulator's router) picks it: a static segment wins over a `{parameter}`, which wins
    over a `{*catch-all}`. None when no route matches."""
    segments = path.split("/")
    best = None
    for template, pattern, methods in routes:
        found = match_pattern(pattern, segments)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], template, methods, found[1])
    return None if best is None else best[1:]


def match_pattern(pattern, segments):
    """(rank, parameters) if the path's segments match the template's, else None."""
    params, rank = {}, []
    for i, part in enumerate(pattern):
        if part.startswith("{*") and part.endswith("}"):
            rest = "/".join(segments[i:])
            if not rest or i != len(pattern) - 1:
                return None
            params[part[2:-1]] = rest
            return rank + [0], params
        if i >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            if not segments[i]:
                return None
            params[part[1:-1]] = segments[i]
            rank.append(1)
        elif part == segments[i]:
            rank.append(2)
        else:
            return None
    return (rank, params) if len(pattern) == len(segments) else None


def emulator_cannot_pass(headers, body):
    """The emulator's own test, to the letter: a non-empty body under no content type or
    one it takes for text, which is not UTF-8."""
    if not body:
        return False
    content_type = headers.get("content-type")
    if content_type is not None:
        # The emulator reads a value that is not visible ASCII as no type at all: binary.
        if any(not (" " <= c <= "~" or c == "\t") for c in content_type):
            return False
        if not (content_type.startswith("text/") or content_type.startswith("application/json")):
            return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def header_text(value):
    # http.server decodes header bytes as Latin-1; give the function their UTF-8 reading.
    return value.encode("latin-1").decode("utf-8", "replace")


class Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "local-gateway"
    sys_version = ""
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 600
    routes = []
    upstream_port = 0

    def do_request(self):
        try:
            body = self.read_body()
        except ValueError:
            self.close_connection = True
            return self.problem(400, "Bad Request")
        target = self.path.split("?", 1)
        path = target[0]
        routed = match_route(self.routes, path)
        if routed and emulator_cannot_pass(self.headers, body):
            template, methods, params = routed
            function = methods.get(self.command) or methods.get(None)
            if function:
                query = target[1] if len(target) > 1 else ""
                return self.invoke(function, template, params, path, query, body)
        self.forward(body)

    def __getattr__(self, name):
        # Every method, whatever its name (TRACE, PROPFIND...), goes to the emulator too.
        if name.startswith("do_"):
            return self.do_request
        raise AttributeError(name)

    def read_body(self):
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            return self.read_chunked()
        length = self.headers.get("content-length", "0").strip() or "0"
        if not length.isdigit():
            raise ValueError(f"Content-Length: {length}")
        return self.rfile.read(int(length))

    def read_chunked(self):
        body = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return body
            body += self.rfile.read(size)
            self.rfile.readline()

    def upstream(self, method, target, body, headers):
        """One request to the emulator, headers sent as given (repeats, the client's Host)."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.upstream_port, timeout=UPSTREAM_TIMEOUT_SECONDS
        )
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            if not any(name.lower() == "host" for name, _ in headers):
                connection.putheader("Host", f"127.0.0.1:{self.upstream_port}")
            for name, value in headers:
                if name.lower() != "content-length":
                    connection.putheader(name, value)
            if body or method in ("POST", "PUT", "PATCH"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def forward(self, body):
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
        for attempt in range(3):
            try:
                status, response_headers, response_body = self.upstream(
                    self.command, self.path, body, headers
                )
            except OSError as error:
                return self.problem(502, "Bad Gateway", f"cargo lambda watch: {error}")
            retry = self.command in IDEMPOTENT and emulator_lost(status, response_body)
            if attempt == 2 or not retry:
                break
            sys.stderr.write(f"[gateway] the emulator lost a {self.command}; sending it again\n")
        self.answer(status, response_headers, response_body)

    def invoke(self, function, template, params, path, query, body):
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            if name in HOP_BY_HOP or name == "cookie":
                continue
            value = header_text(value)
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        cookies = [
            c.strip()
            for value in self.headers.get_all("cookie", [])
            for c in header_text(value).split(";")
            if c.strip()
        ]
        now = datetime.datetime.now(datetime.timezone.utc)
        event = {
            "version": "2.0",
            "routeKey": f"{self.command} {template}",
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            "pathParameters": params,
            "requestContext": {
                "accountId": "000000000000",
                "apiId": "local",
                "domainName": headers.get("host", "localhost"),
                "domainPrefix": headers.get("host", "localhost").split(".")[0],
                "http": {
                    "method": self.command,
                    "path": path,
                    "protocol": self.request_version,
                    "sourceIp": self.client_address[0],
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": f"{self.command} {template}",
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(time.time() * 1000),
            },
            "body": base64.b64encode(body).decode("ascii"),
            "isBase64Encoded": True,
        }
        if cookies:
            event["cookies"] = cookies
        try:
            status, _, payload = self.upstream(
                "POST",
                f"/2015-03-31/functions/{function}/invocations",
                json.dumps(event).encode(),
                [("Content-Type", "application/json")],
            )
            reply = json.loads(payload) if status == 200 else None
        except OSError as error:
            return self.problem(502, "Bad Gateway", f"cargo lambda watch: {error}")
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or "statusCode" not in reply:
            # What API Gateway answers when the function fails or answers nonsense.
            sys.stderr.write(f"[gateway] {function}: invocation failed: {payload[:300]!r}\n")
            return self.problem(500, "Internal Server Error")
        # Payload 2.0: `headers` (repeats joined with commas) and `cookies`, nothing else.
        response_headers = list((reply.get("headers") or {}).items())
        response_headers += [("Set-Cookie", c) for c in reply.get("cookies") or []]
        response_body = reply.get("body") or ""
        if reply.get("isBase64Encoded"):
            response_body = base64.b64decode(response_body)
        else:
            response_body = response_body.encode()
        self.answer(int(reply["statusCode"]), response_headers, response_body)

    def answer(self, status, headers, body):
        self.send_response_only(status)
        if not any(name.lower() == "date" for name, _ in headers):
            self.send_header("Date", self.date_time_string())
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        if self.command == "HEAD":
            length = dict((k.lower(), v) for k, v in headers).get("content-length", "0")
            body = b""
        else:
            length = str(len(body))
        if status >= 200 and status not in (204, 304):
            self.send_header("Content-Length", length)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def problem(self, status, message, detail=None):
        if detail:
            sys.stderr.write(f"[gateway] {status}: {detail}\n")
        body = json.dumps({"message": message}).encode()
        self.answer(status, [("Content-Type", "application/json")], body)

    def log_message(self, format, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # A burst of connections must queue, not be refused.
    request_queue_size = 1024


def main():
    listen_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
    Gateway.routes = load_router()
    Gateway.upstream_port = upstream_port
    try:
        server = Server(("127.0.0.1", listen_port), Gateway)
    except OSError as error:
        sys.exit(f"[gateway] cannot listen on 127.0.0.1:{listen_port}: {error}")
    sys.stderr.write(
        f"[gateway] http://127.0.0.1:{listen_port} -> cargo lambda watch on 127.0.0.1:{upstream_port}\n"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
