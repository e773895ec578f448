"""Fault tests: every server listens on 127.0.0.1; every burst stops by itself."""

from __future__ import annotations

import pytest
from fault_helpers import Gunicorn


def pytest_collection_modifyitems(items):
    """Mark everything here `faults` (deselect with -m 'not faults')."""
    for item in items:
        if "/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def gunicorn(tmp_path):
    """Return a starter of gunicorn servers; stop them all afterwards."""
    started: list[Gunicorn] = []

    def start(database_url: str, workers: int = 3) -> Gunicorn:
        server = Gunicorn(database_url, workers, tmp_path / f"gunicorn-{len(started)}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
