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
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from papershelf.core.search.steps import run
from papershelf.core.storage import cachefile

FORMAT_VERSION: Final = 2  # 2: the header holds a checksum over the index's contents
DENSE_SHARE: Final = 32  # a token in more than 1/32 of the rows keeps a bitset instead of a row list
_CHUNK_ROWS: Final = 256  # rows tokenised and sorted at a time while building (~10 ms; larger is slower)
_GROUP_ROWS: Final = 4096  # ... and at most this many rows kept together until copied into place (a ~25 ms sort)
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
    return _bytes_checksum(ids, vocab, [np.ascontiguousarray(array_).data.cast("B") for array_ in arrays])


def _bytes_checksum(ids: Sequence[str], vocab: Sequence[str], parts: Iterable[memoryview]) -> int:
    crc = zlib.crc32(_SEP.join(ids).encode("utf-8", "surrogatepass"))
    crc = zlib.crc32(_SEP.join(vocab).encode("utf-8", "surrogatepass"), crc)
    for part in parts:
        crc = zlib.crc32(part, crc)
    return crc


def _dense_tokens(df: npt.NDArray[np.integer[Any]], n_rows: int) -> npt.NDArray[np.int64]:
    """The tokens that keep a bitset: in at least ``1/DENSE_SHARE`` of the rows."""
    return np.flatnonzero(df.astype(np.int64) * DENSE_SHARE >= max(n_rows, 1))


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
        dense_bits: npt.NDArray[np.uint8] | None = None,
    ) -> None:
        """From the rows of every token, in token order (``postings`` holds ``df[t]`` rows per token).

        With ``prepare=False`` the index cannot answer until ``preparing`` has run to its end. With
        ``dense_bits`` (one row of bits per dense token, in token order), ``postings`` holds the sparse
        tokens' rows only.
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
        self._dense_tokens = _dense_tokens(df, self.n_rows)
        self._dense_bits = np.zeros((len(self._dense_tokens), self._nbytes), np.uint8)
        self._sparse_tokens = np.zeros(0, np.int64)
        self._dense_vocab = self._sparse_vocab = Joined([])
        self._is_dense = np.zeros(len(vocab), np.bool_)
        self._dense_rows_dropped = False  # once prepared, ``_postings`` holds the sparse tokens' rows only
        self._prepared = False
        if dense_bits is not None:
            if dense_bits.shape != self._dense_bits.shape:
                raise ValueError(f"bits of shape {dense_bits.shape} for {self._dense_bits.shape}")
            self._dense_bits = dense_bits
            self._is_dense[self._dense_tokens] = True
            np.cumsum(np.where(self._is_dense, 0, df.astype(np.int64)), out=self._starts[1:])
            self._dense_rows_dropped = True
        if prepare:
            run(self.preparing())

    def preparing(self) -> Generator[None, None, None]:
        """Compute the dense tokens' bitsets and the vocabulary search, pausing now and then (~10 ms).

        The dense tokens' rows are then dropped from ``_postings``: their bitsets hold them (at 100k
        papers they are more than half of all the rows kept, ~30 MB).
        """
        if self._prepared:
            return
        postings, starts, vocab = self._postings, self._starts, self.vocab
        row_mask = np.zeros(self.n_rows, np.bool_)
        for slot, token in enumerate(self._dense_tokens.tolist() if not self._dense_rows_dropped else []):
            if slot % 4 == 3:  # (a few ms; more while the bitsets' pages are new)
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
        if self._dense_rows_dropped:  # (built without them: nothing to copy)
            self._prepared = True
            return
        lengths = self.df.astype(np.int64)
        dense = self._dense_tokens
        # the runs of sparse tokens between dense ones, copied (a loaded file's bytes can then go)
        run_starts = np.concatenate([[0], starts[dense + 1]]).tolist()
        run_ends = np.append(starts[dense], starts[-1]).tolist()
        sparse = np.empty(sum(end - start for start, end in zip(run_starts, run_ends, strict=True)), np.int32)
        at = paused_at = 0
        for run_start, run_end in zip(run_starts, run_ends, strict=True):
            for start in range(run_start, run_end, 1 << 16):  # (a run can hold millions of rows)
                end = min(start + (1 << 16), run_end)
                sparse[at : at + end - start] = postings[start:end]
                at += end - start
                if at - paused_at >= 1 << 16:  # (tens of MB at 100k papers, new to the process: in steps)
                    paused_at = at
                    yield
        self._postings = sparse
        self._starts = np.zeros(len(vocab) + 1, np.int64)
        np.cumsum(np.where(is_dense, 0, lengths), out=self._starts[1:])
        self._is_dense = is_dense
        self._dense_rows_dropped = self._prepared = True

    def _dense_rows(self, token: int) -> npt.NDArray[np.int32]:
        slot = int(np.searchsorted(self._dense_tokens, token))
        bits = np.unpackbits(self._dense_bits[slot], count=self.n_rows, bitorder="little")
        return np.flatnonzero(bits).astype(np.int32)

    def _postings_pieces(self) -> Generator[None, None, list[npt.NDArray[np.int32]]]:
        """Every token's rows, in token order, in pieces: the runs of sparse tokens' rows between two dense
        tokens as they are kept, each dense token's made again from its bitset (pausing every few)."""
        if not self._dense_rows_dropped:
            return [self._postings]
        pieces: list[npt.NDArray[np.int32]] = []
        starts, at = self._starts, 0
        for slot, token in enumerate(self._dense_tokens.tolist()):
            pieces.append(self._postings[at : starts[token]])
            pieces.append(self._dense_rows(token))
            at = int(starts[token + 1])
            if slot % 8 == 7:
                yield
        pieces.append(self._postings[at : starts[-1]])
        return pieces

    # -- building -------------------------------------------------------------------------------------

    @classmethod
    def build(cls, ids: Sequence[str], texts: Iterable[str], chunk_rows: int = _CHUNK_ROWS) -> WordIndex:
        """Index ``texts`` (one per id, in ``search_form``)."""
        return run(cls.building(ids, texts, chunk_rows))

    @classmethod
    def building(
        cls, ids: Sequence[str], texts: Iterable[str], chunk_rows: int = _CHUNK_ROWS, pause_every: int = 1024,
        *, prepare: bool = True,
    ) -> Generator[None, None, WordIndex]:
        """``build`` in steps: yields every ``pause_every`` texts and once per chunk; returns the index
        (``prepare``: as for the constructor).

        The texts go to a ``Builder`` in chunks of ``chunk_rows``; see there.
        """
        if chunk_rows > 1 << 15:
            raise ValueError(f"chunks of {chunk_rows} rows: at most {1 << 15}")
        builder = Builder(len(ids))
        rows = iter(texts)
        while True:
            chunk: list[str] = []
            while len(chunk) < chunk_rows:
                taken = len(chunk)
                chunk.extend(itertools.islice(rows, min(pause_every, chunk_rows - taken)))
                if len(chunk) == taken:
                    break
                if len(chunk) < chunk_rows:
                    yield
            if not chunk:
                break
            builder.add(chunk)
            yield
            yield from builder.merging()
        return (yield from builder.finishing(ids, prepare=prepare))

    # -- queries --------------------------------------------------------------------------------------

    def rows_of_token(self, number: int) -> list[int]:
        """The rows holding token ``number`` (its position in ``vocab``), ascending."""
        if self._dense_rows_dropped and self._is_dense[number]:
            return self._dense_rows(number).tolist()
        return self._postings[self._starts[number] : self._starts[number + 1]].tolist()

    def rows_with(self, word: str, verify: Verify | None) -> Mask:
        """A mask of the rows whose text contains ``word`` (no whitespace in it) as a substring.

        ``verify`` checks rows on the texts themselves; it is asked about rows the index cannot settle
        cheaply, and must answer for the texts as they were indexed. Without it (no texts at hand yet)
        the rows of every token containing the word are gathered.
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
        if verify is not None and len(uncovered) * _SCAN_COST <= 4096:  # too few rows left to look anything up
            mask[verify(uncovered.tolist())] = True
            return mask
        sparse = self._sparse_tokens[self._sparse_vocab.containing(word)]
        if not len(sparse):
            return mask
        lengths = self.df[sparse].astype(np.int64)
        total = int(lengths.sum())
        if verify is not None and total > len(uncovered) * _SCAN_COST:
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
        changed by ``preparing`` meanwhile). Every dense token's rows are made again from its bitset."""
        return run(self.file_parts_steps(extra))

    def file_parts_steps(self, extra: dict[str, Any] | None = None) -> Generator[None, None, FileParts]:
        """``file_parts`` in steps of a few ms (after ``preparing``, the dense tokens' rows are made again)."""
        postings = yield from self._postings_pieces()  # (no copy of the sparse tokens' rows)
        blobs: list[tuple[str, list[npt.NDArray[Any]]]] = [
            ("checksums", [self.checksums]),
            ("df", [self.df]),
            ("postings", postings),
        ]
        header = {
            "format": FORMAT_VERSION,
            "ids": self.ids,
            "vocab": self.vocab,
            "extra": extra or {},
            "blobs": [[name, pieces[0].dtype.str, sum(map(len, pieces))] for name, pieces in blobs],
        }  # the checksum over the contents ("crc32") is added by write_file (50 ms at 100k: in the thread)
        return header, [np.ascontiguousarray(piece).data.cast("B") for _, pieces in blobs for piece in pieces]

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
        try:
            blobs = _arrays(header, raw, at)  # read-only views of the file's bytes
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

    # -- between processes ----------------------------------------------------------------------------

    def built_parts(self) -> FileParts:
        """The index as ``Builder.finishing`` makes it (the dense tokens' rows in their bitsets), as a header
        and the arrays' bytes, for ``from_built_parts`` in another process (no rows made again, no copy)."""
        if not self._dense_rows_dropped:
            raise ValueError("only an index whose dense tokens' rows are in their bitsets")
        arrays: list[tuple[str, npt.NDArray[Any]]] = [
            ("checksums", self.checksums), ("df", self.df), ("postings", self._postings), ("bits", self._dense_bits),
        ]
        header = {"rows": self.n_rows, "vocab": self.vocab,
                  "blobs": [[name, array_.dtype.str, array_.size] for name, array_ in arrays]}
        return header, [np.ascontiguousarray(array_).reshape(-1).data.cast("B") for _, array_ in arrays]

    @classmethod
    def from_built_parts(
        cls, ids: list[str], header: dict[str, Any], raw: bytes, at: int, *, prepare: bool = True,
    ) -> WordIndex:
        """The index ``built_parts`` gave (its arrays read from ``raw`` from ``at`` on), of the rows ``ids``.

        Raises:
            WordIndexError: the parts are not such an index of as many rows.
        """
        try:
            blobs = _arrays(header, raw, at)
            vocab, df, postings = list(header["vocab"]), blobs["df"].astype(np.int32), blobs["postings"]
            dense = _dense_tokens(df, len(ids))
            sparse_rows = int(df.sum()) - int(df[dense].sum())
            if header["rows"] != len(ids) or len(df) != len(vocab) or sparse_rows != len(postings):
                raise WordIndexError("the parts do not agree")
            if len(postings) and (int(postings.min()) < 0 or int(postings.max()) >= len(ids)):
                raise WordIndexError("the parts name rows they do not have")
            bits = blobs["bits"].reshape(len(dense), (len(ids) + 7) // 8)
            return cls(ids, blobs["checksums"].astype(np.uint32), vocab, df,
                       postings.astype(np.int32, copy=False), prepare=prepare, dense_bits=bits)
        except (KeyError, TypeError, ValueError) as exc:
            raise WordIndexError(f"the parts are damaged ({exc})") from exc


def _arrays(header: dict[str, Any], raw: bytes, at: int) -> dict[str, npt.NDArray[Any]]:
    """The arrays ``header["blobs"]`` names (name, dtype, count), one after the other in ``raw`` from ``at`` on.

    Raises:
        WordIndexError: ``raw`` ends before them. (KeyError, TypeError, ValueError: a damaged header.)
    """
    arrays: dict[str, npt.NDArray[Any]] = {}
    for name, dtype, count in header["blobs"]:
        kind = np.dtype(dtype)
        end = at + int(count) * kind.itemsize
        if end > len(raw):
            raise WordIndexError("the file is truncated")
        arrays[name] = np.frombuffer(raw, kind, int(count), at)
        at = end
    return arrays


class Segments:
    """The word indexes of consecutive runs of rows (``parts``, each counting its rows from 0), answering as
    one index of all the rows: built side by side (``core/search/forked.py``), then ``merging`` into one.

    Every part but the last has a multiple of 8 rows (its bitsets' bytes then end where the next part's begin).
    """

    def __init__(self, parts: list[WordIndex], ids: list[str]) -> None:
        if sum(part.n_rows for part in parts) != len(ids):
            raise ValueError(f"{len(ids)} ids for {sum(part.n_rows for part in parts)} rows")
        if any(part.n_rows % 8 for part in parts[:-1]):
            raise ValueError("a part but the last of a number of rows not a multiple of 8")
        self.parts = parts
        self.ids = ids
        self.n_rows = len(ids)
        self.checksums = (  # (a copy: the search index sets them)
            np.concatenate([part.checksums for part in parts]).astype(np.uint32) if parts else np.zeros(0, np.uint32)
        )
        self._firsts = [0, *itertools.accumulate(part.n_rows for part in parts)][:-1]

    def rows_with(self, word: str, verify: Verify | None) -> Mask:
        """As ``WordIndex.rows_with``: each part's answer, one after the other."""
        masks = []
        for part, first in zip(self.parts, self._firsts, strict=True):
            part_verify = None if verify is None else _shifted(verify, first)
            masks.append(part.rows_with(word, part_verify))
        return np.concatenate(masks) if masks else np.zeros(0, np.bool_)

    def merging(self) -> Generator[None, None, WordIndex]:
        """The one index of all the rows, the same as one built from all their texts at once (the tokens
        numbered as they first occur, each token's rows ascending), in steps of a few ms. This one answers
        meanwhile (the checksums are shared: set them on either)."""
        parts = list(self.parts)
        n = self.n_rows
        numbers: dict[str, int] = {}
        maps = []  # per part: its tokens' numbers among all
        for part in parts:
            in_order = (numbers.setdefault(token, len(numbers)) for token in part.vocab)
            maps.append(np.fromiter(in_order, np.int64, len(part.vocab)))
            yield
        vocab = list(numbers)
        del numbers
        df = np.zeros(len(vocab), np.int64)
        for part, numbered in zip(parts, maps, strict=True):
            df[numbered] += part.df  # (a token once per part)
        dense = _dense_tokens(df, n)
        slot_of = np.full(len(vocab), -1, np.int64)
        slot_of[dense] = np.arange(len(dense))
        stride = ((n + 7) // 8) * 8
        bits = np.zeros((len(dense), stride // 8), np.uint8)
        free = np.zeros(len(vocab), np.int64)  # where each sparse token's next rows go
        sparse_df = np.where(slot_of < 0, df, 0)
        np.cumsum(sparse_df[:-1], out=free[1:])
        postings = np.empty(int(sparse_df.sum()), np.int32)
        for start in range(0, len(postings), 1 << 19):  # (new memory, touched in steps: see Builder.finishing)
            postings[start : start + (1 << 19)] = 0
            yield
        first = 0
        for part, numbered in zip(parts, maps, strict=True):
            yield from _merge_part(part, numbered, first, slot_of, bits, stride, postings, free)
            first += part.n_rows
        index = WordIndex(self.ids, self.checksums, vocab, df.astype(np.int32), postings, prepare=False,
                          dense_bits=bits)
        yield from index.preparing()
        return index


def _shifted(verify: Verify, first: int) -> Verify:
    """``verify`` for a part whose rows start at ``first``."""
    return lambda rows: [row - first for row in verify([row + first for row in rows])]


def _merge_part(
    part: WordIndex, numbered: npt.NDArray[np.int64], first: int, slot_of: npt.NDArray[np.int64],
    bits: npt.NDArray[np.uint8], stride: int, postings: npt.NDArray[np.int32], free: npt.NDArray[np.int64],
) -> Generator[None, None, None]:
    """Put a part's rows (from ``first`` on) into the merged index: the tokens dense in both by their bitsets'
    bytes, the others row by row (``Segments.merging``; parts in row order, so each token's rows ascend)."""
    run(part.preparing())  # (a part is prepared before it answers: nothing to do)
    flat_bits = bits.reshape(-1)
    byte_first, byte_end = first // 8, first // 8 + part._nbytes
    local_dense = part._dense_tokens
    slots = slot_of[numbered[local_dense]]
    both = np.flatnonzero(slots >= 0)
    for start in range(0, len(both), 256):  # (256 tokens' bytes of 50k rows: ~1.6 MB, a ms or two)
        piece = both[start : start + 256]
        bits[slots[piece], byte_first:byte_end] = part._dense_bits[piece]
        yield
    for slot in np.flatnonzero(slots < 0).tolist():  # dense in the part, not in all the rows: a row list
        token = int(numbered[local_dense[slot]])
        rows = np.flatnonzero(np.unpackbits(part._dense_bits[slot], count=part.n_rows, bitorder="little")) + first
        postings[free[token] : free[token] + len(rows)] = rows
        free[token] += len(rows)
    yield
    sparse = part._sparse_tokens  # (ascending: their rows lie one after the other in the part's postings)
    counts = part.df[sparse].astype(np.int64)
    ends = np.cumsum(counts)
    cuts = np.searchsorted(ends, np.arange(1 << 17, int(ends[-1]) if len(ends) else 0, 1 << 17), side="right")
    for low_token, high_token in itertools.pairwise(sorted({0, *cuts.tolist(), len(sparse)})):
        tokens, counts_here = numbered[sparse[low_token:high_token]], counts[low_token:high_token]
        low, high = int(ends[low_token] - counts_here[0]), int(ends[high_token - 1])
        rows = part._postings[low:high].astype(np.int64) + first
        token_slots = slot_of[tokens]
        row_slots = np.repeat(token_slots, counts_here)
        in_bits = row_slots >= 0
        if in_bits.any():  # sparse in the part, dense in all the rows
            _set_bits(flat_bits, np.sort(row_slots[in_bits] * stride + rows[in_bits]))
            rows = rows[~in_bits]
            counts_here = np.where(token_slots < 0, counts_here, 0)
        within = np.cumsum(counts_here) - counts_here
        postings[np.repeat(free[tokens] - within, counts_here) + np.arange(len(rows))] = rows
        free[tokens] += counts_here
        yield


class Builder:
    """A word index built from its texts as they come, a chunk at a time (``add``), then ``finishing``.

    Each chunk is tokenised at once (``_Tokenizer``: on the chunk's bytes, no string per token), so a
    caller that makes the texts in chunks (the search index's columns) tokenises each as it is made,
    and no text is made twice. The chunk's (token, row) pairs are sorted by token in groups of up to
    ``_GROUP_ROWS`` rows (``merging``, a step of its own: ~20 ms), and the groups' row lists copied into
    place at the end: the memory on top of the result stays small (sorting all 14M (token, row) pairs of
    100k papers at once needed 220 MB more).
    """

    def __init__(self, expected_rows: int, *, checksums: bool = True) -> None:
        """``expected_rows``: about how many texts will come (sizes the groups); ``checksums``: False when the
        caller sets the index's ``checksums`` itself (they are 0 until then)."""
        self._tokenizer = _Tokenizer()
        self._with_sums = checksums
        self._sums: list[npt.NDArray[np.uint32]] = []
        # per group of rows: its first row, the tokens in it, how many of its rows each is in, and those rows
        # sorted by token, counted from its first (2 bytes a row, not 4: the groups hold every row until copied)
        self._groups: list[tuple[int, npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.uint16]]] = []
        self._pairs: list[npt.NDArray[np.int64]] = []  # the group's (token, row) pairs so far: token << 16 | row
        self._group_first = 0
        self.rows = 0  # texts added
        # a twelfth of the rows at a time, 1024 to 8192: merging a group briefly takes ~20 bytes a row
        self._group_rows = min(max(expected_rows // 12, 1024), _GROUP_ROWS)

    def add(self, texts: Sequence[str]) -> None:
        """Tokenise the next rows' texts (in ``search_form``; at most ``1 << 15`` at a time: ~10 ms for 256)."""
        if not texts:
            return
        if len(texts) > 1 << 15:
            raise ValueError(f"chunks of {len(texts)} rows: at most {1 << 15}")
        if self.rows - self._group_first + len(texts) > 0xFFFF:  # a group's rows are counted in 16 bits
            run(self.merging(at_once=True))
        token_of, row_of, chunk_sums = self._tokenizer.tokens(texts, sums=self._with_sums)
        self._sums.append(chunk_sums)
        keys = (token_of << 16) | (row_of + (self.rows - self._group_first))
        keys.sort()
        self._pairs.append(keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys)
        self.rows += len(texts)

    def merging(self, *, at_once: bool = False) -> Generator[None, None, None]:
        """Merge the rows added since the last group into one, once there are enough (or ``at_once``)."""
        if self.rows - self._group_first < (1 if at_once else self._group_rows):
            return
        if not at_once:
            yield  # (the merge is a step of its own)
        # a few large arrays per group, not three small ones per chunk: those left the freed memory between
        # them in holes (~30 MB more at 100k papers)
        self._groups.append((self._group_first, *_grouped(self._pairs)))
        self._group_first = self.rows

    def finishing(self, ids: Sequence[str], *, prepare: bool = True) -> Generator[None, None, WordIndex]:
        """The index of the texts added, one per id (``prepare``: as for the ``WordIndex`` constructor)."""
        yield from self.merging(at_once=True)
        if self.rows != len(ids):
            raise ValueError(f"{len(ids)} ids but {self.rows} texts")
        groups, self._groups = self._groups, []
        vocab = self._tokenizer.vocab
        df = np.zeros(len(vocab), np.int64)
        for done, (_, present, lengths, _) in enumerate(groups, 1):
            df[present] += lengths
            if done % 32 == 0:
                yield
        # The dense tokens' rows go straight into their bitsets (what ``WordIndex.preparing`` would make of
        # them), the others' into ``postings``: half as many rows at 100k papers, and no copy of the sparse
        # ones after (memory new to the process costs ~8-15 ms a MB here: 0.6 s of a 100k build).
        dense = _dense_tokens(df, len(ids))
        slot_of = np.full(len(vocab), -1, np.int64)
        slot_of[dense] = np.arange(len(dense))
        stride = ((len(ids) + 7) // 8) * 8  # bits per dense token
        bits = np.zeros((len(dense), stride // 8), np.uint8)
        flat_bits = bits.reshape(-1)
        sparse_df = np.where(slot_of < 0, df, 0)
        free = np.zeros(len(vocab), np.int64)  # where each sparse token's next rows go
        np.cumsum(sparse_df[:-1], out=free[1:])
        postings = np.empty(int(sparse_df.sum()), np.int32)
        # touch the pages in steps, not in the first scatter (memory new to the process: ~15 ms a MB here)
        for start in range(0, len(postings), 1 << 19):
            postings[start : start + (1 << 19)] = 0
            yield
        groups.reverse()
        while groups:
            group_first, present, lengths, sorted_rows = groups.pop()
            ends = np.cumsum(lengths, dtype=np.int64)  # where each token's rows end in this group
            cuts = np.searchsorted(ends, np.arange(1 << 17, len(sorted_rows), 1 << 17), side="right").tolist()
            for first_token, end_token in itertools.pairwise(sorted({0, *cuts, len(present)})):
                # the rows of these tokens (~128k at most, or one token's own): a few ms
                tokens, counts = present[first_token:end_token], lengths[first_token:end_token]
                low, high = int(ends[first_token] - counts[0]), int(ends[end_token - 1])
                rows = sorted_rows[low:high].astype(np.int64) + group_first
                slots = np.repeat(slot_of[tokens], counts)
                in_bits = slots >= 0
                if in_bits.any():
                    _set_bits(flat_bits, slots[in_bits] * stride + rows[in_bits])  # (ascending here)
                    sparse_counts = np.where(slot_of[tokens] < 0, counts, 0)
                    rows = rows[~in_bits]
                else:
                    sparse_counts = counts
                within = np.cumsum(sparse_counts) - sparse_counts
                at = np.repeat(free[tokens] - within, sparse_counts) + np.arange(len(rows))
                postings[at] = rows
                free[tokens] += sparse_counts
                yield
        sums, self._sums = self._sums, []
        checksums = np.concatenate(sums).astype(np.uint32) if sums else np.zeros(0, np.uint32)
        index = WordIndex(
            list(ids), checksums, vocab, df.astype(np.int32), postings, prepare=False, dense_bits=bits,
        )
        if prepare:
            yield from index.preparing()
        return index


_ROW_SEP: Final = "\x1e"  # between a chunk's texts: whitespace to ``str.split``, never left by search_form
_ROW_SEP_BYTE: Final = 0x1E
# What str.split() takes for whitespace besides the space, the newline (the only ones search_form leaves) and
# the separator (counted)
_OTHER_SPACE: Final = re.compile(
    "[\t\x0b\x0c\r\x1c\x1d\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_SHORT: Final = 16  # bytes: a token up to this long is told apart by two 8-byte numbers (most are)
_EIGHT: Final = np.uint64(8)
_SIXTY_FOUR: Final = np.uint64(64)
_ALL_ONES: Final = ~np.uint64(0)
_MIX: Final = np.uint64(0x9E3779B97F4A7C15)
_SPREAD: Final = np.uint64(0xD6E8FEB86659FD93)
_POSITION_BITS: Final = 23  # a chunk's short tokens are numbered in 23 bits, their hashes in the other 40


class _Tokenizer:
    """Splits chunks of texts into tokens and numbers them (``vocab``), working on the chunk's UTF-8 bytes.

    A token is a run of bytes between spaces, newlines and the texts' separator (UTF-8 never has these
    bytes inside a character). A token of at most 16 bytes is read as two 8-byte numbers, its missing
    bytes 0xFF (a byte UTF-8 never has), so equal numbers mean equal tokens. They are hashed into one
    number, which is sorted with the occurrence's position in its low bits (numpy sorts plain numbers
    several times faster than it finds their order), to find the chunk's distinct tokens, which are
    then looked up among the known ones with ``searchsorted``. A longer token (1% of them), or one whose
    hash another token has already, is looked up in a dict of its bytes: the numbers are exact whatever
    the hashes do. Tokens are numbered in the order they first occur, however the texts are cut into
    chunks. At 100k papers this takes about a fifth of the time of a Python set of tokens per text.
    """

    def __init__(self) -> None:
        self.vocab: list[str] = []
        # the short tokens known: their hashes (ascending), their two numbers, and their numbers in vocab
        self._hashes = np.zeros(0, np.int64)
        self._low = np.zeros(0, np.uint64)
        self._high = np.zeros(0, np.uint64)
        self._numbers = np.zeros(0, np.int64)
        self._by_bytes: dict[bytes, int] = {}  # the other tokens known

    def tokens(
        self, texts: Sequence[str], *, spaced: bool = False, sums: bool = True
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
        """Each token occurrence's number and text (position in ``texts``), in order; each text's ``checksum``
        (0 each without ``sums``).

        ``spaced``: the texts are known to have no whitespace but single spaces (their checksums are not used).
        """
        joined = _ROW_SEP.join(texts)
        raw = joined.encode("utf-8", "surrogatepass")
        data = np.frombuffer(raw, np.uint8)
        separators = np.flatnonzero(data == _ROW_SEP_BYTE)
        newline = data == 0x0A
        if not spaced and (
            len(separators) != len(texts) - 1  # a text has the separator in it
            or np.count_nonzero(data < 0x20) != len(separators) + np.count_nonzero(newline)  # a tab, ...
            or any(_OTHER_SPACE.search(text) for text in texts if not text.isascii())  # a no-break space, ...
        ):
            # not in search_form: the tokens are what str.split() makes of the texts as given
            numbers, rows, _ = self.tokens([" ".join(text.split()) for text in texts], spaced=True, sums=False)
            return numbers, rows, np.fromiter(map(checksum, texts), np.uint32, len(texts)) if sums else _no_sums(texts)
        if sums:
            view, ends = memoryview(raw), [*separators.tolist(), len(raw)]
            text_starts = [0, *(end + 1 for end in ends[:-1])]
            text_sums = np.fromiter(
                (zlib.crc32(view[start:end]) for start, end in zip(text_starts, ends, strict=True)),
                np.uint32, len(texts),
            )
        else:
            text_sums = _no_sums(texts)
        in_token = np.zeros(len(data) + 2, np.bool_)
        if spaced:  # (other control characters may be inside tokens)
            np.logical_not((data == 0x20) | newline | (data == _ROW_SEP_BYTE), out=in_token[1:-1])
        else:  # the only bytes below 0x21 are spaces, newlines and separators (checked above): the others are tokens'
            np.greater(data, 0x20, out=in_token[1:-1])
        edges = np.flatnonzero(in_token[1:] != in_token[:-1])  # where tokens start and end, in turn
        starts = edges[0::2]
        lengths = edges[1::2] - starts
        per_text = np.diff(np.searchsorted(starts, separators), prepend=0, append=len(starts))
        rows = np.repeat(np.arange(len(texts)), per_text)
        numbers = np.full(len(starts), -1, np.int64)
        new_short = self._short_tokens(raw, starts, lengths, numbers)
        self._other_tokens(raw, starts, lengths, numbers, new_short)
        return numbers, rows, text_sums

    def _short_tokens(
        self, raw: bytes, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], numbers: npt.NDArray[np.int64],
    ) -> _NewShort:
        """Number the known short tokens' occurrences; the new short tokens, to be numbered in order."""
        short = np.flatnonzero(lengths <= _SHORT)
        if len(short) >> _POSITION_BITS:  # (texts of thousands of words each) too many: looked up by their bytes
            short = short[:0]
        padded = np.frombuffer(raw + b"\xff" * (_SHORT + 8), np.uint8)
        # the 8 bytes from each position on, as one little-endian number (an unaligned view, no copy)
        eights = np.ndarray((len(raw) + _SHORT + 1,), np.dtype("<u8"), padded.data, 0, (1,))
        at, length = starts[short], lengths[short].astype(np.uint64)
        # the bytes after the token made 0xFF: or-ed with the ones above its first (up to 8) bytes, found by
        # shifting (numpy shifts out every bit at 64; arithmetic, several times faster than a table's gather)
        beyond = np.minimum(length, _EIGHT) * _EIGHT
        low = eights[at] | ~(_ALL_ONES >> (_SIXTY_FOUR - beyond))
        beyond = np.maximum(length, _EIGHT) * _EIGHT - _SIXTY_FOUR  # (0 for a token of at most 8 bytes: all 0xFF)
        high = eights[at + 8] | ~(_ALL_ONES >> (_SIXTY_FOUR - beyond))
        del beyond
        # multiplied, so that the top bits kept depend on every byte
        hashes = (((low ^ (high * _MIX)) * _SPREAD) >> np.uint64(_POSITION_BITS + 1)).view(np.int64)
        keys = np.sort((hashes << _POSITION_BITS) | np.arange(len(short)))
        order = keys & ((1 << _POSITION_BITS) - 1)  # occurrences by hash, the first of each hash first
        sorted_hashes = keys >> _POSITION_BITS
        opens = np.ones(len(order), np.bool_)
        np.not_equal(sorted_hashes[1:], sorted_hashes[:-1], out=opens[1:])
        first = order[opens]  # each distinct hash's first occurrence
        distinct = sorted_hashes[opens]
        group = np.empty(len(order), np.int64)
        group[order] = np.cumsum(opens) - 1
        place = np.searchsorted(self._hashes, distinct)
        known = place < len(self._hashes)
        known[known] = self._hashes[place[known]] == distinct[known]
        # a hash stands for the known token with it, else for the chunk's first token with it
        expect_low, expect_high = low[first], high[first]
        expect_low[known] = self._low[place[known]]
        expect_high[known] = self._high[place[known]]
        same = (low == expect_low[group]) & (high == expect_high[group])
        number_of = np.full(len(distinct), -1, np.int64)
        number_of[known] = self._numbers[place[known]]
        numbers[short[same]] = number_of[group[same]]  # -1 for the new: numbered in _other_tokens
        new = np.flatnonzero(~known)
        new_slot = np.full(len(distinct), -1, np.int64)
        new_slot[new] = np.arange(len(new))
        return _NewShort(
            occurrences=short[first[new]], hashes=distinct[new], places=place[new], low=low[first[new]],
            high=high[first[new]], of=short[same], groups=new_slot[group[same]],
        )

    def _other_tokens(
        self, raw: bytes, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], numbers: npt.NDArray[np.int64],
        new_short: _NewShort,
    ) -> None:
        """Number every new token in order of first occurrence, then the long tokens' occurrences."""
        settled = np.zeros(len(starts), np.bool_)
        settled[new_short.of] = True
        others = np.flatnonzero(~settled)  # long ones, and short ones whose hash another token has
        by_bytes = self._by_bytes
        keys = [raw[s : s + n] for s, n in zip(starts[others].tolist(), lengths[others].tolist(), strict=True)]
        arrivals: dict[bytes, int] = {}  # a new token -> its first occurrence
        for key, occurrence in zip(keys, others.tolist(), strict=True):
            if key not in by_bytes and key not in arrivals:
                arrivals[key] = occurrence
        # every new token, in order of first occurrence: (occurrence, which new short token or -1, bytes)
        order = sorted([*zip(new_short.occurrences.tolist(), itertools.count(), itertools.repeat(b"")),
                        *((occurrence, -1, key) for key, occurrence in arrivals.items())])
        vocab = self.vocab
        short_numbers = np.empty(len(new_short.occurrences), np.int64)
        for occurrence, slot, key in order:
            if slot >= 0:
                short_numbers[slot] = len(vocab)
                key = raw[int(starts[occurrence]) : int(starts[occurrence] + lengths[occurrence])]
            else:
                by_bytes[key] = len(vocab)
            vocab.append(key.decode("utf-8", "surrogatepass"))
        waiting = new_short.of[numbers[new_short.of] < 0]
        numbers[waiting] = short_numbers[new_short.groups[numbers[new_short.of] < 0]]
        numbers[others] = [by_bytes[key] for key in keys]
        if len(short_numbers):  # the new short tokens join the known ones, the hashes kept ascending
            places = new_short.places
            self._hashes = np.insert(self._hashes, places, new_short.hashes)
            self._low = np.insert(self._low, places, new_short.low)
            self._high = np.insert(self._high, places, new_short.high)
            self._numbers = np.insert(self._numbers, places, short_numbers)


def _no_sums(texts: Sequence[str]) -> npt.NDArray[np.uint32]:
    return np.zeros(len(texts), np.uint32)


def _set_bits(flat_bits: npt.NDArray[np.uint8], where: npt.NDArray[np.int64]) -> None:
    """Set the bits numbered ``where`` (ascending) in ``flat_bits``: each byte's bits or-ed together, then set."""
    byte = where >> 3
    value = np.left_shift(1, where & 7).astype(np.uint8)
    opens = np.flatnonzero(np.concatenate(([True], byte[1:] != byte[:-1])))
    flat_bits[byte[opens]] |= np.bitwise_or.reduceat(value, opens)


@dataclass(frozen=True, slots=True)
class _NewShort:
    """The short tokens first seen in a chunk (their first occurrence, hash, place among the known hashes and
    two numbers), and the occurrences numbered by hash (``of``) with, for those of a new token, which one."""

    occurrences: npt.NDArray[np.int64]
    hashes: npt.NDArray[np.int64]
    places: npt.NDArray[np.int64]
    low: npt.NDArray[np.uint64]
    high: npt.NDArray[np.uint64]
    of: npt.NDArray[np.int64]
    groups: npt.NDArray[np.int64]


def _grouped(
    pairs: list[npt.NDArray[np.int64]],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.uint16]]:
    """A group's (token << 16 | row) pairs, each once: the tokens in it, how many rows each, those rows by token."""
    keys = np.concatenate(pairs) if pairs else np.zeros(0, np.int64)
    pairs.clear()  # (their memory goes now, not after)
    keys.sort()  # rows differ between chunks: no pair twice
    tokens = keys >> 16
    at_start = np.flatnonzero(np.concatenate(([True], tokens[1:] != tokens[:-1]))) if len(keys) else tokens[:0]
    lengths = np.diff(np.append(at_start, len(keys))).astype(np.int32)
    present = tokens[at_start].astype(np.int32)
    del tokens
    return present, lengths, keys.astype(np.uint16)  # the low 16 bits: the row


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
    header = {**header, "crc32": _bytes_checksum(header["ids"], header["vocab"], blobs)}
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
