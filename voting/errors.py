"""Refusals of the voting rules, each carrying the HTTP status a view answers with."""

from __future__ import annotations

from core.domain_errors import DomainError


class BallotError(DomainError):
    """A ballot move or vote the rules refuse; the message says why (HTTP status: `status`)."""

    status = 422  # the request's content is wrong


class WrongPhase(BallotError):
    """The ballot is not in a phase that allows this (too early, closed, already counted)."""

    status = 409


class NotEntitled(BallotError):
    """The person may not do this on this ballot (not a voter of its electorate)."""

    status = 403


class NoSuchBallot(BallotError):
    """The ballot does not exist (or the caller may not see it)."""

    status = 404
