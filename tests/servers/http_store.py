#!/usr/bin/env python3
"""A read-only HTTP server for a directory (a Zarr store), for chunkwise's remote-store tests.

    python3 tests/servers/http_store.py --root DIR [--port 0]

Binds 127.0.0.1, prints one line `PORT <n>` on stdout once listening, then serves until
killed. GET and HEAD of files under DIR (200, or 206 for a single `Range: bytes=...`);
missing files and directories answer 404, `..` escapes 403, other methods 405. HTTP/1.1
with keep-alive; every response has a Content-Length.

Paths starting with `/_` are the control interface (never delayed, failed or counted):

    GET /_control?latency_ms=50&fail=N&fail_status=503&forbid=SUBSTRING
        each given parameter replaces its setting (`forbid=` clears); answers `{}`
    GET /_stats   {"requests", "in_flight", "max_in_flight", "failed", "bytes"}
    GET /_reset   zeroes the counters (not the settings); answers `{}`

Every other request first waits latency_ms, then answers fail_status while `fail` lasts
(counting down), then 403 if its decoded path contains `forbid`, then serves the file.

Python 3 standard library only.
"""

import argparse
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    """Settings and counters shared by the handler threads, under one lock."""

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.lock = threading.Lock()
        # Settings.
        self.latency_ms = 0.0
        self.fail = 0
        self.fail_status = 503
        self.forbid = ""
        # Counters.
        self.reset()

    def reset(self):
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.failed = 0
        self.bytes = 0

    def stats(self):
        return {
            "requests": self.requests,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "failed": self.failed,
            "bytes": self.bytes,
        }

    def begin(self):
        """Counts a request that starts; returns the latency to add (ms)."""
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.latency_ms


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address, state, writable=False):
        self.state = state
        self.writable = writable
        super().__init__(address, Handler)


class BadRange(Exception):
    pass


def parse_range(header, size):
    """(start, end) inclusive for one `bytes=` range, None to send the whole file.

    Raises BadRange for a satisfiable-looking but unsatisfiable range (416).
    A header that is not a single bytes range is ignored (RFC 9110 allows that)."""
    header = header.strip()
    if not header.startswith("bytes="):
        return None
    spec = header[len("bytes="):].strip()
    if "," in spec or "-" not in spec:
        return None
    first, last = (part.strip() for part in spec.split("-", 1))
    try:
        if first == "":
            # Suffix: the last n bytes.
            n = int(last)
            if n < 0:
                return None
            if n == 0 or size == 0:
                raise BadRange()
            return max(0, size - n), size - 1
        start = int(first)
        end = size - 1 if last == "" else int(last)
    except ValueError:
        return None
    if start < 0 or (last != "" and end < start):
        return None  # not a valid range: ignored
    if start >= size:
        raise BadRange()
    return start, min(end, size - 1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "chunkwise-test-http-store"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    # --- responses -------------------------------------------------------------------

    def send_body(self, status, body, content_type="application/octet-stream", headers=(),
                  head=False, length=None):
        """Sends a complete response; `length` is the Content-Length when `body` is empty
        because of HEAD."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def send_json(self, value):
        self.send_body(200, json.dumps(value).encode(), "application/json")

    # --- methods ---------------------------------------------------------------------

    def do_GET(self):
        self.handle_request(head=False)

    def do_HEAD(self):
        self.handle_request(head=True)

    def do_PUT(self):
        """With `--writable`: stores the body at the path (parents made, written to a
        temporary file renamed into place), counted and delayed like a GET."""
        if not self.server.writable:
            self.not_allowed()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        state = self.server.state
        latency = state.begin()
        try:
            if latency > 0:
                time.sleep(latency / 1000.0)
            path = urllib.parse.unquote(self.path)
            parts = [p for p in path.split("/") if p not in ("", ".")]
            with state.lock:
                forbid = state.forbid
            if ".." in parts or not parts or (forbid and forbid in path):
                status = 403
            else:
                full = os.path.join(state.root, *parts)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                temp = "%s.%d.tmp" % (full, threading.get_ident())
                with open(temp, "wb") as f:
                    f.write(body)
                os.replace(temp, full)
                status = 201
        finally:
            with state.lock:
                state.in_flight -= 1
        self.send_body(status, b"", "text/plain", headers=[("ETag", '"%x"' % len(body))])

    def not_allowed(self):
        # Read and drop any body so the connection stays usable.
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)
        self.send_body(405, b"405\n", "text/plain", headers=[("Allow", "GET, HEAD")])

    def __getattr__(self, name):
        # Every other method (PUT, DELETE, PROPFIND, ...) answers 405, not the base
        # class's 501.
        if name.startswith("do_"):
            return self.not_allowed
        raise AttributeError(name)

    def handle_request(self, head):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path.startswith("/_"):
            self.handle_control(parsed)
            return
        state = self.server.state
        latency = state.begin()
        done = False
        try:
            if latency > 0:
                time.sleep(latency / 1000.0)
            status, headers, body, length = self.answer(parsed.path, head)
            # The counters are final before the answer leaves, so a client that has its
            # answer reads settled statistics.
            with state.lock:
                state.in_flight -= 1
                if status in (200, 206):
                    state.bytes += len(body)
            done = True
            content_type = ("application/octet-stream" if status in (200, 206)
                            else "text/plain")
            self.send_body(status, body, content_type, headers, head, length)
        finally:
            if not done:
                with state.lock:
                    state.in_flight -= 1

    def handle_control(self, parsed):
        state = self.server.state
        if parsed.path == "/_control":
            query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
            try:
                with state.lock:
                    if "latency_ms" in query:
                        state.latency_ms = float(query["latency_ms"][-1] or 0)
                    if "fail" in query:
                        state.fail = int(query["fail"][-1] or 0)
                    if "fail_status" in query:
                        state.fail_status = int(query["fail_status"][-1])
                    if "forbid" in query:
                        state.forbid = query["forbid"][-1]
            except ValueError:
                self.send_body(400, b"400\n", "text/plain")
                return
            self.send_json({})
        elif parsed.path == "/_stats":
            with state.lock:
                stats = state.stats()
            self.send_json(stats)
        elif parsed.path == "/_reset":
            with state.lock:
                state.reset()
            self.send_json({})
        else:
            self.send_body(404, b"404\n", "text/plain")

    def answer(self, url_path, head):
        """(status, extra headers, body, Content-Length) for a file request."""
        state = self.server.state
        with state.lock:
            forbid = state.forbid
            fail = state.fail > 0
            if fail:
                state.fail -= 1
                state.failed += 1
                fail_status = state.fail_status
        if fail:
            return error(fail_status)
        path = urllib.parse.unquote(url_path)
        if forbid and forbid in path:
            return error(403)
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts or any("\\" in p or "\0" in p for p in parts):
            return error(403)
        full = os.path.realpath(os.path.join(state.root, *parts))
        if full != state.root and not full.startswith(state.root + os.sep):
            return error(403)  # a symlink out of the root
        if not os.path.isfile(full):
            return error(404)
        try:
            with open(full, "rb") as f:
                st = os.fstat(f.fileno())
                size = st.st_size
                try:
                    byte_range = parse_range(self.headers.get("Range", ""), size)
                except BadRange:
                    status, headers, body, length = error(416)
                    return status, [("Content-Range", "bytes */%d" % size)], body, length
                if byte_range is None:
                    status, headers, start, length = 200, [], 0, size
                else:
                    start, end = byte_range
                    status, length = 206, end - start + 1
                    headers = [("Content-Range", "bytes %d-%d/%d" % (start, end, size))]
                f.seek(start)
                body = b"" if head else f.read(length)
        except OSError:
            return error(404)
        headers += [
            ("Accept-Ranges", "bytes"),
            ("Last-Modified", self.date_time_string(st.st_mtime)),
            ("ETag", '"%x-%x"' % (st.st_mtime_ns, size)),
        ]
        return status, headers, body, length


def error(status):
    """The answer tuple of an error status: a short text body."""
    body = b"%d\n" % status
    return status, [], body, len(body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="the directory to serve")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--writable", action="store_true",
                        help="accept PUT (for the write-behind's own test, which measures "
                             "PUTs in flight)")
    args = parser.parse_args()
    if not os.path.isdir(args.root):
        parser.error("--root %r is not a directory" % args.root)
    server = Server(("127.0.0.1", args.port), State(args.root), args.writable)
    sys.stdout.write("PORT %d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
