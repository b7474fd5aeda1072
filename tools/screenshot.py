"""Take a screenshot of the library window as a person would see it (run under Xvfb, see README).

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/screenshot.py OUT.png \
        [--library DIR] [--query TEXT] [--select KEY] [--wait-index]
"""

from __future__ import annotations

import argparse
import tempfile

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from papershelf.core.library import AnnotationChange
from papershelf.core.search.index import WORD_INDEX_FROM
from papershelf.services.library import open_library
from papershelf.ui.main_window import MainWindow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--library")
    parser.add_argument("--query", default="")
    parser.add_argument("--select", default="")
    parser.add_argument("--demo", action="store_true", help="annotate a few papers so the window shows triage")
    parser.add_argument("--empty", action="store_true", help="an empty library")
    parser.add_argument("--tab", type=int, default=0, help="0: papers, 1: statistics")
    parser.add_argument("--theme", default="", help="light or dark")
    parser.add_argument("--wait-index", action="store_true",
                        help="a large library: shoot once the search index is ready (else while it is prepared)")
    args = parser.parse_args()
    app = QApplication([])
    folder = args.library or tempfile.mkdtemp()
    library = open_library(folder, seed=not args.empty)
    if args.demo:
        keys = library.keys()
        ids = library.ids_for_keys(keys[:40])
        library.annotate(ids[0:6], AnnotationChange(status="read", add_tags=("robustness",), rating=4))
        library.annotate(ids[6:14], AnnotationChange(status="to-read", add_lists=("Reading group",)))
        library.annotate(ids[14:17], AnnotationChange(status="reading", add_tags=("rl",), priority=3))
        library.annotate(ids[17:19], AnnotationChange(status="skipped"))
        library.annotate(ids[2:3], AnnotationChange(note="## Key idea\n\nSmall certified network + selector.\n\n"
                                                        "- compare with **IBP** baselines\n- $\\ell_\\infty$ 2/255"))
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    window = MainWindow(library, settings=settings)
    window.show()
    if args.query:
        window.search.setText(args.query)
    if args.theme:
        from papershelf.ui.preferences import apply_theme

        apply_theme(app, args.theme)
    window.tabs.setCurrentIndex(args.tab)
    if args.select and library.has_key(args.select):
        window.select_paper(library.paper(args.select).id, centre=True)
    elif window.model.rowCount():
        window.select_paper(window.model.paper_id(0))

    def shoot() -> None:
        window.update_facet_counts()
        app.processEvents()
        screen = window.screen()
        screen.grabWindow(0).save(args.out)
        app.quit()

    if args.wait_index and window.controller.index.word_index_enabled and len(library) >= WORD_INDEX_FROM:
        window.search_index_ready.connect(lambda: QTimer.singleShot(300, shoot))
    else:
        QTimer.singleShot(800, shoot)
    app.exec()


if __name__ == "__main__":
    main()
