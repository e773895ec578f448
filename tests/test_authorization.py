"""Every route x every role has an expected status; a route missing from the table fails the test."""

from __future__ import annotations

from datetime import date

import pytest
from world_helpers import build_world

from core.db import db

ROLES = ("public", "user", "representative", "chair", "admin")


def same(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(public: int, others: int) -> dict[str, int]:
    return {"public": public, **dict.fromkeys(ROLES[1:], others)}


ADMIN_ONLY_GET = {"public": 302, "user": 403, "representative": 403, "chair": 403, "admin": 200}


MEMBERS_GET = {"public": 302, "user": 403, "representative": 200, "chair": 200, "admin": 200}
CHAIR_GET = {"public": 302, "user": 403, "representative": 403, "chair": 200, "admin": 200}
API_MEMBERS = {"public": 401, "user": 403, "representative": 200, "chair": 200, "admin": 200}


REPS_GET = {"public": 302, "user": 403, "representative": 200, "chair": 200, "admin": 403}


def chair_status(status: int) -> dict[str, int]:
    return {**CHAIR_GET, "chair": status, "admin": status}


def admin_only(admin_status: int) -> dict[str, int]:
    return {**ADMIN_ONLY_GET, "admin": admin_status}


# endpoint -> (method, url, expected status per role). POSTs send an empty form.
EXPECTED: dict[str, tuple[str, str, dict[str, int]]] = {
    "static": ("GET", "/static/concord.css", same(200)),
    "auth.login": ("GET", "/auth/login", signed_in(302, 302)),
    "auth.callback": ("GET", "/auth/callback?code=x&state=y", same(400)),
    "auth.logout": ("POST", "/auth/logout", same(302)),
    "auth.signed_out": ("GET", "/auth/signed-out", same(302)),
    "core.home": ("GET", "/", same(200)),
    "core.members": ("GET", "/members", same(200)),
    "core.account": ("GET", "/account", signed_in(302, 200)),
    # Ends every session of the user (routes run in order; each is tried after a fresh login).
    "core.sign_out_everywhere": ("POST", "/account/sign-out-everywhere", same(302)),
    "core.healthz": ("GET", "/healthz", same(200)),
    # Public probe; 503 here because tests build the schema without Alembic (no alembic_version).
    "ops.readyz": ("GET", "/readyz", same(503)),
    "admin.index": ("GET", "/admin/", ADMIN_ONLY_GET),
    "admin.companies": ("GET", "/admin/companies", ADMIN_ONLY_GET),
    "admin.company_new": ("GET", "/admin/companies/new", ADMIN_ONLY_GET),
    "admin.company_detail": ("GET", "/admin/companies/{company}", ADMIN_ONLY_GET),
    "admin.company_edit": ("GET", "/admin/companies/{company}/edit", ADMIN_ONLY_GET),
    "admin.company_status": ("POST", "/admin/companies/{company}/status", admin_only(422)),
    "admin.invitations": ("GET", "/admin/invitations", ADMIN_ONLY_GET),
    "admin.invitation_revoke": ("POST", "/admin/invitations/{invitation}/revoke", admin_only(302)),
    "admin.representatives": ("GET", "/admin/representatives", ADMIN_ONLY_GET),
    "admin.representative_end": ("POST", "/admin/representatives/{rep}/end", admin_only(303)),
    "admin.chair_terms": ("GET", "/admin/chair-terms", ADMIN_ONLY_GET),
    "admin.audit_log": ("GET", "/admin/audit", ADMIN_ONLY_GET),
    "tokens.index": ("GET", "/account/tokens/", signed_in(302, 200)),
    "tokens.revoke": ("POST", "/account/tokens/{token}/revoke",
                      {"public": 302, "user": 404, "representative": 404, "chair": 404,
                       "admin": 302}),
    "voting.index": ("GET", "/ballots/", MEMBERS_GET),
    "voting.show": ("GET", "/ballots/{ballot}", MEMBERS_GET),
    "voting.vote": ("POST", "/ballots/{ballot}/vote",
                    {"public": 302, "user": 403, "representative": 422, "chair": 422,
                     "admin": 403}),
    "voting.new": ("GET", "/ballots/new", CHAIR_GET),
    "voting.edit": ("GET", "/ballots/{draft}/edit", CHAIR_GET),
    "voting.open_ballot": ("POST", "/ballots/{draft}/open", {**CHAIR_GET, "chair": 302,
                                                             "admin": 302}),
    "voting.decide": ("POST", "/ballots/{ballot}/decide", {**CHAIR_GET, "chair": 409,
                                                           "admin": 409}),
    "voting.casting_vote": ("POST", "/ballots/{ballot}/casting-vote",
                            {**CHAIR_GET, "chair": 422, "admin": 422}),
    "voting.publish": ("POST", "/ballots/{ballot}/publish", {**CHAIR_GET, "chair": 409,
                                                             "admin": 409}),
    # {ballot} is a motion: a vote is called only on a consensus round (422, not a conflict)
    "voting.call_vote": ("POST", "/ballots/{ballot}/call-vote", {**CHAIR_GET, "chair": 422,
                                                                 "admin": 422}),
    "decisions.index": ("GET", "/decisions/", same(200)),
    "decisions.feed": ("GET", "/decisions/feed.atom", same(200)),
    "decisions.show": ("GET", "/decisions/{published}", same(200)),
    "decisions.ballots_csv": ("GET", "/decisions/{published}/ballots.csv", same(200)),
    "decisions.outcome_json": ("GET", "/decisions/{published}/outcome.json", same(200)),
    "decisions.record_json": ("GET", "/decisions/{published}/record.json", same(200)),
    "voting.withdraw": ("POST", "/ballots/{ballot}/withdraw", {**CHAIR_GET, "chair": 422,
                                                               "admin": 422}),
    # unconfirmed / no new time: the form is refused (422) once the role is allowed
    "voting.close_now": ("POST", "/ballots/{ballot}/close-now", {**CHAIR_GET, "chair": 422,
                                                                 "admin": 422}),
    "voting.move_close": ("POST", "/ballots/{ballot}/move-close", {**CHAIR_GET, "chair": 422,
                                                                   "admin": 422}),
    "api.ballots": ("GET", "/api/v1/ballots", API_MEMBERS),
    "api.ballot": ("GET", "/api/v1/ballots/{ballot}", API_MEMBERS),
    "api.vote": ("POST", "/api/v1/ballots/{ballot}/vote", {**API_MEMBERS, "representative": 400,
                                                           "chair": 400, "admin": 400}),
    "api.outcome": ("GET", "/api/v1/ballots/{ballot}/outcome", {**API_MEMBERS,
                    "representative": 409, "chair": 409, "admin": 409}),
    "api.decisions": ("GET", "/api/v1/decisions", same(200)),
    "api.openapi": ("GET", "/api/v1/openapi.json", same(200)),
    "surveys.index": ("GET", "/surveys/", MEMBERS_GET),
    "surveys.detail": ("GET", "/surveys/{survey}", MEMBERS_GET),
    "surveys.answer": ("GET", "/surveys/{survey}/answer", REPS_GET),
    "surveys.history": ("GET", "/surveys/{survey}/history", REPS_GET),
    "surveys.survey_new": ("GET", "/surveys/new", CHAIR_GET),
    "surveys.survey_settings": ("GET", "/surveys/{proposed}/settings", CHAIR_GET),
    "surveys.section_add": ("POST", "/surveys/{proposed}/sections", chair_status(422)),
    "surveys.question_new": ("GET", "/surveys/{proposed}/questions/new/text", CHAIR_GET),
    "surveys.question_edit": ("GET", "/surveys/{proposed}/questions/{question}/edit", CHAIR_GET),
    "surveys.question_delete": ("POST", "/surveys/{proposed}/questions/{spare}/delete",
                                chair_status(302)),
    "surveys.question_move": ("POST", "/surveys/{proposed}/questions/{question}/move/up",
                              chair_status(409)),
    "surveys.survey_state": ("POST", "/surveys/{proposed}/state/open", chair_status(409)),
    # No fields sent: the form refuses them (422) before any rule is applied.
    "surveys.move_close": ("POST", "/surveys/{proposed}/move-close", chair_status(422)),
    "surveys.survey_duplicate": ("POST", "/surveys/{survey}/duplicate", chair_status(302)),
    "surveys.items": ("GET", "/surveys/items", MEMBERS_GET),
    "surveys.item_detail": ("GET", "/surveys/items/{item}", MEMBERS_GET),
    "surveys.item_new": ("GET", "/surveys/items/new", CHAIR_GET),
    "surveys.item_edit": ("GET", "/surveys/items/{item}/edit", CHAIR_GET),
    "surveys.proposal_list": ("GET", "/surveys/{proposed}/proposals", MEMBERS_GET),
    "surveys.proposal_new": ("GET", "/surveys/{proposed}/proposals/new/text", REPS_GET),
    "surveys.proposal_endorse": ("POST", "/surveys/{proposed}/proposals/{proposal}/endorse",
                                 {**REPS_GET, "representative": 302, "chair": 302}),
    # Routes run in sorted order in one world: the endorse above leaves a +1 to withdraw.
    "surveys.proposal_withdraw": ("POST", "/surveys/{proposed}/proposals/{proposal}/withdraw",
                                  {**REPS_GET, "representative": 302, "chair": 302}),
    "surveys.proposal_finalize": ("POST", "/surveys/{proposed}/proposals/finalize",
                                  chair_status(422)),
    "surveys.response_list": ("GET", "/surveys/{survey}/responses", CHAIR_GET),
    "surveys.export_csv": ("GET", "/surveys/{survey}/export.csv", chair_status(409)),
    # Publication of results: a closed survey with one free text; refused before the close.
    "surveys.publication": ("GET", "/surveys/{closed_survey}/publication", CHAIR_GET),
    "surveys.publication_choose": ("POST", "/surveys/{closed_survey}/publication",
                                   chair_status(422)),
    "surveys.publication_free_text": ("POST", "/surveys/{closed_survey}/publication/answers/"
                                      "{free_text}/approve", chair_status(302)),
    "surveys.publication_preview": ("GET", "/surveys/{closed_survey}/publication/preview",
                                    CHAIR_GET),
    "surveys.publication_publish": ("POST", "/surveys/{survey}/publication/publish",
                                    chair_status(409)),
    "surveys.publication_revoke": ("POST", "/surveys/{results_survey}/publication/revoke",
                                   chair_status(302)),
    "results.index": ("GET", "/results/", same(200)),
    "results.show": ("GET", "/results/{results_survey}", same(200)),
    "results.report": ("GET", "/results/{results_survey}/report", same(200)),
    "results.results_csv": ("GET", "/results/{results_survey}/results.csv", same(200)),
    "results.results_json": ("GET", "/results/{results_survey}/results.json", same(200)),
    "cycles.chairs": ("GET", "/chairs", same(200)),
    "cycles.index": ("GET", "/cycles/", MEMBERS_GET),
    "cycles.nominate_company": ("GET", "/cycles/nominations/new", REPS_GET),
    "cycles.nomination": ("GET", "/cycles/nominations/{nomination}", MEMBERS_GET),
    "cycles.propose": ("GET", "/cycles/revocations/new", REPS_GET),
    "cycles.revocation": ("GET", "/cycles/revocations/{revocation}", MEMBERS_GET),
    "cycles.election_new": ("GET", "/cycles/elections/new", CHAIR_GET),
    "cycles.election": ("GET", "/cycles/elections/{election}", MEMBERS_GET),
    "cycles.nominate_candidate": ("POST", "/cycles/elections/{election}/candidates",
                                  {**MEMBERS_GET, "representative": 422, "chair": 422,
                                   "admin": 422}),
    # Only the nominee (the representative) may answer; an empty answer is refused.
    "cycles.answer_candidacy": ("POST",
                                "/cycles/elections/{election}/candidates/{candidacy}/answer",
                                {**MEMBERS_GET, "representative": 422, "chair": 403,
                                 "admin": 403}),
    "cycles.open_election": ("POST", "/cycles/elections/{election}/open", chair_status(409)),
    "cycles.preferences": ("GET", "/account/notifications", signed_in(302, 200)),
    # Meetings: public list, minutes and calendars; members propose and +1; the chair runs them.
    "meetings.index": ("GET", "/meetings/", same(200)),
    "meetings.show": ("GET", "/meetings/{meeting}", same(200)),
    "meetings.minutes_md": ("GET", "/meetings/{published_meeting}/minutes.md", same(200)),
    "meetings.calendar": ("GET", "/meetings/calendar.ics", same(200)),
    "meetings.meeting_ics": ("GET", "/meetings/{meeting}/meeting.ics", same(200)),
    "meetings.new": ("GET", "/meetings/new", CHAIR_GET),
    "meetings.edit": ("GET", "/meetings/{meeting}/edit", CHAIR_GET),
    "meetings.cancel": ("POST", "/meetings/{spare_meeting}/cancel", chair_status(302)),
    "meetings.attendance": ("GET", "/meetings/{meeting}/attendance", CHAIR_GET),
    "meetings.minutes": ("GET", "/meetings/{meeting}/minutes", CHAIR_GET),
    "meetings.publish": ("POST", "/meetings/{meeting}/publish", chair_status(422)),  # no minutes
    "meetings.sense": ("GET", "/meetings/{meeting}/agenda/{meeting_item}/sense", CHAIR_GET),
    "meetings.put": ("POST", "/meetings/{meeting}/agenda/{meeting_item}/ballot",
                     chair_status(422)),
    "meetings.move_item": ("POST", "/meetings/{meeting}/agenda/{meeting_item}/move/up",
                           chair_status(409)),  # the only item is already first
    "meetings.add_action": ("POST", "/meetings/{meeting}/actions", chair_status(422)),
    "meetings.propose": ("POST", "/meetings/{meeting}/agenda",
                         {**MEMBERS_GET, "representative": 422, "chair": 422, "admin": 422}),
    # AT&T proposed the item (its +1); an administrator acts for no company.
    "meetings.endorse": ("POST", "/meetings/{meeting}/agenda/{meeting_item}/endorse",
                         {**MEMBERS_GET, "representative": 409, "chair": 409, "admin": 403}),
    # The owner (the representative), the chair or an admin; an empty status is refused.
    "meetings.action_status": ("POST", "/meetings/{meeting}/actions/{meeting_action}/status",
                               {"public": 302, "user": 403, "representative": 422,
                                "chair": 422, "admin": 422}),
}


@pytest.fixture
def world(app, make_company, make_rep, make_user, make_ballot):
    """Create one person per role and the objects id-bearing routes need."""
    return build_world(app, make_company, make_rep, make_user, make_ballot)


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - EXPECTED.keys() == set(), "add the new routes to EXPECTED"
    assert EXPECTED.keys() - endpoints == set(), "EXPECTED lists routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, login, world, role):
    users, ids = world
    login(users[role])
    failures = []
    for _endpoint, (method, url, expected) in sorted(EXPECTED.items()):
        login(users[role])  # some routes (logout) end the session
        resp = client.open(url.format(**ids), method=method, data={})
        resp.close()
        if resp.status_code != expected[role]:
            failures.append(f"{method} {url} as {role}: {resp.status_code} != {expected[role]}")
    assert failures == []


def test_public_is_redirected_to_sign_in(client, world):
    resp = client.get("/admin/")
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]


def test_ended_representative_loses_the_role(app, world):
    users, _ids = world
    rep_user = users["representative"]
    assert "representative" in {r.value for r in rep_user.roles()}
    rep_user.representation().end(date(2020, 6, 30))
    db.session.commit()
    assert "representative" not in {r.value for r in rep_user.roles()}
