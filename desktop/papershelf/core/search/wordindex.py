"""Which rows contain a word, answered from a token index instead of scanning every text.

The texts are in ``query.search_form`` (folded, lowercase, words separated by whitespace). Each text
is split on whitespace into tokens, and every distinct token of the collection (the vocabulary) keeps
the rows it occurs in. A word without whitespace occurs in a text exactly when it is a substring of
one of the text's tokens, so its rows are the union of the rows of every vocabulary token that
contains it: ``graph`` is found through graph, graphs, hypergraph, graph-based, ...

Two layouts keep the union cheap:

* a token in at least ``1/DENSE_SHARE`` of the rows keeps a bitset (one bit per row), which is then
  no larger than its list of rows; OR-ing a few hundred bitsets costs a few milliseconds;
* every other token keeps its rows in one shared array (CSR: ``sparse_start[t]`` .. ``sparse_start[t+1]``).

A short word ("g", "ne") is contained in tens of thousands of tokens. Once the dense tokens have
answered, the rows they did not cover are few, and checking those texts directly (``verify``) is
cheaper than gathering millions of sparse rows; ``rows_with`` picks whichever costs less.

The index is a pure value: built once from the texts (seconds at 100k papers, so the window does it
off the UI thread and caches it), read by any number of queries, and written to and read from a file
(``core/cachefile.py``).
"""

from __future__ import annotations

import contextlib
import itertools
import re
import zlib
from array import array
from collections.abc import Callable, Generator, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from papershelf.core.memory import gc_paused
from papershelf.core.search.steps import run
from papershelf.core.storage import cachefile

FORMAT_VERSION: Final = 2  # 2: the header holds a checksum over the index's contents
DENSE_SHARE: Final = 32  # a token in more than 1/32 of the rows keeps a bitset instead of a row list
_CHUNK_ROWS: Final = 2048  # rows tokenised and sorted at a time while building (a ~20 ms sort)
_SCAN_COST: Final = 80  # checking one row's text costs about as much as gathering this many postings
MAGIC: Final = b"PAPERSHELF-WORDINDEX\n"  # the first line of a word index file
_SEP: Final = "\n"  # between vocabulary tokens; whitespace, so never inside a token or a query word

Mask = npt.NDArray[np.bool_]
Verify = Callable[[list[int]], list[int]]
"""Given rows, the ones whose text contains the word (checked on the texts themselves)."""


class WordIndexError(ValueError):
    """A cache file this version cannot read."""


def checksum(text: str) -> int:
    """What ``WordIndex`` records per row to tell later whether that row's text changed."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def contents_checksum(
    ids: Sequence[str], vocab: Sequence[str], arrays: Sequence[npt.NDArray[Any]]
) -> int:
    """A CRC-32 over everything an index file holds: a file whose rows, tokens or postings were changed
    after it was written no longer agrees with it (~30 ms for the 60 MB of 100k papers)."""
    crc = zlib.crc32(_SEP.join(ids).encode("utf-8", "surrogatepass"))
    crc = zlib.crc32(_SEP.join(vocab).encode("utf-8", "surrogatepass"), crc)
    for array_ in arrays:
        crc = zlib.crc32(np.ascontiguousarray(array_).data.cast("B"), crc)
    return crc


class WordIndex:
    """The token index of ``n_rows`` texts; see the module docstring."""

    def __init__(
        self,
        ids: list[str],
        checksums: npt.NDArray[np.uint32],
        vocab: list[str],
        df: npt.NDArray[np.int32],
        postings: npt.NDArray[np.int32],
        *,
        prepare: bool = True,
    ) -> None:
        """From the rows of every token, in token order (``postings`` holds ``df[t]`` rows per token).

        With ``prepare=False`` the index cannot answer until ``preparing`` has run to its end.
        """
        self.ids = ids
        self.n_rows = len(ids)
        self.checksums = checksums
        self.vocab = vocab
        self.df = df
        self._nbytes = (self.n_rows + 7) // 8
        self._postings = postings
        self._starts = np.zeros(len(vocab) + 1, np.int64)
        np.cumsum(df, out=self._starts[1:])
        self._dense_tokens = np.flatnonzero(df.astype(np.int64) * DENSE_SHARE >= max(self.n_rows, 1))
        self._dense_bits = np.zeros((len(self._dense_tokens), self._nbytes), np.uint8)
        self._sparse_tokens = np.zeros(0, np.int64)
        self._dense_vocab = self._sparse_vocab = Joined([])
        self._is_dense = np.zeros(len(vocab), np.bool_)
        self._dense_rows_dropped = False  # once prepared, ``_postings`` holds the sparse tokens' rows only
        if prepare:
            run(self.preparing())

    def preparing(self) -> Generator[None, None, None]:
        """Compute the dense tokens' bitsets and the vocabulary search, pausing now and then (~10 ms).

        The dense tokens' rows are then dropped from ``_postings``: their bitsets hold them (at 100k
        papers they are more than half of all the rows kept, ~30 MB).
        """
        if self._dense_rows_dropped:
            return
        postings, starts, vocab = self._postings, self._starts, self.vocab
        row_mask = np.zeros(self.n_rows, np.bool_)
        for slot, token in enumerate(self._dense_tokens.tolist()):
            if slot % 64 == 63:
                yield
            row_mask[:] = False
            row_mask[postings[starts[token] : starts[token + 1]]] = True
            self._dense_bits[slot] = np.packbits(row_mask, bitorder="little")
        is_dense = np.zeros(len(vocab), np.bool_)
        is_dense[self._dense_tokens] = True
        self._dense_vocab = Joined([vocab[t] for t in self._dense_tokens.tolist()])
        yield
        self._sparse_tokens = np.flatnonzero(~is_dense)
        self._sparse_vocab = Joined([vocab[t] for t in self._sparse_tokens.tolist()])
        yield
        lengths = self.df.astype(np.int64)
        dense = self._dense_tokens
        # the runs of sparse tokens between dense ones, copied (a loaded file's bytes can then go)
        run_starts = np.concatenate([[0], starts[dense + 1]]).tolist()
        runs = zip(run_starts, np.append(starts[dense], starts[-1]).tolist(), strict=True)
        self._postings = np.concatenate([postings[start:end] for start, end in runs]).astype(np.int32, copy=False)
        self._starts = np.zeros(len(vocab) + 1, np.int64)
        np.cumsum(np.where(is_dense, 0, lengths), out=self._starts[1:])
        self._is_dense = is_dense
        self._dense_rows_dropped = True

    def _dense_rows(self, token: int) -> npt.NDArray[np.int32]:
        slot = int(np.searchsorted(self._dense_tokens, token))
        bits = np.unpackbits(self._dense_bits[slot], count=self.n_rows, bitorder="little")
        return np.flatnonzero(bits).astype(np.int32)

    def _all_postings(self) -> npt.NDArray[np.int32]:
        """Every token's rows, in token order (the dense tokens' made again from their bitsets)."""
        if not self._dense_rows_dropped:
            return self._postings
        lengths = self.df.astype(np.int64)
        every = np.empty(int(lengths.sum()), np.int32)
        every[np.repeat(~self._is_dense, lengths)] = self._postings
        starts = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=starts[1:])
        for token in self._dense_tokens.tolist():
            every[starts[token] : starts[token + 1]] = self._dense_rows(token)
        return every

    # -- building -------------------------------------------------------------------------------------

    @classmethod
    def build(cls, ids: Sequence[str], texts: Iterable[str], chunk_rows: int = _CHUNK_ROWS) -> WordIndex:
        """Index ``texts`` (one per id, in ``search_form``)."""
        return run(cls.building(ids, texts, chunk_rows))

    @classmethod
    def building(
        cls, ids: Sequence[str], texts: Iterable[str], chunk_rows: int = _CHUNK_ROWS, pause_every: int = 256,
        *, prepare: bool = True,
    ) -> Generator[None, None, WordIndex]:
        """``build`` in steps: yields every ``pause_every`` texts and between sorting steps; returns the index
        (``prepare``: as for the constructor; saving before ``preparing`` costs no copy of the rows).

        Rows are tokenised and sorted by token in chunks of ``chunk_rows``, and the chunks' row lists
        then copied into place: the memory on top of the result stays one chunk's worth (sorting all
        14M (token, row) pairs of 100k papers at once needed 220 MB more).
        """
        vocab: dict[str, int] = {}
        number = vocab.__getitem__
        sums = array("I")
        # per chunk: its first row, the tokens in it, how many of its rows each is in, and those rows sorted by
        # token, counted from its first (2 bytes a row, not 4: the chunks hold every row until copied into place)
        chunks: list[tuple[int, npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.uint16]]] = []
        if chunk_rows > 1 << 16:
            raise ValueError(f"chunks of {chunk_rows} rows: at most {1 << 16}")
        rows = iter(texts)
        first = 0
        with gc_paused():
            while True:
                tokens = array("i")
                counts = array("i")
                for done, text in enumerate(itertools.islice(rows, chunk_rows)):
                    if done % pause_every == pause_every - 1:
                        yield
                    distinct = set(text.split())
                    for token in distinct.difference(vocab):
                        vocab[token] = len(vocab)
                    tokens.extend(map(number, distinct))
                    counts.append(len(distinct))
                    sums.append(checksum(text))
                if not counts:
                    break
                token_of = np.frombuffer(tokens, np.int32) if tokens else np.zeros(0, np.int32)
                chunk = np.arange(len(counts), dtype=np.uint16)
                row_of = np.repeat(chunk, np.frombuffer(counts, np.int32))
                order = np.argsort(token_of, kind="stable")  # rows stay ascending within each token
                per_token = np.bincount(token_of)
                present = np.flatnonzero(per_token).astype(np.int32)
                chunks.append((first, present, per_token[present].astype(np.int32), row_of[order]))
                first += len(counts)
                yield
        if first != len(ids):
            raise ValueError(f"{len(ids)} ids but {first} texts")
        df = np.zeros(len(vocab), np.int64)
        for _, present, lengths, _ in chunks:
            df[present] += lengths
        free = np.zeros(len(vocab), np.int64)  # where each token's next rows go
        np.cumsum(df[:-1], out=free[1:])
        postings = np.empty(int(df.sum()), np.int32)
        for start in range(0, len(postings), 1 << 22):  # touch the pages in steps, not in the first scatter
            postings[start : start + (1 << 22)] = 0
            yield
        chunks.reverse()
        while chunks:
            chunk_first, present, lengths, sorted_rows = chunks.pop()
            within = np.cumsum(lengths, dtype=np.int64) - lengths  # where each token's rows start in this chunk
            at = np.repeat(free[present] - within, lengths) + np.arange(len(sorted_rows))
            postings[at] = sorted_rows.astype(np.int32) + chunk_first
            free[present] += lengths
            yield
        checksums = np.frombuffer(sums, np.uint32).copy() if sums else np.zeros(0, np.uint32)
        index = cls(list(ids), checksums, list(vocab), df.astype(np.int32), postings, prepare=False)
        if prepare:
            yield from index.preparing()
        return index

    # -- queries --------------------------------------------------------------------------------------

    def rows_of_token(self, number: int) -> list[int]:
        """The rows holding token ``number`` (its position in ``vocab``), ascending."""
        if self._dense_rows_dropped and self._is_dense[number]:
            return self._dense_rows(number).tolist()
        return self._postings[self._starts[number] : self._starts[number + 1]].tolist()

    def rows_with(self, word: str, verify: Verify) -> Mask:
        """A mask of the rows whose text contains ``word`` (no whitespace in it) as a substring.

        ``verify`` checks rows on the texts themselves; it is asked about rows the index cannot settle
        cheaply, and must answer for the texts as they were indexed.
        """
        n = self.n_rows
        dense = self._dense_vocab.containing(word)
        if len(dense):
            bits = np.bitwise_or.reduce(self._dense_bits[dense], axis=0)
            mask: Mask = np.unpackbits(bits, count=n, bitorder="little").view(np.bool_)
        else:
            mask = np.zeros(n, np.bool_)
        uncovered = np.flatnonzero(~mask)
        if not len(uncovered):
            return mask
        if len(uncovered) * _SCAN_COST <= 4096:  # too few rows left to be worth looking anything up
            mask[verify(uncovered.tolist())] = True
            return mask
        sparse = self._sparse_tokens[self._sparse_vocab.containing(word)]
        if not len(sparse):
            return mask
        lengths = self.df[sparse].astype(np.int64)
        total = int(lengths.sum())
        if total > len(uncovered) * _SCAN_COST:
            mask[verify(uncovered.tolist())] = True
            return mask
        starts = self._starts[sparse]
        ends = np.cumsum(lengths)
        offsets = np.repeat(starts - (ends - lengths), lengths) + np.arange(total, dtype=np.int64)
        mask[self._postings[offsets]] = True
        return mask

    # -- the cache file -------------------------------------------------------------------------------

    def save(self, path: Path, extra: dict[str, Any] | None = None) -> None:
        """Write the index atomically; ``extra`` is stored in the header for the caller's checks."""
        write_file(path, self.file_parts(extra))

    def file_parts(self, extra: dict[str, Any] | None = None) -> FileParts:
        """What ``save`` writes (for ``write_file``, in another thread if need be: taken now, it is not
        changed by ``preparing`` meanwhile). Before ``preparing`` it takes no memory of its own."""
        blobs: list[tuple[str, npt.NDArray[Any]]] = [
            ("checksums", self.checksums),
            ("df", self.df),
            ("postings", self._all_postings()),
        ]
        header = {
            "format": FORMAT_VERSION,
            "ids": self.ids,
            "vocab": self.vocab,
            "extra": extra or {},
            "blobs": [[name, blob.dtype.str, len(blob)] for name, blob in blobs],
            "crc32": contents_checksum(self.ids, self.vocab, [blob for _, blob in blobs]),
        }
        return header, [np.ascontiguousarray(blob).data.cast("B") for _, blob in blobs]

    @classmethod
    def load(cls, path: Path, *, prepare: bool = True) -> tuple[WordIndex, dict[str, Any]]:
        """Read an index file and the ``extra`` it was saved with (``prepare``: as for the constructor).

        Raises:
            FileNotFoundError: there is no file.
            WordIndexError: the file is damaged (its contents disagree with the checksum written with
                them) or from another version.
        """
        header, raw, at = cachefile.read(path, MAGIC, WordIndexError)
        if header.get("format") != FORMAT_VERSION:
            raise WordIndexError("written by another version")
        blobs: dict[str, npt.NDArray[Any]] = {}
        try:
            for name, dtype, count in header["blobs"]:
                kind = np.dtype(dtype)
                end = at + int(count) * kind.itemsize
                if end > len(raw):
                    raise WordIndexError("the file is truncated")
                blobs[name] = np.frombuffer(raw, kind, int(count), at)  # read-only views of the file's bytes
                at = end
            ids, vocab = list(header["ids"]), list(header["vocab"])
            checksums, df, postings = blobs["checksums"], blobs["df"], blobs["postings"]
        except (KeyError, TypeError, ValueError) as exc:
            raise WordIndexError(f"the file's parts are damaged ({exc})") from exc
        if not (len(checksums) == len(ids) and len(df) == len(vocab) and int(df.sum()) == len(postings)):
            raise WordIndexError("the file's parts do not agree")
        if not all(type(text) is str for text in (*ids, *vocab)) or (len(df) and int(df.min()) < 0):
            raise WordIndexError("the file's parts are damaged")
        if len(postings) and (int(postings.min()) < 0 or int(postings.max()) >= len(ids)):
            raise WordIndexError("the file names rows it does not have")
        if header.get("crc32") != contents_checksum(ids, vocab, [checksums, df, postings]):
            # well-formed but not what was written (a flipped bit, an edit): its answers would be wrong
            raise WordIndexError("the file's contents do not match their checksum")
        extra = header.get("extra")
        # Copies of the small parts: once prepared, nothing refers to the file's bytes, and they go.
        index = cls(
            ids, checksums.astype(np.uint32), vocab, df.astype(np.int32), postings.astype(np.int32, copy=False),
            prepare=prepare,
        )
        return index, extra if isinstance(extra, dict) else {}


def _code_points(text: str) -> npt.NDArray[np.uint8] | npt.NDArray[np.uint16] | npt.NDArray[np.uint32]:
    """One number per character of ``text``, in the narrowest type that holds them all (a note in Latin-1:
    1 byte a character, not 4)."""
    with contextlib.suppress(UnicodeEncodeError):  # (max(text) would take seconds on a long text)
        return np.frombuffer(text.encode("latin-1"), np.uint8)
    units = text.encode("utf-16-le", "surrogatepass")  # a lone surrogate is one unit too
    if len(units) == 2 * len(text):  # no character above U+FFFF: one unit each
        return np.frombuffer(units, np.uint16)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


FileParts = tuple[dict[str, Any], list[memoryview]]


def write_file(path: Path, parts: FileParts) -> None:
    """Write an index file from ``WordIndex.file_parts``, atomically."""
    header, blobs = parts
    cachefile.write(path, MAGIC, header, blobs)


class Joined:
    """Texts joined by newlines, to find which of them contain a word (without whitespace) at once."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.count = len(texts)
        self.text = _SEP + _SEP.join(texts) + _SEP if texts else ""
        lengths = np.fromiter((len(t) + 1 for t in texts), np.int64, len(texts))
        self._codes = _code_points(self.text)
        # text i owns its characters and the separator after it, from _starts[i] on; the leading separator is
        # nobody's. (Offsets per text, not an owner per character: that took 4 bytes a character.)
        self._starts = np.cumsum(lengths) - lengths + 1

    def containing(self, word: str) -> npt.NDArray[np.int64]:
        """Numbers of the texts that contain ``word``, ascending."""
        text = self.text
        if not text or not word or len(word) > len(text):
            return np.zeros(0, np.int64)
        codes = self._codes
        if len(word) <= 2:  # thousands of hits: compare code points in bulk instead of one match at a time
            span = len(codes) - len(word) + 1
            hit = codes[:span] == ord(word[0])
            for k in range(1, len(word)):
                hit &= codes[k : k + span] == ord(word[k])
            positions = np.flatnonzero(hit)
        else:
            positions = np.fromiter((m.start() for m in re.finditer(re.escape(word), text)), np.int64)
        if not len(positions):
            return np.zeros(0, np.int64)
        found = np.zeros(self.count, np.bool_)
        found[np.searchsorted(self._starts, positions, side="right") - 1] = True
        return np.flatnonzero(found)
