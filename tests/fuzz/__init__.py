"""Fuzzing the parsers that read what users and other tools write.

Two layers:

- Hypothesis tests run in ``make test``, with explicit example counts and a per-input time limit:
  ``tests/formats/test_fuzz_bibtex.py``, ``tests/formats/test_fuzz_paperlist.py``,
  ``tests/sync/test_fuzz_notesfile.py``, ``tests/core/test_fuzz_query.py``. Each feeds arbitrary text
  and grammar-shaped text with random breakage, and checks that only the documented results come out
  (a ``ParseResult`` or ``NotesDocument`` with problems; for queries, a ``Query`` or a ``QueryError``).
- Coverage-guided harnesses for atheris (libFuzzer for Python) in this folder, run by ``make fuzz``:
  ``fuzz_bibtex.py`` and ``fuzz_notesfile.py``. atheris is an optional dependency; ``make fuzz``
  installs it into .venv when it can and says so when it cannot. By hand::

      .venv/bin/python tests/fuzz/fuzz_bibtex.py -max_total_time=60 -timeout=5 tests/fuzz/corpus/bibtex

  A crash leaves ``crash-<hash>`` (the input) in the working directory; libFuzzer's ``-timeout`` turns a
  hang into a crash too.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator, Sequence

from hypothesis import strategies as st

SECONDS_PER_INPUT = 2.0
"""How long one input may take before a fuzz test calls it a hang (hypothesis deadlines are off: a
loaded machine is not a slow parser; ``make bench`` measures speed)."""


class InputTimeout(Exception):
    """One fuzz input ran past its time limit: a hang, or a pathological slowdown."""


@contextlib.contextmanager
def time_limit(seconds: float = SECONDS_PER_INPUT) -> Iterator[None]:
    """Interrupt the block with :class:`InputTimeout` after ``seconds`` (a real bound, unlike a
    hypothesis deadline, which only judges an input once it has finished). POSIX main thread only;
    elsewhere the block runs unbounded."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise InputTimeout(f"one input took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def broken_by(
    inserted: Sequence[str], window: int
) -> Callable[[st.SearchStrategy[str]], st.SearchStrategy[str]]:
    """A strategy maker: grammar-shaped text with random breakage (cut, ``inserted`` pieces put in, the file
    truncated, or up to ``window`` characters repeated)."""

    @st.composite
    def breaking(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> str:
        text = draw(texts)
        for _ in range(draw(st.integers(0, 6))):
            if not text:
                break
            at = draw(st.integers(0, len(text)))
            action = draw(st.sampled_from(["cut", "insert", "truncate", "duplicate"]))
            if action == "cut":
                text = text[:at] + text[at + draw(st.integers(1, 6)) :]
            elif action == "insert":
                text = text[:at] + draw(st.sampled_from(inserted)) + text[at:]
            elif action == "truncate":
                text = text[:at]
            else:
                text = text[:at] + text[max(0, at - window) : at] + text[at:]
        return text

    return breaking


def as_text(data: bytes) -> str:
    """Fuzzer bytes as a file reader takes them: UTF-8, else Latin-1 (so seed files are used as they are)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
