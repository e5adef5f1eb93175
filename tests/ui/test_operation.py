"""Background operations: results come back on the UI thread, in order, errors typed."""

from __future__ import annotations

import threading
import time

from cp2desk.services.errors import ServiceError
from cp2desk.ui.operation import OperationRunner, user_message


def test_results_arrive_on_the_ui_thread_in_order(qtbot):
    runner = OperationRunner(1)
    seen: list[tuple[int, bool]] = []
    for n in range(5):
        runner.run(
            lambda n=n: (time.sleep(0.01 * (5 - n)), n)[1],
            lambda value: seen.append(
                (value, threading.current_thread() is threading.main_thread())
            ),
        )
    qtbot.waitUntil(lambda: len(seen) == 5)
    assert seen == [(n, True) for n in range(5)]
    runner.wait()


def test_failures_carry_the_users_message(qtbot):
    runner = OperationRunner(1)
    errors: list[BaseException] = []

    def refuse():
        raise ServiceError("The session is signed off.")

    runner.run(refuse, on_failure=errors.append)
    runner.run(lambda: 1 / 0, on_failure=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2)
    assert user_message(errors[0]) == "The session is signed off."
    assert "nothing was changed" in user_message(errors[1])
    runner.wait()


def test_progress_is_delivered(qtbot):
    runner = OperationRunner(1)
    progress: list[tuple] = []
    done: list[object] = []

    def work(report):
        for i in range(3):
            report("push", i + 1, 3)
        return "ok"

    runner.run(work, done.append, on_progress=progress.append)
    qtbot.waitUntil(lambda: done == ["ok"])
    assert progress == [("push", 1, 3), ("push", 2, 3), ("push", 3, 3)]
    runner.wait()
