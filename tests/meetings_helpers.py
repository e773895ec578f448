"""Meeting records for the shared world (authorization matrix, IDOR sweep, form fuzzing)."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.db import db


def meeting_ids(att, rep_user, chair) -> dict:
    """Create a coming meeting (an item, an action owned by the representative), a spare and a
    published one; return their ids."""
    from meetings import actions
    from meetings.models import Meeting

    now = clock.now()
    coming, spare = actions.schedule(chair, "Weekly call", [now + timedelta(days=2),
                                                            now + timedelta(days=16)], 60,
                                     "https://meet.example/x", "PIN 1")
    item = actions.propose(coming, rep_user, att, "Logging", "")
    action = actions.add_action(coming, chair, "Share slides", rep_user, "", None)
    past = Meeting(title="Past call", starts_at=now - timedelta(days=7), duration_minutes=60,
                   state="published", published_at=now, minutes="# Past call\n")
    db.session.add(past)
    db.session.commit()
    return {"meeting": coming.id, "spare_meeting": spare.id, "meeting_item": item.id,
            "meeting_action": action.id, "published_meeting": past.id}


def b_meeting_ids(orange, b_user, ids: dict) -> dict:
    """Give company B an agenda item and an action item on the shared coming meeting."""
    from meetings import actions
    from meetings.models import Meeting

    coming = db.session.get(Meeting, ids["meeting"])
    item = actions.propose(coming, b_user, orange, "Orange's topic", "")
    action = actions.add_action(coming, b_user, "Orange's action", b_user, "", None)
    db.session.commit()
    return {"b_meeting_item": item.id, "b_action": action.id}
