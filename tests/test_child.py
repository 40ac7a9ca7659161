"""The second process: results in order, failures reported, never a hang."""

from __future__ import annotations

import pytest

from qualcode.child import ChildFailed, ChildStream


def test_results_come_back_in_the_order_sent() -> None:
    with ChildStream("builtins:len") as child:
        items = ["ab", "abc", [1] * 10, "x" * 3_000_000]  # one larger than a pipe's buffer
        for item in items:
            child.send(item)
        assert [child.receive() for _ in items] == [2, 3, 10, 3_000_000]


def test_an_error_in_the_child_is_reported_with_its_message() -> None:
    with ChildStream("builtins:int") as child:
        child.send("12")
        assert child.receive() == 12
        child.send("not a number")
        with pytest.raises(ChildFailed, match="ValueError: invalid literal"):
            child.receive()
        child.send("7")  # the child goes on after an error in one item
        assert child.receive() == 7


def test_a_child_that_cannot_start_its_work_is_reported() -> None:
    child = ChildStream("qualcode.no_such_module:work")
    child.send(1)
    with pytest.raises(ChildFailed, match="No module named 'qualcode.no_such_module'"):
        child.receive()
    child.close()


def test_receive_without_send_fails_at_once() -> None:
    with ChildStream("builtins:len") as child, pytest.raises(ChildFailed):
        child.receive()


def test_closing_with_answers_owed_does_not_wait_for_them() -> None:
    child = ChildStream("time:sleep")
    child.send(600)
    child.close()  # kills: nobody will read the answer
    assert child._proc.returncode is not None


def test_ready_says_when_an_answer_has_arrived() -> None:
    with ChildStream("time:sleep") as child:
        assert not child.ready()  # nothing owed
        child.send(0.5)
        assert not child.ready()  # still sleeping
        child.receive()
        child.send(0)
        while not child.ready():  # a poll, as an import does between its own work
            pass
        assert child.receive() is None


def test_ready_reports_a_child_that_ended_so_receive_can_say_why() -> None:
    child = ChildStream("qualcode.no_such_module:work")
    child.send(1)
    child._proc.wait()
    assert child.ready()
    with pytest.raises(ChildFailed):
        child.receive()
    child.close()
