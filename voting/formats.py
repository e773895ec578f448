"""Readers for ballot files: Concord's CSV export, Kubernetes CSVs, Debian tally sheets, PrefLib.

Each reader returns a `BallotFile`: option names, ballots, and the reading of unranked
candidates that the source itself uses. Anything it cannot read raises `FormatError` naming
the line and the problem.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voting.rules import Vote
from voting.schulze import Unranked

PREFLIB_SUFFIXES = {".soc", ".soi", ".toc", ".toi"}
DEFAULT_OPTION_NAMES = {"none of the above", "further discussion"}  # Debian's default options
_DEBIAN_OPTION = re.compile(r"^[\s/|]*Option\s+(\d+)-*>:\s*(.*?)\s*$")
_DEBIAN_VOTE = re.compile(r"^V:\s+(\S+)(?:\s+\S+)?\s*$")
_PREFLIB_NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s*(.*?)\s*$")
_PREFLIB_COUNT = re.compile(r"^#\s*NUMBER ALTERNATIVES\s*:\s*(\d+)\s*$")
_NO_OPINION = {"", "no opinion"}  # Kubernetes/Elekto write "No opinion"; Concord leaves it empty
_MARKS = {"1": True, "x": True, "": False, "0": False}


class FormatError(ValueError):
    """A ballot file that cannot be read."""


@dataclass(frozen=True, eq=False)
class BallotFile:
    """Ballots read from a file, in the source's own terms."""

    format: str  # "concord-csv", "kubernetes-csv", "debian-tally" or "preflib"
    candidates: tuple[str, ...]
    reading: Unranked  # how the source reads unranked candidates
    ranks: np.ndarray | None = None  # ballots x candidates, 0 = unranked (ranked formats)
    weights: np.ndarray | None = None  # how many voters cast each row (PrefLib counts)
    rows: tuple[tuple[str, ...], ...] = ()  # CSV cells, read per method by the functions below
    default_option: str | None = None


def load(path: str | Path) -> BallotFile:
    """Read a ballot file, detecting its format."""
    data = Path(path).read_bytes()
    if b"\x00" in data:
        raise FormatError("binary data, not a ballot file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # Debian's 2007 tally sheet is ISO-8859-1
    return parse(text, Path(path).suffix.lower())


def parse(text: str, suffix: str = "") -> BallotFile:
    """Read ballot text; `suffix` (like '.soi') helps to detect PrefLib files."""
    if suffix in PREFLIB_SUFFIXES or re.search(r"^#\s*ALTERNATIVE NAME", text, re.M):
        return parse_preflib(text)
    lines = text.splitlines()
    if any(map(_DEBIAN_OPTION.match, lines)) and any(line.startswith("V:") for line in lines):
        return parse_debian(text)
    return parse_csv(text)


def parse_debian(text: str) -> BallotFile:
    """Read a Debian (devotee) tally sheet: the option legend, then 'V: <ranks> <hash>' lines.

    Character i of a vote gives option i's rank: a digit 1-9, lower is better, equal digits
    tie, '-' is unranked. Debian reads unranked options as ranked equally last.
    """
    names: dict[int, str] = {}
    votes: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if option := _DEBIAN_OPTION.match(line):
            names[int(option.group(1))] = option.group(2)
        elif line.startswith("V:"):
            if not (vote := _DEBIAN_VOTE.match(line)):
                raise FormatError(f"line {number}: unreadable vote line {line.strip()!r}")
            votes.append((number, vote.group(1)))
    if sorted(names) != list(range(1, len(names) + 1)):
        raise FormatError("the option legend must number options 1, 2, 3, ...")
    candidates = tuple(names[i] for i in sorted(names))
    ranks = np.zeros((len(votes), len(candidates)), np.int64)
    for row, (number, vote) in enumerate(votes):
        if len(vote) != len(candidates) or not re.fullmatch(r"[-1-9]*", vote):
            raise FormatError(f"line {number}: vote {vote!r} must give {len(candidates)} "
                              "ranks, each a digit 1-9 or '-'")
        ranks[row] = [0 if mark == "-" else int(mark) for mark in vote]
    default = next((n for n in candidates if n.lower() in DEFAULT_OPTION_NAMES), None)
    return BallotFile("debian-tally", candidates, Unranked.LAST, ranks=ranks,
                      default_option=default)


def parse_preflib(text: str) -> BallotFile:
    """Read a PrefLib .soc/.soi/.toc/.toi file: '#' metadata, then 'count: 1,2,{3,4},5'.

    Braces hold tied alternatives; alternatives a line leaves out are unranked, read as
    ranked equally last by default.
    """
    names: dict[int, str] = {}
    size = 0
    orders: list[tuple[int, int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if name := _PREFLIB_NAME.match(line):
            names[int(name.group(1))] = name.group(2)
        elif count := _PREFLIB_COUNT.match(line):
            size = int(count.group(1))
        elif line.strip() and not line.startswith("#"):
            weight, colon, order = line.partition(":")
            if not colon or not weight.strip().isdigit() or int(weight) < 1:
                raise FormatError(f"line {number}: expected 'count: order', got {line.strip()!r}")
            orders.append((number, int(weight), order))
    size = max([size, *names])
    if size < 1:
        raise FormatError("no alternatives: missing '# NUMBER ALTERNATIVES' or names")
    candidates = tuple(names.get(i, str(i)) for i in range(1, size + 1))
    ranks = np.zeros((len(orders), size), np.int64)
    for row, (number, _, order) in enumerate(orders):
        ranks[row] = _preflib_order(order, size, number)
    weights = np.array([weight for _, weight, _ in orders], np.int64)
    return BallotFile("preflib", candidates, Unranked.LAST, ranks=ranks, weights=weights)


def _preflib_order(order: str, size: int, number: int) -> list[int]:
    """Return the ranks a PrefLib order gives to alternatives 1..size (0 = unlisted)."""
    compact = re.sub(r"\s+", "", order)
    groups = re.findall(r"\{([^{}]*)\}|([^,{}]+)", compact)
    # Rebuilding the text from what was found catches stray commas, braces and empty groups.
    if ",".join(f"{{{tied}}}" if tied else single for tied, single in groups) != compact:
        raise FormatError(f"line {number}: unreadable order {order.strip()!r}")
    ranks = [0] * size
    for rank, (tied, single) in enumerate(groups, start=1):
        for item in (tied or single).split(","):
            if not item.isdigit() or not 1 <= int(item) <= size:
                raise FormatError(f"line {number}: {item!r} is not an alternative 1-{size}")
            if ranks[int(item) - 1]:
                raise FormatError(f"line {number}: alternative {item} listed twice")
            ranks[int(item) - 1] = rank
    return ranks


def parse_csv(text: str) -> BallotFile:
    """Read a CSV whose header names the options; a 'receipt' column marks Concord's export."""
    try:
        table = [row for row in csv.reader(text.splitlines()) if any(c.strip() for c in row)]
    except csv.Error as error:
        raise FormatError(f"unreadable CSV: {error}") from None
    if not table or len(table[0]) < 2:
        raise FormatError("not a ballot file: expected a Concord or Kubernetes CSV, a Debian "
                          "tally sheet or a PrefLib .soc/.soi/.toc/.toi file")
    header = [name.strip() for name in table[0]]
    receipt = [i for i, name in enumerate(header) if name.lower() == "receipt"]
    keep = [i for i in range(len(header)) if i not in receipt]
    candidates = tuple(header[i] for i in keep)
    if "" in candidates or len(set(candidates)) != len(candidates):
        raise FormatError("the header must name each option once")
    rows = []
    for number, row in enumerate(table[1:], start=2):
        if len(row) != len(header):
            raise FormatError(f"row {number}: {len(row)} cells, the header has {len(header)}")
        rows.append(tuple(row[i].strip() for i in keep))
    kind, reading = ("concord-csv", Unranked.LAST) if receipt else (
        "kubernetes-csv", Unranked.ABSTAIN)
    return BallotFile(kind, candidates, reading, rows=tuple(rows))


def ranked_ballots(ballots: BallotFile) -> np.ndarray:
    """Return the ranks of a ranked file (CSV cells: a rank >= 1, empty or 'No opinion')."""
    if ballots.ranks is not None:
        return ballots.ranks
    ranks = np.zeros((len(ballots.rows), len(ballots.candidates)), np.int64)
    for row, cells in enumerate(ballots.rows):
        for column, cell in enumerate(cells):
            if cell.lower() in _NO_OPINION:
                continue
            if not cell.isdigit() or int(cell) < 1:
                name = ballots.candidates[column]
                raise FormatError(f"row {row + 2}, {name!r}: bad rank {cell!r}")
            ranks[row, column] = int(cell)
    return ranks


def marked_ballots(ballots: BallotFile, *, single: bool) -> list[set[str]]:
    """Return the options each CSV row marks ('1' or 'x'; empty or '0' is unmarked)."""
    _need_rows(ballots, "approval or plurality")
    marked = []
    for row, cells in enumerate(ballots.rows, start=2):
        if bad := [cell for cell in cells if cell.lower() not in _MARKS]:
            raise FormatError(f"row {row}: {bad[0]!r} is not a mark (1, x or empty)")
        chosen = {name for name, cell in zip(ballots.candidates, cells, strict=True)
                  if _MARKS[cell.lower()]}
        if single and len(chosen) > 1:
            raise FormatError(f"row {row}: a single-choice ballot marks {len(chosen)} options")
        marked.append(chosen)
    return marked


def motion_votes(ballots: BallotFile) -> list[Vote]:
    """Return the votes of a motion CSV: one column of yes/no/abstain, or marked columns."""
    _need_rows(ballots, "motion")
    columns = [name.lower() for name in ballots.candidates]
    if set(columns) <= set(Vote):
        marks = marked_ballots(ballots, single=True)
        if any(not chosen for chosen in marks):
            raise FormatError("every motion ballot marks yes, no or abstain")
        return [Vote(next(iter(chosen)).lower()) for chosen in marks]
    if len(columns) != 1:
        raise FormatError("a motion CSV has one vote column (yes/no/abstain) or yes/no/abstain "
                          "columns of marks")
    words = [cells[0].lower() for cells in ballots.rows]
    if bad := [word for word in words if word not in set(Vote)]:
        raise FormatError(f"{bad[0]!r} is not a motion vote (yes, no or abstain)")
    return [Vote(word) for word in words]


def _need_rows(ballots: BallotFile, method: str) -> None:
    """Refuse a ranked-only format for a method that reads CSV cells."""
    if ballots.ranks is not None:
        raise FormatError(f"a {ballots.format} file holds ranked ballots, not {method} ballots; "
                          "recount it with --method schulze")
