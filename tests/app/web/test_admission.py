"""Admission of questions: a bounded number at once, a bounded line, first come first served."""

from __future__ import annotations

import threading
from collections.abc import Generator
from contextlib import ExitStack

import pytest

from app.web.admission import Admission, QueueFull, Ticket

WAIT = 30  # seconds; only reached if the code under test deadlocks


def test_runs_up_to_the_limit_at_once_then_lines_up() -> None:
    admission = Admission(running=2, waiting=3)
    with ExitStack() as stack:
        tickets = [stack.enter_context(admission.slot()) for _ in range(5)]
        assert [t.ready for t in tickets] == [True, True, False, False, False]
        assert [t.ahead for t in tickets] == [0, 0, 0, 1, 2]
        assert admission.waiting == 3


def test_a_full_line_turns_questions_away_in_swedish_at_once() -> None:
    admission = Admission(running=1, waiting=1)
    with admission.slot(), admission.slot():
        with pytest.raises(QueueFull, match="Försök igen om en stund"):
            with admission.slot():
                pass
        assert admission.waiting == 1
    with admission.slot() as ticket:  # room again once the others have left
        assert ticket.ready


def test_slots_pass_to_the_line_in_order() -> None:
    admission = Admission(running=1, waiting=5)
    order: list[int] = []
    lined_up = threading.Barrier(6)
    waiting = [threading.Event() for _ in range(5)]

    def question(number: int) -> None:
        with admission.slot() as ticket:
            waiting[number].set()
            lined_up.wait(WAIT)
            ticket.wait()
            order.append(number)

    with admission.slot():
        threads = []
        for number in range(5):  # join the line one after another
            threads.append(threading.Thread(target=question, args=(number,)))
            threads[-1].start()
            assert waiting[number].wait(WAIT)
        lined_up.wait(WAIT)
    for thread in threads:
        thread.join(WAIT)
    assert order == [0, 1, 2, 3, 4]
    assert admission.waiting == 0


def _hold(admission: Admission) -> Generator[Ticket, None, None]:
    with admission.slot() as ticket:
        yield ticket


def test_a_user_who_leaves_gives_up_the_place_or_the_slot() -> None:
    admission = Admission(running=1, waiting=1)
    running = _hold(admission)
    assert next(running).ready
    queued = _hold(admission)
    assert not next(queued).ready
    queued.close()  # left the page while waiting: the place in line is free again
    assert admission.waiting == 0
    other = _hold(admission)
    next_ticket = next(other)
    assert not next_ticket.ready
    running.close()  # the running one stopped (finished, failed or left): next one runs
    assert next_ticket.ready
    other.close()
    with admission.slot() as fresh:
        assert fresh.ready


def test_an_error_while_running_hands_the_slot_on() -> None:
    admission = Admission(running=1, waiting=1)
    with pytest.raises(RuntimeError):
        with admission.slot():
            raise RuntimeError("the answer failed")
    with admission.slot() as ticket:
        assert ticket.ready


def test_limits_must_make_sense() -> None:
    with pytest.raises(ValueError):
        Admission(running=0, waiting=4)
    with pytest.raises(ValueError):
        Admission(running=1, waiting=-1)
