"""The export dialog on its own: what it offers for the counts it is given, and the request it returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services.exporting import FORMATS, format_for
from papershelf.ui.export_dialog import ExportDialog, ExportRequest, default_name, file_pattern

COUNTS = {"selection": 3, "filter": 40, "all": 860}


def dialog(qtbot: QtBot, counts: dict[str, int] = COUNTS, lists: tuple[str, ...] = ("Group", "Later"),
           current: str | None = None, defaults: BibtexOptions | None = None) -> ExportDialog:
    widget = ExportDialog(None, counts, list(lists), defaults or BibtexOptions(), current)
    qtbot.addWidget(widget)
    return widget


def test_the_scopes_say_how_many_papers_and_a_selection_comes_first(qtbot: QtBot) -> None:
    export = dialog(qtbot)
    assert "(3)" in export.scope_buttons["selection"].text()
    assert "(40)" in export.scope_buttons["filter"].text()
    assert "(860)" in export.scope_buttons["all"].text()
    assert export.scope() == "selection"
    single = dialog(qtbot, {"selection": 1, "filter": 40, "all": 860})
    assert single.scope() == "filter"  # one selected paper is rarely what one exports
    none = dialog(qtbot, {"selection": 0, "filter": 40, "all": 860}, lists=())
    assert not none.scope_buttons["selection"].isEnabled()
    assert not none.scope_buttons["list"].isEnabled()


def test_export_needs_a_path_and_keep_updated_needs_a_list_or_everything(qtbot: QtBot) -> None:
    export = dialog(qtbot)
    assert not export.export_button.isEnabled()
    export.path.setText("refs.bib")
    assert export.export_button.isEnabled()
    assert not export.keep_updated.isEnabled()  # a selection or a search cannot be kept updated
    export.scope_buttons["list"].setChecked(True)
    assert export.keep_updated.isEnabled()
    export.keep_updated.setChecked(True)
    export.scope_buttons["filter"].setChecked(True)
    assert not export.keep_updated.isChecked()


def test_switching_format_changes_the_options_and_the_suffix(qtbot: QtBot) -> None:
    export = dialog(qtbot)
    export.path.setText("/tmp/out/refs.bib")
    export.fmt.setCurrentIndex(export.fmt.findData("markdown"))
    assert export.path.text() == "/tmp/out/refs.md"
    assert export.options.currentIndex() == 1


def test_each_format_s_proposed_name_and_filter_use_the_suffix_it_is_read_back_by() -> None:
    """The dialog's file name and filter for a format name a file the export (and import) takes for it."""
    for fmt in FORMATS:
        name = default_name(fmt)
        suffix = Path(name).suffix
        assert file_pattern(fmt).endswith(f"(*{suffix})")
        # biblatex shares .bib with BibTeX, which the suffix alone picks
        assert format_for(Path(name)) == ("bibtex" if fmt == "biblatex" else fmt)


def test_the_request_carries_every_choice(qtbot: QtBot, tmp_path: Path) -> None:
    export = dialog(qtbot, current="Later", defaults=BibtexOptions(ascii=True, abstract=False))
    assert export.list_combo.currentText() == "Later"
    assert not export.bib_utf8.isChecked()  # the preferences' defaults
    export.scope_buttons["list"].setChecked(True)
    export.bib_utf8.setChecked(True)
    export.bib_abstract.setChecked(True)
    export.keep_updated.setChecked(True)
    export.path.setText(str(tmp_path / "later.bib"))
    request = export.request()
    assert request.path == tmp_path / "later.bib"
    assert (request.fmt, request.scope, request.list_name, request.keep_updated) == ("bibtex", "list", "Later", True)
    assert not request.bibtex.ascii
    assert request.bibtex.abstract
    assert request.options() == {**request.options(), "ascii": False, "abstract": True}


def test_markdown_request_has_a_title(qtbot: QtBot, tmp_path: Path) -> None:
    export = dialog(qtbot)
    export.fmt.setCurrentIndex(export.fmt.findData("markdown"))
    export.md_title.setText("  ")
    export.md_notes.setChecked(True)
    export.path.setText(str(tmp_path / "list.md"))
    request = export.request()
    assert request.fmt == "markdown"
    assert request.markdown.title == "Reading list"  # never an empty title
    assert request.markdown.notes
    assert request.options()["notes"] is True


@pytest.mark.parametrize("accepted", [True, False])
def test_ask_returns_the_request_or_none(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, accepted: bool
) -> None:
    def exec_(self: ExportDialog) -> int:  # the user fills the path and presses Export, or Cancel
        self.path.setText(str(tmp_path / "all.bib"))
        return (QDialog.DialogCode.Accepted if accepted else QDialog.DialogCode.Rejected).value

    monkeypatch.setattr(ExportDialog, "exec", exec_)
    result = ExportDialog.ask(None, COUNTS, [], BibtexOptions())
    if accepted:
        assert isinstance(result, ExportRequest)
        assert result.path == tmp_path / "all.bib"
    else:
        assert result is None


def test_a_markdown_title_is_the_chosen_lists_name_unless_one_was_typed(qtbot: QtBot) -> None:
    export = dialog(qtbot)
    export.fmt.setCurrentIndex(export.fmt.findData("markdown"))
    assert export.md_title.text() == "Reading list"
    export.scope_buttons["list"].setChecked(True)
    export.list_combo.setCurrentText("Later")
    assert export.md_title.text() == "Later"
    assert export.request().markdown.title == "Later"
    export.md_title.selectAll()
    qtbot.keyClicks(export.md_title, "For the reading group")
    export.list_combo.setCurrentText("Group")
    assert export.md_title.text() == "For the reading group"


def test_the_next_export_starts_from_the_last_ones_choices(qtbot: QtBot, tmp_path: Path) -> None:
    from papershelf.formats.markdown_export import MarkdownOptions

    last = ExportRequest(path=tmp_path / "later.md", fmt="markdown", scope="all",
                         bibtex=BibtexOptions(ascii=False, abstract=False),
                         markdown=MarkdownOptions(group_by="tag", abstract=True, notes=True))
    export = ExportDialog(None, COUNTS, ["Group", "Later"], BibtexOptions(), None, last)
    qtbot.addWidget(export)
    request = export.request()
    assert (request.fmt, request.path) == ("markdown", tmp_path / "later.md")
    assert (request.markdown.group_by, request.markdown.abstract, request.markdown.notes) == ("tag", True, True)
    assert (request.bibtex.ascii, request.bibtex.abstract) == (False, False)
    assert export.export_button.isEnabled()


def test_with_files_is_a_bibtex_choice_carried_in_the_request_and_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    export = dialog(qtbot)
    export.path.setText(str(tmp_path / "refs.bib"))
    assert export.bib_files.isEnabled()
    assert not export.bib_files.isChecked()  # off unless asked: the file field names paths on this machine
    assert not export.request().bibtex.with_files
    export.bib_files.setChecked(True)
    assert export.request().bibtex.with_files
    export.fmt.setCurrentIndex(export.fmt.findData("biblatex"))
    assert not export.bib_files.isEnabled()
    assert not export.request().bibtex.with_files  # only BibTeX writes them
    export.fmt.setCurrentIndex(export.fmt.findData("bibtex"))
    last = export.request()
    again = ExportDialog(None, COUNTS, ["Group"], BibtexOptions(), None, last)
    qtbot.addWidget(again)
    assert again.bib_files.isChecked()
    assert again.request().bibtex.with_files
