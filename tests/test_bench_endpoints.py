"""Concord's benchmark baselines exist only with their development extension, never in production."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.config import ConfigError, build_config
from core.db import db
from devtools.bench_endpoints import bench_metadata, bench_row, create_table


def test_not_registered_by_default(app, client):
    assert not any(rule.rule.startswith("/_bench") for rule in app.url_map.iter_rules())
    assert client.get("/_bench/constant").status_code == 404


def test_refused_in_production(tmp_path):
    with pytest.raises(ConfigError, match="DEV_EXTENSIONS"):
        build_config(str(tmp_path), {"CONCORD_ENV": "production", "SECRET_KEY": "s",
                                     "DEV_EXTENSIONS": "devtools.bench_endpoints"})


def test_constant_and_insert(app, disposable_app):
    bench = disposable_app(DEV_EXTENSIONS="devtools.bench_endpoints")
    client = bench.test_client()
    with bench.app_context():
        create_table()
        try:
            assert client.get("/_bench/constant").get_json() == {"ok": True}
            assert client.post("/_bench/insert").status_code == 201  # no CSRF token needed
            assert db.session.scalar(select(func.count()).select_from(bench_row)) == 1
        finally:
            db.session.remove()
            bench_metadata.drop_all(db.engine)
