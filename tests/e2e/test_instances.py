"""One writer per library, proven with real processes: the window, a second start, and the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", **extra}


def _cli(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "papershelf", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=60, env=_env(), check=False)


@pytest.fixture
def running_window(iclr_library_dir: Path):  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(
        [sys.executable, "-m", "papershelf", "--library", str(iclr_library_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(PAPERSHELF_REPORT_SHOWN="1"),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until the window is shown
    assert line.strip() == "window-shown", proc.stderr.read() if proc.poll() is not None else line
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=30)


@pytest.mark.slow
def test_second_start_is_forwarded_to_the_running_window(running_window: subprocess.Popen[str],
                                                        iclr_library_dir: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    second = subprocess.run(
        [sys.executable, "-m", "papershelf", "--library", str(iclr_library_dir)],
        capture_output=True, text=True, timeout=60, env=_env(PAPERSHELF_EXIT_WHEN_SHOWN="1"), check=False,
    )
    assert second.returncode == 0, second.stderr
    assert "window-shown" not in second.stdout  # it did not open a second window
    assert time.monotonic() - started < 20
    assert running_window.poll() is None


@pytest.mark.slow
def test_cli_writes_wait_then_fail_while_the_window_holds_the_library(
    running_window: subprocess.Popen[str], iclr_library_dir: Path
) -> None:
    blocked = _cli(iclr_library_dir, "annotate", "katzir2021net", "--status", "read")
    assert blocked.returncode == 1
    assert "in use by another Papershelf" in blocked.stderr
    assert f"pid {running_window.pid}" in blocked.stderr
    reading = _cli(iclr_library_dir, "list", "track:oral", "--format", "keys")
    assert reading.returncode == 0, reading.stderr
    assert len(reading.stdout.split()) == 53


@pytest.mark.slow
def test_the_lock_is_recovered_after_the_window_is_killed(
    running_window: subprocess.Popen[str], iclr_library_dir: Path
) -> None:
    running_window.send_signal(signal.SIGKILL)
    running_window.wait(timeout=30)
    result = _cli(iclr_library_dir, "annotate", "katzir2021net", "--status", "read")
    assert result.returncode == 0, result.stderr
    again = subprocess.run(
        [sys.executable, "-m", "papershelf", "--library", str(iclr_library_dir)],
        capture_output=True, text=True, timeout=60, env=_env(PAPERSHELF_EXIT_WHEN_SHOWN="1"), check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "window-shown" in again.stdout


def test_a_file_given_instead_of_a_command_opens_the_window_and_imports_it(tmp_path: Path) -> None:
    paper_list = tmp_path / "workshop2031.md"
    paper_list.write_text("## [Opened By Double Click](#)\n\n- Dana Doubleclick\n", encoding="utf-8")
    library = tmp_path / "lib"
    result = subprocess.run(
        [sys.executable, "-m", "papershelf", "--library", str(library), str(paper_list)],
        capture_output=True, text=True, timeout=60, env=_env(PAPERSHELF_EXIT_WHEN_SHOWN="1"), check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "window-shown" in result.stdout
