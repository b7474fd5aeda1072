"""Long texts of wide characters held as UTF-8: half the memory of the ``str`` for most notes.

CPython keeps a ``str`` at 2 bytes a character once any character in it is above U+00FF (a dash, a
quote mark, an arrow), so a long note of mostly Latin text with one such character takes twice its
UTF-8 size. A library synced with a 50 MB notes file held ~100 MB of notes so. ``pack`` gives such a
text as a ``PackedText`` (its UTF-8 bytes), any other text as it is; ``unpack`` gives the text back.

The annotation of a paper holds its note through ``pack``, and the same object goes into the stored
documents (the annotation's, the notes-file sync's base), so the text is held once, as UTF-8; the
store writes it as the JSON string of its text.
"""

from __future__ import annotations

import sys
from typing import Any, Final

PACK_FROM: Final = 4096
"""Characters: a shorter text is kept as it is (decoding costs ~1 us a kilobyte each time it is read)."""


class PackedText:
    """A text held as its UTF-8 bytes (``data``); ``str(packed)`` is the text.

    Immutable. Equal to another ``PackedText`` of the same bytes and to the ``str`` it holds (with the
    same hash), so stored documents compare as before whichever way their note is held.
    """

    __slots__ = ("_hash", "data", "length")

    def __init__(self, data: bytes, length: int) -> None:
        """``data``: the UTF-8 of a text of ``length`` characters (the caller vouches for both)."""
        self.data = data
        self.length = length
        self._hash: int | None = None

    def __str__(self) -> str:
        return self.data.decode("utf-8")

    def __repr__(self) -> str:
        return repr(str(self))  # as the text (a document printed shows its note)

    def __len__(self) -> int:
        return self.length

    def __eq__(self, other: object) -> bool:
        if type(other) is PackedText:
            return self.length == other.length and self.data == other.data
        if type(other) is str:
            return self.length == len(other) and self.data == other.encode("utf-8", "surrogatepass")
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(str(self))  # as the text's: equal objects hash alike
        return self._hash

    def __copy__(self) -> PackedText:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> PackedText:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (PackedText, (self.data, self.length))


def pack(text: str | PackedText) -> str | PackedText:
    """``text`` as it is best held: a long text of 2- or 4-byte characters whose UTF-8 is smaller as
    ``PackedText``; any other (and a ``PackedText``) as it is."""
    if type(text) is not str or len(text) < PACK_FROM or sys.getsizeof(text) < 2 * len(text):
        return text  # (getsizeof: 1 byte a character plus a header, for ASCII and Latin-1 texts)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (not from a file or a keyboard): kept as it is
        return text
    return PackedText(data, len(text)) if len(data) < sys.getsizeof(text) else text


def unpack(value: Any) -> Any:
    """The text a stored value holds (``str`` of a ``PackedText``); any other value as it is."""
    return value.data.decode("utf-8") if type(value) is PackedText else value


def plain(value: Any) -> str:
    """For ``orjson.dumps(default=plain)``: a ``PackedText`` is written as its text.

    Raises:
        TypeError: any other type orjson cannot write (as orjson would).
    """
    if type(value) is PackedText:
        return str(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")
