"""The roadmap item catalog: members read it, the chair and admins edit it, every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.db import db
from surveys.catalog import Size, Stage, Team
from surveys.models import RoadmapItem

GOOD = {"title": "Skip-level upgrades", "description": "Skip a release.", "team": "other",
        "kind": "new", "components": "Nova, Neutron, nova", "size": "XL",
        "target_release": "Queens", "stage": "being-vetted", "member_value": "",
        "community_value": "", "blueprint_url": "https://blueprints.launchpad.net/nova/+spec/x",
        "spec_url": "", "review_url": ""}


@pytest.fixture
def chair(app, consortium, login):
    app.config["WTF_CSRF_ENABLED"] = False
    login(consortium["chair"])
    return consortium


def items() -> list[RoadmapItem]:
    return list(db.session.scalars(select(RoadmapItem)))


def test_chair_adds_and_edits_an_item(client, chair):
    assert client.post("/surveys/items/new", data=GOOD).status_code == 302
    [item] = items()
    assert (item.team, item.size, item.stage) == (Team.OTHER, Size.XL, Stage.BEING_VETTED)
    assert item.components == ["Nova", "Neutron"]
    page = client.get(f"/surveys/items/{item.id}/edit").get_data(as_text=True)
    assert 'value="Nova, Neutron"' in page and '<option selected value="XL">' in page
    edit = {**GOOD, "stage": "prioritized", "size": ""}
    assert client.post(f"/surveys/items/{item.id}/edit", data=edit).status_code == 302
    assert item.stage is Stage.PRIORITIZED and item.size is None
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("roadmap_item%")).order_by(AuditEvent.seq)).all()
    assert actions == ["roadmap_item.create", "roadmap_item.update"]


@pytest.mark.parametrize(("change", "message"), [
    ({"title": ""}, "This field is required"),
    ({"team": "marketing"}, "Not a valid choice"),
    ({"blueprint_url": "not a link"}, "Invalid URL"),
    ({"components": "Nova, <b>"}, "is not a component name"),
])
def test_bad_item_input_is_refused(client, chair, change, message):
    resp = client.post("/surveys/items/new", data={**GOOD, **change})
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert items() == []


def test_titles_are_unique_ignoring_case(client, chair):
    client.post("/surveys/items/new", data=GOOD)
    resp = client.post("/surveys/items/new", data={**GOOD, "title": "SKIP-LEVEL upgrades"})
    assert resp.status_code == 422 and "already has this title" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RoadmapItem)) == 1


def test_members_read_but_do_not_edit(client, login, chair):
    client.post("/surveys/items/new", data=GOOD)
    [item] = items()
    login(chair["reps"]["NTT"])
    assert "Skip-level upgrades" in client.get("/surveys/items").get_data(as_text=True)
    assert "Being vetted" in client.get(f"/surveys/items/{item.id}").get_data(as_text=True)
    assert client.post(f"/surveys/items/{item.id}/edit", data=GOOD).status_code == 403
    assert client.get("/surveys/items/new").status_code == 403
