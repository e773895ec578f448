"""Stored XSS and CSV injection: payloads in every free-text field render inert everywhere.

Every GET route of the authorization matrix (so every route of the app) is requested by every
role, with the ids of objects whose free text holds `<script>` and attribute-breaking payloads
(tests/security/xss_world.py). No HTML, SVG or Atom body may hold a payload unescaped, and each
field's payload must show (escaped) on some page, so the crawl really reaches it. CSV exports
quote free text a spreadsheet would run as a formula, and still read back.
"""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
import test_authorization as matrix
from clock_helpers import after_close
from survey_helpers import answered_survey
from xss_world import FIELDS, RAW, build_xss_world

from core.csv_cells import FORMULA_START, NUMBER
from core.db import db
from cycles.rules import candidate_label
from surveys.export import tidy_rows
from surveys.publication import Publication
from surveys.responses import Answer
from surveys.results.data import TIDY_COLUMNS, survey_from_tidy
from surveys.results_source import free_texts, public_document
from surveys.rules import QuestionType
from surveys.summarize import main as summarize_main
from surveys.summarize import read_columns
from surveys.tidy import restored
from voting.actions import cast, decide_ballot, publish
from voting.outcome import Kind

MARKUP = ("text/html", "application/atom+xml", "image/svg+xml", "application/xml", "text/xml")
ROLES = ("public", "user", "representative", "chair", "admin", "xss_rep")


@pytest.fixture
def xss_world(app, make_company, make_rep, make_user, make_ballot):
    """Build the payload world."""
    return build_xss_world(app, make_company, make_rep, make_user, make_ballot)


def crawl(client, login, users, ids) -> dict[str, str]:
    """GET every page of the matrix (and a few more) as every role; return url -> body."""
    urls = [url.format(**ids) for method, url, _ in matrix.EXPECTED.values() if method == "GET"]
    urls += [f"/ballots/{ids['round_open']}", f"/decisions/{ids['published']}",
             "/admin/representatives", "/admin/audit", "/account/tokens/"]
    bodies = {}
    for role in ROLES:
        for url in urls:
            login(users[role])
            resp = client.get(url)
            bodies[f"{role} {url}"] = (resp.mimetype, resp.get_data(as_text=True))
            resp.close()
            # /readyz answers 503 here: tests build the schema without Alembic.
            assert resp.status_code < 500 or url == "/readyz", f"{role} {url}"
    return bodies


def test_stored_payloads_render_inert(client, login, xss_world):
    users, ids = xss_world
    bodies = crawl(client, login, users, ids)
    raw = [f"{where}: {m.group(0)}" for where, (mimetype, body) in bodies.items()
           if mimetype in MARKUP for m in RAW.finditer(body)]
    assert raw == []
    shown = {int(n) for _, (_, body) in bodies.items() for n in re.findall(r"alert\((\d+)\)", body)}
    assert {n: FIELDS[n] for n in FIELDS.keys() - shown} == {}, "fields no page showed"


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _formula_cells(rows: list[list[str]]) -> list[str]:
    return [c for row in rows for c in row if c.startswith(FORMULA_START) and not NUMBER.fullmatch(c)]


def test_atom_feed_is_well_formed_xml(client, xss_world):
    body = client.get("/decisions/feed.atom").get_data(as_text=True)
    text = "".join(ElementTree.fromstring(body).itertext())  # parses: nothing broke the markup
    assert "<script>alert(" in text  # the payload is there as text, escaped on the wire


FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(A1:A9)", "\t=1+1")


@pytest.fixture
def formula_world(app, consortium, make_ballot):
    """A published round and a published survey whose free text starts like formulas."""
    app.config["WTF_CSRF_ENABLED"] = False
    reps, names = consortium["reps"], list(consortium["companies"])
    consortium["companies"]["NTT"].name = "=Evil Corp"
    reps["Orange"].name = "@Mallory"
    round_ = make_ballot(Kind.CONSENSUS, title="Adopt")
    for n, name in enumerate(names[:4]):
        cast(round_, reps[name], {"response": "object", "reason": FORMULAS[n]})
    close_and_publish(round_)
    questions = [(QuestionType.SINGLE, "=Which?", False, {"options": "=1+1\nNova", "other": True}),
                 (QuestionType.NUMBER, "How many?", True, {"min_value": "-100", "max_value": "100",
                                                           "integer": True}),
                 (QuestionType.TEXT, "+Why?", False, {"max_length": 200})]
    answers = [(reps[name], {0: {"other": FORMULAS[n]} if n == 4 else {"option": "=1+1"},
                             1: -5 - n, 2: FORMULAS[n]}) for n, name in enumerate(names)]
    survey = answered_survey(questions, answers, title="Formulas")
    publication = Publication.start(survey, 5, 3)
    publication.choose([str(q.id) for q in survey.questions], 5, 3, (5, 3))
    for text in free_texts(survey):
        publication.approve(db.session.get(Answer, text.answer_id), consortium["chair"])
    publication.publish(public_document(survey, publication), consortium["chair"])
    db.session.commit()
    return SimpleNamespace(round=round_, survey=survey, chair=consortium["chair"])


def close_and_publish(ballot) -> None:
    """Count a ballot and publish it, with the clock just past its close."""
    with after_close(ballot):
        decide_ballot(ballot)
        publish(ballot, "")
        db.session.commit()


def test_csv_exports_quote_formulas(client, login, formula_world):
    w = formula_world
    login(w.chair)
    exports = {"ballots": f"/decisions/{w.round.id}/ballots.csv",
               "tidy": f"/surveys/{w.survey.id}/export.csv",
               "results": f"/results/{w.survey.id}/results.csv"}
    for name, url in exports.items():
        resp = client.get(url)
        assert resp.status_code == 200 and resp.mimetype == "text/csv", name
        rows = _cells(resp.get_data(as_text=True))
        assert _formula_cells(rows) == [], name
        text = resp.get_data(as_text=True)
        assert "'=HYPERLINK(" in text or name == "results", name  # quoted, not dropped
    tidy = _cells(client.get(exports["tidy"]).get_data(as_text=True))
    assert "-5" in [row[6] for row in tidy]  # numbers stay numbers
    assert "'=Evil Corp" in [row[1] for row in tidy] and "'@Mallory" in [row[2] for row in tidy]


def test_tidy_export_reads_back_unchanged(client, login, formula_world, tmp_path):
    w = formula_world
    login(w.chair)
    path = tmp_path / "tidy.csv"
    path.write_text(client.get(f"/surveys/{w.survey.id}/export.csv").get_data(as_text=True))
    from_file = survey_from_tidy(restored(read_columns(str(path), TIDY_COLUMNS)))
    in_app = survey_from_tidy(dict(zip(TIDY_COLUMNS, map(list, zip(*tidy_rows(w.survey),
                                                                   strict=True)), strict=True)))
    assert from_file.companies == in_app.companies and "=Evil Corp" in in_app.companies
    for a, b in zip(from_file.questions, in_app.questions, strict=True):
        assert (a.question_id, a.items, [str(v) for v in a.values]) == \
               (b.question_id, b.items, [str(v) for v in b.values])
    assert summarize_main([str(path), "--json"]) == 0


def test_ballot_editor_refuses_formula_options(client, login, consortium):
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(consortium["chair"])
    form = {"title": "Venue", "kind": "plurality", "secrecy": "open", "quorum": "none",
            "threshold": "simple_majority", "tie_break": "status_quo", "unranked": "last",
            "opens_at": "2030-01-01T09:00", "closes_at": "2030-01-02T09:00"}
    resp = client.post("/ballots/new", data={**form, "options": "Berlin\n=cmd|' /C calc'!A0"})
    assert resp.status_code == 422
    assert "spreadsheets would read it as a formula" in resp.get_data(as_text=True)
    assert client.post("/ballots/new", data={**form, "options": "-1\n+2"}).status_code == 302


def test_candidate_label_drops_a_leading_formula_sign():
    assert candidate_label("=HYPERLINK(\"x\")", "AT&T") == "HYPERLINK(\"x\") (AT&T)"
    assert candidate_label("Carol Chen", "AT&T") == "Carol Chen (AT&T)"
