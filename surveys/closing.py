"""Moving an open survey's close: each change recorded and audited, and the chair's action.

The rule is the ballots' (voting.close_rules): close at once only when every eligible company
has submitted; later at any time; earlier with at least the reminder period of notice. A later
or earlier close is announced by e-mail to those who have not submitted (`cycles.notify`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core import audit, clock
from core.db import db
from core.users import User
from surveys.models import Survey
from surveys.responses import Response
from surveys.rules import Phase, SurveyError
from voting.close_rules import CloseMove, CloseRuleError, plan_close_change
from voting.closing import MAX_REASON, CloseChangeRecord


class SurveyCloseChange(CloseChangeRecord, db.Model):
    """One change of an open survey's closing time, by the chair (or an admin standing in)."""

    __tablename__ = "survey_close_change"

    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)


def submitted_companies(survey: Survey) -> list[str]:
    """Return the eligible companies that have submitted a response, by name (drafts do not count)."""
    stmt = select(func.distinct(Response.company_id)).where(
        Response.survey_id == survey.id, Response.submitted_number.is_not(None))
    done = set(db.session.scalars(stmt))
    return sorted(c.name for c in survey.eligible if c.id in done)


def answered_count(survey: Survey) -> int:
    """Return how many eligible companies have submitted a response."""
    return len(submitted_companies(survey))


def changes_of(survey: Survey) -> list[SurveyCloseChange]:
    """Return the survey's close changes, oldest first."""
    return list(db.session.scalars(select(SurveyCloseChange)
                                   .where(SurveyCloseChange.survey_id == survey.id)
                                   .order_by(SurveyCloseChange.changed_at, SurveyCloseChange.id)))


def change_close(survey: Survey, new_close: datetime | None, by: User, reason: str,
                 notice: timedelta) -> SurveyCloseChange:
    """Close an open survey now, or move its close (recorded and audited); the caller commits."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise SurveyError(f"the reason is longer than {MAX_REASON} characters")
    # Lock the survey row: a close and a submission cannot cross each other unseen.
    db.session.execute(select(Survey).where(Survey.id == survey.id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()
    now = clock.now()
    if survey.phase(now) is not Phase.OPEN:
        raise SurveyError("only the close of a survey open for answers can change")
    try:
        planned = plan_close_change(now=now, opens_at=survey.opens_at, closes_at=survey.closes_at,
                                    new_close=new_close, eligible=len(survey.eligible),
                                    answered=answered_count(survey), notice=notice)
    except CloseRuleError as exc:
        raise SurveyError(str(exc)) from exc
    if planned.move is CloseMove.NOW:
        survey.close()
    else:
        survey.closes_at = planned.new
    row = SurveyCloseChange(survey_id=survey.id, move=planned.move.value, old_closes_at=planned.old,
                            new_closes_at=planned.new, reason=reason, announce=planned.announce,
                            changed_by_id=by.id, changed_at=now)
    db.session.add(row)
    audit.record("survey.close_change", survey, actor=by, move=planned.move.value,
                 closes_at_from=planned.old, closes_at_to=planned.new, reason=reason,
                 announced=planned.announce)
    return row
