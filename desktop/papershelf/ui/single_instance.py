"""One window per library: a second start hands its files to the running window and exits.

The running window listens on a local socket (a Unix socket in the temp folder, a named pipe on Windows)
whose name is derived from the user and the resolved library folder, so two libraries can each have their
own window. A second start connects, sends one JSON line ``{"action": "raise", "files": [...]}`` and waits
for one JSON line back; the window emits :attr:`SingleInstance.message_received` for each message.

Call :meth:`SingleInstance.listen` only while holding the library's lock (papershelf.core.storage.lock): the lock
decides who is the one instance, so removing a name left behind by a crashed instance never takes the
name away from a live one.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

MAX_MESSAGE = 1 << 20  # a list of dropped files, not a payload


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name and no passwd entry (some containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def server_name_for(library_folder: str | os.PathLike[str]) -> str:
    """The local server name of the window on ``library_folder`` for this user (short: Unix socket paths are)."""
    folder = os.path.normcase(str(Path(library_folder).expanduser().resolve()))
    digest = hashlib.sha256(f"{_user()}\0{folder}".encode()).hexdigest()[:20]
    return f"papershelf-{digest}"


def _absolute(arg: str) -> str:
    """Files as the receiving window can open them: it has its own working folder."""
    if "://" in arg:
        return arg
    return str(Path(arg).expanduser().absolute())


class SingleInstance(QObject):
    """The window's local server, and the client a second start uses to reach it."""

    message_received = Signal(dict)

    def __init__(self, library_folder: str | os.PathLike[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server_name = server_name_for(library_folder)
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}
        self.error = ""

    # -- the second start ------------------------------------------------------------------------------

    def try_forward(self, args: list[str], timeout_ms: int = 2000) -> bool:
        """Hand ``args`` (files to open) to a running window; True if one answered.

        Blocks for at most about ``3 * timeout_ms``; returns False at once when nobody listens.
        """
        socket = QLocalSocket()
        socket.connectToServer(self.server_name)
        if not socket.waitForConnected(timeout_ms):
            return False
        message = {"action": "raise", "files": [_absolute(a) for a in args]}
        socket.write(json.dumps(message).encode("utf-8") + b"\n")
        if not socket.waitForBytesWritten(timeout_ms):
            socket.abort()
            return False
        reply = b""
        while b"\n" not in reply and socket.waitForReadyRead(timeout_ms):
            reply += bytes(socket.readAll().data())
        socket.disconnectFromServer()
        try:
            return bool(json.loads(reply.split(b"\n", 1)[0]).get("ok"))
        except (ValueError, AttributeError):
            return False

    # -- the running window ----------------------------------------------------------------------------

    def listen(self) -> bool:
        """Start answering second starts; False (with the reason in :attr:`error`) if the name cannot be had."""
        if self._server is not None:
            return True
        # A crashed instance leaves its socket file behind and listen() would fail on it. Only the holder of
        # the library lock gets here, so the name cannot belong to a live instance.
        QLocalServer.removeServer(self.server_name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):
            self.error = server.errorString()
            server.deleteLater()
            return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    def full_server_name(self) -> str:
        """Where the server lives (the socket file's path on Unix), for messages and tests."""
        return self._server.fullServerName() if self._server is not None else ""

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            # Bound methods and sender(), not lambdas holding the socket: a closure that owns the last Python
            # reference to a socket being destroyed makes PySide delete it a second time.
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(self._on_disconnected)
            if socket.bytesAvailable():
                self._read(socket)

    def _on_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _on_disconnected(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._drop(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        buffer = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in buffer:
            if len(buffer) > MAX_MESSAGE:
                self._drop(socket)
                socket.abort()
            else:
                self._buffers[socket] = buffer
            return
        line = buffer.split(b"\n", 1)[0]
        self._buffers[socket] = b""
        message = self._parse(line)
        socket.write(json.dumps({"ok": message is not None}).encode("utf-8") + b"\n")
        socket.flush()
        socket.disconnectFromServer()
        if message is not None:
            self.message_received.emit(message)

    @staticmethod
    def _parse(line: bytes) -> dict[str, Any] | None:
        try:
            message = json.loads(line)
        except ValueError:
            return None
        if not isinstance(message, dict) or not isinstance(message.get("action"), str):
            return None
        files = message.get("files", [])
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            return None
        return message

    def _drop(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is not None:
            socket.deleteLater()


__all__ = ["SingleInstance", "server_name_for"]
