"""One window per library: a second start reaches the first over a local socket, in real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from papershelf.ui.single_instance import SingleInstance, server_name_for

# The running window, reduced to its socket: listens, prints each message it receives as one JSON line.
LISTENER = """
import json, sys
from PySide6.QtCore import QCoreApplication
from papershelf.ui.single_instance import SingleInstance

app = QCoreApplication(sys.argv[:1])
instance = SingleInstance(sys.argv[1])
instance.message_received.connect(lambda message: print(json.dumps(message), flush=True))
if not instance.listen():
    print("cannot listen:", instance.error, flush=True)
    raise SystemExit(1)
print("listening", instance.full_server_name(), flush=True)
app.exec()
"""

# A second start: forwards its arguments and says whether anyone answered.
FORWARDER = """
import sys
from PySide6.QtCore import QCoreApplication
from papershelf.ui.single_instance import SingleInstance

app = QCoreApplication(sys.argv[:1])
print("forwarded" if SingleInstance(sys.argv[1]).try_forward(sys.argv[2:]) else "nobody", flush=True)
"""


def start_listener(folder: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-c", LISTENER, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline().split()
    assert first[:1] == ["listening"], first
    return proc, first[1]


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, socket_path = start_listener(tmp_path / "library")
    yield proc, socket_path
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_second_start_forwards_files_to_the_running_instance(
    qapp: object, tmp_path: Path, listener: tuple[subprocess.Popen[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    proc, _ = listener
    monkeypatch.chdir(tmp_path)
    second = SingleInstance(tmp_path / "library")
    assert second.try_forward(["papers.bib", str(tmp_path / "list.md")])
    assert proc.stdout is not None
    message = json.loads(proc.stdout.readline())
    assert message == {"action": "raise", "files": [str(tmp_path / "papers.bib"), str(tmp_path / "list.md")]}

    assert second.try_forward([])  # a plain second start only raises the window
    assert json.loads(proc.stdout.readline()) == {"action": "raise", "files": []}


def test_nobody_listening_on_another_library(qapp: object, tmp_path: Path, listener: object) -> None:
    other = SingleInstance(tmp_path / "other-library")
    assert other.server_name != SingleInstance(tmp_path / "library").server_name
    assert not other.try_forward(["x.bib"])


def test_server_name_depends_on_the_resolved_folder_only(tmp_path: Path) -> None:
    (tmp_path / "library").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "library")
    name = server_name_for(tmp_path / "library")
    assert name.startswith("papershelf-")
    assert server_name_for(tmp_path / "link") == name
    assert server_name_for(tmp_path / "library" / ".." / "library") == name
    assert server_name_for(tmp_path / "elsewhere") != name
    assert len(name) < 40  # Unix socket paths are limited to ~100 bytes, temp folder included


def test_stale_name_of_a_killed_instance_is_taken_over(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    proc, socket_path = start_listener(folder)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert os.path.exists(socket_path)  # the crash left its socket behind

    instance = SingleInstance(folder)
    assert not instance.try_forward([])  # a stale name answers nobody
    assert instance.listen(), instance.error
    assert instance.full_server_name() == socket_path

    # A second start (another process) now reaches this one.
    with qtbot.waitSignal(instance.message_received, timeout=10_000) as received:
        forwarder = subprocess.Popen(
            [sys.executable, "-c", FORWARDER, str(folder), str(tmp_path / "new.bib")],
            stdout=subprocess.PIPE, text=True,
        )
    assert received.args == [{"action": "raise", "files": [str(tmp_path / "new.bib")]}]
    out, _ = forwarder.communicate(timeout=30)  # the forwarder waits for our answer; the event loop gave it
    assert out.strip() == "forwarded"
    instance.close()
    assert not instance.listening


@pytest.mark.skipif(sys.platform == "win32", reason="speaks to the Unix socket directly")
def test_garbage_is_answered_not_ok_and_not_emitted(qtbot: QtBot, tmp_path: Path) -> None:
    instance = SingleInstance(tmp_path / "library")
    assert instance.listen()
    sender = f"""
import socket
s = socket.socket(socket.AF_UNIX)
s.connect({instance.full_server_name()!r})
s.sendall(b'not json\\n')
print(s.makefile().readline().strip(), flush=True)
"""
    received: list[dict[str, object]] = []
    instance.message_received.connect(received.append)
    proc = subprocess.Popen([sys.executable, "-c", sender], stdout=subprocess.PIPE, text=True)
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10_000)
    assert proc.stdout is not None
    assert json.loads(proc.stdout.read()) == {"ok": False}
    assert received == []
    instance.close()
