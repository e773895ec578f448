"""Pure: a decision's public record (its whole rule plus what a recount needs), and its recount.

A record is plain JSON. `rules` hold the kind, options, threshold, quorum, electorate size,
secrecy, the tie-break chosen and the one in force (with why), and the unranked reading.
An open ballot's record lists its ballots (receipt, company, choice); a secret one publishes
only its tally (counts, or the pairwise matrix) and the counted receipts. A tie brings the
casting vote (who, what) or the lot (the secret committed at opening, now revealed).
recount() decides the record again with the same pure rules and compares the verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voting.ballot_rules import BallotSpec, ChoiceError, Secrecy, normalize_choice
from voting.count import CastBallot, Tally, decide, tally
from voting.outcome import Kind, Objection, Outcome, Status, plain
from voting.rules import Quorum, Threshold, objection_words
from voting.schulze import Unranked
from voting.tiebreak import TieBreak, TieBreakPlan, apply_casting_vote, commitment, lot_seed

FORMAT = "concord-decision/1"
VERDICT_KEYS = ("kind", "status", "winners", "ranking", "counts")
TIE_KEYS = ("rule", "tied", "chosen", "chair", "seed", "draw")


class RecordError(ValueError):
    """A record that cannot be recounted; the message says what is wrong."""


def rules_of(spec: BallotSpec, secrecy: Secrecy, eligible: int, plan: TieBreakPlan) -> dict:
    """Return the `rules` block of a record."""
    return {"kind": spec.kind.value, "options": list(spec.options), "secrecy": secrecy.value,
            "threshold": spec.threshold.value, "quorum": spec.quorum.text,
            "electorate": eligible, "tie_break": plan.chosen.value,
            "tie_break_in_force": plan.rule.value, "tie_break_note": plan.note,
            "casting_voter": plan.casting_voter, "unranked": spec.unranked.value,
            "allow_equal_ranks": spec.allow_equal_ranks, "default_option": spec.default_option}


def build(*, ballot: Mapping[str, Any], spec: BallotSpec, secrecy: Secrecy, eligible: int,
          plan: TieBreakPlan, ballots: Sequence[CastBallot], outcome: Mapping[str, Any] | None,
          lot: Mapping[str, str | None] | None = None, private_reasons: bool = False) -> dict:
    """Return the public record of a ballot; private reasons and secret choices stay out."""
    record: dict[str, Any] = {"format": FORMAT, "ballot": dict(ballot),
                              "rules": rules_of(spec, secrecy, eligible, plan)}
    tie = (outcome or {}).get("tie") or {}
    record["casting_vote"] = ({"by": tie["chair"], "choice": tie["chosen"]}
                              if tie.get("rule") == TieBreak.CASTING_VOTE and tie.get("chosen")
                              else None)
    record["lot"] = dict(lot) if lot else None
    if secrecy is Secrecy.SECRET:
        counted = tally(spec, ballots, secret=True)
        record["tally"] = _tally_json(counted, private_reasons)
        record["receipts"] = sorted(b.receipt for b in ballots)
    else:
        record["ballots"] = [{"receipt": b.receipt, "company": b.company,
                              "choice": _public_choice(b.choice, private_reasons)}
                             for b in sorted(ballots, key=lambda b: (b.company or "", b.receipt))]
    record["outcome"] = redact(outcome) if outcome and private_reasons else outcome
    return record


def _public_choice(choice: Mapping[str, Any], private_reasons: bool) -> dict:
    """Return a choice as published: an objection's reason withheld when reasons are private."""
    if private_reasons and "reason" in choice:
        return {**choice, "reason": None}
    return dict(choice)


def _tally_json(counted: Tally, private_reasons: bool) -> dict:
    objections = [{"company": o.company, "reason": None if private_reasons else o.reason}
                  for o in counted.objections]
    return {"cast": counted.cast, "counts": dict(counted.counts), "objections": objections,
            "pairwise": [list(row) for row in counted.pairwise]}


def redact(outcome: Mapping[str, Any]) -> dict[str, Any]:
    """Return an outcome with objections counted, their companies and reasons withheld."""
    objections = outcome.get("objections") or []
    if outcome.get("kind") != Kind.CONSENSUS or not objections:
        return dict(outcome)
    hidden = [{"company": None, "reason": None} for _ in objections]
    said = objection_words([Objection(None, "")] * len(objections), private=True)
    own = set(objection_words([Objection(o.get("company"), o.get("reason") or "")
                               for o in objections]))
    reasons = said + [r for r in outcome.get("reasons", []) if r not in own]
    return {**outcome, "objections": hidden, "reasons": reasons,
            "summary": f"Consensus not reached: {'; '.join(reasons)}."}


def verdict(outcome: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return what a recount must reproduce: status, winners, ranking, counts and the tie."""
    if outcome is None:
        return None
    found = {key: plain(outcome.get(key)) for key in VERDICT_KEYS}
    tie = outcome.get("tie")
    found["tie"] = {key: plain(tie.get(key)) for key in TIE_KEYS} if tie else None
    return found


def spec_of(rules: Mapping[str, Any]) -> tuple[BallotSpec, Secrecy, int]:
    """Read a record's rules back into the spec the count uses."""
    try:
        kind = Kind(rules["kind"])
        spec = BallotSpec(
            kind, tuple(rules["options"]) if kind not in (Kind.CONSENSUS, Kind.MOTION) else (),
            Quorum.parse(rules["quorum"]), Threshold(rules["threshold"]),
            TieBreak(rules["tie_break_in_force"]), Unranked(rules["unranked"]),
            bool(rules["allow_equal_ranks"]), rules.get("default_option"))
        eligible = rules["electorate"]
        if isinstance(eligible, bool) or not isinstance(eligible, int):
            raise RecordError("the electorate size must be a whole number")
        return spec, Secrecy(rules["secrecy"]), eligible
    except (KeyError, TypeError) as exc:
        raise RecordError(f"the rules are incomplete: {exc}") from None


@dataclass(frozen=True)
class Recount:
    """A recount of a record: the recounted outcome and whether it agrees with the published one."""

    outcome: Outcome
    published: dict[str, Any] | None
    recounted: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def agree(self) -> bool:
        """Tell whether the recount gives the published verdict."""
        return self.published == self.recounted


def recount(record: Mapping[str, Any]) -> Recount:
    """Decide a record again from its rules and ballots (or tally) and compare the verdicts."""
    if not isinstance(record, Mapping) or record.get("format") != FORMAT:
        raise RecordError(f"not a Concord decision record (expected format {FORMAT!r})")
    try:
        spec, secrecy, eligible = spec_of(record["rules"])
        counted, receipts = _counted(record, spec, secrecy)
        notes, seed = _lot(record, spec, receipts)
        outcome = decide(spec, counted, eligible, seed)
        if (cast := record.get("casting_vote")) and outcome.status is \
                Status.AWAITING_CASTING_VOTE:
            outcome = apply_casting_vote(outcome, cast["choice"], cast["by"])
            notes.append(f"casting vote of {cast['by']}: {cast['choice']}")
    except RecordError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RecordError(f"the record cannot be recounted: {exc}") from None
    return Recount(outcome, verdict(record.get("outcome")), verdict(outcome.to_dict()),
                   tuple(notes))


def _counted(record: Mapping[str, Any], spec: BallotSpec,
             secrecy: Secrecy) -> tuple[Tally, list[str]]:
    """Return the tally (from the ballots of an open record) and the counted receipts."""
    if secrecy is Secrecy.SECRET:
        data = record["tally"]
        objections = tuple(Objection(o.get("company"), o.get("reason") or "")
                           for o in data.get("objections", []))
        pairwise = tuple(tuple(int(x) for x in row) for row in data.get("pairwise", []))
        return (Tally(spec.kind, int(data["cast"]), dict(data.get("counts", {})), objections,
                      pairwise), list(record.get("receipts", [])))
    ballots = []
    for number, row in enumerate(record["ballots"], start=1):
        choice = dict(row["choice"])
        if choice.get("reason", "") is None:
            choice["reason"] = "(withheld)"  # a private objection still counts as an objection
        try:
            normalized = normalize_choice(spec, choice)
        except ChoiceError as exc:
            raise RecordError(f"ballot {number}: {exc}") from None
        ballots.append(CastBallot(row["receipt"], normalized, row.get("company")))
    return tally(spec, ballots), [b.receipt for b in ballots]


def _lot(record: Mapping[str, Any], spec: BallotSpec,
         receipts: list[str]) -> tuple[list[str], str | None]:
    """Check the revealed lot secret against its commitment and derive the seed."""
    if spec.tie_break is not TieBreak.LOT:
        return [], None
    lot = record.get("lot") or {}
    secret = lot.get("secret")
    if not secret:
        raise RecordError("the lot's secret is not revealed in this record")
    if commitment(secret) != lot.get("commitment"):
        raise RecordError("the revealed lot secret does not match the commitment made at "
                          "opening")
    seed = lot_seed(secret, receipts)
    return [f"lot secret matches its commitment {lot['commitment'][:16]}…; seed {seed}"], seed
