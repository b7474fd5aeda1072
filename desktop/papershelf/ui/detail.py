"""The detail pane: one paper's record, its annotation editors and the note editor.

Everything from a file (titles, abstracts, notes) is shown as text. Links are built only from http(s)
URLs and DOIs, HTML-escaped; the note preview renders Markdown with HTML disabled and never loads a
resource.
"""

from __future__ import annotations

import contextlib
import html
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QResizeEvent, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from papershelf.core import names
from papershelf.core.library import AnnotationChange
from papershelf.core.model import MAX_RATING, PRIORITIES, STATUSES, Paper
from papershelf.core.text.latex import render, render_paragraphs
from papershelf.services.drafts import DraftError, DraftStore
from papershelf.services.links import doi_url
from papershelf.sync import state as sync_state
from papershelf.ui.controller import LibraryController
from papershelf.ui.dialogs import HistoryDialog, MergedNoteDialog
from papershelf.ui.paper_files import PaperFilesPane
from papershelf.ui.paper_model import STATUS_LABELS, status_icon
from papershelf.ui.rendered import show_rendered_title, shown_html
from papershelf.ui.text import ElidedLabel, ResourceFreeBrowser, plain_tooltip
from papershelf.ui.trash import TrashLine

NOTE_SAVE_DELAY_MS = 700
# A long note is previewed in part first, with "Show all": Qt lays Markdown out in more than linear time
# in the number of table cells and list items (an 840k-character table: 27 s, a list of 14k items: 8 s),
# and a long paragraph is slow too. A part is at most PREVIEW_CHARS characters and PREVIEW_COST lines
# (blank ones free), a table cell counting as a line (measured: ~0.15 ms a cell, ~0.05 ms a list item).
PREVIEW_CHARS = 30_000
PREVIEW_COST = 400


def preview_part(text: str, limit: int = PREVIEW_CHARS, budget: int = PREVIEW_COST) -> str:
    """The start of ``text`` to preview: all of it if it is within ``limit`` characters and ``budget``
    (lines that are not blank, plus one per ``|``: table cells); otherwise cut before that, at the last
    paragraph break (or line break) in the second half of what fits."""
    start, cost = 0, 0
    while start < len(text) and start <= limit:
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end > start:  # a blank line costs nothing
            cost += 1 + text.count("|", start, end)
        if cost > budget and start > 0:
            limit = start - 1  # up to the line break before this line
            break
        start = end + 1
    if len(text) <= limit:
        return text
    for mark in ("\n\n", "\n"):
        cut = text.rfind(mark, limit // 2, limit + 1)
        if cut > 0:
            return text[:cut]
    return text[:limit]


def size_text(chars: int) -> str:
    """A number of characters, roughly ("98k characters", "1.2M characters")."""
    if chars >= 1_000_000:
        return f"{chars / 1_000_000:.1f}M characters"
    return f"{max(1, round(chars / 1000))}k characters"


LINK_CHARS = 40  # a link's text is cut to this (the full address is in the tooltip): the pane never widens
LINK_GAP = 10
KEY_MIN_WIDTH = 48
ABSTRACT_MIN_LINES = 3  # the abstract gives up height down to this, then scrolls


def safe_link(url: str, limit: int = LINK_CHARS) -> str:
    """An <a> tag for http(s) URLs only (no javascript:, file:, data:), escaped; '' otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    href = html.escape(url.strip(), quote=True)
    return f'<a href="{href}">{html.escape(elided(url.strip(), limit))}</a>'


def doi_link(doi: str, limit: int = LINK_CHARS) -> str:
    doi = doi.strip()
    if not doi:
        return ""
    href = html.escape(doi_url(doi), quote=True)
    return f'<a href="{href}">doi:{html.escape(elided(doi, limit - 4))}</a>'


def elided(text: str, limit: int = LINK_CHARS) -> str:
    """``text`` cut in the middle to ``limit`` characters ("https://exam…/paper.pdf")."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


class _FocusOut(QObject):
    """Calls back when the watched widget loses focus (the note is saved then)."""

    def __init__(self, callback: object, parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._callback()  # type: ignore[operator]
        return False


class DetailPane(QWidget):
    """Shows the current paper. Edits go through the controller; the note autosaves."""

    note_saved = Signal(str)

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.paper_id: str | None = None
        self._loading = False
        self._note_dirty = False
        # The note as it was before this typing session is kept in the history once; the autosaves
        # that follow while the user keeps typing are not (they would push real versions out).
        self._new_note_session = True
        self._note_session = 0  # typing sessions are also undo steps: one per session

        self.placeholder = QLabel("Select a paper to see its abstract and your notes.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("placeholder")

        self.title = QLabel()
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)

        self.authors = QLabel()
        self.authors.setWordWrap(True)
        self.authors.setTextFormat(Qt.TextFormat.PlainText)
        self.authors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QLabel()
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setObjectName("detailMeta")

        self.key = ElidedLabel()
        # A long key gives way to the file buttons beside it (shortened with "…", whole in its tooltip and by
        # Copy) rather than widen the pane. Not selectable: a selection of the shortened text would copy "…".
        self.key.setMinimumWidth(KEY_MIN_WIDTH)
        self.copy_key = QToolButton()
        self.copy_key.setText("Copy")
        self.copy_key.setToolTip("Copy the citation key")
        self.copy_key.clicked.connect(self._copy_key)
        self.links = QLabel()  # the paper's URL and DOI, on their own line under the key (hidden if none)
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.links.setOpenExternalLinks(True)
        self.links.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self._link_parts: tuple[str, str] = ("", "")  # the URL and DOI shown, cut to the pane's width

        self.abstract = ResourceFreeBrowser()
        self.abstract.setOpenLinks(False)
        self.abstract.setFrameShape(QFrame.Shape.NoFrame)
        # The abstract scrolls: it is what gives up height when the pane is short (never the editors).
        self.abstract.setMinimumHeight(ABSTRACT_MIN_LINES * self.abstract.fontMetrics().lineSpacing()
                                       + 2 * round(self.abstract.document().documentMargin()))

        self.status = QComboBox()
        for status in STATUSES:
            self.status.addItem(status_icon(status), STATUS_LABELS[status], status)
        self.priority = QComboBox()
        for i, name in enumerate(PRIORITIES):
            self.priority.addItem(name.capitalize(), i)
        self.rating = QComboBox()
        self.rating.addItem("Not rated", 0)
        for stars in range(1, MAX_RATING + 1):
            self.rating.addItem("★" * stars, stars)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags, separated by commas")
        self.lists = QLineEdit()
        self.lists.setPlaceholderText("reading lists, separated by commas")
        self._tag_completer = QCompleter([], self)
        self._tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags.setCompleter(self._tag_completer)
        self._list_completer = QCompleter([], self)
        self._list_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.lists.setCompleter(self._list_completer)

        # The pane never asks for more width than the layout gives it (the table keeps its room): the
        # combos size to a few characters rather than their longest item, the links are cut (see elided).
        for combo in (self.status, self.priority, self.rating):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(5)
        self.links.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        editors = QFormLayout()
        editors.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        editors.addRow("Status", self.status)
        row = QHBoxLayout()  # priority and rating share a row: three combos in one made the pane too wide
        row.addWidget(self.priority, 1)
        row.addWidget(QLabel("Rating"))
        row.addWidget(self.rating, 1)
        editors.addRow("Priority", row)
        editors.addRow("Tags", self.tags)
        editors.addRow("Lists", self.lists)

        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("Your notes (Markdown). Saved automatically.")
        self.note.setTabChangesFocus(True)
        self.preview = ResourceFreeBrowser()
        self.preview.setOpenLinks(False)
        # Under a preview of the start of a long note: how much is shown, and a button to show all of it.
        self.preview_more = QWidget()
        self.preview_part_label = QLabel()
        self.preview_part_label.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_all = QToolButton()
        self.preview_all.setText("Show all")
        self.preview_all.clicked.connect(self.show_whole_preview)
        more_row = QHBoxLayout(self.preview_more)
        more_row.setContentsMargins(0, 0, 0, 0)
        more_row.addWidget(self.preview_part_label, 1)
        more_row.addWidget(self.preview_all)
        self.preview_more.hide()
        self.preview_page = QWidget()
        preview_layout = QVBoxLayout(self.preview_page)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(self.preview, 1)
        preview_layout.addWidget(self.preview_more)
        self.note_stack = QStackedWidget()
        self.note_stack.addWidget(self.note)
        self.note_stack.addWidget(self.preview_page)
        self.preview_toggle = QToolButton()
        self.preview_toggle.setText("Preview")
        self.preview_toggle.setCheckable(True)
        self.preview_toggle.toggled.connect(self._toggle_preview)
        self.note_state = QLabel()
        self.note_state.setObjectName("noteState")
        self.history_button = QToolButton()
        self.history_button.setText("History…")
        self.history_button.setToolTip("Earlier versions of this note")
        self.history_button.clicked.connect(self.show_history)
        self.conflict = QFrame()
        self.conflict.setObjectName("conflict")
        # Fixed colours on both sides so the box reads the same in light and dark themes.
        self.conflict.setStyleSheet("#conflict { background: #fdecea; border-radius: 4px; } "
                                    "#conflict QLabel { color: #410e0b; }")
        self.conflict_label = QLabel()
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setTextFormat(Qt.TextFormat.PlainText)
        conflict_row = QHBoxLayout(self.conflict)
        conflict_row.addWidget(self.conflict_label, 1)
        actions = (
            ("app", "Keep mine", lambda: self.resolve_conflict("app")),
            ("file", "Take the file's", lambda: self.resolve_conflict("file")),
            ("merge", "Merge…", self.merge_conflict),
        )
        self.conflict_buttons: dict[str, QToolButton] = {}  # "app", "file", "merge"
        for name, label, slot in actions:
            button = QToolButton()
            button.setText(label)
            button.clicked.connect(slot)
            conflict_row.addWidget(button)
            self.conflict_buttons[name] = button
        self.conflict.hide()
        note_header = QHBoxLayout()
        note_header.addWidget(QLabel("<b>Notes</b>"))
        note_header.addStretch(1)
        note_header.addWidget(self.note_state)
        note_header.addWidget(self.history_button)
        note_header.addWidget(self.preview_toggle)

        self.paper_files = PaperFilesPane(controller, self)  # links, title searches and attached files
        self.trash_line = TrashLine(controller.library, self)  # "In the Trash since ..." and Restore
        key_row = QHBoxLayout()  # the key, and the file buttons (attach, open, the File menu) beside it
        key_row.setContentsMargins(0, 0, 0, 0)
        key_row.addWidget(self.key)
        key_row.addWidget(self.copy_key)
        key_row.addStretch(1)
        key_row.addWidget(self.paper_files.buttons)

        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.trash_line)
        layout.addWidget(self.title)
        layout.addWidget(self.authors)
        layout.addWidget(self.meta)
        layout.addLayout(key_row)
        layout.addWidget(self.links)
        layout.addWidget(self.paper_files)
        layout.addWidget(self.abstract, 3)
        layout.addLayout(editors)
        layout.addLayout(note_header)
        layout.addWidget(self.conflict)
        layout.addWidget(self.note_stack, 2)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.setAcceptDrops(True)

        self.drafts = DraftStore(controller.library.folder)
        self.draft_error: str | None = None  # why the last draft could not be kept, if it could not

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_note)
        self.note.textChanged.connect(self._note_edited)
        self.note.installEventFilter(_FocusOut(self._note_focus_lost, self))
        self.status.activated.connect(self._status_chosen)
        self.priority.activated.connect(self._priority_chosen)
        self.rating.activated.connect(self._rating_chosen)
        self.tags.editingFinished.connect(self._tags_edited)
        self.lists.editingFinished.connect(self._lists_edited)
        controller.annotations_changed.connect(self._annotations_changed)
        self.show_paper(None)

    # -- showing -------------------------------------------------------------------------------------

    def show_paper(self, paper_id: str | None) -> None:
        if paper_id != self.paper_id:
            self.save_note()
            self._new_note_session = True
        self.paper_id = paper_id
        self.trash_line.show_paper(paper_id)
        if paper_id is None:
            self.paper_files.show_paper(None)
            self.stack.setCurrentWidget(self.placeholder)
            self.updateGeometry()
            return
        paper = self.controller.library.papers[paper_id]
        self.stack.setCurrentWidget(self.body)
        show_rendered_title(self.title, render(paper.title))
        self.authors.setText(", ".join(paper.authors) or "Unknown authors")
        self.meta.setText(" · ".join(x for x in (paper.venue, str(paper.year or ""), paper.track or "") if x))
        self.key.setText(paper.key)  # (its tooltip too)
        self._link_parts = (paper.url, paper.doi)
        self._show_links()
        full = "\n".join(x for x in (paper.url.strip(), paper.doi.strip() and f"doi:{paper.doi.strip()}") if x)
        self.links.setToolTip(plain_tooltip(full) if full else "")
        self.paper_files.show_paper(paper_id)
        self._show_abstract(paper)
        self._load_annotation(force_note=True)
        self.updateGeometry()  # a longer title needs more height: the splitter asks again

    def _show_links(self) -> None:
        """The URL and DOI on one line, each cut in the middle to its share of the pane's width."""
        url, doi = self._link_parts
        parts = [x for x in (url.strip() if safe_link(url) else "", doi.strip()) if x]
        self.links.setVisible(bool(parts))
        if not parts:
            self.links.clear()
            return
        room = self.body.contentsRect().width() - 2 * LINK_GAP  # the layout's margins and the gap between
        chars = max(12, min(LINK_CHARS, room // max(1, len(parts) * self.links.fontMetrics().averageCharWidth())))
        self.links.setText("  ".join(x for x in (safe_link(url, chars), doi_link(doi, chars)) if x))

    def minimumSizeHint(self) -> QSize:
        """Tall enough for every part at the pane's width (wrapped titles included), so a splitter never
        squeezes the parts over each other: the layout's own minimum counts each wrapped label as one line."""
        hint = super().minimumSizeHint()
        layout = self.body.layout()
        if self.stack.currentWidget() is self.body and layout is not None:
            hint.setHeight(max(hint.height(), layout.minimumHeightForWidth(max(self.width(), hint.width()))))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._show_links()
            self.updateGeometry()  # wrapped labels take more or fewer lines: the minimum height changes

    # A PDF dropped anywhere on the pane is attached (the files part is only a line or two high).
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.paper_files.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.paper_files.dropEvent(event)

    def _show_abstract(self, paper: Paper) -> None:
        # LaTeX rendered (core/text/latex.py); the HTML is the escaped text and our own tags only.
        shown = render_paragraphs(paper.abstract)
        if shown.spans:
            self.abstract.setHtml(shown_html(shown))
        else:
            self.abstract.setPlainText(shown.text or "No abstract.")

    def _load_annotation(self, force_note: bool) -> None:
        assert self.paper_id is not None
        library = self.controller.library
        ann = library.annotation(self.paper_id)
        self._loading = True
        try:
            self.status.setCurrentIndex(STATUSES.index(ann.status))
            self.priority.setCurrentIndex(ann.priority)
            self.rating.setCurrentIndex(ann.rating)
            if not self.tags.hasFocus():
                self.tags.setText(", ".join(ann.tags))
            if not self.lists.hasFocus():
                self.lists.setText(", ".join(ann.lists))
            self._tag_completer.setModel(None)  # type: ignore[arg-type]  # Qt takes no model; the stubs say otherwise
            self._tag_completer = QCompleter(sorted(library.tag_counts(), key=str.casefold), self)
            self._tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.tags.setCompleter(self._tag_completer)
            self._list_completer = QCompleter(library.list_names(), self)
            self._list_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.lists.setCompleter(self._list_completer)
            self._show_conflict()
            if force_note or (not self._note_dirty and ann.note != self.note.toPlainText()):
                self._note_dirty = False
                self.note.setPlainText(ann.note)
                self.note_state.setText("")
                if self.preview_toggle.isChecked():
                    self._render_preview()
        finally:
            self._loading = False

    def _annotations_changed(self, ids: list[str]) -> None:
        if self.paper_id is not None and self.paper_id in ids:
            self.trash_line.show_paper(self.paper_id)
            self._load_annotation(force_note=False)

    def _toggle_preview(self, on: bool) -> None:
        if on:
            self.save_note()
            self._render_preview()
        self.note_stack.setCurrentWidget(self.preview_page if on else self.note)
        self.preview_toggle.setText("Edit" if on else "Preview")

    @property
    def preview_is_part(self) -> bool:
        """True while the preview shows only the start of a long note ("Show all" shows the rest)."""
        return self.preview_more.isVisibleTo(self)

    def show_whole_preview(self) -> None:
        """Preview the whole note, however long."""
        self._render_preview(whole=True)

    def _render_preview(self, whole: bool = False) -> None:
        text = self.note.toPlainText()
        shown = text if whole else preview_part(text)
        # Set on the document itself: QTextEdit.setMarkdown would parse the text once more, with HTML on.
        self.preview.document().setMarkdown(
            shown, QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML
        )
        if len(shown) < len(text):
            self.preview_part_label.setText(f"Showing the first {size_text(len(shown))} of {size_text(len(text))}.")
            self.preview_more.show()
        else:
            self.preview_more.hide()

    # -- editing -------------------------------------------------------------------------------------

    @property
    def note_dirty(self) -> bool:
        return self._note_dirty

    def _note_edited(self) -> None:
        if self._loading or self.paper_id is None:
            return
        self._note_dirty = True
        self.note_state.setText("Editing…")
        self._save_timer.start()

    def _note_focus_lost(self) -> None:
        self.save_note()
        self._new_note_session = True

    def save_note(self) -> None:
        """Save the note now if it has unsaved changes (also on focus loss, paper change and quit)."""
        if not self._note_dirty or self.paper_id is None:
            return
        self._save_timer.stop()
        text = self.note.toPlainText()
        if self.controller.library.annotation(self.paper_id).note == text:
            self._note_dirty = False
            self.note_state.setText("Saved")
            self._forget_draft(self.paper_id)
            return
        if self._new_note_session:
            self._note_session += 1
        ok = self.controller.annotate(
            [self.paper_id], AnnotationChange(note=text), "Edit note",
            merge_key=f"note:{self.paper_id}:{self._note_session}",
            keep_note_history=self._new_note_session,
        )
        if ok:
            self._new_note_session = False
            self._note_dirty = False
            self.note_state.setText("Saved")
            self._forget_draft(self.paper_id)
            self.note_saved.emit(self.paper_id)
        else:
            # Keep the text in the editor so the user can retry; try again on the next edit. It is also
            # kept outside the library, so a quit (or a crash) before the retry does not lose it.
            self.note_state.setText("Not saved")
            self._keep_draft(self.paper_id, text)

    # -- drafts: notes the library could not take, kept outside it (services/drafts.py) -----------------

    def _keep_draft(self, paper_id: str, text: str) -> None:
        try:
            self.drafts.keep(paper_id, self.controller.library.papers[paper_id].key, text)
        except DraftError as exc:
            self.draft_error = str(exc)
            self.note_state.setToolTip(f"The draft could not be kept either: {exc}")
        else:
            self.draft_error = None
            self.note_state.setToolTip("Kept as a draft outside the library; offered again on the next start")

    def _forget_draft(self, paper_id: str) -> None:
        self.note_state.setToolTip("")
        with contextlib.suppress(DraftError):  # still listed: offered again, and the saved note shown
            self.drafts.clear(paper_id)

    def _change(self, change: AnnotationChange, text: str) -> None:
        if self._loading or self.paper_id is None:
            return
        if not self.controller.annotate([self.paper_id], change, text):
            self._load_annotation(force_note=False)  # show what is really saved

    def _status_chosen(self, index: int) -> None:
        self._change(AnnotationChange(status=STATUSES[index]), f"Mark as {STATUS_LABELS[STATUSES[index]]}")

    def _priority_chosen(self, index: int) -> None:
        self._change(AnnotationChange(priority=index), "Set priority")

    def _rating_chosen(self, index: int) -> None:
        self._change(AnnotationChange(rating=index), "Set rating")

    def _tags_edited(self) -> None:
        if self.paper_id is None:
            return
        current = self.controller.library.annotation(self.paper_id).tags
        wanted = names.from_text(self.tags.text())
        if wanted != current:
            self._change(
                AnnotationChange(add_tags=tuple(wanted), remove_tags=tuple(t for t in current if t not in wanted)),
                "Edit tags",
            )

    def _lists_edited(self) -> None:
        if self.paper_id is None:
            return
        current = self.controller.library.annotation(self.paper_id).lists
        wanted = names.from_text(self.lists.text())
        if wanted != current:
            self._change(
                AnnotationChange(add_lists=tuple(wanted), remove_lists=tuple(x for x in current if x not in wanted)),
                "Edit reading lists",
            )

    def refresh(self) -> None:
        """Show the current paper's annotation and conflict state again (after a sync)."""
        if self.paper_id is not None:
            self._load_annotation(force_note=False)

    def _show_conflict(self) -> None:
        assert self.paper_id is not None
        fields = sync_state.conflicts(self.controller.library).get(self.paper_id)
        if not fields:
            self.conflict.hide()
            return
        self.conflict_label.setText(
            f"The notes file has a different {', '.join(fields)} for this paper. Both are kept; "
            "choose one, or merge them."
        )
        self.conflict.show()

    def resolve_conflict(self, take: str) -> None:
        if self.paper_id is not None:
            self.save_note()
            self.controller.resolve_conflict(self.paper_id, take=take)

    def merge_conflict(self) -> None:
        if self.paper_id is None:
            return
        self.save_note()
        record = sync_state.conflict_records(self.controller.library).get(self.paper_id, {})
        file_note = str(record.get("file", {}).get("note", ""))
        ann = self.controller.library.annotation(self.paper_id)
        merged = MergedNoteDialog.ask(self, ann.note, file_note, app_time=ann.changed,
                                      file_time=str(record.get("since", "")))
        if merged is not None:
            self.controller.resolve_conflict(self.paper_id, note=merged)

    def show_history(self) -> None:
        if self.paper_id is None:
            return
        self.save_note()
        versions = self.controller.library.note_history(self.paper_id)
        if not versions:
            self.note_state.setText("No earlier versions")
            return
        number = HistoryDialog.ask(self, versions)
        if number is not None:
            self.controller.restore_note_version(self.paper_id, number)

    def _copy_key(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.key.text())
