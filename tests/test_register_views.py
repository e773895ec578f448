"""Admin pages of the member register: changes are audited; bad input is refused, nothing half-written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core import clock
from core.audit import AuditEvent
from core.db import db
from core.member_rules import CompanyStatus
from core.members import ChairTerm, Company, CompanyStatusChange, Invitation, Representative


@pytest.fixture
def admin(make_user, login, app):
    app.config["WTF_CSRF_ENABLED"] = False
    user = make_user("Ada Admin", admin=True)
    login(user)
    return user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


GOOD_COMPANY = {"name": "Comcast", "slug": "comcast", "operator_or_nsp": "y",
                "dedicated_ftes": "6", "upstream_ftes": "2", "criteria_notes": "",
                "initial_status": "candidate", "initial_date": "2021-03-01"}


def test_create_company_is_audited(client, admin):
    resp = client.post("/admin/companies/new", data=GOOD_COMPANY)
    assert resp.status_code == 302
    company = db.session.scalars(select(Company)).one()
    assert company.status_on(date(2021, 3, 1)) is CompanyStatus.CANDIDATE
    assert company.dedicated_ftes == 6
    assert audit_actions() == ["company.create"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"name": "x" * 121}, "cannot be longer than 120"),
        ({"slug": "Not A Slug"}, "lower-case letters"),
        ({"dedicated_ftes": "many"}, "Not a valid integer"),
        ({"dedicated_ftes": "-1"}, "must be between 0 and 100000"),
        ({"initial_status": "revoked"}, "Not a valid choice"),
        ({"initial_date": "31/02/2021"}, "Not a valid date"),
        ({"criteria_notes": "x" * 5001}, "cannot be longer than 5000"),
    ],
)
def test_bad_company_input(client, admin, change, message):
    resp = client.post("/admin/companies/new", data={**GOOD_COMPANY, **change})
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert count(Company) == 0 and count(AuditEvent) == 0


def test_duplicate_company_name_is_refused(client, admin, make_company):
    make_company("Comcast", CompanyStatus.CANDIDATE)
    resp = client.post("/admin/companies/new", data=GOOD_COMPANY)
    assert resp.status_code == 422
    assert "already uses this" in resp.get_data(as_text=True)
    assert count(Company) == 1


def test_status_change_with_date_and_reason(client, admin, make_company):
    company = make_company("Comcast", CompanyStatus.CANDIDATE, since=date(2021, 1, 1))
    resp = client.post(f"/admin/companies/{company.id}/status",
                       data={"status": "member", "effective_on": "2021-06-01", "reason": "vote 12"})
    assert resp.status_code == 302
    assert company.status_on(date(2021, 6, 1)) is CompanyStatus.MEMBER
    assert company.status_on(date(2021, 5, 31)) is CompanyStatus.CANDIDATE
    assert audit_actions()[-1] == "company.status"
    assert "Comcast" in client.get("/members").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "revoked", "effective_on": "2021-06-01", "reason": "x"}, "can become"),
        ({"status": "member", "effective_on": "2020-06-01", "reason": "x"}, "must not be before"),
        ({"status": "member", "effective_on": "", "reason": "x"}, "This field is required"),
        ({"status": "member", "effective_on": "2021-06-01", "reason": ""}, "This field is required"),
        ({"status": "emperor", "effective_on": "2021-06-01", "reason": "x"}, "Not a valid choice"),
    ],
)
def test_bad_status_change(client, admin, make_company, data, message):
    company = make_company("Comcast", CompanyStatus.CANDIDATE, since=date(2021, 1, 1))
    before = count(AuditEvent)
    resp = client.post(f"/admin/companies/{company.id}/status", data=data)
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert count(CompanyStatusChange) == 1 and count(AuditEvent) == before


def test_unknown_ids_are_404(client, admin):
    assert client.get("/admin/companies/999").status_code == 404
    assert client.post("/admin/companies/999/status", data={}).status_code == 404
    assert client.post("/admin/invitations/999/revoke").status_code == 404
    assert client.post("/admin/representatives/999/end").status_code == 404
    resp = client.post("/admin/invitations", data={"company_id": "999", "email": "a@b.example",
                                                    "kind": "representative"})
    assert resp.status_code == 422 and "Not a valid choice" in resp.get_data(as_text=True)
    assert count(Invitation) == 0


def test_invitation_lifecycle(client, admin, make_company):
    company = make_company("NTT")
    data = {"company_id": str(company.id), "email": "Naoko@NTT.example", "kind": "representative"}
    assert client.post("/admin/invitations", data=data).status_code == 302
    inv = db.session.scalars(select(Invitation)).one()
    assert inv.email == "naoko@ntt.example" and inv.state == "open"
    again = client.post("/admin/invitations", data=data)
    assert again.status_code == 422 and "already has an open invitation" in again.get_data(True)
    bad = client.post("/admin/invitations", data={**data, "email": "not-an-address"})
    assert bad.status_code == 422 and "Invalid email" in bad.get_data(as_text=True)
    assert client.post(f"/admin/invitations/{inv.id}/revoke").status_code == 302
    assert inv.state == "revoked"
    assert client.post(f"/admin/invitations/{inv.id}/revoke").status_code == 303
    assert audit_actions()[-2:] == ["invitation.create", "invitation.revoke"]


def test_appoint_and_end_representative(client, admin, make_company, make_user):
    att, ntt = make_company("AT&T"), make_company("NTT")
    person = make_user("Carol")
    data = {"user_id": person.id, "company_id": att.id, "kind": "representative",
            "start_on": "2021-01-01"}
    assert client.post("/admin/representatives", data=data).status_code == 302
    clash = client.post("/admin/representatives", data={**data, "company_id": ntt.id})
    assert clash.status_code == 422 and "already acts for AT&amp;T" in clash.get_data(True)
    rep = db.session.scalars(select(Representative)).one()
    early = client.post(f"/admin/representatives/{rep.id}/end", data={"last_day": "2020-01-01"})
    assert early.status_code == 303 and rep.end_on is None
    assert client.post(f"/admin/representatives/{rep.id}/end",
                       data={"last_day": "2022-01-01"}).status_code == 302
    assert rep.end_on == date(2022, 1, 1)
    assert audit_actions()[-2:] == ["representative.appoint", "representative.end"]


def test_chair_term_rules(client, admin, make_company, make_rep, make_user):
    att = make_company("AT&T")
    carol = make_rep(att).user
    outsider = make_user("Nina")
    today = clock.today()
    data = {"user_id": carol.id, "starts_on": today.isoformat(),
            "ends_on": today.replace(year=today.year + 1).isoformat()}
    assert client.post("/admin/chair-terms", data=data).status_code == 302
    assert ChairTerm.current().user_id == carol.id
    overlap = client.post("/admin/chair-terms", data=data)
    assert overlap.status_code == 422 and "overlaps" in overlap.get_data(as_text=True)
    nobody = client.post("/admin/chair-terms", data={**data, "user_id": outsider.id})
    assert nobody.status_code == 422 and "does not represent" in nobody.get_data(as_text=True)
    backwards = client.post("/admin/chair-terms", data={**data, "ends_on": data["starts_on"]})
    assert backwards.status_code == 422
    assert count(ChairTerm) == 1
    assert "chair" in {r.value for r in carol.roles()}


def test_csrf_is_required(client, make_user, login, app):
    app.config["WTF_CSRF_ENABLED"] = True
    login(make_user(admin=True))
    resp = client.post("/admin/companies/new", data=GOOD_COMPANY)
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    assert count(Company) == 0


def test_account_timezone(client, make_user, login, app):
    app.config["WTF_CSRF_ENABLED"] = False
    user = make_user()
    login(user)
    bad = client.post("/account", data={"timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "Unknown time zone" in bad.get_data(as_text=True)
    assert client.post("/account", data={"timezone": "Asia/Tokyo"}).status_code == 302
    assert user.timezone == "Asia/Tokyo"


def test_public_member_list_shows_members_with_join_dates(client, make_company):
    make_company("AT&T", since=date(2016, 11, 1))
    make_company("Comcast", CompanyStatus.CANDIDATE)
    page = client.get("/members").get_data(as_text=True)
    assert "AT&amp;T" in page and "1 Nov 2016" in page
    assert "Comcast" not in page
