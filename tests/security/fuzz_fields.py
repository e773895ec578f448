"""What the form fuzzer posts: hostile values, and each POST route's role, address and fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from security_helpers import UNKNOWN_IDS

NASTY = ("", " ", "\x00", "a\x00b", "\t\r\n", "\x1b[31m", "0", "-1", "2147483648",
         "9223372036854775808", "99999999999999999999999999", "1e309", "-1e309", "NaN", "inf",
         "1.5", "9999-12-31", "0001-01-01", "2020-02-30", "9999-12-31T23:59", "0001-01-01T00:00",
         "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "=HYPERLINK(\"http://x\")",
         "' OR 1=1 --", "\u202etxt.exe", "\ufeff", "null", "[]", "{}", "../../etc/passwd",
         "%s%n%x", "\U0001d54f" * 3, "ǅ" * 40,
         # Lone UTF-16 surrogates (posted as the bytes Python's surrogatepass makes of them), bidi
         # controls, huge numbers, JSON-like nesting.
         "\ud800", "a\udfffb", "\ud83d\ude00", "\u200f\u202b\u2066x\u2069", "\u061c",
         "9" * 400, "-" + "9" * 5000, "1e99999", "[" * 5000, '{"a":' * 100)
CONTROL = ("\x00", "\x01", "\x1f", "\x7f", "\u2028", "\ufffe", "\r\n", "\ud800", "\u202e")
LONG = st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "é", "\x00", "\U0001d54f", " ", "<"]),
                 st.sampled_from([41, 121, 201, 2001, 5001, 20_001, 100_001]))
GARBAGE = st.one_of(st.sampled_from(NASTY), st.text(max_size=30),
                    st.integers(-(2**70), 2**70).map(str), LONG)
# Each field is also posted once with a NUL inside an otherwise valid form (explicit examples).
PROBE = "ok\x00ok"


@dataclass(frozen=True)
class Field:
    """A form field: values the form accepts, and whether it sends several values."""

    valid: tuple[str, ...]
    multi: bool = False

    def canonical(self) -> str | list[str]:
        """Return the first value, which is valid (and with the others' first values, a form)."""
        return [self.valid[0]] if self.multi else self.valid[0]

    def good(self) -> st.SearchStrategy:
        """Return plausible values (the first is valid, the others may be refused)."""
        one = st.sampled_from(self.valid)
        return st.lists(one, max_size=4, unique=True) if self.multi else one

    def bad(self) -> st.SearchStrategy:
        """Return hostile values: garbage, or a valid value with a control character or repeated."""
        mutated = st.builds(lambda val, c, front: c + val if front else val + c,
                            st.sampled_from(self.valid), st.sampled_from(CONTROL), st.booleans())
        one = st.one_of(GARBAGE, mutated, st.sampled_from(self.valid).map(lambda val: val * 999))
        return st.lists(one, min_size=1, max_size=4) if self.multi else one

    def mixed(self) -> st.SearchStrategy:
        """Return mostly valid values, sometimes hostile ones."""
        return st.one_of(self.good(), self.good(), self.bad())


def v(*valid: Any) -> Field:
    """Describe a single-valued field by its valid values."""
    return Field(tuple(str(x) for x in valid))


def many(*valid: Any) -> Field:
    """Describe a multi-valued field (checkboxes, multiple selects)."""
    return Field(tuple(str(x) for x in valid), multi=True)


BOOL = v("y", "")


def form_strategy(fields: dict[str, Field]) -> st.SearchStrategy[dict]:
    """Return forms: a random mix, all valid but one hostile field, or fields left out.

    A field's first value is valid, so all first values make a form the route accepts.
    """
    if not fields:
        return st.just({})
    # All fields at their first (valid) value but one: the refusal, if any, is that field's.
    canonical = {n: st.just(f.canonical()) for n, f in fields.items()}
    one_bad = st.sampled_from(sorted(fields)).flatmap(
        lambda name: st.fixed_dictionaries({**canonical, name: fields[name].bad()}))
    return st.one_of(st.fixed_dictionaries({n: f.mixed() for n, f in fields.items()}), one_bad,
                     st.fixed_dictionaries({}, optional={n: f.mixed() for n, f in fields.items()}))


def explicit_forms(fields: dict[str, Field]) -> list[dict]:
    """Return the valid form, then one per field with that field carrying a NUL character."""
    valid = {n: f.canonical() for n, f in fields.items()}
    return [valid] + [{**valid, n: [PROBE] if f.multi else PROBE} for n, f in sorted(fields.items())]


@dataclass(frozen=True)
class FormRoute:
    """A POST route as the fuzzer uses it: who posts, where, and which fields."""

    role: str
    url: str  # placeholders name world ids, or words listed in `words`
    fields: Callable[[dict], dict[str, Field]] = lambda ids: {}
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # placeholder -> world id list name
    success: frozenset[int] = frozenset({302})


def _company(ids, name: str = "Fuzz Co"):
    return {"name": v(name, "AT&T"), "slug": v(name.lower().replace(" ", "-"), "Bad Slug"),
            "operator_or_nsp": BOOL, "dedicated_ftes": v(4, 0, 100001),
            "upstream_ftes": v(2, -1), "criteria_notes": v("Evidence"),
            "initial_status": v("candidate", "member", "revoked"),
            "initial_date": v("2027-06-01", "2020-01-01")}


def _ballot(ids):
    return {"title": v("Fuzz ballot"), "text": v("Proposal"),
            "kind": v("consensus", "motion", "plurality", "approval", "ranked"),
            "options": v("A\nB\nC", "A\nA", "Only"), "secrecy": v("open", "secret"),
            "quorum": v("more than 1/2", "at least 2/3", "none"),
            "threshold": v("simple_majority", "two_thirds", "unanimity"),
            "tie_break": v("status_quo", "casting_vote", "lot"), "unranked": v("last", "abstain"),
            "tie_break_fallback": v("lot", "status_quo", "casting_vote"),
            "allow_equal_ranks": BOOL, "default_option": v("", "A", "Z"),
            "opens_at": v("2027-06-11T09:00", "2027-06-10T12:00"),
            "closes_at": v("2027-06-12T09:00", "2027-06-10T11:00")}


def _vote(ids):
    return {"response": v("support", "stand_aside", "object"), "reason": v("Too soon", ""),
            "vote": v("yes", "no", "abstain"), "choice": v("Alpha", "Beta", ""),
            "approve": many("Alpha", "Beta", "Gamma"), "rank::Alpha": v(1, 2, 3, ""),
            "rank::Beta": v(1, 2, 3, ""), "rank::Gamma": v(1, 2, 3, "")}


def _answer(ids):
    fields: dict[str, Field] = {"base_version": v(0, 1, 2), "save": v("Save"),
                                "send": v("Submit", "")}
    for name, values in ids["answer_fields"].items():
        fields[name] = many(*values) if name in ids["answer_lists"] else v(*values)
    return fields


def _survey(ids):
    return {"title": v("Fuzz survey"), "introduction": v("Why"), "cycle": v("Pike"),
            "unit": v("company", "representative"),
            "opens_at": v("2027-06-11T09:00", ""), "closes_at": v("2027-06-20T09:00", "")}


def _question(ids):
    return {"section_id": v(*ids["sections"]), "text": v("How?"), "help_text": v("Help"),
            "required": BOOL, "points": v(5, 7, 9), "labels": v("", "Low\nHigh"),
            "dont_know": BOOL, "statements": v("Fast\nCheap", ""),
            "options": v("A\nB", "A\nA", ""), "other": BOOL, "min_choices": v(0, 1, 5),
            "max_choices": v(1, 2, 0), "items": many(*ids["items"]), "top_k": v("", 1, 2),
            "total": v(100, 0, -5), "min_value": v("", "0", "x"), "max_value": v("", "10"),
            "integer": BOOL, "max_length": v("", 50, 0)}


def _item(ids):
    return {"title": v("Fuzz item", "Logging"), "description": v("What"),
            "team": v("operations", "security"), "kind": v("new", "bug"),
            "components": v("Nova, Neutron", ""), "size": v("", "S", "XL"),
            "target_release": v("Queens"), "stage": v("backlog", "delivered"),
            "member_value": v("Much"), "community_value": v("Some"),
            "blueprint_url": v("", "https://example.org/bp", "javascript:alert(1)"),
            "spec_url": v(""), "review_url": v("", "http://review.example/1")}


def _nomination(ids):
    return {"company_name": v("Fuzz Cloud", "Comcast", "AT&T"), "operator_or_nsp": BOOL,
            "participates": BOOL, "dedicated_ftes": v(8, 3), "upstream_ftes": v(2, 1),
            "contacts": v("dana@fuzz.example", "not-an-address", "a@b.example\nc@d.example"),
            "notes": v("Runs a cloud."), "member_from": v("2027-07-15", "2027-06-01")}


def _meeting(ids, new: bool = True):
    fields = {"title": v("Weekly call"), "starts_at": v("2027-06-17T14:00", "0001-01-01T00:00"),
              "duration_minutes": v(60, 0, 1441), "call_link": v("", "https://meet.example/c",
                                                                 "javascript:alert(1)"),
              "members_notes": v("PIN 1")}
    if new:
        fields |= {"count": v(1, 3, 53), "every_days": v(14, 0), "alternate": v("", "04:00", "25:00")}
    return fields


QTYPES = ("likert", "matrix", "single", "multiple", "ranking", "budget", "number", "text")

ROUTES: dict[str, FormRoute] = {
    "auth.logout": FormRoute("user", "/auth/logout"),
    "core.sign_out_everywhere": FormRoute("user", "/account/sign-out-everywhere"),
    "core.account": FormRoute("user", "/account",
                              lambda ids: {"timezone": v("UTC", "Europe/Paris", "Mars/Olympus")}),
    "cycles.preferences": FormRoute("user", "/account/notifications",
                                    lambda ids: {"reminders": BOOL}),
    "tokens.index": FormRoute("user", "/account/tokens/", lambda ids: {"name": v("laptop")},
                              success=frozenset({200})),
    "tokens.revoke": FormRoute("admin", "/account/tokens/{token}/revoke"),
    "admin.company_new": FormRoute("admin", "/admin/companies/new", _company),
    "admin.company_edit": FormRoute("admin", "/admin/companies/{spare_company}/edit",
                                     lambda ids: _company(ids, "Edited Co")),
    "admin.company_status": FormRoute(
        "admin", "/admin/companies/{spare_company}/status",
        lambda ids: {"status": v("withdrawn", "member", "revoked", "candidate"),
                     "effective_on": v("2027-06-10", "2020-01-01"), "reason": v("Asked")}),
    "admin.invitations": FormRoute(
        "admin", "/admin/invitations",
        lambda ids: {"company_id": v(ids["company"], ids["spare_company"]),
                     "email": v("fuzz@att.example"), "kind": v("representative", "alternate")}),
    "admin.invitation_revoke": FormRoute("admin", "/admin/invitations/{invitation}/revoke"),
    "admin.representatives": FormRoute(
        "admin", "/admin/representatives",
        lambda ids: {"user_id": v(*ids["user_ids"]), "company_id": v(ids["spare_company"]),
                     "kind": v("representative", "alternate"), "start_on": v("2027-06-10")}),
    "admin.representative_end": FormRoute("admin", "/admin/representatives/{spare_rep}/end",
                                          lambda ids: {"last_day": v("2027-06-30", "2019-01-01")}),
    "admin.chair_terms": FormRoute(
        "admin", "/admin/chair-terms",
        lambda ids: {"user_id": v(*ids["user_ids"]), "starts_on": v("2030-01-01", "2027-06-10"),
                     "ends_on": v("2031-01-01", "2029-01-01")}),
    "voting.new": FormRoute("chair", "/ballots/new", _ballot),
    "voting.edit": FormRoute("chair", "/ballots/{draft}/edit", _ballot),
    "voting.vote": FormRoute("representative", "/ballots/{ballot}/vote", _vote,
                             paths={"ballot": "open_ballots"}),
    "voting.open_ballot": FormRoute("chair", "/ballots/{draft2}/open"),
    "voting.decide": FormRoute("chair", "/ballots/{closed_ballot}/decide"),
    "voting.casting_vote": FormRoute("chair", "/ballots/{closed_ballot}/casting-vote",
                                     lambda ids: {"choice": v("Alpha", "yes")}),
    "voting.publish": FormRoute("chair", "/ballots/{closed_ballot}/publish",
                                lambda ids: {"statement": v("Agreed.")}),
    "voting.call_vote": FormRoute("chair", "/ballots/{published}/call-vote"),
    "voting.withdraw": FormRoute("chair", "/ballots/{draft2}/withdraw",
                                 lambda ids: {"reason": v("Wrong wording", "")}),
    "voting.close_now": FormRoute("chair", "/ballots/{ballot}/close-now",
                                  lambda ids: {"confirm": v("y", "")}),
    "voting.move_close": FormRoute("chair", "/ballots/{ballot}/move-close",
                                   lambda ids: {"closes_at": v("2099-01-01T09:00", "soon"),
                                                "reason": v("Holiday", "")}),
    "surveys.answer": FormRoute("representative", "/surveys/{answer_survey}/answer", _answer),
    "surveys.survey_new": FormRoute("chair", "/surveys/new", _survey),
    "surveys.survey_settings": FormRoute("chair", "/surveys/{proposed}/settings", _survey),
    "surveys.section_add": FormRoute("chair", "/surveys/{proposed}/sections",
                                     lambda ids: {"title": v("More")}),
    "surveys.question_new": FormRoute("chair", "/surveys/{proposed}/questions/new/{qtype}",
                                      _question, words={"qtype": QTYPES}),
    "surveys.question_edit": FormRoute("chair", "/surveys/{proposed}/questions/{question}/edit",
                                       _question),
    "surveys.question_delete": FormRoute("chair", "/surveys/{proposed}/questions/{spare}/delete"),
    "surveys.question_move": FormRoute(
        "chair", "/surveys/{proposed}/questions/{question}/move/{direction}",
        words={"direction": ("up", "down")}),
    "surveys.survey_state": FormRoute("chair", "/surveys/{survey}/state/{action}",
                                      words={"action": ("propose", "draft", "open", "close")},
                                      paths={"survey": "state_surveys"}),
    "surveys.survey_duplicate": FormRoute("chair", "/surveys/{survey}/duplicate"),
    "surveys.move_close": FormRoute(
        "chair", "/surveys/{answer_survey}/move-close",
        lambda ids: {"closes_at": v("2027-07-01T09:00", "2000-01-01T00:00", "", "not a time"),
                     "reason": v("Holidays", "")}),
    "surveys.item_new": FormRoute("chair", "/surveys/items/new", _item),
    "surveys.item_edit": FormRoute("chair", "/surveys/items/{item}/edit", _item),
    "surveys.proposal_new": FormRoute("representative",
                                      "/surveys/{proposed}/proposals/new/{qtype}", _question,
                                      words={"qtype": QTYPES}),
    "surveys.proposal_endorse": FormRoute("representative",
                                          "/surveys/{proposed}/proposals/{proposal}/endorse"),
    "surveys.proposal_withdraw": FormRoute("representative",
                                           "/surveys/{proposed}/proposals/{proposal}/withdraw"),
    "surveys.proposal_finalize": FormRoute(
        "chair", "/surveys/{proposed}/proposals/finalize",
        lambda ids: {"accept": many(ids["proposal"]), "section_id": v(*ids["sections"])}),
    "surveys.publication_choose": FormRoute(
        "chair", "/surveys/{closed_survey}/publication",
        lambda ids: {"questions": many(*ids["closed_questions"]), "k_respondents": v(5, 3, 1001),
                     "k_companies": v(3, 2)}),
    "surveys.publication_free_text": FormRoute(
        "chair", "/surveys/{closed_survey}/publication/answers/{free_text}/{action}",
        words={"action": ("approve", "withdraw")}),
    "surveys.publication_publish": FormRoute("chair", "/surveys/{closed_survey}/publication/publish",
                                             lambda ids: {"digest": v("0" * 64, "abc")}),
    "surveys.publication_revoke": FormRoute("chair",
                                            "/surveys/{results_survey}/publication/revoke"),
    "cycles.nominate_company": FormRoute("representative", "/cycles/nominations/new", _nomination),
    "cycles.propose": FormRoute(
        "representative", "/cycles/revocations/new",
        lambda ids: {"company_id": v(ids["spare_company"]), "grounds": v("Gone quiet"),
                     "effective_on": v("2027-07-01", "2027-06-01"),
                     "closes_at": v("2027-06-20T12:00", "2027-06-01T12:00")}),
    "cycles.election_new": FormRoute(
        "chair", "/cycles/elections/new",
        lambda ids: {"title": v("Chair election"), "method": v("ranked", "plurality"),
                     "tie_break": v("casting_vote", "lot"), "secrecy": v("secret", "open"),
                     "term_starts_on": v("2027-09-01"), "closes_at": v("2027-06-30T12:00")}),
    "cycles.nominate_candidate": FormRoute("representative",
                                           "/cycles/elections/{election}/candidates",
                                           lambda ids: {"rep_id": v(*ids["rep_ids"])}),
    "cycles.answer_candidacy": FormRoute(
        "representative", "/cycles/elections/{election}/candidates/{candidacy}/answer",
        lambda ids: {"answer": v("accept", "decline")}),
    "cycles.open_election": FormRoute("chair", "/cycles/elections/{election}/open"),
    "meetings.new": FormRoute("chair", "/meetings/new", _meeting),
    "meetings.edit": FormRoute("chair", "/meetings/{meeting}/edit",
                               lambda ids: _meeting(ids, new=False)),
    "meetings.cancel": FormRoute("chair", "/meetings/{spare_meeting}/cancel"),
    "meetings.attendance": FormRoute(
        "chair", "/meetings/{meeting}/attendance",
        lambda ids: {"people": many(*ids["user_ids"]), "guests": v("Kim Lee, Intel", ",")}),
    "meetings.sense": FormRoute("chair", "/meetings/{meeting}/agenda/{meeting_item}/sense",
                                lambda ids: {"proposal": v("Invite Intel")}),
    "meetings.put": FormRoute("chair", "/meetings/{meeting}/agenda/{meeting_item}/ballot",
                              lambda ids: {"proposal": v("Adopt"), "kind": v("consensus", "motion"),
                                           "days": v(7, 0, 61)}),
    "meetings.move_item": FormRoute("chair",
                                    "/meetings/{meeting}/agenda/{meeting_item}/move/{direction}",
                                    words={"direction": ("down", "up")}),
    "meetings.propose": FormRoute(
        "representative", "/meetings/{meeting}/agenda",
        lambda ids: {"title": v("Logging"), "description": v("Why"),
                     "link_kind": v("", "ballot", "survey", "proposal", "roadmap_item"),
                     "link_id": v("", ids["ballot"], 0)}),
    "meetings.endorse": FormRoute("representative",
                                  "/meetings/{meeting}/agenda/{meeting_item}/endorse"),
    "meetings.add_action": FormRoute(
        "chair", "/meetings/{meeting}/actions",
        lambda ids: {"action-title": v("Share slides"), "action-owner": v(0, *ids["user_ids"]),
                     "action-owner_name": v("Kim Lee", ""),
                     "action-due_on": v("2027-06-20", "", "0001-01-01")}),
    "meetings.action_status": FormRoute(
        "representative", "/meetings/{meeting}/actions/{meeting_action}/status",
        lambda ids: {"status": v("done", "open", "dropped")}),
    "meetings.minutes": FormRoute("chair", "/meetings/{meeting}/minutes",
                                  lambda ids: {"minutes": v("# Minutes")}),
    "meetings.publish": FormRoute("chair", "/meetings/{published_meeting}/publish"),
}

# POST routes fuzzed elsewhere, with the file that does it.
ELSEWHERE = {"api.vote": "tests/security/test_fuzz_api.py (Schemathesis)"}


def path_strategy(route: FormRoute, name: str, ids: dict) -> st.SearchStrategy:
    """Return the values one placeholder of a route's address takes: mostly valid, else unknown."""
    if name in route.words:
        valid = st.sampled_from(route.words[name])
        return st.one_of(valid, valid, st.text(alphabet="abcxyz-_%.", min_size=1, max_size=8))
    known = ids[route.paths.get(name, name)]
    valid = st.sampled_from(known if isinstance(known, list) else [known])
    return st.one_of(valid, valid, valid, st.sampled_from(UNKNOWN_IDS))
