"""Import and export from the window: what the file dialogs remember."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from papershelf.ui.transfer import last_folder, remember_folder


def test_a_file_dialog_starts_where_the_last_one_for_that_purpose_ended(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert last_folder(settings, "import") == ""
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    remember_folder(settings, "import", downloads)
    settings.sync()
    again = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert last_folder(again, "import") == str(downloads)
    assert last_folder(again, "export") == ""  # each purpose its own
    downloads.rmdir()
    assert last_folder(again, "import") == ""  # a folder that is gone is not offered
