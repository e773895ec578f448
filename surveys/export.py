"""The identified tidy CSV of a survey's submitted responses, and the response rate per company."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from core.members import Company
from surveys.models import Survey, item_titles
from surveys.responses import Response, responses_of
from surveys.tidy import COLUMNS, TidyRow, answer_rows, spreadsheet_safe


def tidy_rows(survey: Survey) -> Iterator[TidyRow]:
    """Yield one row per answered value of each counted (submitted) version; drafts never count.

    The CSV export and the published statistics (surveys/results_source.py) both read these.
    """
    specs, titles = survey.specs(), item_titles()
    for response in responses_of(survey):
        counted = response.version_row(response.submitted_number)
        if counted is None:
            continue
        values = counted.values()
        for spec in specs:
            yield from answer_rows(response.id, response.company.name, str(counted.saved_by),
                                   spec, values.get(spec.id), titles)


def tidy_csv(survey: Survey) -> str:
    """Write the tidy rows as CSV with a header, free text made safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(map(spreadsheet_safe, tidy_rows(survey)))
    return out.getvalue()


@dataclass(frozen=True)
class CompanyRate:
    """Who of one eligible company has responded (never what)."""

    company: Company
    responses: list[Response]

    @property
    def submitted(self) -> list[Response]:
        """Return the responses that count."""
        return [r for r in self.responses if r.submitted_number is not None]

    def submitted_by(self, response: Response) -> tuple[str, datetime | None]:
        """Return who submitted the counted version, and when."""
        version = response.version_row(response.submitted_number)
        return (str(version.saved_by), version.saved_at) if version else ("", None)


def response_rate(survey: Survey) -> list[CompanyRate]:
    """Return each eligible company with its responses (drafts included, marked as such)."""
    by_company: dict[int, list[Response]] = {}
    for response in responses_of(survey):
        by_company.setdefault(response.company_id, []).append(response)
    return [CompanyRate(c, by_company.get(c.id, [])) for c in survey.eligible]
