"""What every importer returns: the papers it read and the problems it could not get past."""

from __future__ import annotations

from dataclasses import dataclass, field

from papershelf.core.model import Paper


@dataclass(frozen=True, slots=True)
class Problem:
    """Something an importer could not read, with where it is in the file."""

    line: int
    reason: str
    key: str = ""
    severity: str = "error"  # "error": input dropped; "warning": imported with a caveat

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        entry = f" [{self.key}]" if self.key else ""
        return f"{where}{entry}: {self.reason}"


@dataclass(slots=True)
class ParseResult:
    """Papers read from a file (without ids or pinned keys yet) and the problems met on the way."""

    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # line number of each paper's start

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
