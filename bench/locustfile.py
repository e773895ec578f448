"""Locust users for the HTTP benchmark (run by bench/http_bench.py, headless).

BENCH_TOKENS names a JSON file with the representatives' tokens (made outside the timed
part); BENCH_BALLOT is the open ballot's id. Each user is one representative.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, between, constant, task

_tokens_file = os.environ.get("BENCH_TOKENS")
_people = json.loads(Path(_tokens_file).read_text()) if _tokens_file else []
_next_person = itertools.cycle(_people or [{"token": "none"}])
BALLOT = os.environ.get("BENCH_BALLOT", "1")
CHOICES = ("yes", "no", "abstain")


class _Base(FastHttpUser):
    abstract = True
    wait_time = constant(0)  # a deadline surge: each user sends again as soon as answered


class ConstantUser(_Base):
    """Baseline: a bare endpoint returning a constant."""

    @task
    def constant(self):
        self.client.get("/_bench/constant", name="bare constant")


class InsertUser(_Base):
    """Baseline: a bare endpoint inserting one row."""

    @task
    def insert(self):
        with self.client.post("/_bench/insert", name="bare insert", catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"status {r.status_code}")


class VoteUser(_Base):
    """A representative casting or changing the company's vote through the API."""

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {next(_next_person)['token']}"}

    @task
    def vote(self):
        with self.client.post(f"/api/v1/ballots/{BALLOT}/vote", name="cast vote",
                              json={"vote": random.choice(CHOICES)}, headers=self.headers,
                              catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"status {r.status_code}")


class PacedVoteUser(VoteUser):
    """The same voter, pausing 1-3 s between votes (about 100 votes/s from 200 users)."""

    wait_time = between(1, 3)
