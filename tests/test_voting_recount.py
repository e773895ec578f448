"""Recounts of real elections, PrefLib and CSV files, and the recount command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from voting.formats import FormatError, load, parse
from voting.recount import recount

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "elections"  # byte-for-byte copy, for clean clones and CI
SHARED = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "elections"
KUBERNETES = DATA / "kubernetes"
DEBIAN = DATA / "debian"

# (ballots, the published results file holding the complete ranking)
KUBERNETES_ELECTIONS = [
    ("steering2017_BALLOTS.csv", "steering2017_RESULTS.md"),
    ("steering2018_BALLOTS.csv", "steering2018_RESULTS.md"),
    ("steering2019_BALLOTS.csv", "steering2019_RESULTS.md"),
    ("steering2020_BALLOTS.csv", "steering2020_RESULTS.md"),
    ("steering2021_ballots.csv", "steering2021_ranking.md"),
    ("steering2022_ballots.csv", "steering2022_results.md"),
    ("steering2023_ballots.csv", "steering2023_results.md"),
    ("steering2024_ballots.csv", "steering2024_results.md"),
    ("steering2025_ballots.csv", "steering2025_results.md"),
]
# The 2017 results spell a name differently from the ballot header.
SPELLING = {"Phillip Wittrock": "Phillip Whitrock"}


def published_ranking(results: Path) -> list[str]:
    """Return the first numbered list of a results file (it stops where numbering restarts)."""
    names: list[str] = []
    for line in results.read_text(encoding="utf-8").splitlines():
        item = re.match(r"^\s*(\d+)\.\s+(.+?)\s*$", line)
        if not item:
            continue
        if int(item.group(1)) != len(names) + 1:
            break
        link = re.fullmatch(r"\[.*\]\(https://github\.com/([^)/]+)\)", item.group(2))
        names.append(link.group(1) if link else SPELLING.get(item.group(2), item.group(2)))
    return names


def header_name(candidate: str) -> str:
    """Drop the ' (@handle)' that the 2019 ballot header adds to names."""
    return re.sub(r"\s*\(@[^)]*\)$", "", candidate)


def test_in_repo_copy_matches_shared_testdata() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this clone")
    shared = sorted(p.relative_to(SHARED) for p in SHARED.rglob("*") if p.is_file())
    assert shared, "shared testdata is empty"
    for relative in shared:
        assert (DATA / relative).read_bytes() == (SHARED / relative).read_bytes(), relative


@pytest.mark.parametrize(("ballots", "results"), KUBERNETES_ELECTIONS)
def test_kubernetes_published_rankings(ballots: str, results: str) -> None:
    expected = published_ranking(KUBERNETES / results)
    result = recount(load(KUBERNETES / ballots), "schulze", "abstain")
    assert len(expected) == len(result.candidates) >= 7
    assert [[header_name(name) for name in tier] for tier in result.ranking] == [
        [name] for name in expected]


def test_kubernetes_csv_is_read_as_no_opinion_by_default() -> None:
    ballots = load(KUBERNETES / "steering2017_BALLOTS.csv")
    assert ballots.format == "kubernetes-csv"
    assert recount(ballots).ranking == recount(ballots, "schulze", "abstain").ranking


# Published winners (tests/data/elections/README.md, from Debian's own results pages).
DEBIAN_ELECTIONS = [
    ("dpl2006_leader2006_tally.txt", 421, ["Anthony Towns"]),
    ("dpl2007_leader2007_tally.txt", 482, ["Sam Hocevar", "Steve McIntyre"]),
    ("dpl2020_leader2020_tally.txt", 339,
     ["Jonathan Carter", "Sruthi Chandran", "Brian Gupta", "None Of The Above"]),
]


@pytest.mark.parametrize(("sheet", "ballots", "order"), DEBIAN_ELECTIONS)
def test_debian_published_winners(sheet: str, ballots: int, order: list[str]) -> None:
    result = recount(load(DEBIAN / sheet))  # Debian's reading: unranked ranked last
    assert result.ballots == ballots
    assert result.winners == (order[0],)
    assert list(result.ranking[: len(order)]) == [(name,) for name in order]


def test_debian_2007_runner_up_margin() -> None:
    result = recount(load(DEBIAN / "dpl2007_leader2007_tally.txt"))
    sam, steve = result.candidates.index("Sam Hocevar"), result.candidates.index("Steve McIntyre")
    assert 0 < result.pairwise[sam][steve] - result.pairwise[steve][sam] < 10
    assert "Raphaël Hertzog" in result.candidates  # the sheet is ISO-8859-1


def test_debian_2006_winner_changes_under_the_wrong_reading() -> None:
    ballots = load(DEBIAN / "dpl2006_leader2006_tally.txt")
    assert recount(ballots, "schulze", "last").winners == ("Anthony Towns",)
    assert recount(ballots, "schulze", "abstain").winners != ("Anthony Towns",)


def test_debian_sheet_names_its_default_option() -> None:
    ballots = load(DEBIAN / "dpl2020_leader2020_tally.txt")
    assert ballots.format == "debian-tally"
    assert ballots.default_option == "None Of The Above"
    assert ballots.candidates == ("Jonathan Carter", "Sruthi Chandran", "Brian Gupta",
                                  "None Of The Above")


PREFLIB_HEADER = """# FILE NAME: test.{ext}
# TITLE: A small test
# DATA TYPE: {ext}
# NUMBER ALTERNATIVES: 4
# NUMBER VOTERS: {voters}
# ALTERNATIVE NAME 1: Ann
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Cid
# ALTERNATIVE NAME 4: Dee
"""


def test_preflib_soc(tmp_path: Path) -> None:
    path = tmp_path / "test.soc"
    path.write_text(PREFLIB_HEADER.format(ext="soc", voters=9)
                    + "4: 2,1,3,4\n3: 1,3,2,4\n2: 3,1,2,4\n", encoding="utf-8")
    result = recount(load(path))
    assert result.ballots == 9
    assert result.ranking == (("Ann",), ("Cid",), ("Bob",), ("Dee",))  # Cid beats Bob 5:4
    bob, ann = result.candidates.index("Bob"), result.candidates.index("Ann")
    assert (result.pairwise[bob][ann], result.pairwise[ann][bob]) == (4, 5)


@pytest.mark.parametrize(
    ("ext", "unranked", "ranking"),
    [
        # 2 voters tie Ann and Bob then Cid; 3 rank Bob alone; 2 rank Ann over Dee.
        ("toi", None, (("Bob",), ("Ann",), ("Cid", "Dee"))),  # unlisted: ranked last
        ("toi", "abstain", (("Ann", "Bob"), ("Cid", "Dee"))),  # unlisted: no preference
    ],
)
def test_preflib_ties_and_unlisted(tmp_path: Path, ext, unranked, ranking) -> None:
    path = tmp_path / f"test.{ext}"
    path.write_text(PREFLIB_HEADER.format(ext=ext, voters=7)
                    + "2: {1,2},3\n3: 2\n2: 1,4\n", encoding="utf-8")
    assert recount(load(path), "schulze", unranked).ranking == ranking


def test_preflib_soi_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "no-extension"
    path.write_text(PREFLIB_HEADER.format(ext="soi", voters=3) + "3: 4,2\n", encoding="utf-8")
    assert recount(load(path)).winners == ("Dee",)


CONCORD_RANKED = """Ann,Bob,Cid,receipt
1,2,,r-001
2,1,3,r-002
1,,2,r-003
"""


@pytest.mark.parametrize(
    ("text", "method", "winners", "ranking"),
    [
        (CONCORD_RANKED, "schulze", ("Ann",), (("Ann",), ("Bob",), ("Cid",))),
        ("Ann,Bob,Cid,receipt\n1,1,,a\n,1,,b\n,,,c\n", "approval", ("Bob",),
         (("Bob",), ("Ann",), ("Cid",))),
        ("Ann,Bob,receipt\n1,,a\n,x,b\n1,,c\n", "plurality", ("Ann",), (("Ann",), ("Bob",))),
        ("Motion 7,receipt\nyes,a\nno,b\nyes,c\nabstain,d\n", "motion", ("yes",),
         (("yes",), ("no",))),
        ("Yes,No,Abstain,receipt\n1,,,a\n,1,,b\n,,1,c\n", "motion", ("no",),
         (("yes", "no"),)),  # a tied motion fails: status quo
    ],
)
def test_concord_csv_export(tmp_path: Path, text, method, winners, ranking) -> None:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    result = recount(load(path), method)
    assert result.winners == winners
    assert result.ranking == ranking
    assert "receipt" not in result.candidates


@pytest.mark.parametrize(
    ("text", "suffix", "method", "message"),
    [
        ("Ann,Bob,receipt\n1,two,a\n", ".csv", "schulze", "bad rank 'two'"),
        ("Ann,Bob,receipt\n1,0,a\n", ".csv", "schulze", "bad rank '0'"),
        ("Ann,Bob,receipt\n1,2\n", ".csv", "schulze", "row 2"),
        ("Ann,Ann,receipt\n1,2,a\n", ".csv", "schulze", "once"),
        ("Ann,Bob,receipt\n1,1,a\n", ".csv", "plurality", "marks 2"),
        ("Ann,Bob,receipt\n2,,a\n", ".csv", "approval", "not a mark"),
        ("Motion,receipt\nperhaps,a\n", ".csv", "motion", "not a motion vote"),
        ("just some words\n", ".txt", "schulze", "not a ballot file"),
        ("   Option 1-->: A\n   Option 2->: B\nV: 1 abc\n", ".txt", "schulze", "line 3"),
        ("   Option 1-->: A\n   Option 2->: B\nV: 1x abc\n", ".txt", "schulze", "digit"),
        ("   Option 1-->: A\n   Option 2->: B\nV: 12 abc\n", ".txt", "approval", "ranked"),
        ("# ALTERNATIVE NAME 1: A\n2: 1,1\n", ".soc", "schulze", "listed twice"),
        ("# ALTERNATIVE NAME 1: A\n2: 1,,\n", ".soc", "schulze", "unreadable order"),
        ("# ALTERNATIVE NAME 1: A\n2: 1,{}\n", ".soc", "schulze", "unreadable order"),
        ("# ALTERNATIVE NAME 1: A\n2: 3\n", ".soc", "schulze", "not an alternative"),
        ("# ALTERNATIVE NAME 1: A\nx: 1\n", ".soc", "schulze", "count: order"),
        ("# TITLE: nothing\n", ".soc", "schulze", "no alternatives"),
    ],
)
def test_unreadable_input_is_refused(text, suffix, method, message) -> None:
    with pytest.raises(FormatError, match=re.escape(message)):
        recount(parse(text, suffix), method)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m voting.recount` as a user would."""
    return subprocess.run([sys.executable, "-m", "voting.recount", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_json_shape() -> None:
    done = run_cli(str(DEBIAN / "dpl2020_leader2020_tally.txt"), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"method", "candidates", "ranking", "winners", "pairwise"}
    assert data["method"] == "schulze"
    assert data["winners"] == ["Jonathan Carter"]
    assert data["ranking"] == [[name] for name in data["candidates"]]
    size = len(data["candidates"])
    assert len(data["pairwise"]) == size and all(len(row) == size for row in data["pairwise"])


def test_cli_text_shows_tiers(tmp_path: Path) -> None:
    path = tmp_path / "cycle.csv"
    path.write_text("A,B,C,receipt\n1,2,3,a\n3,1,2,b\n2,3,1,c\n", encoding="utf-8")
    done = run_cli(str(path), "--unranked", "abstain")
    assert done.returncode == 0, done.stderr
    assert "1. A = B = C (tied)" in done.stdout
    assert "no preference" in done.stdout


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, (), "No such file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", (), "binary"),
        (b"Ann,Bob,receipt\n1,banana,a\n", (), "bad rank"),
        (b"Ann,Bob,receipt\n1,2,a\n", ("--method", "approval"), "not a mark"),
        (b"Ann,Bob,receipt\n1,2,a\n", ("--method", "plurality", "--unranked", "last"),
         "--unranked"),
    ],
)
def test_cli_bad_input_exits_2(tmp_path: Path, content, args, message) -> None:
    path = tmp_path / "ballots.csv"
    if content is not None:
        path.write_bytes(content)
    done = run_cli(str(path), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
