"""Chair and admin: the response rate while open (who, not what), the tidy CSV after close."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from survey_helpers import every_type, make_items, make_survey, qid, valid_post

from core.audit import AuditEvent
from core.db import db
from surveys.rules import QuestionType

T = QuestionType


@pytest.fixture
def w(app, consortium, login, client):
    app.config["WTF_CSRF_ENABLED"] = False
    items = [i.id for i in make_items("Logging", "Telemetry", "Tempest")]
    survey = make_survey(every_type(items))
    url = f"/surveys/{survey.id}/answer"
    reps = consortium["reps"]
    login(reps["NTT"])
    other = {f"q{qid(survey, T.SINGLE)}": "__other__", f"q{qid(survey, T.SINGLE)}_other": "Zun",
             f"q{qid(survey, T.TEXT)}": 'Say "hi", =1+1'}
    assert client.post(url, data={**valid_post(survey, items, **other), "send": "Submit"}
                       ).status_code == 302
    login(reps["Orange"])  # a draft only: never counted
    assert client.post(url, data={**valid_post(survey, items), "save": "Save"}).status_code == 302
    login(consortium["chair"])
    return SimpleNamespace(survey=survey, items=items, reps=reps, chair=consortium["chair"])


def test_response_rate_shows_who_not_what(client, w):
    page = client.get(f"/surveys/{w.survey.id}/responses").get_data(as_text=True)
    assert "<strong>1 of 5</strong> eligible companies have submitted" in page
    assert "Rep of NTT" in page and "draft" in page and "not started" in page
    assert "Zun" not in page and "Say &#34;hi" not in page and "Say \"hi" not in page


def test_export_waits_for_the_close(client, w):
    resp = client.get(f"/surveys/{w.survey.id}/export.csv")
    assert resp.status_code == 409 and "once the survey has closed" in resp.get_data(as_text=True)


def test_tidy_csv_after_close(client, w, travel):
    # One of five companies has submitted, so the chair may not close it at once: the export
    # waits for the closing time.
    refused = client.post(f"/surveys/{w.survey.id}/state/close", data={"confirm": "y"})
    assert refused.status_code == 409 and "1 of 5 companies have answered" in refused.get_data(True)
    travel(w.survey.closes_at + timedelta(seconds=1))
    resp = client.get(f"/surveys/{w.survey.id}/export.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["response_id", "company", "respondent", "question_id", "question_type",
                       "item", "value"]
    q = {t: str(qid(w.survey, t)) for t in T}
    body = [tuple(r[3:]) for r in rows[1:]]
    assert body == [
        (q[T.LIKERT], "likert", "", "4"),
        (q[T.MATRIX], "matrix", "Fast", "5"), (q[T.MATRIX], "matrix", "Cheap", "dk"),
        (q[T.SINGLE], "single", "Other", "1"), (f"{q[T.SINGLE]}.other", "text", "", "Zun"),
        (q[T.MULTIPLE], "multiple", "Net", "1"),
        (q[T.RANKING], "ranking", "Logging", "1"), (q[T.RANKING], "ranking", "Telemetry", "2"),
        (q[T.RANKING], "ranking", "Tempest", "3"),
        (q[T.BUDGET], "budget", "Logging", "50"), (q[T.BUDGET], "budget", "Telemetry", "30"),
        (q[T.BUDGET], "budget", "Tempest", "20"),
        (q[T.NUMBER], "number", "", "12"), (q[T.TEXT], "text", "", 'Say "hi", =1+1'),
    ]
    assert {tuple(r[:3]) for r in rows[1:]} == {(rows[1][0], "NTT", "Rep of NTT")}
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey.export"))
    assert exported.one().details == {"rows": 14}


def test_only_the_chair_and_admins_see_responses(client, login, w):
    login(w.reps["NTT"])
    assert client.get(f"/surveys/{w.survey.id}/responses").status_code == 403
    assert client.get(f"/surveys/{w.survey.id}/export.csv").status_code == 403
