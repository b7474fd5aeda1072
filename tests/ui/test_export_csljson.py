"""CSL-JSON in the export dialog and the window: the suffix, the options that apply, and a file kept updated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.ui.export_dialog import ExportDialog
from papershelf.ui.main_window import MainWindow
from tests.ui.conftest import pid


def test_the_dialog_offers_csl_json_with_the_options_that_apply(qtbot: QtBot, tmp_path: Path) -> None:
    export = ExportDialog(None, {"selection": 2, "filter": 6, "all": 6}, ["thesis"], BibtexOptions())
    qtbot.addWidget(export)
    export.path.setText(str(tmp_path / "refs.bib"))
    export.fmt.setCurrentIndex(export.fmt.findData("csl-json"))
    assert export.path.text() == str(tmp_path / "refs.json")
    assert export.options.currentIndex() == 0  # abstract, tags as keywords, notes: as for BibTeX
    export.bib_abstract.setChecked(False)
    request = export.request()
    assert request.fmt == "csl-json"
    assert request.options()["abstract"] is False


def test_the_window_keeps_a_csl_json_file_updated(
    qtbot: QtBot, small_library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_library.create_list("thesis")
    small_library.annotate([pid(small_library, "ada2020graph")], AnnotationChange(add_lists=("thesis",)))
    window = MainWindow(small_library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    target = tmp_path / "thesis.json"
    export = ExportDialog(window, {"selection": 0, "filter": 6, "all": 6}, ["thesis"], BibtexOptions(), "thesis")
    qtbot.addWidget(export)
    export.fmt.setCurrentIndex(export.fmt.findData("csl-json"))
    export.scope_buttons["list"].setChecked(True)
    export.keep_updated.setChecked(True)
    export.path.setText(str(target))
    request = export.request()
    monkeypatch.setattr(ExportDialog, "ask", classmethod(lambda cls, *a, **k: request))
    window.transfers.export_dialog()
    assert [item["id"] for item in json.loads(target.read_text(encoding="utf-8"))] == ["ada2020graph"]
    window.controller.add_to_list([pid(small_library, "bob2021kernel")], "thesis")
    qtbot.waitUntil(lambda: len(json.loads(target.read_text(encoding="utf-8"))) == 2)
    items = json.loads(target.read_text(encoding="utf-8"))
    assert [item["id"] for item in items] == ["ada2020graph", "bob2021kernel"]
    assert items[1]["author"] == [{"family": "Builder", "given": "Bob"}]
