"""The chair publishes a closed survey's results through HTTP: choose, approve, preview, publish, revoke."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from survey_helpers import RICH_TEXTS, every_type, make_items, make_survey, rich_survey

from core import clock
from core.audit import AuditEvent
from core.config import ConfigError
from core.db import db
from surveys.publication import FreeTextApproval, Publication
from surveys.results_source import free_texts


def article(html: str) -> str:
    """Return the results article of a page (what the preview and the public page share)."""
    match = re.search(r'<article class="results".*?</article>', html, re.DOTALL)
    assert match, "no results article on the page"
    return match.group(0)


def actions() -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.action.like("survey.publication.%"))
    return list(db.session.scalars(stmt.order_by(AuditEvent.seq)))


@pytest.fixture
def w(app, consortium, make_rep, make_user, login):
    app.config["WTF_CSRF_ENABLED"] = False
    survey = rich_survey(consortium, make_rep, make_user)
    qids = [str(q.id) for q in survey.questions]
    login(consortium["chair"])
    return SimpleNamespace(survey=survey, qids=qids, base=f"/surveys/{survey.id}/publication",
                           chair=consortium["chair"], consortium=consortium)


def choose(client, w, qids, k=(5, 3)):
    return client.post(w.base, data={"questions": qids, "k_respondents": str(k[0]),
                                     "k_companies": str(k[1])})


def publish(client, w):
    preview = client.get(f"{w.base}/preview")
    assert preview.status_code == 200
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]{64})"',
                       preview.get_data(as_text=True))
    return preview, client.post(f"{w.base}/publish", data={"digest": digest.group(1)})


def test_refused_before_close(app, client, consortium, login):
    app.config["WTF_CSRF_ENABLED"] = False
    items = [i.id for i in make_items("Logging", "Telemetry")]
    survey = make_survey(every_type(items))
    login(consortium["chair"])
    base = f"/surveys/{survey.id}/publication"
    for method, url in (("GET", base), ("POST", base), ("GET", f"{base}/preview"),
                        ("POST", f"{base}/publish")):
        resp = client.open(url, method=method, data={"questions": [], "k_respondents": "5"})
        assert resp.status_code == 409, url
        assert "once the survey has closed" in resp.get_data(as_text=True)
    assert db.session.scalars(select(Publication)).all() == []
    assert client.get(f"/results/{survey.id}").status_code == 404


def test_publish_flow_preview_is_the_public_page_and_revoke_hides_it(client, login, w):
    page = client.get(w.base).get_data(as_text=True)
    assert "Nothing of this survey is public" in page
    assert choose(client, w, w.qids).status_code == 302
    text = next(t for t in free_texts(w.survey) if t.text == RICH_TEXTS[0])
    assert client.post(f"{w.base}/answers/{text.answer_id}/approve").status_code == 302
    preview, done = publish(client, w)
    assert done.status_code == 302 and done.headers["Location"] == f"/results/{w.survey.id}"

    login(None)  # an anonymous visitor
    public = client.get(f"/results/{w.survey.id}")
    assert public.status_code == 200
    assert article(public.get_data(as_text=True)) == article(preview.get_data(as_text=True))
    assert "Queens priorities" in client.get("/results/").get_data(as_text=True)
    for suffix in ("/report", "/results.csv", "/results.json"):
        assert client.get(f"/results/{w.survey.id}{suffix}").status_code == 200

    login(w.chair)
    assert client.post(f"{w.base}/revoke").status_code == 302
    login(None)
    for suffix in ("", "/report", "/results.csv", "/results.json"):
        assert client.get(f"/results/{w.survey.id}{suffix}").status_code == 404
    assert "Queens priorities" not in client.get("/results/").get_data(as_text=True)
    assert actions() == ["survey.publication.choose", "survey.publication.approve",
                         "survey.publication.publish", "survey.publication.revoke"]
    publication = Publication.of(w.survey)
    assert publication.document is None and publication.revoked_by == w.chair


def test_republish_after_revoke_and_changes_wait_for_revocation(client, w):
    choose(client, w, w.qids[:1])
    publish(client, w)
    resp = choose(client, w, w.qids)
    assert resp.status_code == 409 and "revoke the publication" in resp.get_data(as_text=True)
    assert client.post(f"{w.base}/revoke").status_code == 302
    assert client.post(f"{w.base}/revoke").status_code == 409
    assert choose(client, w, w.qids).status_code == 302
    _, done = publish(client, w)
    assert done.status_code == 302
    doc = client.get(f"/results/{w.survey.id}/results.json").get_json()
    assert [q["question_id"] for q in doc["questions"]] == w.qids


def test_publish_refuses_what_was_not_previewed(client, w):
    choose(client, w, w.qids)
    preview = client.get(f"{w.base}/preview").get_data(as_text=True)
    digest = re.search(r'value="([0-9a-f]{64})"', preview).group(1)
    text = next(t for t in free_texts(w.survey) if t.text == RICH_TEXTS[0])
    client.post(f"{w.base}/answers/{text.answer_id}/approve")  # changes the results
    resp = client.post(f"{w.base}/publish", data={"digest": digest})
    assert resp.status_code == 409 and "changed since your preview" in resp.get_data(as_text=True)
    assert client.post(f"{w.base}/publish", data={}).status_code == 400
    assert not Publication.of(w.survey).live


def test_free_text_only_after_approval(client, login, w):
    choose(client, w, w.qids)
    texts = {t.text: t for t in free_texts(w.survey)}
    assert set(texts) == {*RICH_TEXTS.values(), "Zun"}
    approve = f"{w.base}/answers/{texts[RICH_TEXTS[3]].answer_id}/approve"
    assert client.post(approve).status_code == 302
    assert client.post(approve).status_code == 409  # already approved
    withdraw = f"{w.base}/answers/{texts[RICH_TEXTS[0]].answer_id}/withdraw"
    assert client.post(withdraw).status_code == 409  # never approved
    publish(client, w)
    login(None)
    outputs = [client.get(f"/results/{w.survey.id}{s}").get_data(as_text=True)
               for s in ("", "/report", "/results.csv", "/results.json")]
    for body in outputs:
        assert RICH_TEXTS[3] in body
        for hidden in (RICH_TEXTS[0], RICH_TEXTS[1], "alice@att.example", "Zun"):
            assert hidden not in body


def test_bad_input_is_refused_with_a_message(client, w):
    resp = choose(client, w, w.qids, k=(4, 3))  # below the configured 5
    assert resp.status_code == 422 and "from 5 to 1000" in resp.get_data(as_text=True)
    resp = choose(client, w, ["999999"])
    assert resp.status_code == 422 and "is not a valid choice" in resp.get_data(as_text=True)
    resp = client.post(w.base, data={"questions": w.qids, "k_respondents": "many",
                                     "k_companies": "3"})
    assert resp.status_code == 422
    assert client.post(f"{w.base}/answers/999999/approve").status_code == 404
    assert client.post(f"{w.base}/answers/1/delete").status_code == 404
    resp = client.post(f"{w.base}/publish", data={"digest": "0" * 64})
    assert resp.status_code == 409 and "Choose at least one question" in resp.get_data(as_text=True)
    assert client.get("/surveys/999999/publication").status_code == 404
    assert db.session.scalars(select(Publication)).all() == []
    assert actions() == []


def test_thresholds_can_be_raised_and_are_shown(client, w):
    assert choose(client, w, w.qids, k=(9, 4)).status_code == 302
    publication = Publication.of(w.survey)
    assert (publication.k_respondents, publication.k_companies) == (9, 4)
    page = client.get(f"{w.base}/preview").get_data(as_text=True)
    assert "between 1 and 8 respondents or 1 and 3 companies" in page


def test_representatives_cannot_publish(client, login, w):
    login(w.consortium["reps"]["NTT"])
    assert client.get(w.base).status_code == 403
    assert choose(client, w, w.qids).status_code == 403
    assert client.post(f"{w.base}/revoke").status_code == 403


def test_members_also_see_the_response_rate(client, login, w):
    choose(client, w, w.qids)
    publish(client, w)
    login(w.consortium["reps"]["NTT"])
    page = client.get(f"/results/{w.survey.id}").get_data(as_text=True)
    assert "Response rate: <strong>5 of 5</strong> eligible companies" in page
    login(None)
    assert "Response rate" not in client.get(f"/results/{w.survey.id}").get_data(as_text=True)


def test_admin_standing_in_for_the_chair_is_audited(client, login, w):
    login(w.consortium["admin"])
    assert choose(client, w, w.qids).status_code == 302
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "survey.publication.choose")).one()
    assert event.details["acting_for_chair"] is True
    assert event.details["questions"] == w.qids


def test_database_refuses_small_thresholds_and_a_second_publication(w):
    with pytest.raises(IntegrityError):
        db.session.add(Publication(survey=w.survey, question_ids=[], k_respondents=2,
                                   k_companies=3))
        db.session.flush()
    db.session.rollback()
    db.session.add(Publication(survey=w.survey, question_ids=[], k_respondents=5, k_companies=3))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.add(Publication(survey=w.survey, question_ids=[], k_respondents=5,
                                   k_companies=3))
        db.session.flush()
    db.session.rollback()


def test_database_keeps_the_document_only_while_public(w):
    publication = Publication(survey=w.survey, question_ids=[], k_respondents=5, k_companies=3,
                              document={"questions": []})
    db.session.add(publication)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    publication = Publication(survey=w.survey, question_ids=[], k_respondents=5, k_companies=3,
                              published_at=clock.now(), published_by=w.chair,
                              revoked_at=clock.now() + timedelta(seconds=1), revoked_by=w.chair,
                              document={"questions": []})
    db.session.add(publication)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_approval_per_answer(client, w):
    choose(client, w, w.qids)
    publication = Publication.of(w.survey)
    answer_id = free_texts(w.survey)[0].answer_id
    for _ in range(2):
        db.session.add(FreeTextApproval(publication=publication, answer_id=answer_id,
                                        approved_at=clock.now(), approved_by=w.chair))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("value", [2, 0, "4.5"])
def test_settings_below_three_refuse_to_start(app_factory, database_url, value):
    with pytest.raises(ConfigError, match="RESULTS_K_"):
        app_factory(database_url, RESULTS_K_COMPANIES=value)
