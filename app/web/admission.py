"""Admission of questions in the web UI: a few answered at once, a bounded line, no hangs.

Answering is CPU-bound without an LLM (embedding the question and candidate sentences),
so on a small machine more simultaneous answers only make each one slower. Questions
beyond the concurrency limit wait in line, first come first served; when the line is
full a question is turned away at once with a Swedish message instead of waiting
without end.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ingest.errors import YttraError


class QueueFull(YttraError):
    """Too many questions are already waiting; the user should try again shortly."""

    def __init__(self, waiting: int) -> None:
        self.waiting = waiting
        super().__init__(
            "Yttra har fler frågor än det hinner besvara just nu. Försök igen om en stund."
        )


@dataclass(frozen=True)
class Ticket:
    """A question's place in line: `ahead` questions were waiting when it was taken."""

    ahead: int
    _event: threading.Event

    @property
    def ready(self) -> bool:
        return self._event.is_set()

    def wait(self) -> None:
        """Block until this question may run."""
        self._event.wait()


class Admission:
    """At most `running` questions at once and at most `waiting` more in line."""

    def __init__(self, running: int, waiting: int) -> None:
        if running < 1 or waiting < 0:
            raise ValueError("running must be at least 1 and waiting at least 0")
        self._lock = threading.Lock()
        self._free = running
        self._max_waiting = waiting
        self._line: deque[threading.Event] = deque()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._line)

    @contextmanager
    def slot(self) -> Iterator[Ticket]:
        """Take a place, or raise `QueueFull`; call `wait()` on the ticket before working.

        Leaving the block (normally, by an error, or because the user went away and the
        generator was closed) hands the slot to the next in line or gives up the place.
        """
        event = threading.Event()
        with self._lock:
            if self._free and not self._line:
                self._free -= 1
                event.set()
                ahead = 0
            elif len(self._line) >= self._max_waiting:
                raise QueueFull(len(self._line))
            else:
                ahead = len(self._line)
                self._line.append(event)
        try:
            yield Ticket(ahead, event)
        finally:
            with self._lock:
                if event.is_set():
                    if self._line:
                        self._line.popleft().set()
                    else:
                        self._free += 1
                else:
                    self._line.remove(event)
