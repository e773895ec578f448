"""Pure: a decision record as CSV, and back: `# key: JSON` lines, then a table.

    # format: "concord-decision/1"
    # ballot: {"id": 7, "title": "...", "url": "..."}
    # rules: {"kind": "motion", "threshold": "simple_majority", ...}
    # casting_vote: {"by": "Carol Chen", "choice": "yes"}
    # lot: null
    # outcome: {...}
    receipt,company,vote
    K7QM-2XWA-9PLD-RT4C,AT&T,yes

An open ballot's table holds one row per ballot (receipt, company, then the choice: response
and reason, the vote, a mark or a rank per option, in the rules' option order); a secret
ballot's holds only the counted receipts, and its counts are in the `# tally:` line. Free
text is written spreadsheet-safe (core.csv_cells) and restored on reading.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from core.csv_cells import neutral, restore
from voting.outcome import Kind
from voting.record import FORMAT, RecordError

HEADER_KEYS = ("format", "ballot", "rules", "casting_vote", "lot", "tally", "receipts", "outcome")


def write(record: Mapping[str, Any]) -> str:
    """Return the record as CSV text."""
    out = io.StringIO()
    for key in HEADER_KEYS:
        if key in record and key != "receipts":
            out.write(f"# {key}: {json.dumps(record[key], ensure_ascii=False)}\n")
    writer = csv.writer(out, lineterminator="\n")
    rules = record["rules"]
    if "ballots" not in record:
        writer.writerow(["receipt"])
        writer.writerows([receipt] for receipt in record.get("receipts", []))
        return out.getvalue()
    kind, options = Kind(rules["kind"]), rules["options"]
    writer.writerow(["receipt", "company", *_choice_header(kind, options)])
    for row in record["ballots"]:
        writer.writerow([row["receipt"], neutral(row.get("company") or ""),
                         *_choice_cells(kind, options, row["choice"])])
    return out.getvalue()


def _choice_header(kind: Kind, options: list[str]) -> list[str]:
    if kind is Kind.CONSENSUS:
        return ["response", "reason"]
    if kind is Kind.MOTION:
        return ["vote"]
    return list(options)


def _choice_cells(kind: Kind, options: list[str], choice: Mapping[str, Any]) -> list[str]:
    if kind is Kind.CONSENSUS:
        return [choice["response"], neutral(choice.get("reason") or "")]
    if kind is Kind.MOTION:
        return [choice["vote"]]
    if kind is Kind.RANKED:
        return [str(choice["ranks"].get(o, "")) for o in options]
    marked = choice["approve"] if kind is Kind.APPROVAL else [choice["choice"]]
    return ["1" if o in marked else "" for o in options]


def read(text: str) -> dict[str, Any]:
    """Read a record back from its CSV text (RecordError on anything malformed)."""
    record: dict[str, Any] = {}
    body = io.StringIO(text)
    while (line := body.readline()).startswith("#"):
        key, colon, value = line[1:].partition(":")
        if not colon or key.strip() not in HEADER_KEYS:
            raise RecordError(f"expected '# key: JSON', got {line.strip()[:60]!r}")
        try:
            record[key.strip()] = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RecordError(f"{key.strip()} is not JSON: {exc}") from None
    if record.get("format") != FORMAT or not isinstance(record.get("rules"), dict):
        raise RecordError(f"not a Concord decision record (expected format {FORMAT!r})")
    try:  # the header row was read above; quoted cells may span lines, so csv reads the rest
        rows = [row for row in csv.reader(body) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise RecordError(f"unreadable CSV: {exc}") from None
    if "tally" in record:
        record["receipts"] = [row[0] for row in rows]
    else:
        record["ballots"] = [_ballot(record["rules"], row, n) for n, row in
                             enumerate(rows, start=1)]
    return record


def _ballot(rules: Mapping[str, Any], row: list[str], number: int) -> dict[str, Any]:
    """Read one open ballot's row back into {receipt, company, choice}."""
    kind = Kind(rules["kind"])
    options = list(rules["options"])
    width = 2 + len(_choice_header(kind, options))
    if len(row) != width:
        raise RecordError(f"ballot {number}: {len(row)} cells, expected {width}")
    receipt, company, cells = row[0], restore(row[1]) or None, row[2:]
    if kind is Kind.CONSENSUS:
        choice: dict[str, Any] = {"response": cells[0], "reason": restore(cells[1]) or None}
        if choice["response"] != "object" and choice["reason"] is None:
            choice["reason"] = ""
    elif kind is Kind.MOTION:
        choice = {"vote": cells[0]}
    elif kind is Kind.RANKED:
        if bad := [c for c in cells if c and not c.isdigit()]:
            raise RecordError(f"ballot {number}: {bad[0]!r} is not a rank")
        choice = {"ranks": {o: int(c) for o, c in zip(options, cells, strict=True) if c}}
    else:
        marked = [o for o, c in zip(options, cells, strict=True) if c.strip()]
        choice = {"approve": marked} if kind is Kind.APPROVAL else {
            "choice": marked[0] if len(marked) == 1 else (marked or None)}
    return {"receipt": receipt, "company": company, "choice": choice}
