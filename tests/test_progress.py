"""Progress is drawn only at a terminal, only when work is slow, and erased when done."""

from __future__ import annotations

import io

import pytest

from okrcli.render import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert progress.reporter("reading") is None


def test_slow_work_shows_a_counter_and_erases_it(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress, "EVERY", 0.0)
    tick = progress.reporter("reading team files")
    assert tick is not None
    tick(1, 3)
    tick(2, 3)
    tick(3, 3)
    assert terminal.getvalue() == ("\rreading team files 1/3\rreading team files 2/3\r\x1b[K")


def test_quick_work_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(progress, "SHOW_AFTER", 3600.0)
    tick = progress.reporter("reading team files")
    assert tick is not None
    tick(1, 2)
    tick(2, 2)
    assert terminal.getvalue() == ""
