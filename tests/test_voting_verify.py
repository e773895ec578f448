"""The public verifier and the recount command agree with every decision of the demo, and catch tampering."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
from werkzeug.serving import make_server

from devtools.demo_data import load_demo
from voting import recount, verify


@pytest.fixture
def demo_site(app):
    """Load the demo consortium and serve the app over HTTP on 127.0.0.1."""
    assert load_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def test_the_verifier_agrees_with_every_published_demo_decision(demo_site, capsys):
    assert verify.main([demo_site, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    # 7 demo decisions, plus the demo meeting's confirmation round (devtools/demo_meetings.py)
    assert found["checked"] == found["agreed"] == 8
    decisions = found["decisions"]
    assert {d["kind"] for d in decisions} == {"consensus", "motion", "ranked"}
    motions = {d["tie_break"]: d for d in decisions if d["kind"] == "motion"}
    assert set(motions) == {"casting_vote", "status_quo", "lot"}
    assert all(d["published"]["tie"] for d in motions.values())  # each motion was a tie
    assert {d["published"]["status"] for d in decisions if d["kind"] == "consensus"} == {
        "reached", "not_reached"}
    secret = [d for d in decisions if d["kind"] == "ranked" and d["tie_break"] == "lot"]
    assert secret and secret[0]["published"]["tie"]["rule"] == "lot"
    assert all(set(d) >= {"id", "url", "kind", "tie_break", "published", "recounted", "agree"}
               for d in decisions)
    done = subprocess.run([sys.executable, "-m", "voting.verify", demo_site],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "8 decisions checked, 8 agree" in done.stdout


def test_the_verifier_catches_a_tampered_outcome(demo_site, capsys):
    def tampered(url: str) -> str:
        body = verify.fetch_url(url)
        if url.endswith("record.json") and '"status": "passed"' in body:
            return body.replace('"status": "passed"', '"status": "failed"', 1)
        return body

    assert verify.main([demo_site], fetch=tampered) == 1
    out = capsys.readouterr().out
    assert "DISAGREES" in out and "agree with their recount" in out
    assert verify.main(["http://127.0.0.1:9"]) == 2  # nothing listens: a clear failure


def test_recount_reads_a_downloaded_record(demo_site, tmp_path, capsys):
    register = json.loads(verify.fetch_url(f"{demo_site}/api/v1/decisions"))["decisions"]
    lot = next(d for d in register if d["kind"] == "motion" and "lot" in d["summary"])
    path = tmp_path / f"decision-{lot['id']}.csv"
    path.write_text(verify.fetch_url(lot["record_csv"]))
    assert recount.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "AGREES" in out and "lot secret matches its commitment" in out
    text = path.read_text()
    flipped = text.replace(",no\n", ",yes\n", 1)
    assert flipped != text
    path.write_text(flipped)
    assert recount.main([str(path)]) == 1 and "DISAGREES" in capsys.readouterr().out
    path.write_text(text.replace('"secret": "', '"secret": "0', 1))
    assert recount.main([str(path)]) == 2
    assert "does not match the commitment" in capsys.readouterr().err
