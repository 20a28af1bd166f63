"""Set-up shared by the benchmarks and the tests that need the same things: an offline
process, a free loopback port, a `chroma run` server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
}
"""No model downloads from the Hugging Face hub, and no Chroma telemetry."""

SERVER_START_SECONDS = 60
"""How long `chroma run` may take to answer its heartbeat (it needs a few seconds)."""
START_ATTEMPTS = 3
"""Servers started before giving up: another process may take the free port first."""
STOP_SECONDS = 30
"""How long a stopped server may take to exit before it is killed."""

# No proxy for loopback, whatever the environment says.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def go_offline() -> None:
    """Set `OFFLINE_ENVIRONMENT` for this process and the processes it starts."""
    os.environ.update(OFFLINE_ENVIRONMENT)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServerError(RuntimeError):
    """`chroma run` did not answer its heartbeat; the message ends with its log."""


@dataclass(frozen=True)
class ChromaServer:
    """A running `chroma run` process and the loopback port it serves."""

    port: int
    process: subprocess.Popen[bytes]


def _answers_heartbeat(port: int) -> bool:
    try:
        with _LOOPBACK.open(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as reply:
            return reply.status == 200 and "heartbeat" in next(iter(json.load(reply)), "")
    except (OSError, ValueError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def chroma_server(path: Path, log: Path | None = None) -> Iterator[ChromaServer]:
    """`chroma run` over the data in `path` on a free loopback port, yielded once its
    heartbeat answers, and always stopped on exit.

    Its output goes to `log` (next to `path` by default). Telemetry stays off: the
    environment's OpenTelemetry exporters are dropped and ANONYMIZED_TELEMETRY is false.
    """
    executable = Path(sys.executable).with_name("chroma")
    env = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    env["ANONYMIZED_TELEMETRY"] = "False"
    log = log or path.with_name(path.name + ".log")
    for _attempt in range(START_ATTEMPTS):
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(executable), "run", "--path", str(path), "--host", "127.0.0.1",
                 "--port", str(port)],
                stdout=out, stderr=subprocess.STDOUT, env=env,
            )
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while process.poll() is None and time.monotonic() < deadline:
                if _answers_heartbeat(port):
                    yield ChromaServer(port, process)
                    return
                time.sleep(0.1)
        finally:
            _stop(process)
    tail = log.read_text(errors="replace")[-2000:]
    raise ChromaServerError(
        f"chroma run answered no heartbeat within {SERVER_START_SECONDS} s ({log}):\n{tail}"
    )
