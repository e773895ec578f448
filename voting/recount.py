"""Recount a decision record or a ballot file independently of the app.

    python -m voting.recount FILE [--method schulze|approval|plurality|motion]
                                  [--unranked last|abstain] [--json]

FILE is a published decision's record (`decision-N.csv` or `decision-N.json` from the
decisions register): it carries the whole rule, so it is recounted under that rule, for
every kind and tie-break, and compared with the published outcome (exit 0 if they agree,
1 if not; --method and --unranked do not apply). FILE may also be a plain ballot file:
Concord's older CSV export (a 'receipt' column, ignored), a Kubernetes steering election
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
from pathlib import Path
from typing import Any

from voting import record_csv
from voting.formats import BallotFile, load, marked_ballots, motion_votes, ranked_ballots
from voting.outcome import Status
from voting.record import FORMAT, RecordError
from voting.record import recount as recount_record
from voting.rules import NO_QUORUM, motion
from voting.schulze import Unranked, schulze
from voting.tally import count_tiers, mark_counts

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


def read_record(text: str) -> dict[str, Any] | None:
    """Return the decision record in `text` (JSON or CSV), or None for a plain ballot file."""
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise RecordError(f"not JSON: {exc}") from None
        if isinstance(data, dict) and data.get("format") == FORMAT:
            return data
        raise RecordError(f"not a Concord decision record (expected format {FORMAT!r})")
    if stripped.startswith("# format:"):
        return record_csv.read(stripped)
    return None


def report(record: dict[str, Any]) -> dict[str, Any]:
    """Recount a record and return the comparison (what --json prints)."""
    result = recount_record(record)
    rules = record["rules"]
    tie_break = None if rules["kind"] == "consensus" else rules["tie_break_in_force"]
    return {"ballot": record.get("ballot"), "kind": rules["kind"],
            "tie_break": tie_break, "published": result.published,
            "recounted": result.recounted, "agree": result.agree,
            "summary": result.outcome.summary, "notes": list(result.notes)}


def _print_report(found: dict[str, Any]) -> None:
    ballot = found.get("ballot") or {}
    rule = (found["tie_break"] or "none (consensus)").replace("_", " ")
    print(f"Decision #{ballot.get('id')} {ballot.get('title', '')!r}: {found['kind']}, "
          f"tie-break in force: {rule}")
    print(f"Recounted: {found['summary']}")
    for note in found["notes"]:
        print(f"  {note}")
    published = found["published"] or {}
    print(f"Published status: {published.get('status')}; recounted status: "
          f"{found['recounted']['status']}")
    print("AGREES with the published outcome." if found["agree"] else
          "DISAGREES with the published outcome.")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the recount; return 0 (agrees or counted), 1 (disagrees), 2 (bad input)."""
    args = _arguments().parse_args(argv)
    try:
        record = read_record(Path(args.file).read_bytes().decode("utf-8", errors="strict"))
    except UnicodeDecodeError:
        record = None  # Debian's 2007 tally sheet is ISO-8859-1: the ballot-file reader copes
    except (OSError, RecordError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        print(f"recount: {args.file}: {reason}", file=sys.stderr)
        return 2
    if record is not None:
        try:
            found = report(record)
        except RecordError as error:
            print(f"recount: {args.file}: {error}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(found, ensure_ascii=False))
        else:
            _print_report(found)
        return 0 if found["agree"] else 1
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
