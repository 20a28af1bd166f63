"""A local stand-in for the OpenAI chat-completions API, for tests at the LLM boundary.

Stdlib only: it lets the real ``langchain_openai.ChatOpenAI`` client (and the openai SDK
under it) run end to end, streaming included, without a network or a model.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MODES = ("ok", "error", "hang", "garbage", "slow")
DEFAULT_REPLY = "Svar [1]."
JOIN_SECONDS = 5.0
"""How long `stop` waits for each of its threads; only reached if one of them hangs."""


class FakeOpenAIServer:
    """Serves ``/v1/chat/completions`` and ``/v1/models`` on 127.0.0.1 in a daemon thread.

    ``mode`` picks the behaviour: "ok" answers with the next of ``replies`` (cycling),
    "error" answers HTTP 500, "hang" never answers until ``stop()``, "garbage" answers
    HTTP 200 with a malformed body, "slow" waits ``delay`` seconds between streamed chunks
    (and once before a non-streamed answer).

    Tests can observe it instead of timing it: ``requests`` holds every chat request
    received, ``in_flight`` counts those still being handled, and
    ``wait_for_requests`` blocks until a number of them has arrived. ``stop`` returns only
    once every thread it started has ended.
    """

    def __init__(
        self,
        replies: list[str] | None = None,
        mode: str = "ok",
        delay: float = 0.0,
        chunk_size: int = 8,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.replies: list[str] = list(replies) if replies else [DEFAULT_REPLY]
        self.mode = mode
        self.delay = delay
        self.chunk_size = chunk_size
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._in_flight = 0
        self._reply_cycle = itertools.cycle(self.replies)
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeOpenAIServer:
        """Bind a free port on 127.0.0.1 and start serving; returns self."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._stopping.clear()
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-openai-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: release hanging requests, drop open connections, and wait for
        every thread of the server to end."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.drop_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=JOIN_SECONDS)
        httpd.join_handlers()
        self._httpd = self._thread = None

    @property
    def in_flight(self) -> int:
        """Chat requests whose handling has not ended: a "hang" one stays until `stop`.

        A request counts until its handler returns, which may be a moment after the
        client has read the whole answer."""
        with self._lock:
            return self._in_flight

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until `count` chat requests have arrived; False if `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.requests) >= count, timeout)

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The URL to pass as ``base_url`` to an OpenAI client, ending in ``/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Used by the handler threads.

    def _record(self, body: dict[str, Any]) -> None:
        with self._changed:
            self.requests.append(body)
            self._in_flight += 1
            self._changed.notify_all()

    def _answered(self) -> None:
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    def _next_reply(self) -> str:
        with self._lock:
            return next(self._reply_cycle)

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if the server is stopping meanwhile."""
        return self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    """Threading server that knows its fake, can drop live connections on stop and wait
    for its handler threads to end."""

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        fake: FakeOpenAIServer,
    ) -> None:
        super().__init__(address, handler)
        self.fake = fake
        self._live: set[socket.socket] = set()
        self._handlers: list[threading.Thread] = []
        self._live_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Handle the connection in a thread of its own, remembered so stop can join it."""
        handler = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._live_lock:
            self._live.add(request)
            self._handlers.append(handler)
        handler.start()

    def join_handlers(self) -> None:
        """Wait for every handler thread; `drop_connections` first, or idle ones wait on."""
        with self._live_lock:
            handlers = list(self._handlers)
        for handler in handlers:
            handler.join(timeout=JOIN_SECONDS)

    def shutdown_request(self, request: Any) -> None:
        with self._live_lock:
            self._live.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Shut down every open client socket so idle keep-alive threads end too."""
        with self._live_lock:
            live = list(self._live)
        for sock in live:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the peer or the handler


class _Handler(BaseHTTPRequestHandler):
    """Speaks just enough of the OpenAI wire format for the openai SDK."""

    protocol_version = "HTTP/1.1"
    server: _Server

    @property
    def fake(self) -> FakeOpenAIServer:
        return self.server.fake

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": "fake", "object": "model", "created": 0, "owned_by": "yttra-tests"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._not_found()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._not_found()
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_error(400, "Request body is not valid JSON.", "invalid_request_error")
            return
        self.fake._record(body)
        try:
            self._answer(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. timed out)
        finally:
            self.fake._answered()

    def _answer(self, body: dict[str, Any]) -> None:
        fake = self.fake
        streaming = bool(body.get("stream"))
        if fake.mode == "error":
            self._send_error(500, "The fake server was told to fail.", "server_error")
        elif fake.mode == "hang":
            fake._stopping.wait()
            self.close_connection = True
        elif fake.mode == "garbage":
            self._send_garbage(streaming)
        elif streaming:
            self._stream(body, fake._next_reply())
        else:
            if fake.mode == "slow" and fake._wait(fake.delay):
                self.close_connection = True
                return
            self._send_json(200, _completion(body, fake._next_reply()))

    def _stream(self, body: dict[str, Any], reply: str) -> None:
        fake = self.fake
        self._start_stream()
        base = _chunk_base(body)
        self._event(_chunk(base, {"role": "assistant", "content": ""}))
        for start in range(0, len(reply), fake.chunk_size):
            if fake.mode == "slow" and fake._wait(fake.delay):
                return
            self._event(_chunk(base, {"content": reply[start : start + fake.chunk_size]}))
        self._event(_chunk(base, {}, finish_reason="stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event({**base, "choices": [], "usage": _usage(body, reply)})
        self._write(b"data: [DONE]\n\n")

    def _send_garbage(self, streaming: bool) -> None:
        if not streaming:
            self._send_raw(200, "application/json", b"<html>this is {not json")
            return
        self._start_stream()
        self._write(b'data: {"id": "chatcmpl-garbage", "choices": [\n\n')
        self._write(b"data: <<not json>>\n\n")
        self._write(b"data: [DONE]\n\n")

    # Wire helpers.

    def _start_stream(self) -> None:
        """Send SSE headers; the body ends when the connection closes."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

    def _event(self, payload: dict[str, Any]) -> None:
        self._write(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send_raw(status, "application/json", json.dumps(payload).encode())

    def _send_raw(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self._write(data)

    def _send_error(self, status: int, message: str, kind: str) -> None:
        error = {"message": message, "type": kind, "param": None, "code": None}
        self._send_json(status, {"error": error})

    def _not_found(self) -> None:
        self._send_error(404, f"Unknown path {self.command} {self.path}.", "invalid_request_error")


def _usage(body: dict[str, Any], reply: str) -> dict[str, int]:
    """Rough token counts (words), enough for clients that read ``usage``."""
    prompt = sum(
        len(str(message.get("content") or "").split()) for message in body.get("messages", [])
    )
    completion = len(reply.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(body: dict[str, Any], reply: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(body, reply),
    }


def _chunk_base(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
    }


def _chunk(
    base: dict[str, Any], delta: dict[str, Any], finish_reason: str | None = None
) -> dict[str, Any]:
    return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
