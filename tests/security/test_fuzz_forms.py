"""Property-based fuzzing of every HTML form route: never a 5xx, never stored garbage.

Each POST route of the URL map is posted hostile values (unicode, control characters, very
long text, numbers out of range, missing and unknown fields, unknown ids) as the role that may
use it, CSRF off. A response that is not the route's success (a redirect) must leave the row
count of every table unchanged; a change must be audited; the audit chain must verify.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from urllib.parse import quote, urlencode

import pytest
from cycles_helpers import IN_WINDOW
from fuzz_fields import ELSEWHERE, ROUTES, explicit_forms, form_strategy, path_strategy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from security_helpers import (
    add_answer_survey,
    add_choice_ballots,
    add_spare_company,
    changed_tables,
    table_counts,
)
from sqlalchemy import select
from world_helpers import build_world

from core import audit, clock
from core.db import db
from core.members import Representative
from core.users import User
from surveys.models import Survey
from surveys.rules import DONT_KNOW, OTHER, QuestionType

EXAMPLES = 18
STATUSES: dict[str, Counter] = {}
UNKNOWN_FIELD = st.dictionaries(st.text(string.ascii_letters + "_:", min_size=1, max_size=12),
                                st.text(max_size=20), max_size=2)


def post_routes(app) -> set[str]:
    """Return the endpoints of the URL map that accept POST."""
    return {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}


def test_every_post_route_is_fuzzed(app):
    routes = post_routes(app)
    assert routes - ROUTES.keys() - ELSEWHERE.keys() == set(), \
        "add the new form routes to tests/security/fuzz_fields.py ROUTES"
    assert ROUTES.keys() - routes == set(), "ROUTES lists routes that no longer exist"


def _answer_fields(survey: Survey, items: list[int]) -> tuple[dict[str, tuple], set[str]]:
    """Return the answer form's field names with plausible values, and the multi-valued ones."""
    fields: dict[str, tuple] = {}
    lists: set[str] = set()
    for q in survey.questions:
        name, c = f"q{q.id}", q.config
        match q.type:
            case QuestionType.LIKERT:
                fields[name] = (1, 3, 5, DONT_KNOW)
            case QuestionType.MATRIX:
                fields.update({f"{name}_{n}": (1, 5, DONT_KNOW) for n in range(len(c["statements"]))})
            case QuestionType.SINGLE:
                fields[name] = (*c["options"], OTHER)
                fields[f"{name}_other"] = ("Zun", "")
            case QuestionType.MULTIPLE:
                fields[name] = tuple(c["options"])
                lists.add(name)
            case QuestionType.RANKING:  # each item's first value makes a valid whole
                fields.update({f"{name}_{i}": (n, 1, 2, 3, "") for n, i in enumerate(items, 1)})
            case QuestionType.BUDGET:
                fields.update({f"{name}_{i}": (p, 0, 100) for p, i in zip((50, 30, 20), items,
                                                                            strict=True)})
            case QuestionType.NUMBER:
                fields[name] = (12, 0, 500)
            case _:
                fields[name] = ("Thanks",)
    return fields, lists


@pytest.fixture
def fuzz_world(app, make_company, make_rep, make_user, make_ballot):
    """Build the shared world inside the invitation window, plus what deep fuzzing needs."""
    with clock.frozen(IN_WINDOW):
        users, ids = build_world(app, make_company, make_rep, make_user, make_ballot)
        # Far-off zones: a local time near year 1 or 9999 must not overflow into a 500.
        users["chair"].timezone, users["admin"].timezone = "Pacific/Kiritimati", "Etc/GMT+12"
        ids.update(add_spare_company(make_company, make_rep, make_user))
        ids.update(add_choice_ballots(make_ballot))
        ids["answer_survey"], items = add_answer_survey()
        db.session.commit()
        survey = db.session.get(Survey, ids["answer_survey"])
        ids["answer_fields"], ids["answer_lists"] = _answer_fields(survey, items)
        ids["open_ballots"] = [ids[k] for k in ("ballot", "consensus_ballot", "plurality_ballot",
                                                "approval_ballot", "ranked_ballot")]
        ids["state_surveys"] = [ids["proposed"], ids["survey"]]
        ids["sections"] = [s.id for s in db.session.get(Survey, ids["proposed"]).sections]
        ids["items"] = [*items, ids["item"]]
        ids["closed_questions"] = [str(q.id) for q in
                                   db.session.get(Survey, ids["closed_survey"]).questions]
        ids["user_ids"] = list(db.session.scalars(select(User.id)))
        ids["rep_ids"] = list(db.session.scalars(select(Representative.id)))
        yield users, ids


def _url(template: str, parts: dict) -> str:
    return template.format(**{k: quote(str(v), safe="") for k, v in parts.items()})


def fuzz_route(client, login, users, ids, endpoint: str) -> None:
    """Post hostile forms to one route and check each answer and what it stored."""
    route = ROUTES[endpoint]
    placeholders = re.findall(r"{(\w+)}", route.url)
    paths = st.fixed_dictionaries({p: path_strategy(route, p, ids) for p in placeholders})
    fields = route.fields(ids)
    statuses = STATUSES.setdefault(endpoint, Counter())

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(parts=paths, form=form_strategy(fields), extra=UNKNOWN_FIELD)
    def one(parts, form, extra):
        login(users[route.role])
        url = _url(route.url, parts)
        data = {**extra, **{k: val for k, val in form.items() if val != []}}
        before = table_counts()
        # Encoded by hand so that a lone surrogate goes out as the bytes a client would send.
        body = urlencode(data, doseq=True, errors="surrogatepass")
        resp = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        status = resp.status_code
        resp.close()
        statuses[status] += 1
        # A request ends its session: what a refused request left unsaved is dropped.
        db.session.rollback()
        assert status < 500, f"{endpoint}: POST {url} {data!r} -> {status}"
        changed = changed_tables(before, table_counts())
        if status not in route.success:
            assert not changed, f"{endpoint}: {status} for {data!r} but rows changed: {changed}"
        elif changed:
            assert "audit_event" in changed, f"{endpoint}: unaudited change {changed}"

    # Explicit cases first: the valid form, then each field carrying a NUL character.
    parts = {p: _first(route, p, ids) for p in placeholders}
    for form in explicit_forms(fields) if fields else []:
        one = example(parts=parts, form=form, extra={})(one)
    one()


def _first(route, placeholder: str, ids: dict):
    """Return the first valid value of a placeholder of a route's address."""
    if placeholder in route.words:
        return route.words[placeholder][0]
    known = ids[route.paths.get(placeholder, placeholder)]
    return known[0] if isinstance(known, list) else known


@pytest.mark.parametrize("group", ["admin", "voting", "surveys", "cycles", "meetings", "core"])
def test_forms_never_fail_nor_store_garbage(client, login, fuzz_world, group):
    users, ids = fuzz_world
    groups = {"core": ("core", "auth", "tokens", "cycles.preferences")}
    prefixes = groups.get(group, (group,))
    endpoints = sorted(e for e in ROUTES
                       if e.startswith(prefixes) and (group == "core" or e != "cycles.preferences"))
    with clock.frozen(IN_WINDOW):
        for endpoint in endpoints:
            fuzz_route(client, login, users, ids, endpoint)
        report = audit.verify_database()
    assert report.ok, report
    total = sum(sum(STATUSES[e].values()) for e in endpoints)
    five = sum(n for e in endpoints for code, n in STATUSES[e].items() if code >= 500)
    print(f"\nform fuzz ({group}): {total} cases, {five} 5xx; " + "; ".join(
        f"{e} {dict(sorted(STATUSES[e].items()))}" for e in endpoints))
