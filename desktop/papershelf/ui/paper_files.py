"""A paper's links and attached files in the detail pane, and opening a paper (the ``o`` key).

Everything opens in the system's own application (``QDesktopServices.openUrl``: the browser, the PDF
viewer, the file manager), never inside Papershelf. The rules (which link is best, where a copy goes,
what detaching does) are ``services.links`` and ``services.attachments``; this module shows and asks.
A file that is missing is listed as missing; a PDF that cannot be read is attached and said so here,
never in a dialog.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from papershelf.core.library import Library
from papershelf.core.search.query import FULLTEXT, Query, QueryError, parse_query
from papershelf.core.storage.store import StoreError
from papershelf.services import attachments, fulltext, links
from papershelf.services.attachments import Attachment, AttachmentError
from papershelf.ui.controller import LibraryController
from papershelf.ui.text import plain_tooltip

_ITEM_ROLE = Qt.ItemDataRole.UserRole
# Shorter names for the title searches, tried in turn until the links fit on one line of the pane.
SHORTER_NAMES: tuple[dict[str, str], ...] = (
    {},
    {"arxiv-search": "arXiv"},
    {"arxiv-search": "arXiv", "scholar": "Scholar"},
    {"arxiv-search": "arXiv", "scholar": "Scholar", "semantic-scholar": "Semantic"},
)


def open_in_system(url: QUrl) -> bool:
    """Hand ``url`` to the system (or to the handler registered for its scheme)."""
    return QDesktopServices.openUrl(url)


def best_target(library: Library, paper_id: str) -> tuple[QUrl, str] | None:
    """What opening a paper opens, and its name: the attached PDF if there is one, else its best link."""
    file = attachments.best_file(library, paper_id)
    if file is not None:
        return QUrl.fromLocalFile(str(file)), file.name
    link = links.best_link(library.papers[paper_id])
    if link is not None:
        return QUrl(link.url), link.label
    return None


def open_paper(library: Library, paper_id: str) -> str:
    """Open the paper's PDF or best link in the system; a sentence for the status bar."""
    target = best_target(library, paper_id)
    if target is None:
        return "This paper has no file, link or title to search for"
    url, name = target
    if not open_in_system(url):
        return f"The system could not open {name}"
    return f"Opened {name}" if url.isLocalFile() else f"Opened {name} in your browser"


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local PDFs of a drag and drop (other files are left to the window: .bib and .md import)."""
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile() and u.toLocalFile().lower().endswith(".pdf")]


def attach_files(library: Library, paper_id: str, paths: list[Path], *, link: bool = False) -> str:
    """Attach ``paths`` to the paper (copies, or links); one sentence saying what happened."""
    said: list[str] = []
    done = 0
    for path in paths:
        try:
            attached = attachments.attach(library, paper_id, path, link=link)
        except (AttachmentError, StoreError, OSError) as exc:
            said.append(f"{path.name} was not attached: {exc}")
            continue
        done += not attached.already
        if attached.already:
            said.append(f"{path.name} is already attached")
        if attached.note:
            said.append(attached.note)
    key = library.papers[paper_id].key
    head = [f"Attached {done} file{'s' if done != 1 else ''} to {key}"] if done else []
    return "; ".join(head + said)


class AttachFileDialog:
    """Choosing files to attach (a classmethod so tests can answer it)."""

    @classmethod
    def ask(cls, parent: QWidget) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(parent, "Attach files", "", "PDF files (*.pdf);;All files (*)")
        return [Path(n) for n in names]


class RenameFileDialog:
    """A new name for an attached file."""

    @classmethod
    def ask(cls, parent: QWidget, name: str) -> str | None:
        text, ok = QInputDialog.getText(parent, "Rename file", "New name:", QLineEdit.EchoMode.Normal, name)
        return text.strip() or None if ok else None


class PaperFilesPane(QWidget):
    """The detail pane's "where to read it" part: links (or title searches) and the attached files."""

    message = Signal(str)  # what an attach, detach or open did, one sentence (also shown in ``notice``)

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.paper_id: str | None = None
        self.links = QLabel()
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.links.setWordWrap(True)
        self.links.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.links.linkActivated.connect(lambda href: self._open(QUrl(href)))
        # Tab reaches each link, Enter opens it (as a click does).
        self.links.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self._found: list[links.Link] = []
        self.files = QListWidget()
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.files.setMaximumHeight(90)
        self.files.itemActivated.connect(lambda _item: self.open_selected())
        self.files.currentRowChanged.connect(lambda _row: self._enable())
        self.attach_button = self._button(
            "Attach file…", self.choose_files, "Copy files into the library for this paper")
        self.open_button = self._button("Open", self.open_selected, "Open the file in your PDF viewer")
        # The rest in a menu: five buttons in a row would widen the pane and take the table's room.
        self.more_button = self._button("File", lambda: None, "Link a file; show in folder, rename or detach one")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QMenu(self.more_button)
        self.link_action = more.addAction("Link a file (keep it where it is)…", self.choose_files_to_link)
        more.addSeparator()
        self.folder_action = more.addAction("Show in folder", self.show_selected_in_folder)
        self.rename_action = more.addAction("Rename…", self.rename_selected)
        self.detach_action = more.addAction("Detach", self.detach_selected)
        self.detach_action.setToolTip("Take the file off this paper (a copy goes to the library's trash)")
        self.more_button.setMenu(more)
        self.files.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.files.customContextMenuRequested.connect(lambda pos: more.popup(self.files.mapToGlobal(pos)))
        self.snippet = QLabel()  # where the search's fulltext: words are in the PDF
        self.snippet.setTextFormat(Qt.TextFormat.PlainText)
        self.snippet.setWordWrap(True)
        self.snippet.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.snippet.setObjectName("fulltextSnippet")
        self.snippet.hide()
        self._fulltext_values: list[str] = []
        self._query_text = ""
        # what the search box does to a query before searching (Search PDF text too: plain words in the PDFs)
        self.widen: Callable[[Query], Query] | None = None
        self.full: fulltext.FullText | None = None
        self.notice = QLabel()
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.setObjectName("filesNotice")
        # The buttons are one small row the owner places (the detail pane: on the citation key's row), so
        # the links, the buttons and the files never take three lines of the pane between them.
        self.buttons = QWidget()
        buttons = QHBoxLayout(self.buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(2)
        for button in (self.attach_button, self.open_button, self.more_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.links)
        layout.addWidget(self.files)
        layout.addWidget(self.snippet)
        layout.addWidget(self.notice)
        self.setAcceptDrops(True)
        controller.annotations_changed.connect(self._annotations_changed)
        self.message.connect(self._show_notice)
        self.show_paper(None)

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))  # an empty line would take the pane's height for nothing

    def _button(self, text: str, slot: object, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # -- showing -------------------------------------------------------------------------------------

    def show_paper(self, paper_id: str | None) -> None:
        if paper_id != self.paper_id:
            self._show_notice("")
        self.paper_id = paper_id
        self.refresh()

    def refresh(self) -> None:
        library = self.controller.library
        self.files.clear()
        if self.paper_id is None or self.paper_id not in library.papers:
            self._found = []
            self._show_links()
            self._enable()
            return
        paper = library.papers[self.paper_id]
        # The URL and DOI have their own line under the citation key (DetailPane.links): the arXiv page or
        # the title searches are what this row adds.
        found = [link for link in links.reading_links(paper) if link.kind not in ("url", "doi")]
        self._found = found
        self._show_links()
        self.links.setToolTip(
            plain_tooltip("\n".join(f"{link.label}: {link.url}" for link in found)) if found else "")
        for attachment in attachments.attachments(library, self.paper_id):
            missing = attachments.is_missing(library, attachment)
            location = attachment.location(library.folder)
            text = attachment.name + (" (link)" if attachment.linked else "") + (" — missing" if missing else "")
            item = QListWidgetItem(text)
            item.setData(_ITEM_ROLE, attachment)
            item.setToolTip(plain_tooltip(f"{location}\n{'Not found at this path' if missing else ''}".strip()))
            if missing:
                item.setForeground(Qt.GlobalColor.gray)
            self.files.addItem(item)
        if self.files.count():
            self.files.setCurrentRow(0)
        self.files.setVisible(self.files.count() > 0)
        self._enable()
        self._show_snippet()

    def _show_links(self) -> None:
        """The links on one line: the longest names that fit the pane's width (the full ones in the tooltip)."""
        found = self._found
        self.links.setVisible(bool(found))
        if not found:
            self.links.clear()
            return
        lead = "Find it:" if found[0].is_search else "Read:"
        metrics = QFontMetrics(self.links.font())
        room = self.contentsRect().width()
        for names in SHORTER_NAMES:
            shown = [names.get(link.kind, link.label) for link in found]
            if metrics.horizontalAdvance(f"{lead} {' · '.join(shown)}") <= room:
                break  # else the shortest names, wrapped: never a link cut off
        anchors = " · ".join(f'<a href="{html.escape(link.url, quote=True)}">{html.escape(name)}</a>'
                             for link, name in zip(found, shown, strict=True))
        self.links.setText(f"{lead} {anchors}")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._show_links()

    def set_query(self, text: str) -> None:
        """The search box's query: where its ``fulltext:`` words (and, with Search PDF text too, its plain
        words) are in this paper's files is shown."""
        self._query_text = text
        try:
            query = parse_query(text, lenient=True)
        except QueryError:
            return
        if self.widen is not None:
            query = self.widen(query)
        values = [t.value for clause in query.clauses for t in clause
                  if t.field == FULLTEXT and t.value and not t.negated]
        if values != self._fulltext_values:
            self._fulltext_values = values
            self._show_snippet()

    def set_widen(self, widen: Callable[[Query], Query] | None) -> None:
        """Search PDF text too was switched: the snippet follows the search box's words as searched."""
        self.widen = widen
        self.set_query(self._query_text)

    def _show_snippet(self) -> None:
        found = ""
        if self.full is not None and self.paper_id is not None:
            for value in self._fulltext_values:
                if found := self.full.snippet(self.paper_id, value):
                    break
        self.snippet.setText(f"In the PDF: {found}" if found else "")
        self.snippet.setVisible(bool(found))

    def _enable(self) -> None:
        chosen = self.selected()
        present = chosen is not None and not attachments.is_missing(self.controller.library, chosen)
        writable = not self.controller.library.read_only
        self.attach_button.setEnabled(self.paper_id is not None and writable)
        self.open_button.setEnabled(present)
        self.folder_action.setEnabled(present)
        self.rename_action.setEnabled(present and writable)
        self.detach_action.setEnabled(chosen is not None and writable)
        self.link_action.setEnabled(self.paper_id is not None and writable)
        self.more_button.setEnabled(self.paper_id is not None)

    def _annotations_changed(self, ids: list[str]) -> None:
        if self.paper_id in ids:
            row = self.files.currentRow()
            self.refresh()
            if 0 <= row < self.files.count():
                self.files.setCurrentRow(row)

    def selected(self) -> Attachment | None:
        item = self.files.currentItem()
        value = item.data(_ITEM_ROLE) if item is not None else None
        return value if isinstance(value, Attachment) else None

    # -- commands ------------------------------------------------------------------------------------

    def attach(self, paths: list[Path], *, link: bool = False) -> None:
        if self.paper_id is None or not paths:
            return
        self.message.emit(attach_files(self.controller.library, self.paper_id, paths, link=link))

    def choose_files(self) -> None:
        self.attach(AttachFileDialog.ask(self))

    def choose_files_to_link(self) -> None:
        self.attach(AttachFileDialog.ask(self), link=True)

    def _open(self, url: QUrl) -> None:
        if not open_in_system(url):
            self.message.emit(f"The system could not open {url.toDisplayString()}")

    def open_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if attachments.is_missing(self.controller.library, chosen):
            self.message.emit(f"{chosen.name} is missing: {chosen.location(self.controller.library.folder)}")
            return
        self._open(QUrl.fromLocalFile(str(chosen.location(self.controller.library.folder))))

    def show_selected_in_folder(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._open(QUrl.fromLocalFile(str(chosen.location(self.controller.library.folder).parent)))

    def rename_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or self.paper_id is None:
            return
        name = RenameFileDialog.ask(self, chosen.name)
        if not name:
            return
        try:
            renamed = attachments.rename(self.controller.library, self.paper_id, chosen, name)
        except (AttachmentError, StoreError, OSError) as exc:
            self.message.emit(f"Not renamed: {exc}")
        else:
            self.message.emit(f"Renamed to {renamed.name}")

    def detach_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or self.paper_id is None:
            return
        try:
            trashed = attachments.detach(self.controller.library, self.paper_id, chosen)
        except (AttachmentError, StoreError, OSError) as exc:
            self.message.emit(f"Not detached: {exc}")
        else:
            self.message.emit(f"Detached {chosen.name}" + (f"; the copy is kept in {trashed}" if trashed else ""))

    # -- drag and drop -------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.paper_id is not None and dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        if self.paper_id is not None and paths:
            event.acceptProposedAction()
            self.attach(paths)
        else:
            event.ignore()


class TableFileDrop(QObject):
    """PDFs dropped on a row of the paper table are attached to that row's paper (other drops go on to the
    window, which imports .bib and .md files)."""

    attached = Signal(str)  # the sentence for the status bar

    def __init__(self, table: QAbstractItemView, library: Library, paper_at_row: object) -> None:
        super().__init__(table)
        self.table = table
        self.library = library
        self._paper_at_row = paper_at_row
        table.viewport().setAcceptDrops(True)
        table.viewport().installEventFilter(self)

    def paper_at(self, event: QDropEvent) -> str | None:
        index = self.table.indexAt(event.position().toPoint())
        return self._paper_at_row(index.row()) if index.isValid() else None  # type: ignore[operator]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        assert isinstance(event, QDropEvent)  # QDragEnterEvent and QDragMoveEvent are QDropEvents
        paths = dropped_files(event.mimeData())
        if not paths or self.library.read_only:
            return False
        if kind == QEvent.Type.DragEnter:
            event.acceptProposedAction()
            return True
        paper_id = self.paper_at(event)
        if paper_id is None:
            event.ignore()
            return True
        event.acceptProposedAction()
        if kind == QEvent.Type.Drop:
            self.attached.emit(attach_files(self.library, paper_id, paths))
        return True
