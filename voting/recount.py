"""Recount a ballot file independently of the app.

    python -m voting.recount FILE [--method schulze|approval|plurality|motion]
                                  [--unranked last|abstain] [--json]

FILE is Concord's CSV export (a 'receipt' column, ignored), a Kubernetes steering election
CSV ('No opinion' cells), a Debian tally sheet, or a PrefLib .soc/.soi/.toc/.toi file.
Without --unranked, unranked candidates are read as the source reads them: no preference for
Kubernetes CSVs, ranked equally last for everything else. A Debian sheet's "None of the
above" is the default option of Debian constitution A.6. Bad input exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from voting.formats import BallotFile, load, marked_ballots, motion_votes, ranked_ballots
from voting.rules import NO_QUORUM, Status, motion
from voting.tally import Unranked, count_tiers, mark_counts, schulze

METHODS = ("schulze", "approval", "plurality", "motion")
READINGS = {Unranked.LAST: "ranked equally last", Unranked.ABSTAIN: "no preference"}


@dataclass(frozen=True)
class Recount:
    """A recount's result; `to_json()` gives the published JSON shape."""

    method: str
    candidates: tuple[str, ...]
    ranking: tuple[tuple[str, ...], ...]
    winners: tuple[str, ...]
    pairwise: tuple[tuple[int, ...], ...] | None  # schulze only: d[a][b] in candidate order
    ballots: int
    notes: tuple[str, ...] = ()  # what the text output says besides the ranking

    def to_json(self) -> dict[str, object]:
        """Return {"method", "candidates", "ranking", "winners", "pairwise"}."""
        pairwise = None if self.pairwise is None else [list(row) for row in self.pairwise]
        return {"method": self.method, "candidates": list(self.candidates),
                "ranking": [list(tier) for tier in self.ranking],
                "winners": list(self.winners), "pairwise": pairwise}


def recount(ballots: BallotFile, method: str = "schulze", unranked: str | None = None) -> Recount:
    """Count a ballot file by `method`; `unranked` overrides the source's reading."""
    if unranked is not None and method != "schulze":
        raise ValueError("--unranked applies to --method schulze only")
    if method == "schulze":
        return _schulze(ballots, Unranked(unranked or ballots.reading))
    if method == "motion":
        return _motion(ballots)
    if method in ("approval", "plurality"):
        marks = marked_ballots(ballots, single=method == "plurality")
        counts = mark_counts(ballots.candidates, marks)
        ranking = count_tiers(counts)
        winners = ranking[0] if any(counts.values()) else ()
        tally = ", ".join(f"{name} {count}" for name, count in counts.items())
        return Recount(method, ballots.candidates, ranking, winners, None, len(marks),
                       (f"{len(marks)} ballots from a {ballots.format} file: {tally}",))
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def _schulze(ballots: BallotFile, reading: Unranked) -> Recount:
    """Recount ranked ballots by Schulze, winning votes."""
    result = schulze(ballots.candidates, ranked_ballots(ballots), unranked=reading,
                     weights=ballots.weights, default_option=ballots.default_option)
    notes = [f"Schulze method (winning votes), {result.ballots} ballots from a "
             f"{ballots.format} file; unranked candidates read as {READINGS[reading]}"]
    if ballots.default_option:
        dropped = ", ".join(result.dropped) or "none"
        notes.append(f"default option: {ballots.default_option}; options dropped for not "
                     f"defeating it: {dropped}")
    return Recount("schulze", result.candidates, result.ranking, result.winners,
                   result.pairwise, result.ballots, tuple(notes))


def _motion(ballots: BallotFile) -> Recount:
    """Recount a motion by simple majority of votes cast; a tie fails (status quo)."""
    votes = motion_votes(ballots)
    # The file does not say how many companies were eligible: count the quorum elsewhere.
    outcome = motion(votes, max(1, len(votes)), quorum=NO_QUORUM)
    counts = {"yes": outcome.counts["yes"], "no": outcome.counts["no"]}
    winners = ("yes",) if outcome.status is Status.PASSED else ("no",)
    return Recount("motion", ("yes", "no"), count_tiers(counts), winners, None, len(votes),
                   (outcome.summary,))


def render(result: Recount) -> str:
    """Return the recount as text: notes, the ranking in tiers, the winners."""
    lines = [*result.notes, "Ranking:"]
    place = 1
    for tier in result.ranking:
        tied = " (tied)" if len(tier) > 1 else ""
        lines.append(f"  {place:>3}. {' = '.join(tier)}{tied}")
        place += len(tier)
    lines.append(f"Winners: {', '.join(result.winners) or 'none'}")
    return "\n".join(lines)


def _arguments() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m voting.recount", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="ballot file: CSV, Debian tally sheet or PrefLib")
    parser.add_argument("--method", choices=METHODS, default="schulze")
    parser.add_argument("--unranked", choices=[str(u) for u in Unranked],
                        help="read unranked candidates as ranked last, or as no preference")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the recount; return 0, or 2 on bad input (message on stderr)."""
    args = _arguments().parse_args(argv)
    try:
        result = recount(load(args.file), args.method, args.unranked)
    except (OSError, ValueError) as error:  # FormatError and UnicodeError are ValueErrors
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        print(f"recount: {args.file}: {reason}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
