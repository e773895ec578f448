"""Summarize a tidy survey export outside the app, for analysts and for audit.

    python -m surveys.summarize FILE.csv [--json] [--groups GROUPS.csv]
                                         [--public [--k-respondents K] [--k-companies K]
                                                   [--allow-unanimous]]

FILE.csv has the columns response_id,company,respondent,question_id,question_type,item,value
(see surveys/results/data.py for what each question type writes; "don't know" is ``dk``).
GROUPS.csv has the columns company,group and turns on comparisons between groups.
--public prints, as JSON, exactly what the publication gate lets the public see (every
question chosen for publication, no free text approved); --allow-unanimous lets a unanimous
answer show as such (the chair's choice per survey; off by default).
Bad input ends with a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence

# Only NumPy is imported up front, so bad input is refused before SciPy loads (about 1 s).
from surveys.results.data import TIDY_COLUMNS, TidyFormatError, survey_from_tidy
from surveys.tidy import restored


class InputError(Exception):
    """Raised for any input the command cannot use; becomes exit status 2."""


def read_columns(path: str, required: Sequence[str]) -> dict[str, list[str]]:
    """Read a CSV file into columns, checking the header and row widths."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if not rows:
        raise InputError(f"{path}: the file is empty; expected a header {','.join(required)}")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s): {', '.join(missing)}; "
                         f"expected {','.join(required)}")
    body = [r for r in rows[1:] if r]  # a blank line is not an answer
    bad = next((i for i, r in enumerate(body) if len(r) != len(header)), None)
    if bad is not None:
        raise InputError(f"{path}: a row has {len(body[bad])} fields, the header has "
                         f"{len(header)} (row {bad + 1} after the header)")
    columns = list(zip(*body, strict=True)) if body else [()] * len(header)
    return {name: list(columns[header.index(name)]) for name in required}


def read_groups(path: str) -> dict[str, str]:
    """Read company -> group from a two-column CSV."""
    cols = read_columns(path, ("company", "group"))
    return {c.strip(): g.strip() for c, g in zip(cols["company"], cols["group"], strict=True)}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m surveys.summarize",
                                     description="Summarize a tidy survey export (CSV).")
    parser.add_argument("file", help="tidy CSV: " + ",".join(TIDY_COLUMNS))
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--groups", help="CSV company,group: compare groups of companies")
    parser.add_argument("--public", action="store_true",
                        help="print (as JSON) only what the publication gate lets out")
    parser.add_argument("--k-respondents", type=int, default=5)
    parser.add_argument("--k-companies", type=int, default=3)
    parser.add_argument("--allow-unanimous", action="store_true",
                        help="with --public: let a unanimous answer show as such")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> str:
    """Read, summarize and render; raise InputError for unusable input."""
    try:
        # The export quotes free text that looks like a formula (surveys.tidy); undo that.
        survey = survey_from_tidy(restored(read_columns(args.file, TIDY_COLUMNS)))
        groups = read_groups(args.groups) if args.groups else None
    except TidyFormatError as exc:
        raise InputError(f"{args.file}: {exc}") from exc
    from surveys.anonymize import GateSettings, gate_survey
    from surveys.results.report import render_text
    from surveys.results.summary import summarize_survey

    try:
        settings = GateSettings(args.k_respondents, args.k_companies, args.allow_unanimous)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    try:
        summary = summarize_survey(survey, group_of=groups)
    except ValueError as exc:
        raise InputError(f"{args.file}: {exc}") from exc
    if args.public:
        publish = [q.question_id for q in summary.questions]
        return json.dumps(gate_survey(summary, publish, settings).to_dict(), indent=2) + "\n"
    if args.json:
        return json.dumps(summary.to_dict(), indent=2) + "\n"
    return render_text(summary)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = parse_args(argv)
    try:
        sys.stdout.write(run(args))
    except InputError as exc:
        print(f"summarize: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
