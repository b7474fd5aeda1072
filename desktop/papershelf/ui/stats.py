"""The statistics view: charts of the library, drawn with QPainter (PySide6-Essentials has no QtCharts).

``compute_stats`` reads the library (no Qt); each chart draws one part of the result through one
``paint`` method that serves the screen, PNG export (QImage) and SVG export (QSvgGenerator) alike.
Colours come from the widget's palette (so light and dark themes both work) except the status
colours, which are the app's own. Chart labels are drawn as plain text, never as HTML.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from papershelf.core.events import AnnotationsChanged, ListsChanged, PapersAdded, PapersChanged, PapersRemoved
from papershelf.core.fields import NO_TRACK, STATUS_LABELS, author_identity, track_group
from papershelf.core.library import Library
from papershelf.core.model import STATUSES, TRACKS
from papershelf.core.names import identity
from papershelf.services import exporting
from papershelf.ui.paper_model import STATUS_COLOURS

TOP = 10  # bars in the top-tags and top-authors charts
MIN_WEEKS = 12  # the reading chart always spans at least this many weeks, ending this week
MAX_WEEKS = 52
REFRESH_DELAY_MS = 200


# -- the numbers (no Qt) -----------------------------------------------------------------------------


@dataclass(slots=True)
class LibraryStats:
    """Everything the charts show, computed in one pass over the annotations."""

    total: int = 0
    tracks: list[str] = field(default_factory=list)  # the track labels present, in display order
    by_status: dict[str, dict[str, int]] = field(default_factory=dict)  # status -> track label -> papers
    read_per_week: list[tuple[date, int]] = field(default_factory=list)  # Monday of each week, papers read
    read_undated: int = 0  # read papers with no date of status change
    read_earlier: int = 0  # read papers from before the weeks shown
    top_tags: list[tuple[str, int]] = field(default_factory=list)
    top_authors: list[tuple[str, int, int]] = field(default_factory=list)  # name, to-read, read
    list_progress: list[tuple[str, int, int]] = field(default_factory=list)  # list, read, papers

    def status_total(self, status: str) -> int:
        return sum(self.by_status.get(status, {}).values())


def _week_of(stamp: str) -> date | None:
    """Monday of the week of an ISO 8601 time stamp, in the stamp's own time zone (UTC for ours)."""
    try:
        day = date.fromisoformat(stamp[:10])
    except ValueError:
        return None
    return day - timedelta(days=day.weekday())


def track_totals(library: Library) -> Counter[str]:
    """Papers per track label (one pass over the catalogue: ~40 ms at 100k papers)."""
    return Counter(track_group(paper.track) for paper in library.papers.values())


def compute_stats(library: Library, today: date | None = None, tracks: Counter[str] | None = None,
                  name_keys: dict[str, str] | None = None) -> LibraryStats:
    """The library's numbers for the charts: one pass over the annotations (and one over the catalogue,
    unless ``tracks``, from ``track_totals``, is given). ``name_keys`` caches author name -> folded name
    between calls (folding is most of the cost at 100k papers).
    """
    today = today or datetime.now(UTC).date()
    stats = LibraryStats(total=len(library))
    track_totals_ = tracks if tracks is not None else track_totals(library)
    stats.tracks = [t for t in (*TRACKS, NO_TRACK) if track_totals_[t]]
    by_status = {status: dict.fromkeys(stats.tracks, 0) for status in STATUSES}
    by_status["new"].update(track_totals_)  # unannotated papers are new; annotated ones are moved below
    week_of: dict[str, date | None] = {}
    folded = name_keys if name_keys is not None else {}
    weeks: Counter[date] = Counter()
    tags: list[str] = []
    names: dict[str, list[str]] = {"to-read": [], "read": []}  # authors of those papers, with repeats
    list_counts: dict[str, list[int]] = {name: [0, 0] for name in library.list_names()}
    papers = library.papers
    for pid in library.annotated_ids():
        paper = papers.get(pid)
        if paper is None:
            continue
        ann = library.annotation(pid)
        if ann.trashed:  # papers in the Trash are left out: take it back out of the catalogue's totals
            by_status["new"][track_group(paper.track)] -= 1
            stats.total -= 1
            continue
        status = ann.status
        if status != "new" and status in by_status:
            track = track_group(paper.track)
            by_status["new"][track] -= 1
            by_status[status][track] += 1
            if status == "read":
                stamp = ann.status_changed
                if stamp not in week_of:
                    week_of[stamp] = _week_of(stamp) if stamp else None
                week = week_of[stamp]
                if week is None:
                    stats.read_undated += 1
                else:
                    weeks[week] += 1
            if status in names:
                names[status].extend(paper.authors)
        tags.extend(ann.tags)
        for name in ann.lists:
            counts = list_counts.setdefault(name, [0, 0])
            counts[1] += 1
            if status == "read":
                counts[0] += 1
    stats.by_status = by_status
    if weeks:
        this_week = today - timedelta(days=today.weekday())
        last = max(this_week, max(weeks))
        first = min(min(weeks), last - timedelta(weeks=MIN_WEEKS - 1))
        first = max(first, last - timedelta(weeks=MAX_WEEKS - 1))
        span = (last - first).days // 7 + 1
        stats.read_per_week = [(first + timedelta(weeks=i), weeks[first + timedelta(weeks=i)]) for i in range(span)]
        stats.read_earlier = sum(count for week, count in weeks.items() if week < first)
    stats.top_tags = heapq.nsmallest(TOP, Counter(tags).items(), key=lambda item: (-item[1], identity(item[0])))
    # Count raw names in C, then merge the spellings that fold to the same name ('Schölkopf', 'Scholkopf').
    per_author: dict[str, list[int]] = {}
    shown_name: dict[str, str] = {}
    for column, status in enumerate(("to-read", "read")):
        for name, count in Counter(names[status]).items():
            key = folded.get(name)
            if key is None:
                key = folded[name] = author_identity(name)
            shown_name.setdefault(key, name)
            per_author.setdefault(key, [0, 0])[column] += count
    ranked = heapq.nsmallest(TOP, per_author.items(), key=lambda item: (-sum(item[1]), -item[1][1], item[0]))
    stats.top_authors = [(shown_name[key], to_read, read) for key, (to_read, read) in ranked]
    stats.list_progress = [(name, read, total) for name, (read, total) in list_counts.items()]
    return stats


# -- drawing -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Colours:
    """The palette a chart is drawn with."""

    background: QColor
    text: QColor
    muted: QColor
    grid: QColor
    accent: QColor

    @classmethod
    def of(cls, palette: QPalette) -> Colours:
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        return cls(
            background=background,
            text=text,
            muted=_mix(text, background, 0.62),
            grid=_mix(text, background, 0.14),
            accent=palette.color(QPalette.ColorRole.Highlight),
        )


def _mix(colour: QColor, background: QColor, amount: float) -> QColor:
    """``colour`` at ``amount`` (0-1) over ``background``, as an opaque colour (SVG viewers agree on those)."""
    return QColor.fromRgbF(
        colour.redF() * amount + background.redF() * (1 - amount),
        colour.greenF() * amount + background.greenF() * (1 - amount),
        colour.blueF() * amount + background.blueF() * (1 - amount),
    )


TRACK_SHADES = {"Oral": 1.0, "Spotlight": 0.72, "Poster": 0.48, NO_TRACK: 0.3}
PADDING = 14.0
TITLE_GAP = 10.0
ROW_HEIGHT = 24.0
BAR_HEIGHT = 14.0


class Chart(QWidget):
    """One chart card: a title, the chart, and an export button (also on the context menu)."""

    name = "chart"  # used in export file names
    title = ""
    empty_text = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.export_button = QToolButton(self)
        self.export_button.setText("Export ▾")
        self.export_button.setToolTip("Save this chart as a PNG or SVG image")
        self.export_button.setAutoRaise(True)
        self.export_menu = QMenu(self)
        self.export_menu.addAction("Save as PNG…", lambda: self.export_dialog("png"))
        self.export_menu.addAction("Save as SVG…", lambda: self.export_dialog("svg"))
        # The menu pops up by hand: a QToolButton menu draws an arrow over the text in several styles.
        self.export_button.clicked.connect(
            lambda: self.export_menu.popup(self.export_button.mapToGlobal(self.export_button.rect().bottomLeft()))
        )

    # -- data: subclasses set ``series`` from the stats and say whether there is anything to draw ----

    def set_stats(self, stats: LibraryStats) -> None:
        raise NotImplementedError

    def has_data(self) -> bool:
        raise NotImplementedError

    def content_height(self) -> float:
        """Height the chart body wants (below the title)."""
        return 160.0

    def paint_body(self, painter: QPainter, rect: QRectF, colours: Colours) -> None:
        raise NotImplementedError

    # -- painting ------------------------------------------------------------------------------------

    def title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        return font

    def small_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        return font

    def sizeHint(self) -> QSize:
        title = QFontMetricsF(self.title_font()).height()
        return QSize(420, int(PADDING * 2 + title + TITLE_GAP + max(self.content_height(), 60.0)))

    def paint(self, painter: QPainter, size: QSize, colours: Colours) -> None:
        """Draw the whole card (background, title, body or the no-data sentence) into ``size``."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        card = QRectF(0.5, 0.5, size.width() - 1.0, size.height() - 1.0)
        painter.setPen(colours.grid)
        painter.setBrush(colours.background)
        painter.drawRoundedRect(card, 6, 6)
        painter.setFont(self.title_font())
        painter.setPen(colours.text)
        title_h = QFontMetricsF(self.title_font()).height()
        title_rect = QRectF(PADDING, PADDING, size.width() - 2 * PADDING - 70, title_h)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        body = QRectF(PADDING, PADDING + title_h + TITLE_GAP, size.width() - 2 * PADDING,
                      size.height() - 2 * PADDING - title_h - TITLE_GAP)
        painter.setFont(self.font())
        if self.has_data():
            self.paint_body(painter, body, colours)
        else:
            painter.setPen(colours.muted)
            painter.drawText(body.adjusted(12, 0, -12, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.paint(painter, self.size(), Colours.of(self.palette()))
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        hint = self.export_button.sizeHint()
        self.export_button.setGeometry(QRect(self.width() - hint.width() - 8, 8, hint.width(), hint.height()))
        super().resizeEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if self.has_data():
            self.export_menu.popup(event.globalPos())

    def data_changed(self) -> None:
        """Call after ``set_stats``: repaints, and offers export only when there is something to export."""
        self.export_button.setVisible(self.has_data())
        self.updateGeometry()
        self.update()

    # -- export --------------------------------------------------------------------------------------

    def export_size(self) -> QSize:
        hint = self.sizeHint()
        return QSize(max(self.width(), hint.width()), max(self.height(), hint.height()))

    def export_png(self, path: Path, scale: float = 2.0) -> None:
        """Write the chart as a PNG at ``scale`` times its size (crisp on high-DPI screens and in slides)."""
        size = self.export_size()
        image = QImage(int(size.width() * scale), int(size.height() * scale), QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self.paint(painter, size, Colours.of(self.palette()))
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # stubs want bytes for the format
            raise OSError(f"could not draw {path.name}")
        exporting.write_file(path, bytes(buffer.data().data()))

    def export_svg(self, path: Path) -> None:
        """Write the chart as an SVG drawing (atomically, as every export is)."""
        size = self.export_size()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle(self.title)
        generator.setDescription(f"Papershelf: {self.title}")
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError(f"could not draw {path.name}")
        self.paint(painter, size, Colours.of(self.palette()))
        painter.end()
        exporting.write_file(path, bytes(buffer.data().data()))

    def export_dialog(self, fmt: str) -> Path | None:
        path = ChartExportDialog.ask(self, f"{self.name}.{fmt}", fmt)
        if path is None:
            return None
        try:
            if fmt == "svg":
                self.export_svg(path)
            else:
                self.export_png(path)
        except OSError as exc:
            QMessageBox.warning(self, "Export chart", f"Could not save {path}: {getattr(exc, 'strerror', None) or exc}")
            return None
        return path

    # -- helpers for subclasses ----------------------------------------------------------------------

    def label_width(self, rect: QRectF) -> float:
        return min(180.0, rect.width() * 0.36)

    def draw_label(self, painter: QPainter, rect: QRectF, text: str, colour: QColor,
                   align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        metrics = QFontMetricsF(painter.font())
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(colour)
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, elided)

    def draw_segments(self, painter: QPainter, x: float, y: float, scale: float,
                      segments: list[tuple[int, QColor]]) -> float:
        """Stacked horizontal bar from ``x``; returns where it ends. A non-zero segment is at least 2 px."""
        painter.setPen(Qt.PenStyle.NoPen)
        for value, colour in segments:
            if value <= 0:
                continue
            width = max(2.0, value * scale)
            painter.setBrush(colour)
            painter.drawRect(QRectF(x, y, width, BAR_HEIGHT))
            x += width
        return x

    def draw_legend(self, painter: QPainter, x: float, y: float, items: list[tuple[str, QColor]],
                    colours: Colours) -> None:
        painter.setFont(self.small_font())
        metrics = QFontMetricsF(painter.font())
        for label, colour in items:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(x, y + 3, 10, 10), 2, 2)
            painter.setPen(colours.muted)
            painter.drawText(QPointF(x + 14, y + 3 + metrics.ascent() - 1), label)
            x += 14 + metrics.horizontalAdvance(label) + 14
        painter.setFont(self.font())


class StatusChart(Chart):
    """Papers per status, each bar stacked by track (darker = more selective track)."""

    name = "papers-by-status"
    title = "Papers by status"
    empty_text = "Your library is empty. Import papers and this chart shows how far you have triaged them."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: dict[str, dict[str, int]] = {}
        self.tracks: list[str] = []
        self.total = 0

    def set_stats(self, stats: LibraryStats) -> None:
        self.series = {status: dict(stats.by_status[status]) for status in STATUSES} if stats.total else {}
        self.tracks = list(stats.tracks)
        self.total = stats.total

    def has_data(self) -> bool:
        return self.total > 0

    def content_height(self) -> float:
        return ROW_HEIGHT * len(STATUSES) + (26.0 if len(self.tracks) > 1 else 0.0)

    def paint_body(self, painter: QPainter, rect: QRectF, colours: Colours) -> None:
        label_w = min(90.0, rect.width() * 0.25)
        metrics = QFontMetricsF(painter.font())
        count_w = metrics.horizontalAdvance(f" {self.total:,} ") + 4
        bar_x = rect.left() + label_w
        bar_w = max(rect.width() - label_w - count_w, 10.0)
        largest = max((sum(row.values()) for row in self.series.values()), default=0) or 1
        scale = bar_w / largest
        y = rect.top()
        shaded = len(self.tracks) > 1
        for status in STATUSES:
            row = self.series.get(status, {})
            total = sum(row.values())
            self.draw_label(painter, QRectF(rect.left(), y, label_w - 8, ROW_HEIGHT), STATUS_LABELS[status],
                            colours.text)
            base = QColor(STATUS_COLOURS[status])
            segments = [(row.get(track, 0), _mix(base, colours.background, TRACK_SHADES[track]) if shaded else base)
                        for track in self.tracks]
            end = self.draw_segments(painter, bar_x, y + (ROW_HEIGHT - BAR_HEIGHT) / 2, scale, segments)
            if total == 0:
                end = bar_x
            self.draw_label(painter, QRectF(end + 6, y, count_w + 40, ROW_HEIGHT), f"{total:,}", colours.muted)
            y += ROW_HEIGHT
        if shaded:
            grey = colours.text
            legend = [(track, _mix(grey, colours.background, TRACK_SHADES[track] * 0.7)) for track in self.tracks]
            self.draw_legend(painter, bar_x, y + 8, legend, colours)


class ReadPerWeekChart(Chart):
    """Papers marked read per week (Monday to Sunday, UTC), from the first such week to this one."""

    name = "read-per-week"
    title = "Papers read per week"
    empty_text = "Nothing marked read yet. Mark a paper as read (key 4) and it shows up here, week by week."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: list[tuple[date, int]] = []
        self.caption = ""

    def set_stats(self, stats: LibraryStats) -> None:
        self.series = list(stats.read_per_week)
        notes = []
        if stats.read_earlier:
            notes.append(f"{stats.read_earlier:,} read earlier than these {len(self.series)} weeks")
        if stats.read_undated:
            notes.append(f"{stats.read_undated:,} read on an unknown date")
        self.caption = "Not shown: " + "; ".join(notes) + "." if notes else ""

    def has_data(self) -> bool:
        return bool(self.series)

    def content_height(self) -> float:
        return 170.0

    def paint_body(self, painter: QPainter, rect: QRectF, colours: Colours) -> None:
        painter.setFont(self.small_font())
        metrics = QFontMetricsF(painter.font())
        top = max(count for _, count in self.series)
        step = _nice_step(top)
        ceiling = max(step, -(-top // step) * step)
        axis_w = metrics.horizontalAdvance(f"{ceiling}") + 8
        label_h = metrics.height() + 4
        caption_h = metrics.height() + 4 if self.caption else 0.0
        plot = QRectF(rect.left() + axis_w, rect.top() + 4, rect.width() - axis_w,
                      rect.height() - label_h - caption_h - 4)
        if self.caption:
            self.draw_label(painter, QRectF(rect.left(), rect.bottom() - metrics.height(), rect.width(),
                                            metrics.height()), self.caption, colours.muted)
            painter.setFont(self.small_font())
        # Grid lines and their values.
        value = 0
        while value <= ceiling:
            y = plot.bottom() - plot.height() * value / ceiling
            painter.setPen(colours.grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(colours.muted)
            painter.drawText(QRectF(rect.left(), y - metrics.height() / 2, axis_w - 6, metrics.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(value))
            value += step
        slot = plot.width() / len(self.series)
        bar_w = max(1.0, min(slot * 0.7, 28.0))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STATUS_COLOURS["read"]))
        for i, (_, count) in enumerate(self.series):
            if count:
                height = plot.height() * count / ceiling
                x = plot.left() + i * slot + (slot - bar_w) / 2
                path = QPainterPath()
                path.addRoundedRect(QRectF(x, plot.bottom() - height, bar_w, height), 2, 2)
                painter.drawPath(path)
        # A month label under the first week of each month, skipping labels that would collide.
        painter.setPen(colours.muted)
        last_right = -1e9
        previous_month = None
        for i, (week, _) in enumerate(self.series):
            sunday = week + timedelta(days=6)
            month = (sunday.year, sunday.month)
            if month == previous_month:
                continue
            previous_month = month
            text = sunday.strftime("%b") if sunday.month != 1 and i else sunday.strftime("%b %Y")
            x = plot.left() + i * slot
            if x < last_right + 6:
                continue
            painter.drawText(QPointF(x, plot.bottom() + metrics.ascent() + 3), text)
            last_right = x + metrics.horizontalAdvance(text)
        painter.setFont(self.font())


def _nice_step(top: int) -> int:
    """A grid step (1, 2, 5, 10, 20, ...) giving at most five lines up to ``top``."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if top / step <= 4:
                return step
        magnitude *= 10


class TopTagsChart(Chart):
    name = "top-tags"
    title = "Top tags"
    empty_text = "No tags yet. Tag papers (key T) and the ones you use most appear here."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: list[tuple[str, int]] = []

    def set_stats(self, stats: LibraryStats) -> None:
        self.series = list(stats.top_tags)

    def has_data(self) -> bool:
        return bool(self.series)

    def content_height(self) -> float:
        return ROW_HEIGHT * max(len(self.series), 5)

    def paint_body(self, painter: QPainter, rect: QRectF, colours: Colours) -> None:
        label_w = self.label_width(rect)
        count_w = QFontMetricsF(painter.font()).horizontalAdvance(f" {self.series[0][1]:,} ") + 8
        scale = max(rect.width() - label_w - count_w, 10.0) / self.series[0][1]
        y = rect.top()
        for tag, count in self.series:
            self.draw_label(painter, QRectF(rect.left(), y, label_w - 8, ROW_HEIGHT), tag, colours.text)
            end = self.draw_segments(painter, rect.left() + label_w, y + (ROW_HEIGHT - BAR_HEIGHT) / 2, scale,
                                     [(count, colours.accent)])
            self.draw_label(painter, QRectF(end + 6, y, count_w, ROW_HEIGHT), f"{count:,}", colours.muted)
            y += ROW_HEIGHT


class TopAuthorsChart(Chart):
    name = "top-authors"
    title = "Authors you read most"
    empty_text = "Mark papers as to read or read, and the authors who appear most in them show up here."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: list[tuple[str, int, int]] = []

    def set_stats(self, stats: LibraryStats) -> None:
        self.series = list(stats.top_authors)

    def has_data(self) -> bool:
        return bool(self.series)

    def content_height(self) -> float:
        return ROW_HEIGHT * max(len(self.series), 5) + 26.0

    def paint_body(self, painter: QPainter, rect: QRectF, colours: Colours) -> None:
        label_w = self.label_width(rect)
        largest = max(to_read + read for _, to_read, read in self.series)
        count_w = QFontMetricsF(painter.font()).horizontalAdvance(f" {largest:,} ") + 8
        scale = max(rect.width() - label_w - count_w, 10.0) / largest
        read_colour, to_read_colour = QColor(STATUS_COLOURS["read"]), QColor(STATUS_COLOURS["to-read"])
        y = rect.top()
        for name, to_read, read in self.series:
            self.draw_label(painter, QRectF(rect.left(), y, label_w - 8, ROW_HEIGHT), name, colours.text)
            end = self.draw_segments(painter, rect.left() + label_w, y + (ROW_HEIGHT - BAR_HEIGHT) / 2, scale,
                                     [(read, read_colour), (to_read, to_read_colour)])
            self.draw_label(painter, QRectF(end + 6, y, count_w, ROW_HEIGHT), f"{to_read + read:,}", colours.muted)
            y += ROW_HEIGHT
        self.draw_legend(painter, rect.left() + label_w, y + 8,
                         [(STATUS_LABELS["read"], read_colour), (STATUS_LABELS["to-read"], to_read_colour)], colours)


class ListProgressChart(Chart):
    name = "reading-lists"
    title = "Reading lists: read / papers"
    empty_text = "No reading lists yet. Add papers to a list (key L) to follow your progress through it."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: list[tuple[str, int, int]] = []

    def set_stats(self, stats: LibraryStats) -> None:
        self.series = list(stats.list_progress)

    def has_data(self) -> bool:
        return bool(self.series)

    def content_height(self) -> float:
        return ROW_HEIGHT * max(len(self.series), 3)

    def paint_body(self, painter: QPainter, rect: QRectF, colours: Colours) -> None:
        label_w = self.label_width(rect)
        metrics = QFontMetricsF(painter.font())
        widest = max(metrics.horizontalAdvance(f"{read:,} / {total:,}") for _, read, total in self.series)
        count_w = widest + 12
        track_w = max(rect.width() - label_w - count_w, 10.0)
        y = rect.top()
        read_colour = QColor(STATUS_COLOURS["read"])
        for name, read, total in self.series:
            self.draw_label(painter, QRectF(rect.left(), y, label_w - 8, ROW_HEIGHT), name, colours.text)
            bar = QRectF(rect.left() + label_w, y + (ROW_HEIGHT - BAR_HEIGHT) / 2, track_w, BAR_HEIGHT)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colours.grid)
            painter.drawRoundedRect(bar, 3, 3)
            if total and read:
                painter.setBrush(read_colour)
                painter.drawRoundedRect(QRectF(bar.left(), bar.top(), max(4.0, track_w * read / total), BAR_HEIGHT),
                                        3, 3)
            self.draw_label(painter, QRectF(bar.right() + 8, y, count_w, ROW_HEIGHT), f"{read:,} / {total:,}",
                            colours.muted)
            y += ROW_HEIGHT


class ChartExportDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, suggested: str, fmt: str) -> Path | None:
        """The file to save a chart to, or None if the user cancelled."""
        filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}
        path, _ = QFileDialog.getSaveFileName(parent, "Export chart", suggested, filters[fmt])
        if not path:
            return None
        result = Path(path)
        return result if result.suffix.lower() == f".{fmt}" else result.with_name(result.name + f".{fmt}")


class StatsView(QScrollArea):
    """The statistics view. It follows the library's events (``refresh()`` does it by hand); it recomputes
    at most every 200 ms and only while shown (a hidden view catches up when it is shown again). Nothing is
    computed until it is first shown: a window opens with it behind another tab (0.2 s at 100k papers).
    """

    refreshed = Signal()

    def __init__(self, library: Library, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._today = today
        self._dirty = True  # computed when first shown
        self._tracks: Counter[str] | None = None  # None: count papers per track again on the next refresh
        self._name_keys: dict[str, str] = {}
        self.stats = LibraryStats()
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)

        self.summary = QLabel()
        self.summary.setObjectName("statsSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.status_chart = StatusChart()
        self.read_chart = ReadPerWeekChart()
        self.tags_chart = TopTagsChart()
        self.authors_chart = TopAuthorsChart()
        self.lists_chart = ListProgressChart()
        self.charts: list[Chart] = [self.status_chart, self.read_chart, self.tags_chart, self.authors_chart,
                                    self.lists_chart]

        body = QWidget()
        body.setObjectName("statsBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(self.summary)
        grid = QGridLayout()
        grid.setSpacing(12)
        # One column: the tab sits between the sidebar and the detail pane, too narrow for two cards.
        for row, chart in enumerate(self.charts):
            grid.addWidget(chart, row, 0)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.setWidget(body)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh_now)
        self.connect_library()

    def connect_library(self) -> None:
        """Follow the library's events, until ``disconnect_library`` or until the view is destroyed."""
        self.disconnect_library = self.library.events.subscribe({
            PapersAdded: self._papers_added,
            PapersChanged: self._papers_changed,
            PapersRemoved: self._papers_added,  # papers came or went: count tracks again
            AnnotationsChanged: self._annotations_changed,
            ListsChanged: self._lists_changed,
        })
        self.destroyed.connect(self.disconnect_library)

    def _papers_added(self, _event: PapersAdded | PapersRemoved) -> None:
        self.refresh(papers_changed=True)

    def _papers_changed(self, event: PapersChanged) -> None:
        self.refresh(papers_changed="track" in event.fields)  # an import filled in the track: count again

    def _annotations_changed(self, _event: AnnotationsChanged) -> None:
        self.refresh()

    def _lists_changed(self, _event: ListsChanged) -> None:
        self.refresh()

    def refresh(self, papers_changed: bool = False) -> None:
        """Recompute soon (debounced); cheap to call on every annotation change.

        ``papers_changed``: papers came or their tracks changed, so count papers per track again.
        """
        if papers_changed:
            self._tracks = None
        if not self.isVisible():
            self._dirty = True
            return
        self._timer.start()

    def refresh_now(self) -> None:
        self._timer.stop()
        self._dirty = False
        # Tracks change only when papers are added or an import fills one in (``refresh(papers_changed=True)``).
        if self._tracks is None:
            self._tracks = track_totals(self.library)
        self.stats = compute_stats(self.library, self._today, self._tracks, self._name_keys)
        for chart in self.charts:
            chart.set_stats(self.stats)
            chart.data_changed()
        self.summary.setText(self._summary_text())
        self.refreshed.emit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh_now()

    def _summary_text(self) -> str:
        stats = self.stats
        if not stats.total:
            return "No papers yet."
        parts = [f"{stats.total:,} papers"]
        parts += [f"{stats.status_total(s):,} {STATUS_LABELS[s].lower()}" for s in STATUSES if s != "new"]
        return " · ".join(parts)
