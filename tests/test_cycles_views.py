"""Cycle pages: the overview, the public chairs page, e-mail preferences, settings checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cycles_helpers import IN_WINDOW, audit_rows

from core import clock
from core.config import ConfigError
from core.db import db
from cycles.models import UserPreference


def test_overview_says_whether_the_window_is_open(client, login, consortium):
    login(consortium["reps"]["NTT"])
    with clock.frozen(IN_WINDOW):
        page = client.get("/cycles/").get_data(as_text=True)
        assert "is <strong>open</strong> until the end of" in page and "Nominate a company" in page
    with clock.frozen(datetime(2027, 8, 1, tzinfo=UTC)):
        page = client.get("/cycles/").get_data(as_text=True)
        assert "The next one opens on" in page and "2028-06-01" in page
        assert "Nominate a company" not in page


def test_the_chairs_page_is_public(client, consortium):
    page = client.get("/chairs").get_data(as_text=True)
    assert "Rep of AT&amp;T (current)" in page and "recorded by an administrator" in page


def test_reminders_can_be_turned_off_and_on_from_the_account_page(client, login, consortium):
    app = client.application
    app.config["WTF_CSRF_ENABLED"] = False
    user = consortium["reps"]["NTT"]
    login(user)
    assert "/account/notifications" in client.get("/account").get_data(as_text=True)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'name="reminders"' in page and "checked" in page
    assert client.post("/account/notifications", data={"submit": "Save"}).status_code == 302
    assert UserPreference.for_user(user.id).reminders is False
    assert client.post("/account/notifications",
                       data={"reminders": "y", "submit": "Save"}).status_code == 302
    db.session.expire_all()
    assert UserPreference.for_user(user.id).reminders is True
    assert [e.details["reminders_to"] for e in audit_rows("user.notifications")] == [False, True]


def test_forms_carry_csrf_tokens(client, login, consortium):
    login(consortium["chair"])  # the chair is also AT&T's representative
    with clock.frozen(IN_WINDOW):
        for url in ("/cycles/nominations/new", "/cycles/revocations/new", "/cycles/elections/new",
                    "/account/notifications"):
            page = client.get(url)
            assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(True), url
        assert client.post("/cycles/nominations/new", data={}).status_code == 400  # no token


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"INVITATION_WINDOW_START": "02-29"}, "not a day that every year has"),
     ({"INVITATION_WINDOW_DAYS": 400}, "1 to 365 days"),
     ({"REVOCATION_THRESHOLD": "most"}, "REVOCATION_THRESHOLD must be one of")],
)
def test_bad_cycle_settings_stop_the_app(app_factory, database_url, settings, message):
    with pytest.raises(ConfigError, match=message):
        app_factory(database_url, **settings)
