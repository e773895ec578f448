"""Pure rules of the member register, without an app."""

from __future__ import annotations

from datetime import date

import pytest

from core.member_rules import (
    CompanyStatus as S,
)
from core.member_rules import (
    RegisterError,
    StatusEntry,
    check_transition,
    criteria_failures,
    joined_on,
    status_on,
)

D = date


def hist(*pairs):
    return [StatusEntry(s, d) for s, d in pairs]


HISTORY = hist((S.CANDIDATE, D(2017, 1, 1)), (S.MEMBER, D(2017, 6, 1)), (S.REVOKED, D(2019, 3, 1)))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2016, 12, 31), None),
        (D(2017, 1, 1), S.CANDIDATE),
        (D(2017, 5, 31), S.CANDIDATE),
        (D(2017, 6, 1), S.MEMBER),
        (D(2019, 2, 28), S.MEMBER),
        (D(2019, 3, 1), S.REVOKED),
    ],
)
def test_status_on_a_day(day, expected):
    assert status_on(HISTORY, day) == expected


@pytest.mark.parametrize(
    ("history", "new", "day", "error"),
    [
        ([], S.CANDIDATE, D(2020, 1, 1), None),
        ([], S.MEMBER, D(2020, 1, 1), None),
        ([], S.REVOKED, D(2020, 1, 1), "starts as a candidate or a member"),
        (hist((S.CANDIDATE, D(2020, 1, 1))), S.MEMBER, D(2020, 2, 1), None),
        (hist((S.CANDIDATE, D(2020, 1, 1))), S.REVOKED, D(2020, 2, 1), "can become"),
        (hist((S.MEMBER, D(2020, 1, 1))), S.REVOKED, D(2020, 1, 1), None),
        (hist((S.MEMBER, D(2020, 1, 1))), S.WITHDRAWN, D(2019, 12, 31), "must not be before"),
        (hist((S.MEMBER, D(2020, 1, 1))), S.MEMBER, D(2021, 1, 1), "can become"),
        (hist((S.REVOKED, D(2020, 1, 1))), S.CANDIDATE, D(2021, 1, 1), None),
    ],
)
def test_transitions(history, new, day, error):
    if error is None:
        check_transition(history, new, day)
    else:
        with pytest.raises(RegisterError, match=error):
            check_transition(history, new, day)


def test_joined_on_is_latest_membership():
    again = [*HISTORY, StatusEntry(S.CANDIDATE, D(2020, 1, 1)), StatusEntry(S.MEMBER, D(2020, 6, 1))]
    assert joined_on(HISTORY) == D(2017, 6, 1)
    assert joined_on(again) == D(2020, 6, 1)
    assert joined_on(hist((S.CANDIDATE, D(2020, 1, 1)))) is None


@pytest.mark.parametrize(
    ("nsp", "ftes", "upstream", "failing"),
    [
        (True, 4, 2, []),
        (True, 3, 2, ["dedicated FTEs"]),
        (True, 4, 1, ["upstream"]),
        (False, 10, 10, ["operator"]),
        (False, 0, 0, ["operator", "dedicated FTEs", "upstream"]),
    ],
)
def test_criteria(nsp, ftes, upstream, failing):
    failures = criteria_failures(nsp, ftes, upstream)
    assert len(failures) == len(failing)
    for needle, text in zip(failing, failures, strict=True):
        assert needle in text
