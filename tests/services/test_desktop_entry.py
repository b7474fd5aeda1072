"""The freedesktop launcher: the bundled entry is valid, install-desktop puts it and the icons in place."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from papershelf.core.resources import resources_dir
from papershelf.services import desktop_entry, importing

VALIDATE = shutil.which("desktop-file-validate")
needs_validator = pytest.mark.skipif(VALIDATE is None, reason="desktop-file-validate (desktop-file-utils) missing")
VENV_BIN = Path(sys.executable).parent
FIXTURES = Path(__file__).parent.parent / "fixtures" / "ris"
RIS_TYPE = "application/x-research-info-systems"
WOS_TYPE = "application/x-inst-for-scientific-info"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
needs_mime_tools = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("update-mime-database", "update-desktop-database", "xdg-mime", "gio")),
    reason="shared-mime-info, desktop-file-utils, xdg-utils and gio (libglib2.0-bin) are installed by .ci/run",
)


def validate(path: Path) -> list[str]:
    """desktop-file-validate's complaints, hints left out (Office;Education;Science; is two main categories)."""
    assert VALIDATE is not None
    result = subprocess.run([VALIDATE, str(path)], capture_output=True, text=True, timeout=30, check=False)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if ": hint: " not in line]
    assert result.returncode == 0 or lines, "validator failed without saying why"
    return lines


def entry_values(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def papershelf(data_home: Path, *args: str, path: str | None = None, exe: list[str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    if path is not None:
        env["PATH"] = path
    command = exe or [sys.executable, "-m", "papershelf"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=60, check=False)


@needs_validator
def test_bundled_entry_is_valid_and_complete() -> None:
    path = resources_dir() / "papershelf.desktop"
    assert validate(path) == []
    values = entry_values(path)
    assert values["Name"] == "Papershelf"
    assert values["GenericName"] == "Reading List Manager"
    assert values["Exec"] == "papershelf %F"
    assert values["Icon"] == "papershelf"
    assert values["Terminal"] == "false"
    assert values["Type"] == "Application"
    assert values["Categories"] == "Office;"  # one main category (desktop-file-validate)
    # BibTeX, RIS, Web of Science: not every .md or .json (a .json is application/json whatever it holds)
    assert values["MimeType"] == f"text/x-bibtex;{RIS_TYPE};{WOS_TYPE};"
    assert values["StartupWMClass"] == "papershelf"
    assert values["Comment"]
    assert "BibTeX" in values["Keywords"]


def test_bundled_icons_have_their_sizes() -> None:
    icons = resources_dir() / "icons"
    for n in desktop_entry.ICON_SIZES:
        assert png_size(icons / f"papershelf-{n}.png") == (n, n)


@needs_validator
def test_install_desktop_puts_entry_and_icons_where_the_spec_says(tmp_path: Path) -> None:
    home = tmp_path / "share"
    script = VENV_BIN / "papershelf"
    result = papershelf(home, "install-desktop", exe=[str(script)])
    assert result.returncode == 0, result.stderr

    entry = home / "applications" / "papershelf.desktop"
    assert f"wrote {entry}" in result.stdout
    assert validate(entry) == []
    values = entry_values(entry)
    assert values["Exec"] == f"{script.resolve()} %F"
    assert values["TryExec"] == str(script.resolve())
    assert values["Icon"] == "papershelf"
    assert oct(entry.stat().st_mode & 0o777) == oct(0o644)
    for n in desktop_entry.ICON_SIZES:
        icon = home / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "papershelf.png"
        assert png_size(icon) == (n, n)
        assert f"wrote {icon}" in result.stdout
    svg = home / "icons" / "hicolor" / "scalable" / "apps" / "papershelf.svg"
    assert svg.read_bytes() == (resources_dir() / "icons" / "papershelf.svg").read_bytes()
    assert not Path(os.environ["PAPERSHELF_HOME"]).exists()  # no library was opened (or seeded)


def test_uninstall_desktop_removes_exactly_what_install_wrote(tmp_path: Path) -> None:
    home = tmp_path / "share"
    neighbour = home / "applications" / "other.desktop"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_text("[Desktop Entry]\n")
    assert papershelf(home, "install-desktop").returncode == 0
    planned = {f.target for f in desktop_entry.planned_files(home)}
    installed = {p for p in home.rglob("*") if p.is_file()} - {neighbour}
    assert planned <= installed
    caches = installed - planned  # what update-mime-database and update-desktop-database built, where installed
    assert all(p.is_relative_to(home / "mime") or p.name == "mimeinfo.cache" for p in caches), caches

    result = papershelf(home, "uninstall-desktop")
    assert result.returncode == 0, result.stderr
    left = {p for p in home.rglob("*") if p.is_file()} - {neighbour}
    # Another launcher is there, so the applications' MIME cache is rebuilt for it, without Papershelf.
    cache = home / "applications" / "mimeinfo.cache"
    assert left <= {cache}
    assert "papershelf" not in (cache.read_text() if cache.exists() else "")
    assert result.stdout.count("removed ") == len(planned)
    assert not (home / "mime").exists()  # nothing but Papershelf's package was there: no empty database stays

    again = papershelf(home, "uninstall-desktop")
    assert again.returncode == 0
    assert again.stdout.startswith("nothing to remove")


@needs_validator
def test_without_the_command_on_path_exec_runs_the_module(tmp_path: Path) -> None:
    home = tmp_path / "share"
    result = papershelf(home, "install-desktop", path="/nonexistent")
    assert result.returncode == 0, result.stderr
    # Without update-mime-database the package is written all the same, and the person is told what to run.
    assert (home / "mime" / "packages" / "papershelf.xml").is_file()
    assert "update-mime-database is not installed (Debian: shared-mime-info)" in result.stdout
    entry = home / "applications" / "papershelf.desktop"
    assert validate(entry) == []
    assert entry_values(entry)["Exec"] == f"{os.path.abspath(sys.executable)} -m papershelf %F"


@needs_validator
def test_exec_with_spaces_and_percent_is_quoted_for_the_spec(tmp_path: Path) -> None:
    odd = '/opt/My Apps/100% "papershelf"/bin/papershelf'
    assert desktop_entry.quote_exec_argument(odd) == '"/opt/My Apps/100%% \\"papershelf\\"/bin/papershelf"'
    home = tmp_path / "share"
    desktop_entry.install(home, command=[odd])
    entry = home / "applications" / "papershelf.desktop"
    assert validate(entry) == []
    # The string-level escape doubles each backslash of the Exec quoting.
    assert entry_values(entry)["Exec"] == '"/opt/My Apps/100%% \\\\"papershelf\\\\"/bin/papershelf" %F'


def mime_types_defined() -> dict[str, ET.Element]:
    root = ET.parse(resources_dir() / desktop_entry.MIME_PACKAGE).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    return {element.attrib["type"]: element for element in root.findall(f"{MIME_NS}mime-type")}


def test_mime_package_defines_every_type_the_entry_opens_that_debian_lacks() -> None:
    """Works without the MIME tools: the package is well-formed XML in the spec's namespace, names each
    type the launcher claims (but BibTeX, which shared-mime-info has), with a comment, a glob Papershelf
    imports by and magic that Papershelf's own content sniffing reads as the same format."""
    defined = mime_types_defined()
    claimed = entry_values(resources_dir() / "papershelf.desktop")["MimeType"].strip(";").split(";")
    assert set(defined) == set(claimed) - {"text/x-bibtex"}
    suffix_of = {RIS_TYPE: ".ris", WOS_TYPE: ".ciw"}
    for mime_type, element in defined.items():
        assert (element.findtext(f"{MIME_NS}comment") or "").strip()
        assert [g.attrib["pattern"] for g in element.findall(f"{MIME_NS}glob")] == [f"*{suffix_of[mime_type]}"]
        assert suffix_of[mime_type] in importing.supported_suffixes()
        matches = element.findall(f"{MIME_NS}magic/{MIME_NS}match")
        assert matches
        for match in matches:
            assert match.attrib["type"] == "string"
            start = match.attrib["offset"].split(":")[0]
            text = " " * int(start) + match.attrib["value"] + "\n"
            assert importing.sniff(text.lstrip(" ")) == suffix_of[mime_type], match.attrib["value"]


def query(home: Path, *args: str) -> str:
    """xdg-mime as a GNOME session runs it (through GIO, which reads the user's MIME database)."""
    env = {**os.environ, "XDG_DATA_HOME": str(home), "XDG_CURRENT_DESKTOP": "GNOME"}
    result = subprocess.run(["xdg-mime", "query", *args], capture_output=True, text=True, env=env, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@needs_mime_tools
def test_after_install_desktop_ris_files_have_their_type_and_open_with_papershelf(tmp_path: Path) -> None:
    home = tmp_path / "share"
    files = tmp_path / "downloads"
    files.mkdir()
    ris = (FIXTURES / "ieee.ris").read_bytes()
    wos = (FIXTURES / "savedrecs.txt").read_bytes()
    (files / "export.ris").write_bytes(ris)
    (files / "citations").write_bytes(b"\xef\xbb\xbf\r\n" + ris.replace(b"\n", b"\r\n"))  # no suffix: by content
    (files / "records.ciw").write_bytes(wos)
    (files / "savedrecs").write_bytes(b"\xef\xbb\xbf" + wos)
    (files / "plain").write_bytes(b"TY is not a tag here\n")
    before = {name: query(home, "filetype", str(files / name)) for name in ("export.ris", "citations")}
    assert RIS_TYPE not in before.values()  # Debian's own database does not know RIS

    result = papershelf(home, "install-desktop")
    assert result.returncode == 0, result.stderr
    assert f"updated {home / 'mime'} (update-mime-database)" in result.stdout
    assert query(home, "filetype", str(files / "export.ris")) == RIS_TYPE
    assert query(home, "filetype", str(files / "citations")) == RIS_TYPE
    assert query(home, "filetype", str(files / "records.ciw")) == WOS_TYPE
    assert query(home, "filetype", str(files / "savedrecs")) == WOS_TYPE
    assert query(home, "filetype", str(files / "plain")) == "text/plain"
    for mime_type in (RIS_TYPE, WOS_TYPE, "text/x-bibtex"):
        assert query(home, "default", mime_type) == "papershelf.desktop"

    assert papershelf(home, "uninstall-desktop").returncode == 0
    assert query(home, "filetype", str(files / "export.ris")) == before["export.ris"]
    assert query(home, "default", RIS_TYPE) == ""


@needs_mime_tools
def test_uninstall_keeps_the_caches_other_launchers_need(tmp_path: Path) -> None:
    """A launcher in a subfolder (wine puts them in applications/wine/...) and another MIME package stay
    known after Papershelf's are gone: the caches are rebuilt for them, not removed."""
    home = tmp_path / "share"
    wine = home / "applications" / "wine" / "notepad.desktop"
    wine.parent.mkdir(parents=True)
    wine.write_text("[Desktop Entry]\nType=Application\nName=Notepad\nExec=notepad %f\nMimeType=text/plain;\n",
                    encoding="utf-8")
    other = home / "mime" / "packages" / "other.xml"
    other.parent.mkdir(parents=True)
    other.write_text('<?xml version="1.0"?>\n<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">'
                     '<mime-type type="application/x-other"><comment>Other</comment><glob pattern="*.oth"/>'
                     "</mime-type></mime-info>\n", encoding="utf-8")
    assert papershelf(home, "install-desktop").returncode == 0
    assert papershelf(home, "uninstall-desktop").returncode == 0
    cache = (home / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
    assert "wine-notepad.desktop" in cache
    assert "papershelf" not in cache
    globs = (home / "mime" / "globs2").read_text(encoding="utf-8")
    assert "application/x-other:*.oth" in globs
    assert "*.ris" not in globs
