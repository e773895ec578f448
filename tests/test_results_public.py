"""Public results: anonymous pages, and proof that nothing suppressed or identifying leaves the app.

One closed survey with small cells on purpose (tests/survey_helpers.py: rich_survey) is
published through HTTP; every public output (page, printable report, CSV, JSON) is then
checked against the identified summary the app computed behind the gate.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from survey_helpers import RICH_TEXTS, rich_survey

from core.db import db
from core.members import Company
from core.users import User
from surveys.publication import Publication
from surveys.results_source import free_texts, summarize

OUTPUTS = {"page": "", "report": "/report", "csv": "/results.csv", "json": "/results.json"}


@pytest.fixture
def pub(app, client, consortium, make_rep, make_user, login):
    """Publish every question of the rich survey, with two texts and the 'Other' text approved.

    The chair allows unanimity here (everyone chose "Ops"), so that the multiple-choice
    question keeps its cells; test_unanimity_shows_only_when_the_chair_allows_it is the default.
    """
    app.config["WTF_CSRF_ENABLED"] = False
    survey = rich_survey(consortium, make_rep, make_user)
    return publish(client, login, consortium, survey, allow_unanimous=True)


def publish(client, login, consortium, survey, allow_unanimous):
    """Choose every question, approve texts, preview and publish; return the outputs."""
    base = f"/surveys/{survey.id}/publication"
    login(consortium["chair"])
    qids = [str(q.id) for q in survey.questions] + [f"{survey.questions[2].id}.other"]
    chosen = {"questions": qids, "k_respondents": "5", "k_companies": "3"}
    if allow_unanimous:
        chosen["allow_unanimous"] = "y"
    assert client.post(base, data=chosen).status_code == 302
    assert Publication.of(survey).allow_unanimous is allow_unanimous  # stored, per survey
    for text in free_texts(survey):
        if text.text in (RICH_TEXTS[0], RICH_TEXTS[3], "Zun"):
            assert client.post(f"{base}/answers/{text.answer_id}/approve").status_code == 302
    preview = client.get(f"{base}/preview").get_data(as_text=True)
    digest = re.search(r'value="([0-9a-f]{64})"', preview).group(1)
    assert client.post(f"{base}/publish", data={"digest": digest}).status_code == 302
    login(None)
    outputs = {}
    for name, suffix in OUTPUTS.items():
        resp = client.get(f"/results/{survey.id}{suffix}")
        assert resp.status_code == 200, name
        outputs[name] = resp.get_data(as_text=True)
    return SimpleNamespace(survey=survey, out=outputs, doc=json.loads(outputs["json"]),
                           summary=summarize(survey))


@dataclass(frozen=True)
class Cell:
    """A suppressed cell: where it would be, and its true (identified) values."""

    question_id: str
    part: str  # statement, option or item ("" for a likert question)
    column: str  # the CSV figure of its count
    count: float
    shares: tuple[float, ...]  # its share and the share's interval bounds, if any


def _share_values(share) -> tuple[float, ...]:
    if share is None or share.value is None:
        return ()
    return (share.value, share.ci.low, share.ci.high) if share.ci else (share.value,)


def suppressed_cells(doc, summary) -> list[Cell]:
    """List every suppressed cell of the public document with its true values."""
    cells = []
    for q in doc["questions"]:
        if not q["published"]:
            continue
        qid, f, full = q["question_id"], q["figures"], summary.question(q["question_id"])
        if q["question_type"] in ("likert", "matrix"):
            for shown, true in zip(f["statements"], full.statements, strict=True):
                for p, tp in zip(shown["points"], true.points, strict=True):
                    if p["suppressed"]:
                        cells.append(Cell(qid, true.statement, f"count_point_{tp.point}",
                                          tp.count, _share_values(tp.share)))
                if shown["dont_know_suppressed"]:
                    cells.append(Cell(qid, true.statement, "dont_know", true.dont_know, ()))
        elif q["question_type"] in ("single", "multiple"):
            true = {o.option: o for o in full.options}
            cells += [Cell(qid, o["option"], "count", true[o["option"]].count,
                           _share_values(true[o["option"]].share))
                      for o in f["options"] if o["suppressed"]]
        elif q["question_type"] == "budget":
            true = {i.item: i for i in full.items}
            cells += [Cell(qid, i["item"], "total_points", true[i["item"]].total_points,
                           (true[i["item"]].mean_points,))
                      for i in f["items"] if i["total_points"] is None]
    return cells


def cell_in_document(doc, cell: Cell) -> dict:
    """Return the JSON figures of a suppressed cell: its count and share (or mean)."""
    q = next(q for q in doc["questions"] if q["question_id"] == cell.question_id)
    f = q["figures"]
    if cell.column == "dont_know":
        s = next(s for s in f["statements"] if s["statement"] == cell.part)
        return {"count": s["dont_know"], "share": None}
    if cell.column.startswith("count_point_"):
        s = next(s for s in f["statements"] if s["statement"] == cell.part)
        p = next(p for p in s["points"] if f"count_point_{p['point']}" == cell.column)
        return {"count": p["count"], "share": p["share"]}
    if cell.column == "count":
        o = next(o for o in f["options"] if o["option"] == cell.part)
        return {"count": o["count"], "share": o["share"]}
    i = next(i for i in f["items"] if i["item"] == cell.part)
    return {"count": i["total_points"], "share": i["mean_points"]}


def published_numbers(value) -> list[float]:
    """Collect every number in the public document."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in published_numbers(v)]
    if isinstance(value, list):
        return [x for v in value for x in published_numbers(v)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []


def table_row(page: str, question_id: str, part: str) -> dict[str, str]:
    """Return a question's table row as {column header: cell}, unescaped."""
    section = re.search(rf'<section class="result" id="r{re.escape(question_id)}".*?</section>',
                        page, re.DOTALL).group(0)
    headers = [html.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', section)]
    label = html.escape(part or "All answers")
    row = re.search(rf'<tr><th scope="row">{re.escape(label)}</th>(.*?)</tr>', section, re.DOTALL)
    assert row, f"no row {part!r} in question {question_id}"
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))]
    return dict(zip(headers[1:], cells, strict=True))


def columns_of(cell: Cell, headers) -> list[str]:
    """Return the table columns where the cell's figures would be."""
    if cell.column.startswith("count_point_"):
        point = cell.column.removeprefix("count_point_")
        return [h for h in headers if h.split(" ")[0] == point]
    return {"dont_know": ["Don't know"], "count": ["Count", "Share (95% CI)"],
            "total_points": ["Total points", "Mean points"]}[cell.column]


def test_the_survey_has_small_cells_to_hide(pub):
    cells = suppressed_cells(pub.doc, pub.summary)
    kinds = {pub.summary.question(c.question_id).question_type for c in cells}
    assert kinds == {"likert", "matrix", "single", "multiple", "budget"}
    assert any(0 < c.count < 5 for c in cells)  # primary suppressions, not only complementary


def test_no_suppressed_value_in_any_public_output(pub):
    cells = suppressed_cells(pub.doc, pub.summary)
    rows = list(csv.reader(io.StringIO(pub.out["csv"])))
    by_place = {}
    for qid, _question, part, figure, value in rows[1:]:
        by_place.setdefault((qid, part), {})[figure] = value
    shown = published_numbers(pub.doc)  # JSON: the cell's own figures are not among them
    csv_values = {row[4] for row in rows[1:]}
    for cell in cells:
        assert cell_in_document(pub.doc, cell) == {"count": None, "share": None}, cell
        place = by_place[(cell.question_id, cell.part)]
        # CSV: the count says "suppressed", and no share or mean of it is there at all.
        assert place[cell.column] == "suppressed", cell
        point = cell.column.removeprefix("count_")
        assert not [f for f in place if f.startswith("share") and f.endswith(point)], cell
        for page in (pub.out["page"], pub.out["report"]):  # its table cells say "suppressed"
            row = table_row(page, cell.question_id, cell.part)
            columns = columns_of(cell, row)
            assert columns and all(row[c] == "suppressed" for c in columns), (cell, row)
        # Its exact share, interval or mean appears nowhere unless some published figure
        # happens to have the same value (then it reveals nothing about this cell).
        for value in cell.shares:
            if value is None or any(math.isclose(value, s, abs_tol=1e-12) for s in shown):
                continue
            assert f"{value:.6g}" not in csv_values, cell
            row = table_row(pub.out["page"], cell.question_id, cell.part)
            assert f"{value:.0%}" not in " ".join(row.values()), cell


def test_suppressed_cells_are_not_drawn(pub):
    for cell in suppressed_cells(pub.doc, pub.summary):
        section = re.search(rf'id="r{cell.question_id}".*?</section>', pub.out["page"],
                            re.DOTALL).group(0)
        desc = html.unescape(" ".join(re.findall(r"<desc[^>]*>(.*?)</desc>", section)))
        if cell.column.startswith("count_point_"):
            point = cell.column.removeprefix("count_point_")
            q = next(q for q in pub.doc["questions"] if q["question_id"] == cell.question_id)
            s = next(s for s in q["figures"]["statements"] if s["statement"] == cell.part)
            if s["n"] is None:  # no base, so no shares: the statement is not drawn at all
                assert f"{cell.part or 'All answers'}:" not in desc, cell
            else:  # drawn as a gap, or, every share suppressed, no chart but words saying so
                assert f"point {point} suppressed" in desc or 'class="chart-empty"' in section
        elif cell.column != "dont_know":
            assert f"{cell.part}:" not in desc, cell


def test_a_suppressed_dont_know_cannot_be_worked_out_from_other_questions(pub):
    # Everyone answers the required likert and number questions, so the number's n (15) is
    # the likert's number who answered; its base n (14 on the scale) would give away its one
    # "don't know". No output may show the base of a statement whose "don't know" is hidden.
    number = next(q for q in pub.doc["questions"] if q["question_type"] == "number")
    rows = list(csv.reader(io.StringIO(pub.out["csv"])))
    hidden = [c for c in suppressed_cells(pub.doc, pub.summary) if c.column == "dont_know"]
    assert number["figures"]["n"] == 15 and len(hidden) == 2  # the likert, matrix "Cheap"
    for cell in hidden:
        q = next(q for q in pub.doc["questions"] if q["question_id"] == cell.question_id)
        s = next(s for s in q["figures"]["statements"] if s["statement"] == cell.part)
        base = next(t for t in pub.summary.question(cell.question_id).statements
                    if t.statement == cell.part).n
        assert base == 15 - cell.count and q["figures"]["n"] == 15
        assert base not in published_numbers({k: v for k, v in s.items() if k != "points"})
        assert sum(p["suppressed"] for p in s["points"]) >= 1  # their sum is no base either
        place = {r[3]: r[4] for r in rows[1:] if (r[0], r[2]) == (cell.question_id, cell.part)}
        assert place["n"] == "suppressed" and not [f for f in place if f.startswith("share")]
        for page in (pub.out["page"], pub.out["report"]):
            assert table_row(page, cell.question_id, cell.part)["n"] == "suppressed"


def test_json_holds_no_identified_figure(pub):
    body = pub.out["json"]
    for key in ('"first_place', '"respondents"', '"companies"', '"n_companies"', '"answer_id"',
                '"minimum": 1', '"maximum": 15'):
        assert key not in body
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", body + pub.out["csv"])  # no timestamps


def test_free_text_only_approved_and_only_when_the_question_passes(pub):
    text = next(q for q in pub.doc["questions"] if q["question_type"] == "text"
                and q["published"])
    assert text["figures"]["answers"] == sorted([RICH_TEXTS[0], RICH_TEXTS[3]])
    for name, body in pub.out.items():
        for hidden in (RICH_TEXTS[1], RICH_TEXTS[5], "alice@att.example"):
            assert hidden not in body, name
        # "Zun" is approved, but its question has one answer: withheld all the same.
        assert "Zun" not in body, name


def test_public_pages_name_no_company_or_representative(pub):
    names = [c.name for c in db.session.scalars(db.select(Company))]
    names += [u.name for u in db.session.scalars(db.select(User))]
    assert len(names) > 20
    for name in names:
        for output, body in pub.out.items():
            assert name not in body and html.escape(name) not in body, (name, output)


def test_anonymous_index_page_and_report(client, pub):
    index = client.get("/results/").get_data(as_text=True)
    assert "Queens priorities" in index and f'/results/{pub.survey.id}"' in index
    page = pub.out["page"]
    # Six questions with charts, but the likert's "don't know" (1 of 15) is suppressed, so its
    # base (14) and the shares drawn from it are withheld: no chart there; every share of the
    # matrix is suppressed or 0, so it says so in words instead of drawing an empty frame.
    assert page.count('role="img"') >= 4 and "Agreement:" in page
    assert "No chart: every share of this question is suppressed" in page
    # Three representatives per company: the ranking's statistics count one unit per company.
    assert "agreement among companies, W = " in page and "one unit per company" in page
    assert "Friedman test on n = 5" in page and "Sign in with OpenStackID" in page
    assert "Printable report" in page and "Response rate" not in page
    with client.get("/static/concord.css") as css:
        assert "@media print" in css.get_data(as_text=True)
    assert 'class="report"' in pub.out["report"]
    assert pub.out["csv"].startswith("question_id,question,statement_or_item,figure,value\n")


def test_unanimity_shows_only_when_the_chair_allows_it(app, client, consortium, make_rep,
                                                       make_user, login):
    app.config["WTF_CSRF_ENABLED"] = False
    survey = rich_survey(consortium, make_rep, make_user)
    hidden = publish(client, login, consortium, survey, allow_unanimous=False)
    assert Publication.of(survey).allow_unanimous is False
    q = next(q for q in hidden.doc["questions"] if q["question_type"] == "multiple")
    assert q["figures"]["recoding"] == "majority" and q["figures"]["majority"] == ["Ops"]
    assert all(o["count"] is None and o["share"] is None for o in q["figures"]["options"])
    rows = [r for r in csv.reader(io.StringIO(hidden.out["csv"])) if r[0] == q["question_id"]]
    assert not [r for r in rows if r[3] in ("count", "share")]  # 15 of 15 is nowhere
    section = re.search(rf'id="r{q["question_id"]}".*?</section>', hidden.out["page"],
                        re.DOTALL).group(0)
    assert "Ops: 100" not in section and "more than half of the respondents: Ops" in section


def test_an_unpublished_survey_is_not_public(client, app, consortium, make_rep, make_user):
    survey = rich_survey(consortium, make_rep, make_user)
    for suffix in OUTPUTS.values():
        assert client.get(f"/results/{survey.id}{suffix}").status_code == 404
    assert client.get("/results/999/results.json").status_code == 404
    assert "No survey results are published yet" in client.get("/results/").get_data(
        as_text=True)
