"""Every bad argument the CLI can be given: exit non-zero, one line on stderr, no traceback, nothing changed.

Run through the real ``papershelf`` process (argv bytes as a shell passes them, real devices and FIFOs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOT_UTF8 = b"caf\xe9 \xff"  # Latin-1 bytes a UTF-8 locale cannot decode


def _state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.suffix == ".json"}


def _special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "pipe.bib"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.bib"
    zero.symlink_to("/dev/zero")
    note_fifo = tmp_path / "note-pipe.md"
    os.mkfifo(note_fifo)
    huge_bib = tmp_path / "huge.bib"
    with huge_bib.open("wb") as handle:  # sparse: 300 MB that take no disk
        handle.truncate(300 * 1024 * 1024)
    huge_note = tmp_path / "huge-note.md"
    with huge_note.open("wb") as handle:
        handle.truncate(17 * 1024 * 1024)
    return {"fifo": fifo, "zero": zero, "note_fifo": note_fifo, "huge_bib": huge_bib, "huge_note": huge_note}


CASES: dict[str, tuple[list[bytes | str], str]] = {
    "note not UTF-8": (["annotate", "katzir2021net", "--note", NOT_UTF8], "not valid UTF-8"),
    "tag not UTF-8": (["annotate", "katzir2021net", "--tag", NOT_UTF8], "not valid UTF-8"),
    "list not UTF-8": (["annotate", "katzir2021net", "--add-to-list", NOT_UTF8], "not valid UTF-8"),
    "notes file not UTF-8": (["sync", "--notes-file", b"/tmp/" + NOT_UTF8 + b".md"], "not valid UTF-8"),
    "import a device": (["import", "{zero}"], "not a regular file"),
    "import a FIFO": (["import", "{fifo}"], "not a regular file"),
    "import too large": (["import", "{huge_bib}"], "Papershelf reads up to 256 MB"),
    "note file a device": (["annotate", "katzir2021net", "--note-file", "/dev/zero"], "not a regular file"),
    "note file a FIFO": (["annotate", "katzir2021net", "--note-file", "{note_fifo}"], "not a regular file"),
    "note file too large": (["annotate", "katzir2021net", "--note-file", "{huge_note}"], "reads up to 16 MB"),
    "empty library name": (["--library", "", "list"], "--library needs a folder"),
    "rating out of range": (["annotate", "katzir2021net", "--rating", "99"], "rating is 0-5"),
    "unknown key": (["annotate", "nosuchkey2099", "--status", "read"], "nosuchkey2099"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_argument_is_one_line_and_changes_nothing(iclr_library_dir: Path, tmp_path: Path, case: str) -> None:
    words, expected = CASES[case]
    files = {name: str(path) for name, path in _special_files(tmp_path).items()}
    argv = [w.format(**files) if isinstance(w, str) else w for w in words]
    if "--library" not in argv:
        argv = ["--library", str(iclr_library_dir), *argv]
    before = _state(iclr_library_dir)

    result = subprocess.run([sys.executable, "-m", "papershelf", *argv], capture_output=True, timeout=60,
                            check=False, env={**os.environ, "LC_ALL": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"})

    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode != 0, stderr
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    assert expected in stderr
    assert _state(iclr_library_dir) == before
