"""The statements of a vote, built once as SQL text with typed columns (compiled once, cached).

SQL text because one statement shares the ballot's row and holds the elector's alone, which
SQLAlchemy's single FOR clause cannot say. SQLite, one writer at a time, needs neither clause.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, String, bindparam, column, text

from core import audit
from core.tokens import BEARER_MEMBER_SQL
from voting.models import Ballot

FIELDS = ("id", "kind", "stage", "opens_at", "closes_at", "withdrawn_at", "unranked",
          "allow_equal_ranks", "default_option")
TURN = ("lane", "head_seq", "head_hash", "version")
VOTER = ("user_id", "user_name", "user_email", "company_id", "company_name")
_B = Ballot.__table__.c
_TYPES = {**{name: _B[name] for name in FIELDS}, "elector": column("elector", Integer),
          "lane": column("lane", Integer), "head_seq": column("head_seq", Integer),
          "head_hash": column("head_hash", String), "version": column("version", Integer),
          "user_id": column("user_id", Integer), "user_name": column("user_name", String),
          "user_email": column("user_email", String),
          "company_id": column("company_id", Integer),
          "company_name": column("company_name", String)}

BALLOT_AND_ELECTOR = (
    f"SELECT {', '.join(f'b.{name}' for name in FIELDS)}, e.id AS elector, e.company_id "
    "FROM ballot AS b JOIN ballot_elector AS e ON e.ballot_id = b.id "
    "AND e.company_id = :company WHERE b.id = :ballot")
LOCKS = " FOR SHARE OF b FOR UPDATE OF e"
# The turn is taken by the outer query, for the row the inner one returns: only once the
# ballot and elector rows are locked. So a vote never holds a lane while it waits for its
# company's turn, and no lane holder waits for a colleague (no deadlock). The head comes
# from audit_lane_head(), which reads with a snapshot taken after the lane is held, and the
# vote row's lock returns its newest version.
TAKE_TURN = (
    "LEFT JOIN LATERAL " + audit.TRY_LANE_SQL.format(ready="found.elector IS NOT NULL")
    + " AS taken ON true LEFT JOIN LATERAL audit_lane_head(taken.lane) AS head ON true "
    "LEFT JOIN LATERAL (SELECT v.version FROM vote AS v WHERE v.ballot_id = found.id "
    "AND v.company_id = found.company_id FOR UPDATE) AS mine ON true")
TOOK = {"lane": "taken.lane", "head_seq": "head.seq", "head_hash": "head.hash",
        "version": "mine.version"}


def _outer(inner: str, taking: str = "", took: dict[str, str] | None = None,
           voter: bool = False) -> str:
    """Select the ballot's facts, the turn (or NULLs) and the voter from an inner query."""
    names = [f"found.{name}" for name in (*FIELDS, "elector")]
    names += [f"{(took or {}).get(name, 'NULL')} AS {name}" for name in TURN]
    names += [f"found.{name}" for name in VOTER] if voter else [f"NULL AS {n}" for n in VOTER]
    return f"SELECT {', '.join(names)} FROM ({inner}) AS found {taking}"


def _build(sql: str) -> Any:
    stmt = text(sql)
    for name, type_ in (("ballot", _B["id"].type), ("company", Integer()),
                        ("lane_key", Integer()), ("lane_last", Integer()),
                        ("digest", String()), ("day", Date())):
        if f":{name}" in sql:
            stmt = stmt.bindparams(bindparam(name, type_=type_))
    return stmt.columns(*(_TYPES[name] for name in (*FIELDS, "elector", *TURN, *VOTER)))


ALONE = (f"SELECT {', '.join(FIELDS)}, NULL AS elector, "
         f"{', '.join(f'NULL AS {name}' for name in (*TURN, *VOTER))} "
         "FROM ballot WHERE id = :ballot")
HOLD_PG = _build(_outer(BALLOT_AND_ELECTOR + LOCKS))
HOLD_PG_TURN = _build(_outer(BALLOT_AND_ELECTOR + LOCKS, TAKE_TURN, TOOK))
HOLD_SQLITE = _build(_outer(BALLOT_AND_ELECTOR))
READ_PG = _build(ALONE + " FOR SHARE")
READ_SQLITE = _build(ALONE)
OPTIONS = text("SELECT label FROM ballot_option WHERE ballot_id = :ballot ORDER BY position")

# The API's common case in one statement (PostgreSQL): the bearer token's member and the
# company they act for today (core.tokens), that company's elector row, the ballot, the turn.
TOKEN_TURN = _build(_outer(
    f"SELECT {', '.join(f'b.{name}' for name in FIELDS)}, e.id AS elector, e.company_id, "
    "m.user_id, m.user_name, m.user_email, m.company_name "
    f"FROM ({BEARER_MEMBER_SQL}) AS m JOIN ballot_elector AS e "
    "ON e.company_id = m.company_id AND e.ballot_id = :ballot "
    "JOIN ballot AS b ON b.id = e.ballot_id" + LOCKS, TAKE_TURN, TOOK, voter=True))
