"""kill -9 a gunicorn worker in the middle of a vote burst: no acknowledged vote lost or doubled."""

from __future__ import annotations

import os
import signal
import time

import requests
from fault_helpers import Burst, check_votes_intact, seed_voters


def test_kill_9_workers_mid_burst(app, database_url, gunicorn):
    ballot_id, voters = seed_voters(12)
    server = gunicorn(database_url, workers=3)
    burst = Burst(server.url, ballot_id, voters, max_seconds=40).start()
    killed = []
    try:
        for round_ in range(1, 4):
            burst.wait_for_acks(25 * round_)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)  # no cleanup, no rollback from the worker itself
            killed.append(victim)
            time.sleep(0.3)
        burst.wait_for_acks(len(burst.acks) + 25)  # the master replaced them; votes go on
    finally:
        burst.finish()
    assert len(killed) == 3 and not set(killed) & set(server.worker_pids())
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
    server.stop()
    failed = [r for _, _, r in burst.outcomes if not isinstance(r, requests.Response)]
    statuses = {r.status_code for _, _, r in burst.outcomes if isinstance(r, requests.Response)}
    assert statuses <= {201, 503}, statuses  # SQLite may answer "busy" with a clear 503
    print(f"{len(burst.acks)} acknowledged votes, {len(failed)} requests cut by the kills")
    assert failed, "no request was in flight when the workers died: the test proved nothing"
    check_votes_intact(burst.acks)
