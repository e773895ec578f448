"""python -m surveys.summarize, run as a subprocess the way analysts run it."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["response_id", "company", "respondent", "question_id", "question_type", "item",
          "value"]


def run(*args):
    """Run the command and return the completed process."""
    return subprocess.run([sys.executable, "-m", "surveys.summarize", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def write(path, rows, header=HEADER):
    """Write a CSV file and return its path."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def survey_csv(tmp_path):
    """A small valid export: 12 respondents from 6 companies, every question type."""
    return write(tmp_path / "survey.csv", survey_rows(12))


def survey_rows(respondents):
    """Return the export's rows: respondents from 6 companies, every question type."""
    rows = []
    orders = ["ABC", "ABC", "BAC", "ABC", "ACB", "ABC"]
    for i in range(respondents):
        rid, company = f"r{i}", f"Company {i % 6}"
        for pos, item in enumerate(orders[i % 6]):
            rows.append([rid, company, f"rep{i}", "road", "ranking", item, pos + 1])
        rows += [[rid, company, f"rep{i}", "like", "likert", "", "dk" if i == 0 else 1 + i % 5],
                 [rid, company, f"rep{i}", "mat", "matrix", "Speed", 1 + i % 5],
                 [rid, company, f"rep{i}", "mat", "matrix", "Cost", 1 + i % 3],
                 [rid, company, f"rep{i}", "mat", "matrix", "Scope", 2 + i % 4],
                 [rid, company, f"rep{i}", "pick", "single", "yes" if i % 3 else "no", 1],
                 [rid, company, f"rep{i}", "tags", "multiple", "ops", 1],
                 [rid, company, f"rep{i}", "money", "budget", "A", 70],
                 [rid, company, f"rep{i}", "money", "budget", "B", 30],
                 [rid, company, f"rep{i}", "fte", "number", "", i % 4],
                 [rid, company, f"rep{i}", "why", "text", "", f"note {i}"]]
    return rows


def test_text_report(survey_csv):
    res = run(survey_csv)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "Survey summary: 12 responses from 6 companies, 8 questions" in out
    # 2 respondents per company: the statistics count one unit per company (averaged ranks).
    assert "agreement among companies, W = " in out and "among respondents" not in out
    assert "one unit per company" in out and "12 respondents were averaged" in out
    assert "Friedman test" in out and "Wilson" in out and "mean 1.5" in out
    assert res.stderr == ""


def test_json_report(survey_csv):
    res = run(survey_csv, "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["n_responses"] == 12
    by_id = {q["question_id"]: q for q in data["questions"]}
    assert by_id["road"]["items"][0]["item"] == "A"
    assert by_id["like"]["statements"][0]["dont_know"] == 1


def test_public_json_is_gated(tmp_path):
    # 24 respondents: above 12 the gate suppresses cells and may show comparisons.
    survey = write(tmp_path / "survey.csv", survey_rows(24))
    groups = write(tmp_path / "groups.csv", [[f"Company {i}", "big" if i < 3 else "small"]
                                             for i in range(6)], header=["company", "group"])
    res = run(survey, "--public", "--groups", groups)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["k_respondents"] == 5 and "Company" not in res.stdout and "rep1" not in res.stdout
    by_id = {q["question_id"]: q for q in data["questions"]}
    assert by_id["why"]["figures"]["answers"] == []  # no text approved from the command line
    assert by_id["fte"]["figures"]["maximum"] is None
    # Each group has 12 respondents from 3 companies: enough for the default gate. The
    # likert's one "don't know" is suppressed, so its base (23 of the 24 who answered) is
    # withheld, and with it the comparison, whose groups add up to that base.
    assert by_id["like"]["figures"]["statements"][0]["n"] is None
    assert {c["question_id"] for c in data["comparisons"]} == {"mat", "pick", "fte"}
    assert all(g["n"] >= 5 and g["n_companies"] >= 3
               for c in data["comparisons"] for g in c["groups"])


def test_public_json_of_a_small_group_is_coarsened_and_unanimity_is_a_flag(survey_csv):
    data = json.loads(run(survey_csv, "--public").stdout)
    by_id = {q["question_id"]: q for q in data["questions"]}
    assert data["comparisons"] == []  # at most 12 respondents: outside the exact attack's model
    # Everyone chose "ops": unanimity is not shown unless the chair (here: the flag) allows it.
    tags = by_id["tags"]["figures"]
    assert tags["recoding"] and all(o["count"] is None for o in tags["options"])
    shown = json.loads(run(survey_csv, "--public", "--allow-unanimous").stdout)
    tags = {q["question_id"]: q for q in shown["questions"]}["tags"]["figures"]
    assert [(o["option"], o["count"]) for o in tags["options"]] == [("ops", 12)]


@pytest.mark.parametrize(("rows", "header", "message"), [
    ([["r", "c", "p", "q", "likert", "", "1"]], HEADER[:-1], "missing column(s): value"),
    ([["r", "c", "p", "q", "poll", "", "1"]], HEADER, "line 2: unknown question_type 'poll'"),
    ([["r", "c", "p", "q", "number", "", "1"], ["r", "c", "p", "q2", "number", "", "lots"]],
     HEADER, "line 3: question 'q2' (number): value 'lots' is not a number"),
    ([["r", "c", "p", "q", "number", "", "1", "extra"]], HEADER, "has 8 fields"),
])
def test_bad_input_exits_2_with_a_message(tmp_path, rows, header, message):
    res = run(write(tmp_path / "bad.csv", rows, header))
    assert res.returncode == 2
    assert res.stderr.startswith("summarize: error: ") and message in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_missing_empty_and_undecodable_files_exit_2(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(",".join(HEADER).encode() + b"\nr,Soci\xe9t\xe9,p,q,number,,1\n")
    for path, message in [(tmp_path / "nope.csv", "cannot read"), (empty, "empty"),
                          (latin, "cannot read")]:
        res = run(path)
        assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr


def test_thresholds_below_three_are_refused(survey_csv):
    res = run(survey_csv, "--public", "--k-companies", "2")
    assert res.returncode == 2 and "k_companies must be" in res.stderr
