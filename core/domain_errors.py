"""PURE: the one domain error type; each refusal carries the HTTP status it answers with."""

from __future__ import annotations


class DomainError(ValueError):
    """A change the domain rules refuse; the message says why, `status` is the HTTP answer."""

    # Subclasses set their own (409 wrong moment, 403 not entitled) and one refusal may override
    # it, as in CycleError("already under way", 409); core/errors.py answers any a view lets by.
    status: int = 422  # the request's content is wrong

    def __init__(self, message: str = "", status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status

    def sentence(self) -> str:
        """Say the refusal as a sentence for a page or a JSON message."""
        reason = str(self).strip().rstrip(".")
        return f"Not done: {reason}." if reason else "Not done."
