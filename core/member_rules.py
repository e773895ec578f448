"""Pure rules of the member register: status transitions, status on a date, charter criteria."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.domain_errors import DomainError


class CompanyStatus(StrEnum):
    """Where a company stands towards the consortium."""

    CANDIDATE = "candidate"
    MEMBER = "member"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"


# Allowed moves; a company is created as a candidate or (for founders) directly as a member.
TRANSITIONS: dict[CompanyStatus, frozenset[CompanyStatus]] = {
    CompanyStatus.CANDIDATE: frozenset({CompanyStatus.MEMBER, CompanyStatus.WITHDRAWN}),
    CompanyStatus.MEMBER: frozenset({CompanyStatus.REVOKED, CompanyStatus.WITHDRAWN}),
    CompanyStatus.REVOKED: frozenset({CompanyStatus.CANDIDATE}),
    CompanyStatus.WITHDRAWN: frozenset({CompanyStatus.CANDIDATE}),
}
INITIAL = frozenset({CompanyStatus.CANDIDATE, CompanyStatus.MEMBER})

# The charter's minimum criteria for membership.
MIN_DEDICATED_FTES = 4
MIN_UPSTREAM_FTES = 2

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RegisterError(DomainError):
    """A change the register's rules refuse; the message says why (HTTP 422)."""


@dataclass(frozen=True)
class StatusEntry:
    """One dated status of a company."""

    status: CompanyStatus
    effective_on: date


def status_on(history: Sequence[StatusEntry], day: date) -> CompanyStatus | None:
    """Return the status in force on `day` (None before the first entry)."""
    current = None
    for entry in sorted(history, key=lambda e: e.effective_on):
        if entry.effective_on > day:
            break
        current = entry.status
    return current


def check_transition(history: Sequence[StatusEntry], new: CompanyStatus, effective_on: date) -> None:
    """Raise RegisterError unless `new` may follow the history from `effective_on`."""
    if not history:
        if new not in INITIAL:
            raise RegisterError(f"a company starts as a candidate or a member, not {new}")
        return
    last = max(history, key=lambda e: e.effective_on)
    if effective_on < last.effective_on:
        raise RegisterError(
            f"the date must not be before the latest change ({last.effective_on.isoformat()})"
        )
    if new not in TRANSITIONS[last.status]:
        allowed = ", ".join(sorted(TRANSITIONS[last.status])) or "nothing"
        raise RegisterError(f"a {last.status} company can become {allowed}, not {new}")


def joined_on(history: Sequence[StatusEntry]) -> date | None:
    """Return the date of the latest move to member (the current membership's join date)."""
    joins = [e.effective_on for e in history if e.status is CompanyStatus.MEMBER]
    return max(joins) if joins else None


def criteria_failures(operator_or_nsp: bool, dedicated_ftes: int, upstream_ftes: int) -> list[str]:
    """Name each charter minimum criterion the evidence does not meet."""
    failures = []
    if not operator_or_nsp:
        failures.append("must be a large operator and/or network service provider")
    if dedicated_ftes < MIN_DEDICATED_FTES:
        failures.append(
            f"needs at least {MIN_DEDICATED_FTES} dedicated FTEs contributing to OpenStack "
            f"(has {dedicated_ftes})"
        )
    if upstream_ftes < MIN_UPSTREAM_FTES:
        failures.append(
            f"needs at least {MIN_UPSTREAM_FTES} FTEs on upstream roadmap work (has {upstream_ftes})"
        )
    return failures
