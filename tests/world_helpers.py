"""One person per role and one object of each kind that id-bearing routes need (shared world)."""

from __future__ import annotations

import time
from datetime import timedelta

from cycles_helpers import cycle_ids
from meetings_helpers import meeting_ids
from survey_helpers import results_ids, survey_ids

from core import audit, clock
from core.db import db
from core.members import ChairTerm, Invitation, RepKind
from core.tokens import ApiToken
from voting.actions import decide_ballot, publish
from voting.outcome import Kind


def build_world(app, make_company, make_rep, make_user, make_ballot):
    """Create one person per role and the objects id-bearing routes need; return (users, ids)."""
    app.config["WTF_CSRF_ENABLED"] = False  # these tests check authorization, not CSRF
    # Discovery is pre-loaded so /auth/login redirects without a network call.
    app.extensions["concord.oidc"].server_metadata.update({
        "issuer": app.config["OIDC_ISSUER"],
        "authorization_endpoint": "http://idp.test/authorize",
        "token_endpoint": "http://idp.test/token",
        "jwks_uri": "http://idp.test/jwks",
        "_loaded_at": time.time(),
    })
    att = make_company("AT&T")
    rep = make_rep(att)
    chair = make_rep(att).user
    today, now = clock.today(), clock.now()
    ChairTerm.record(chair, att, today, today.replace(year=today.year + 1))
    inv = Invitation.create(att, "new@att.example", RepKind.ALTERNATE, None, 30)
    audit.record("test.setup", "site", actor=None)
    db.session.commit()
    admin = make_user(admin=True)
    token = ApiToken(user=admin, name="t", token_hash="0" * 64)
    db.session.add(token)
    ballot, draft = make_ballot(Kind.MOTION), make_ballot(Kind.MOTION, draft=True)
    published = make_ballot(Kind.MOTION, at=now - timedelta(days=2), hours=24)  # closed a day ago
    decide_ballot(published)
    publish(published, "")
    db.session.commit()
    users = {"public": None, "user": make_user(), "representative": rep.user, "chair": chair,
             "admin": admin}
    ids = {"company": att.id, "invitation": inv.id, "rep": rep.id, "ballot": ballot.id,
           "draft": draft.id, "published": published.id, "token": token.id}
    ids.update(survey_ids(att, rep.user))
    ids.update(results_ids(rep.user, chair))
    ids.update(cycle_ids(att, rep.user, chair))
    ids.update(meeting_ids(att, rep.user, chair))
    return users, ids
