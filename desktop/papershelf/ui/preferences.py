"""The preferences dialog, the BibTeX export defaults kept in QSettings, and the light/dark theme.

Settings written here (all in the application's QSettings):

- ``export/encoding`` ("ascii" for LaTeX-escaped ASCII, "utf-8"), ``export/abstract``,
  ``export/tags_as_keywords``, ``export/track_as_note``, ``export/notes_as_annote``: the defaults of a
  BibTeX export (``export_defaults``).
- ``appearance/theme``: "system", "light" or "dark" (``apply_theme``).
- ``notes/auto``: sync the notes file automatically (the window's own key). The notes file itself belongs
  to the library (``Library.notes_file_path``), not to these settings: each library has its own.
- ``search/fulltext``: plain words in the search box also search the attached PDFs' text (File → Search PDF
  text too is the same switch). The folder watched for PDFs, and whether matched PDFs are moved or copied,
  belong to the library (``services/pdfinbox.py``), like the notes file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, cast

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProxyStyle,
    QPushButton,
    QStyle,
    QStyleOption,
    QVBoxLayout,
    QWidget,
)

from papershelf.core.library import Library
from papershelf.core.storage.store import StoreError
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services import pdfinbox
from papershelf.ui.dialogs import NotesFileDialog
from papershelf.ui.notes_sync import NotesSync

THEME_KEY: Final = "appearance/theme"
THEMES: Final = ("system", "light", "dark")
THEME_LABELS: Final = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
NOTES_AUTO_KEY: Final = "notes/auto"
SEARCH_PDF_TEXT_KEY: Final = "search/fulltext"
ENCODING_KEY: Final = "export/encoding"
ENCODINGS: Final = {
    "ascii": "LaTeX-escaped ASCII (BibTeX, pdfLaTeX)",
    "utf-8": "UTF-8 (biber, XeLaTeX, LuaLaTeX)",
}
# BibtexOptions' switches besides the encoding: field name -> check box label.
EXPORT_SWITCHES: Final = {
    "abstract": "Include the abstract",
    "tags_as_keywords": "Tags as keywords",
    "track_as_note": "Track (Oral, Spotlight, Poster) as note",
    "notes_as_annote": "Notes as annote",
}


def _bool(settings: QSettings, key: str, default: bool) -> bool:
    value = settings.value(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    return default


def _text(value: bool) -> str:
    # Strings, as the window writes "notes/auto": an ini file reads the same whoever wrote it.
    return "true" if value else "false"


# -- export defaults ---------------------------------------------------------------------------------


def export_defaults(settings: QSettings) -> BibtexOptions:
    """The BibTeX export options the user chose in the preferences (BibtexOptions' defaults otherwise)."""
    base = BibtexOptions()
    encoding = str(settings.value(ENCODING_KEY, "") or "").lower()
    ascii_ = base.ascii if encoding not in ENCODINGS else encoding == "ascii"
    switches = {name: _bool(settings, f"export/{name}", getattr(base, name)) for name in EXPORT_SWITCHES}
    return BibtexOptions(ascii=ascii_, **cast("dict[str, Any]", switches))


def save_export_defaults(settings: QSettings, options: BibtexOptions) -> None:
    settings.setValue(ENCODING_KEY, "ascii" if options.ascii else "utf-8")
    for name in EXPORT_SWITCHES:
        settings.setValue(f"export/{name}", _text(getattr(options, name)))


# -- theme -------------------------------------------------------------------------------------------


def theme_setting(settings: QSettings) -> str:
    theme = str(settings.value(THEME_KEY, "system") or "system").lower()
    return theme if theme in THEMES else "system"


_ORIGINAL_STYLE = "papershelfOriginalStyle"  # a dynamic property on the application
INDICATOR_FRAME_ON_DARK: Final = "#8c8c8c"  # darkened 40 % by Fusion: #646464 on a #1f1f1f box


def apply_theme(app: QApplication, theme: str) -> str:
    """Show the application in ``theme`` ("system", "light" or "dark"); returns the theme applied.

    The platform is asked first (``QStyleHints.setColorScheme``): where it honours the request the native
    style stays. Where it does not (offscreen, many Linux desktops, older Qt), the Fusion style with a
    palette of our own does it. "system" undoes whatever an earlier call changed.
    """
    theme = theme if theme in THEMES else "system"
    original = app.property(_ORIGINAL_STYLE)
    if original:
        # Back to the platform's look before asking again, so the check below sees what the platform does.
        app.setStyle(str(original))
        app.setPalette(QPalette())
        app.setProperty(_ORIGINAL_STYLE, None)
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+
        if theme == "system":
            hints.unsetColorScheme()
        else:
            hints.setColorScheme(Qt.ColorScheme.Light if theme == "light" else Qt.ColorScheme.Dark)
    if theme == "system" or _is_dark(app.palette()) == (theme == "dark"):
        return theme
    app.setProperty(_ORIGINAL_STYLE, app.style().name())
    # Native styles (Windows, macOS) ignore most of a palette: Fusion follows it.
    if theme == "dark":
        app.setStyle(DarkFusionStyle())
    elif app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(dark_palette() if theme == "dark" else light_palette())
    return theme


class DarkFusionStyle(QProxyStyle):
    """Fusion with check boxes and radio buttons that can be seen on a dark palette.

    Fusion draws their frame in the window colour darkened by 40 %, which on a dark palette is the colour
    of the box itself: the facet check boxes in the sidebar vanished.
    """

    def __init__(self) -> None:
        super().__init__("Fusion")
        self._frame = QColor(INDICATOR_FRAME_ON_DARK)

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                      widget: QWidget | None = None) -> None:
        if element in (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorRadioButton):
            saved = QPalette(option.palette)
            palette = QPalette(saved)
            palette.setColor(QPalette.ColorRole.Window, self._frame)  # Fusion's outline: Window.darker(140)
            option.palette = palette
            try:
                super().drawPrimitive(element, option, painter, widget)
            finally:
                option.palette = saved
            return
        super().drawPrimitive(element, option, painter, widget)


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _palette(colours: dict[QPalette.ColorRole, str], disabled: dict[QPalette.ColorRole, str]) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role, colour in disabled.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


_R = QPalette.ColorRole


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style: light grey text on dark grey, a blue selection."""
    return _palette(
        {
            _R.Window: "#2b2b2b", _R.WindowText: "#e6e6e6", _R.Base: "#1f1f1f", _R.AlternateBase: "#272727",
            _R.ToolTipBase: "#3a3a3a", _R.ToolTipText: "#e6e6e6", _R.PlaceholderText: "#8f8f8f",
            _R.Text: "#e6e6e6", _R.Button: "#353535", _R.ButtonText: "#e6e6e6", _R.BrightText: "#ff6b6b",
            _R.Light: "#4a4a4a", _R.Midlight: "#3c3c3c", _R.Mid: "#262626", _R.Dark: "#1a1a1a",
            _R.Shadow: "#0f0f0f", _R.Highlight: "#2f6fce", _R.HighlightedText: "#ffffff", _R.Link: "#7cb4ff",
            _R.LinkVisited: "#c39bff", _R.Accent: "#2f6fce",
        },
        {_R.WindowText: "#7a7a7a", _R.Text: "#7a7a7a", _R.ButtonText: "#7a7a7a", _R.Highlight: "#4a4a4a",
         _R.HighlightedText: "#bdbdbd"},
    )


def light_palette() -> QPalette:
    """Fusion's light palette, spelled out: its own standard palette turns dark when the system is dark."""
    return _palette(
        {
            _R.Window: "#efefef", _R.WindowText: "#000000", _R.Base: "#ffffff", _R.AlternateBase: "#f7f7f7",
            _R.ToolTipBase: "#ffffdc", _R.ToolTipText: "#000000", _R.PlaceholderText: "#7f7f7f",
            _R.Text: "#000000", _R.Button: "#efefef", _R.ButtonText: "#000000", _R.BrightText: "#ffffff",
            _R.Light: "#ffffff", _R.Midlight: "#cacaca", _R.Mid: "#b8b8b8", _R.Dark: "#9f9f9f",
            _R.Shadow: "#767676", _R.Highlight: "#308cc6", _R.HighlightedText: "#ffffff", _R.Link: "#0000ff",
            _R.LinkVisited: "#ff00ff", _R.Accent: "#308cc6",
        },
        {_R.WindowText: "#bebebe", _R.Text: "#bebebe", _R.ButtonText: "#bebebe", _R.Highlight: "#919191",
         _R.HighlightedText: "#ffffff"},
    )


# -- the dialog --------------------------------------------------------------------------------------


class PreferencesDialog(QDialog):
    """Library, notes file, BibTeX export defaults and theme. ``apply()`` saves and puts them into effect."""

    def __init__(
        self,
        parent: QWidget | None,
        settings: QSettings,
        *,
        library_folder: Path | None = None,
        notes_sync: NotesSync | None = None,
        auto_sync_action: QAction | None = None,
        open_library: Callable[[], object] | None = None,
        library: Library | None = None,
        search_pdf_text_action: QAction | None = None,
        pdf_folder_changed: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.notes_sync = notes_sync
        self.auto_sync_action = auto_sync_action
        self.library = library
        self.search_pdf_text_action = search_pdf_text_action
        self.pdf_folder_changed = pdf_folder_changed
        layout = QVBoxLayout(self)

        library_box = QGroupBox("Library")
        library_layout = QVBoxLayout(library_box)
        self.library_label = QLabel(str(library_folder) if library_folder else "—")
        self.library_label.setObjectName("libraryFolder")
        self.library_label.setTextFormat(Qt.TextFormat.PlainText)
        self.library_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.library_label.setWordWrap(True)
        self.open_library_button = QPushButton("Open another library…")
        self.open_library_button.setToolTip("Opens the library in a window of its own")
        self.open_library_button.setEnabled(open_library is not None)
        if open_library is not None:
            self.open_library_button.clicked.connect(lambda: open_library())
        library_layout.addWidget(self.library_label)
        library_layout.addWidget(self.open_library_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(library_box)

        notes_box = QGroupBox("Notes file")
        notes_layout = QVBoxLayout(notes_box)
        path_row = QHBoxLayout()
        self.notes_path = QLineEdit()
        self.notes_path.setPlaceholderText("No notes file")
        self.notes_path.setClearButtonEnabled(True)
        self.notes_browse = QPushButton("Browse…")
        self.notes_browse.clicked.connect(self.browse_notes_file)
        path_row.addWidget(self.notes_path, 1)
        path_row.addWidget(self.notes_browse)
        self.notes_auto = QCheckBox("Sync automatically (after edits in the app or in the file)")
        notes_layout.addLayout(path_row)
        notes_layout.addWidget(self.notes_auto)
        notes_box.setEnabled(notes_sync is not None)
        layout.addWidget(notes_box)

        pdf_box = QGroupBox("PDFs")
        pdf_layout = QVBoxLayout(pdf_box)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Watch a folder:"))
        self.pdf_folder = QLineEdit()
        self.pdf_folder.setObjectName("watchedFolder")
        self.pdf_folder.setPlaceholderText("No folder is watched (for example your Downloads folder)")
        self.pdf_folder.setClearButtonEnabled(True)  # cleared: stop watching
        self.pdf_folder.setToolTip("A new PDF there is matched to its paper from its arXiv id, DOI or title; a "
                                   "sure match is attached, the others wait in File → Unmatched PDFs…")
        self.pdf_browse = QPushButton("Choose…")
        self.pdf_browse.clicked.connect(self.browse_pdf_folder)
        folder_row.addWidget(self.pdf_folder, 1)
        folder_row.addWidget(self.pdf_browse)
        self.pdf_problem = QLabel()
        self.pdf_problem.setObjectName("watchedFolderProblem")
        self.pdf_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.pdf_problem.setWordWrap(True)
        self.pdf_problem.hide()
        self.pdf_folder.textChanged.connect(lambda _text: self.pdf_problem.hide())
        self.pdf_move = QCheckBox("Move matched PDFs into the library (instead of copying them)")
        self.search_pdf_text = QCheckBox("Search PDF text too (plain words also find papers whose PDFs have them)")
        pdf_layout.addLayout(folder_row)
        pdf_layout.addWidget(self.pdf_problem)
        pdf_layout.addWidget(self.pdf_move)
        pdf_layout.addWidget(self.search_pdf_text)
        for widget in (self.pdf_folder, self.pdf_browse, self.pdf_move):
            widget.setEnabled(library is not None and not library.read_only)
        layout.addWidget(pdf_box)

        export_box = QGroupBox("BibTeX export defaults")
        export_layout = QFormLayout(export_box)
        self.encoding = QComboBox()
        for value, label in ENCODINGS.items():
            self.encoding.addItem(label, value)
        export_layout.addRow("Characters:", self.encoding)
        self.export_checks: dict[str, QCheckBox] = {}
        for name, label in EXPORT_SWITCHES.items():
            check = QCheckBox(label)
            self.export_checks[name] = check
            export_layout.addRow(check)
        layout.addWidget(export_box)

        theme_box = QGroupBox("Appearance")
        theme_layout = QFormLayout(theme_box)
        self.theme = QComboBox()
        for value, label in THEME_LABELS.items():
            self.theme.addItem(label, value)
        theme_layout.addRow("Theme:", self.theme)
        layout.addWidget(theme_box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.load()
        self.resize(520, self.sizeHint().height())

    # -- values ----------------------------------------------------------------------------------------

    def load(self) -> None:
        """Show the values saved in the settings (and the notes file the window syncs with)."""
        s = self.settings
        options = export_defaults(s)
        self.encoding.setCurrentIndex(self.encoding.findData("ascii" if options.ascii else "utf-8"))
        for name, check in self.export_checks.items():
            check.setChecked(bool(getattr(options, name)))
        self.theme.setCurrentIndex(self.theme.findData(theme_setting(s)))
        path = self.notes_sync.path if self.notes_sync is not None else None
        self.notes_path.setText(str(path) if path else "")
        auto = self.notes_sync.auto if self.notes_sync is not None else True
        self.notes_auto.setChecked(_bool(s, NOTES_AUTO_KEY, auto))
        if self.library is not None:
            folder = pdfinbox.watched_folder(self.library)
            self.pdf_folder.setText(str(folder) if folder else "")
            self.pdf_move.setChecked(pdfinbox.moves_matched(self.library))
        action = self.search_pdf_text_action
        self.search_pdf_text.setChecked(action.isChecked() if action is not None
                                        else _bool(s, SEARCH_PDF_TEXT_KEY, False))

    def export_options(self) -> BibtexOptions:
        switches = {name: check.isChecked() for name, check in self.export_checks.items()}
        return BibtexOptions(ascii=self.encoding.currentData() == "ascii", **cast("dict[str, Any]", switches))

    def chosen_theme(self) -> str:
        return str(self.theme.currentData())

    def chosen_notes_path(self) -> Path | None:
        text = self.notes_path.text().strip()
        return Path(text).expanduser() if text else None

    def chosen_pdf_folder(self) -> Path | None:
        text = self.pdf_folder.text().strip()
        return Path(text).expanduser() if text else None

    def pdf_folder_problem(self) -> str:
        """Why the watched folder typed cannot be watched ("" when it can, or when none is typed)."""
        folder = self.chosen_pdf_folder()
        if folder is None or self.library is None or not self.pdf_folder.isEnabled():
            return ""
        if not folder.is_dir():
            return f"{folder} is not a folder: choose one that exists, or clear the box to watch none"
        if self.library.folder.resolve() in (folder.resolve(), *folder.resolve().parents):
            return f"{folder} is inside the library folder: choose a folder outside it"
        return ""

    def accept(self) -> None:
        """OK: a watched folder that cannot be watched is said at once, and the dialog stays open (with
        everything typed in it)."""
        if problem := self.pdf_folder_problem():
            self.pdf_problem.setText(problem)
            self.pdf_problem.show()
            self.pdf_folder.setFocus()
            return
        super().accept()

    def browse_pdf_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder to watch for PDFs", self.pdf_folder.text())
        if chosen:
            self.pdf_folder.setText(chosen)

    def save(self) -> None:
        """Write the values to the settings (and to disk)."""
        s = self.settings
        save_export_defaults(s, self.export_options())
        s.setValue(THEME_KEY, self.chosen_theme())
        s.setValue(NOTES_AUTO_KEY, _text(self.notes_auto.isChecked()))
        s.setValue(SEARCH_PDF_TEXT_KEY, _text(self.search_pdf_text.isChecked()))
        s.sync()

    def apply_pdfs(self) -> str:
        """Put the watched folder (in the library) and the PDF text search into effect; a sentence when the
        folder could not be changed ("" otherwise)."""
        action = self.search_pdf_text_action
        if action is not None and action.isChecked() != self.search_pdf_text.isChecked():
            action.setChecked(self.search_pdf_text.isChecked())  # the window's own slot filters again
        library = self.library
        if library is None or not self.pdf_folder.isEnabled():
            return ""
        folder, move = self.chosen_pdf_folder(), self.pdf_move.isChecked()
        before = pdfinbox.watched_folder(library), pdfinbox.moves_matched(library)
        if folder is None and before[0] is None:
            return ""
        if problem := self.pdf_folder_problem():
            return f"The watched folder was not changed: {problem}"
        if (folder.resolve() if folder else None, move) == before:
            return ""
        try:
            pdfinbox.set_watched_folder(library, folder, move=move)
        except (ValueError, StoreError) as exc:
            return f"The watched folder was not changed: {exc}"
        if self.pdf_folder_changed is not None:
            self.pdf_folder_changed()
        return ""

    def apply(self) -> None:
        """Save, then put the notes file, auto-sync and theme into effect."""
        theme_before = theme_setting(self.settings)
        self.save()
        sync = self.notes_sync
        if sync is not None:
            path = self.chosen_notes_path()
            if path != sync.path:
                sync.set_path(path)
            auto = self.notes_auto.isChecked()
            if self.auto_sync_action is not None:
                self.auto_sync_action.setChecked(auto)  # the window's own slot follows (notes_sync.set_auto)
            if sync.auto != auto:
                sync.set_auto(auto)
        app = QApplication.instance()
        if isinstance(app, QApplication) and self.chosen_theme() != theme_before:
            apply_theme(app, self.chosen_theme())
        if (problem := self.apply_pdfs()) and (bar := getattr(self.parent(), "statusBar", None)) is not None:
            bar().showMessage(problem, 10000)

    def browse_notes_file(self) -> None:
        path = NotesFileDialog.ask(self, self.notes_path.text())
        if path:
            self.notes_path.setText(path)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        settings: QSettings,
        *,
        library_folder: Path | None = None,
        notes_sync: NotesSync | None = None,
        auto_sync_action: QAction | None = None,
        open_library: Callable[[], object] | None = None,
        library: Library | None = None,
        search_pdf_text_action: QAction | None = None,
        pdf_folder_changed: Callable[[], object] | None = None,
    ) -> bool:
        """Show the preferences; on OK they are saved and applied. Returns whether OK was pressed."""
        dialog = cls(parent, settings, library_folder=library_folder, notes_sync=notes_sync,
                     auto_sync_action=auto_sync_action, open_library=open_library, library=library,
                     search_pdf_text_action=search_pdf_text_action, pdf_folder_changed=pdf_folder_changed)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            dialog.apply()
            return True
        finally:
            dialog.deleteLater()


__all__ = [
    "THEMES",
    "PreferencesDialog",
    "apply_theme",
    "dark_palette",
    "export_defaults",
    "light_palette",
    "save_export_defaults",
    "theme_setting",
]
