"""Live notes-file sync in the window: watch the file, sync after edits on either side, say how it went.

The watcher is re-armed after every change because editors often replace the file (write a new one and
rename it over the old), which removes the watched path. An editor that truncates the file and then
writes it, or moves it away and then renames a new one in, shows an empty or missing file in between: a
sync after a file change then waits ("not yet") for the next change instead of rebuilding the file from
the library under the editor's feet. The app's own writes are recognised by the file's hash after the
write and ignored. The folder is watched too, so a conflict copy that Syncthing or
Dropbox puts beside the file starts a sync that takes it in.

A large notes file is synced in steps (``syncer.sync_steps``) between the window's events, the way the
search index is built: a worker thread would hold Python's GIL against the window. ``sync_now`` still
syncs at once (the menu's "Sync notes now", closing the window), finishing a sync under way first.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Generator
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from papershelf.core.memory import return_freed_memory
from papershelf.core.storage.store import StoreError
from papershelf.services import sync as sync_report
from papershelf.sync import engines, syncer
from papershelf.sync import state as sync_state
from papershelf.ui.controller import LibraryController

FILE_CHANGE_DELAY_MS = 250  # editors write in bursts; 250 ms keeps "appears within 1 s"
EDIT_DELAY_MS = 400  # after a note is saved in the app, the file follows within 1 s
STEPS_FROM_BYTES = 1_000_000  # a notes file this large is synced in steps (a 10k-note file, ~3 MB: ~15 ms)
STEP_SECONDS = 0.01  # one turn of a sync in steps, between two rounds of the window's events (a step can
# take a few tens of milliseconds more: the turn stays well under 100 ms with the window's own work)
TRIM_TURNS = 4  # the memory freed is given back every this many turns (~1-5 ms each time)


class NotesSync(QObject):
    """Keeps the library and its notes file in step while the window is open."""

    synced = Signal(object)  # SyncReport
    failed = Signal(str)
    status_changed = Signal(str)  # one line for the status bar
    conflicts_changed = Signal(list)  # the ids of the papers in conflict, when that set changes (sync or resolve)
    # Emitted just before a sync reads the library: whoever holds typed text not yet saved (the note editor)
    # saves it now, so that it is the app's side of the merge (a conflict if the file changed too).
    about_to_sync = Signal()

    def __init__(self, controller: LibraryController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.library = controller.library
        self.path: Path | None = sync_state.notes_file_path(self.library)
        self.auto = True
        self.last_report: syncer.SyncReport | None = None
        self._own_hash = ""
        self._syncing = False
        self._conflicts: set[str] = set(sync_state.conflicts(self.library))
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._file_changed)
        self._watcher.directoryChanged.connect(self._file_changed)
        self._file_timer = QTimer(self)
        self._file_timer.setSingleShot(True)
        self._file_timer.setInterval(FILE_CHANGE_DELAY_MS)
        self._file_timer.timeout.connect(self._sync_after_file_change)
        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(EDIT_DELAY_MS)
        self._edit_timer.timeout.connect(self.start_sync)
        self._steps: Generator[None, None, syncer.SyncReport] | None = None  # a sync under way, in steps
        self._collector_paused = False  # the cyclic garbage collector waits while a sync runs in steps
        self._turns = 0  # of the sync in steps under way
        self._step_timer = QTimer(self)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._sync_step)
        controller.annotations_changed.connect(self._library_changed)
        self._watch()

    # -- settings ------------------------------------------------------------------------------------

    def set_path(self, path: Path | None) -> None:
        """Use ``path`` as the notes file (synced at once), or stop syncing with None.

        A link is followed now, once: the file it points to is the notes file from then on.
        """
        self._cancel_steps()
        self._unwatch()
        if path is not None:
            path = path.expanduser().resolve()
        self.path = path
        if path is None and not self.library.read_only:
            try:
                sync_state.forget_notes_file(self.library)  # so that the next start does not sync with it again
            except StoreError as exc:
                self.failed.emit(str(exc))
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self.failed.emit(f"cannot create the folder for {path.name}: {exc.strerror or exc}")
            self.start_sync()
        self._watch()
        self.status_changed.emit(self.status_text())

    def set_auto(self, on: bool) -> None:
        self.auto = on
        if on and self.path is not None:
            self.start_sync()
        self.status_changed.emit(self.status_text())

    # -- syncing -------------------------------------------------------------------------------------

    def sync_now(self, *, wait_if_emptied: bool = False) -> syncer.SyncReport | None:
        """Sync once, at once; returns the report (None if there is no notes file or it failed).

        A sync under way in steps is finished instead: it merges what the library holds now.
        ``wait_if_emptied``: the file just changed; if it is empty or missing it is being replaced, and
        the sync waits for the next change (the report says ``waiting``; nothing else happens).
        """
        if self._steps is None:
            if not self._may_sync():
                return None
            self._begin(wait_if_emptied)
        return self._sync_step(finish=True)

    def start_sync(self, *, wait_if_emptied: bool = False) -> None:
        """Sync now: at once for a small notes file, in steps between the window's events for a large one
        (``synced`` or ``failed`` follows); nothing if a sync is under way. ``wait_if_emptied``: as
        ``sync_now``'s."""
        if self._steps is not None or not self._may_sync():
            return
        assert self.path is not None
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        self._begin(wait_if_emptied)
        if size < STEPS_FROM_BYTES:
            self._sync_step(finish=True)
            return
        self.status_changed.emit(f"Syncing notes with {self.path.name}…")
        # A large sync makes many objects that stay: the collector would walk the whole heap again and again
        # (~50 ms a time in a 10k library's window) in the middle of a step. It runs once, after the sync.
        self._collector_paused = gc.isenabled()
        gc.disable()
        self._step_timer.start()

    def _begin(self, wait_if_emptied: bool) -> None:
        """Start a sync (``_sync_step`` runs it: all at once, or a turn at a time from the step timer)."""
        assert self.path is not None
        self._syncing = True
        self.about_to_sync.emit()
        self._steps = syncer.sync_steps(self.library, self.path, wait_if_emptied=wait_if_emptied)

    @property
    def syncing(self) -> bool:
        """True while a sync runs (in steps: until ``synced`` or ``failed``)."""
        return self._syncing

    def _may_sync(self) -> bool:
        self._file_timer.stop()
        self._edit_timer.stop()
        return self.path is not None and not self._syncing and not self.library.read_only

    def _sync_step(self, finish: bool = False) -> syncer.SyncReport | None:
        """One turn of the sync in steps (all the rest with ``finish``); its report once it is done."""
        steps = self._steps
        if steps is None:
            return None
        deadline = time.perf_counter() + STEP_SECONDS
        self._turns += 1
        if not finish and self._turns % TRIM_TURNS == 0:
            # What the sync, and the search index taking its notes in meanwhile, freed: back to the system.
            return_freed_memory()
        try:
            while True:
                next(steps)
                if not finish and time.perf_counter() >= deadline:
                    return None
        except StopIteration as done:
            report: syncer.SyncReport = done.value
        except (syncer.SyncError, StoreError, OSError) as exc:
            self._failed(exc)
            return None
        except BaseException:
            self._end()
            raise
        return self._done(report)

    def _cancel_steps(self) -> None:
        """Drop a sync under way in steps: what it leaves is what a kill at that pause would (a temp file it
        was writing is removed), and the next sync finishes it (see ``sync.syncer``'s crash protocol)."""
        if self._steps is not None:
            self._steps.close()
            self._end()

    def _end(self) -> None:
        self._steps = None
        self._turns = 0
        self._step_timer.stop()
        self._syncing = False
        if self._collector_paused:
            self._collector_paused = False
            gc.enable()
        self._watch()

    def _failed(self, exc: Exception) -> None:
        self._end()
        self.failed.emit(str(exc))
        self.status_changed.emit(f"Notes sync failed: {exc}")

    def _done(self, report: syncer.SyncReport) -> syncer.SyncReport:
        self._end()
        if report.waiting:
            assert self.path is not None
            self.status_changed.emit(f"{self.path.name} is empty or missing: waiting for it to be written")
            return report
        self.last_report = report
        self._own_hash = report.file_hash
        self._check_conflicts()
        self.synced.emit(report)
        self.status_changed.emit(self.status_text())
        return report

    def status_text(self) -> str:
        if self.path is None:
            return "No notes file"
        if self.last_report is None:
            return f"Notes file: {self.path.name}"
        stamp = datetime.now().strftime("%H:%M:%S")
        parts = [f"Notes synced {stamp}", *sync_report.counts(self.last_report)]
        if not self.auto:
            parts.append("auto-sync off")
        return " · ".join(parts)

    # -- triggers ------------------------------------------------------------------------------------

    def _check_conflicts(self) -> None:
        conflicts = set(sync_state.conflicts(self.library))
        if conflicts != self._conflicts:
            self._conflicts = conflicts
            self.conflicts_changed.emit(sorted(conflicts))

    def _library_changed(self, ids: list[str]) -> None:
        self._check_conflicts()  # a conflict resolved in the app: its mark goes now, synced or not
        if self._syncing or not self.auto or self.path is None:
            return
        self._edit_timer.start()

    def _sync_after_file_change(self) -> None:
        self.start_sync(wait_if_emptied=True)

    def _file_changed(self, _path: str) -> None:
        self._watch()  # an editor that replaced the file removed it from the watcher
        if not self.auto or self.path is None or self._syncing:
            return
        try:
            digest = syncer.file_hash(self.path.read_bytes())
        except OSError:
            digest = ""
        if digest and digest == self._own_hash and not engines.conflict_copies(self.path):
            return  # our own write, and no conflict copy from a sync engine beside it
        self._file_timer.start()

    def _watch(self) -> None:
        if self.path is None:
            return
        folder = str(self.path.parent)
        if folder not in self._watcher.directories() and self.path.parent.is_dir():
            self._watcher.addPath(folder)
        if str(self.path) not in self._watcher.files() and self.path.exists():
            self._watcher.addPath(str(self.path))

    def _unwatch(self) -> None:
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)
