"""File -> Export: choose what (selection, current filter, a reading list, everything), how, and where."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.formats.markdown_export import GROUPINGS, MarkdownOptions
from papershelf.formats.ris import RisOptions
from papershelf.services.exporting import BIBTEX_OPTION_FORMATS, SUFFIX_OF, format_for

SCOPES = ("selection", "filter", "list", "all")


@dataclass(slots=True)
class ExportRequest:
    """What the user asked for in the export dialog."""

    path: Path
    fmt: str  # one of services.exporting.FORMATS
    scope: str  # one of SCOPES
    list_name: str | None = None
    keep_updated: bool = False
    bibtex: BibtexOptions = field(default_factory=BibtexOptions)
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)
    ris: RisOptions = field(default_factory=RisOptions)

    def options(self) -> dict[str, Any]:
        """The chosen format's options by name (what a keep-updated tie stores)."""
        if self.fmt in BIBTEX_OPTION_FORMATS:  # biblatex: formats.biblatex_export always writes ids
            return asdict(self.bibtex)
        return asdict(self.ris) if self.fmt == "ris" else asdict(self.markdown)


# Each format's row in the format list, and its options page (an index into the stack below).
FORMAT_LABELS = (
    ("bibtex", "BibTeX (.bib)"),
    ("biblatex", "biblatex (.bib, for biber: date, journaltitle, eprint)"),
    ("ris", "RIS (.ris: EndNote, Mendeley, Zotero, Word)"),
    ("csl-json", "CSL-JSON (.json: pandoc, Quarto, Zotero)"),
    ("markdown", "Markdown reading list (.md)"),
)
_PAGES = {fmt: 0 for fmt in BIBTEX_OPTION_FORMATS} | {"markdown": 1, "ris": 2}
_NAMES = {"bibtex": "BibTeX", "biblatex": "biblatex", "ris": "RIS", "csl-json": "CSL-JSON", "markdown": "Markdown"}


def file_pattern(fmt: str) -> str:
    """The file dialog's filter for ``fmt`` ("RIS (*.ris)"), its suffix from ``exporting.SUFFIX_OF``."""
    return f"{_NAMES[fmt]} (*{SUFFIX_OF[fmt]})"


def default_name(fmt: str) -> str:
    """The file name the dialog proposes for ``fmt``."""
    return ("reading-list" if fmt == "markdown" else "references") + SUFFIX_OF[fmt]


class ExportDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        counts: dict[str, int],
        list_names: Sequence[str],
        bibtex_defaults: BibtexOptions,
        current_list: str | None = None,
        last: ExportRequest | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        layout = QVBoxLayout(self)

        self.fmt = QComboBox()
        for fmt, label in FORMAT_LABELS:
            self.fmt.addItem(label, fmt)

        scope_box = QGroupBox("Papers")
        scope_layout = QVBoxLayout(scope_box)
        self.scope_buttons: dict[str, QRadioButton] = {}
        labels = {
            "selection": f"The selected papers ({counts.get('selection', 0)})",
            "filter": f"The papers shown by the current search and filters ({counts.get('filter', 0)})",
            "list": "A reading list:",
            "all": f"The whole library ({counts.get('all', 0)})",
        }
        self.list_combo = QComboBox()
        self.list_combo.addItems(list(list_names))
        if current_list and current_list in list_names:
            self.list_combo.setCurrentText(current_list)
        for scope in SCOPES:
            button = QRadioButton(labels[scope])
            self.scope_buttons[scope] = button
            if scope == "list":
                row = QHBoxLayout()
                row.addWidget(button)
                row.addWidget(self.list_combo, 1)
                scope_layout.addLayout(row)
                button.setEnabled(bool(list_names))
            else:
                scope_layout.addWidget(button)
        self.scope_buttons["selection"].setEnabled(counts.get("selection", 0) > 0)
        default = "selection" if counts.get("selection", 0) > 1 else "filter"
        self.scope_buttons[default].setChecked(True)

        self.bib_utf8 = QCheckBox("UTF-8 (for biblatex/biber) instead of LaTeX-escaped ASCII (for bibtex)")
        self.bib_utf8.setChecked(not bibtex_defaults.ascii)
        self.bib_abstract = QCheckBox("Include abstracts")
        self.bib_abstract.setChecked(bibtex_defaults.abstract)
        self.bib_keywords = QCheckBox("Tags as keywords")
        self.bib_keywords.setChecked(bibtex_defaults.tags_as_keywords)
        self.bib_track = QCheckBox("Track (Oral, Spotlight, Poster) as note")
        self.bib_track.setChecked(bibtex_defaults.track_as_note)
        self.bib_notes = QCheckBox("My notes as annote")
        self.bib_notes.setChecked(bibtex_defaults.notes_as_annote)
        self.bib_files = QCheckBox("Attached files as a file field (JabRef's form, paths relative to the .bib)")
        self.bib_files.setObjectName("withFiles")
        self.bib_files.setChecked(bibtex_defaults.with_files)
        bib_page = QWidget()
        bib_layout = QVBoxLayout(bib_page)
        for box in (self.bib_utf8, self.bib_abstract, self.bib_keywords, self.bib_track, self.bib_notes,
                    self.bib_files):
            bib_layout.addWidget(box)

        self.md_title = QLineEdit("Reading list")
        self.md_group = QComboBox()
        for grouping in GROUPINGS:
            self.md_group.addItem(grouping.capitalize() if grouping != "none" else "No grouping", grouping)
        self.md_abstract = QCheckBox("Include abstracts")
        self.md_notes = QCheckBox("Include my notes")
        md_page = QWidget()
        md_layout = QFormLayout(md_page)
        md_layout.addRow("Title", self.md_title)
        md_layout.addRow("Group by", self.md_group)
        md_layout.addRow(self.md_abstract)
        md_layout.addRow(self.md_notes)

        self.ris_abstract = QCheckBox("Include abstracts")
        self.ris_abstract.setChecked(True)
        self.ris_keywords = QCheckBox("Tags as keywords (KW)")
        self.ris_keywords.setChecked(True)
        self.ris_notes = QCheckBox("My notes as notes (N1)")
        ris_page = QWidget()
        ris_layout = QVBoxLayout(ris_page)
        for box in (self.ris_abstract, self.ris_keywords, self.ris_notes):
            ris_layout.addWidget(box)

        self.options = QStackedWidget()
        self.options.addWidget(bib_page)
        self.options.addWidget(md_page)
        self.options.addWidget(ris_page)

        self.path = QLineEdit()
        self.path.setPlaceholderText("where to write the file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.keep_updated = QCheckBox(
            "Keep this file updated: rewrite it whenever these papers change (reading list or whole library)"
        )

        form = QFormLayout()
        form.addRow("Format", self.fmt)
        layout.addLayout(form)
        layout.addWidget(scope_box)
        layout.addWidget(self.options)
        layout.addLayout(path_row)
        layout.addWidget(self.keep_updated)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.fmt.currentIndexChanged.connect(self._format_changed)
        for button in self.scope_buttons.values():
            button.toggled.connect(self._update)
        self.path.textChanged.connect(self._update)
        self.path.textEdited.connect(self._follow_suffix)
        self.list_combo.currentTextChanged.connect(self._update)
        if last is not None:
            self._start_from(last)
        self._files_for(str(self.fmt.currentData()))
        self._update()
        self.resize(620, 520)

    def _start_from(self, last: ExportRequest) -> None:
        """The choices of the last export in this window: format, file, and each format's options."""
        self.fmt.setCurrentIndex(max(self.fmt.findData(last.fmt), 0))
        self.path.setText(str(last.path))
        bib = last.bibtex
        for box, value in ((self.bib_utf8, not bib.ascii), (self.bib_abstract, bib.abstract),
                           (self.bib_keywords, bib.tags_as_keywords), (self.bib_track, bib.track_as_note),
                           (self.bib_notes, bib.notes_as_annote), (self.bib_files, bib.with_files)):
            box.setChecked(value)
        self.md_group.setCurrentIndex(max(self.md_group.findData(last.markdown.group_by), 0))
        self.md_abstract.setChecked(last.markdown.abstract)
        self.md_notes.setChecked(last.markdown.notes)
        for box, value in ((self.ris_abstract, last.ris.abstract), (self.ris_keywords, last.ris.tags_as_keywords),
                           (self.ris_notes, last.ris.notes)):
            box.setChecked(value)

    def _format_changed(self) -> None:
        fmt = str(self.fmt.currentData())
        self.options.setCurrentIndex(_PAGES[fmt])
        self._files_for(fmt)
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix(SUFFIX_OF[fmt])))

    def _files_for(self, fmt: str) -> None:
        """The file field is BibTeX's (export --with-files): offered there, kept but greyed for the others."""
        self.bib_files.setEnabled(fmt == "bibtex")
        self.bib_files.setToolTip("" if fmt == "bibtex" else "Only a BibTeX export writes the attached files")

    def _browse(self) -> None:
        fmt = str(self.fmt.currentData())
        default = self.path.text() or default_name(fmt)
        path, _ = QFileDialog.getSaveFileName(self, "Export to", default, file_pattern(fmt))
        if path:
            self.path.setText(path)
            self._follow_suffix()

    def scope(self) -> str:
        return next(s for s, b in self.scope_buttons.items() if b.isChecked())

    def _follow_suffix(self) -> None:
        """A file name typed or chosen with another format's suffix (``.ris``, ``.md``) picks that format."""
        wanted = format_for(Path(self.path.text().strip()), default="")
        current = str(self.fmt.currentData())
        if wanted and wanted != current and SUFFIX_OF[current] != SUFFIX_OF[wanted]:
            self.fmt.setCurrentIndex(self.fmt.findData(wanted))

    def _update(self) -> None:
        if not self.md_title.isModified():  # a title the user typed stays; otherwise the list's name
            chosen = self.list_combo.currentText() if self.scope() == "list" else ""
            self.md_title.setText(chosen or "Reading list")
        tieable = self.scope() in ("list", "all")
        self.keep_updated.setEnabled(tieable)
        if not tieable:
            self.keep_updated.setChecked(False)
        self.export_button.setEnabled(bool(self.path.text().strip()))

    def request(self) -> ExportRequest:
        fmt = str(self.fmt.currentData())
        return ExportRequest(
            path=Path(self.path.text().strip()).expanduser(),
            fmt=fmt,
            scope=self.scope(),
            list_name=self.list_combo.currentText() if self.scope() == "list" else None,
            keep_updated=self.keep_updated.isChecked(),
            bibtex=BibtexOptions(
                ascii=not self.bib_utf8.isChecked(),
                abstract=self.bib_abstract.isChecked(),
                tags_as_keywords=self.bib_keywords.isChecked(),
                track_as_note=self.bib_track.isChecked(),
                notes_as_annote=self.bib_notes.isChecked(),
                with_files=self.bib_files.isChecked() and fmt == "bibtex",
            ),
            markdown=MarkdownOptions(
                title=self.md_title.text().strip() or "Reading list",
                group_by=str(self.md_group.currentData()),
                abstract=self.md_abstract.isChecked(),
                notes=self.md_notes.isChecked(),
            ),
            ris=RisOptions(
                abstract=self.ris_abstract.isChecked(),
                tags_as_keywords=self.ris_keywords.isChecked(),
                notes=self.ris_notes.isChecked(),
            ),
        )

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        counts: dict[str, int],
        list_names: Sequence[str],
        bibtex_defaults: BibtexOptions,
        current_list: str | None = None,
        last: ExportRequest | None = None,
    ) -> ExportRequest | None:
        dialog = cls(parent, counts, list_names, bibtex_defaults, current_list, last)
        return dialog.request() if dialog.exec() == QDialog.DialogCode.Accepted else None
