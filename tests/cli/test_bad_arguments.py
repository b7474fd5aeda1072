"""Every bad argument the CLI can be given: exit non-zero, one line on stderr, no traceback, nothing changed.

Run through the real ``papershelf`` process (argv bytes as a shell passes them, real devices and FIFOs).
"""

from __future__ import annotations

import os
import stat
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
    out_fifo = tmp_path / "out.bib"
    os.mkfifo(out_fifo)
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    not_pdf = tmp_path / "not-a-style.csl"
    not_pdf.write_bytes(NOT_UTF8)
    return {"fifo": fifo, "zero": zero, "note_fifo": note_fifo, "huge_bib": huge_bib, "huge_note": huge_note,
            "out_fifo": out_fifo, "folder": folder, "not_a_style": not_pdf}


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
    # the files, links, trash, cite and exchange commands
    "attach to an unknown key": (["attach", "nosuchkey2099", "{not_a_style}"], "nosuchkey2099"),
    "attach a missing file": (["attach", "katzir2021net", "{folder}/none.pdf"], "no such file"),
    "attach a folder": (["attach", "katzir2021net", "{folder}"], "is not a file"),
    "attach a device": (["attach", "katzir2021net", "{zero}"], "is not a file"),
    "link a FIFO": (["attach", "--link", "katzir2021net", "{fifo}"], "is not a file"),
    "attach a name not UTF-8": (["attach", "katzir2021net", b"/tmp/" + NOT_UTF8 + b".pdf"], "not valid UTF-8"),
    "files of an unknown key": (["files", "nosuchkey2099"], "nosuchkey2099"),
    "detach what is not attached": (["detach", "katzir2021net", "7"], "has no file '7'"),
    "links of an unknown key": (["links", "nosuchkey2099"], "nosuchkey2099"),
    "match a missing folder": (["match-pdfs", "{folder}/none"], "no such folder"),
    "match a device": (["match-pdfs", "{zero}"], "is not a folder"),
    "match a file": (["match-pdfs", "{not_a_style}"], "is not a folder"),
    "cite an unknown key": (["cite", "katzir2021net", "nosuchkey2099"], "nosuchkey2099"),
    "cite in an unknown style": (["cite", "--style", "nosuchstyle", "katzir2021net"], "unknown citation style"),
    "cite with a FIFO style": (["cite", "--style", "{fifo}", "katzir2021net"], "is not a style file"),
    "cite with a missing style": (["cite", "--style", "{folder}/none.csl", "katzir2021net"], "no such style file"),
    "cite with a style not XML": (["cite", "--style", "{not_a_style}", "katzir2021net"], "is not a CSL style"),
    "remove an unknown key": (["remove", "katzir2021net", "nosuchkey2099"], "nosuchkey2099"),
    "restore an unknown key": (["restore", "nosuchkey2099"], "nosuchkey2099"),
    "empty-trash with a word": (["empty-trash", "now"], "unrecognized arguments"),
    "export RIS to a FIFO": (["export", "--format", "ris", "-o", "{out_fifo}"], "not a regular file"),
    "export biblatex to a folder": (["export", "--format", "biblatex", "-o", "{folder}"], "is a folder"),
    "export CSL-JSON into no folder": (["export", "--format", "csl-json", "-o", "{folder}/no/x.json"], "not exist"),
    "keep a FIFO updated": (["export", "--format", "ris", "--keep-updated", "-o", "{out_fifo}"], "not a regular file"),
    "export to an unknown list": (["export", "--format", "ris", "--list", "nolist"], "no reading list named"),
    "export an unknown format": (["export", "--format", "endnote"], "invalid choice"),
    "files in a RIS export": (["export", "--format", "ris", "--with-files"], "--with-files writes BibTeX's"),
    "files kept in CSL-JSON": (["export", "--with-files", "--keep-updated", "-o", "{folder}/r.json"], "a csl-json"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_argument_is_one_line_and_changes_nothing(iclr_library_dir: Path, tmp_path: Path, case: str) -> None:
    words, expected = CASES[case]
    special = _special_files(tmp_path)
    files = {name: str(path) for name, path in special.items()}
    kinds = {name: stat.S_IFMT(path.lstat().st_mode) for name, path in special.items()}
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
    assert not (iclr_library_dir / "files").exists()
    assert {name: stat.S_IFMT(path.lstat().st_mode) for name, path in special.items()} == kinds


def test_no_display_says_so_instead_of_aborting(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "papershelf", "--library", str(tmp_path / "lib")],
                            capture_output=True, text=True, timeout=60, check=False, env=env)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "no display" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert not (tmp_path / "lib").exists()
