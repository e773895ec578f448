"""Database triggers that back the voting rules whatever client writes to the tables.

Once a ballot opens, its rules, options and electorate cannot change, and its stage only
moves forward; once published, its outcome is fixed. A vote (and each of its revisions) is
stored only while its ballot is open, with a time inside the voting window. The same SQL is
created by `create_all` (tests) and by the Alembic migration.
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event

FROZEN_COLUMNS = ("kind", "secrecy", "quorum_numerator", "quorum_denominator", "quorum_strict",
                  "threshold", "tie_break", "tie_break_fallback", "casting_voter_id",
                  "tie_break_note", "unranked", "allow_equal_ranks", "default_option",
                  "opens_at", "opened_at", "lot_secret", "lot_commitment", "parent_id",
                  "subject_company_id")
PUBLISHED_COLUMNS = ("outcome", "casting_by_id", "decided_at", "published_at", "statement")
STAGE_RANK = "(CASE {0}.stage WHEN 'draft' THEN 0 WHEN 'open' THEN 1 WHEN 'decided' THEN 2 " \
             "ELSE 3 END)"
FROZEN_MSG = "the rules, options and electorate of a ballot are fixed once it opens"
STAGE_MSG = "the stage of a ballot only moves forward, and a published outcome is fixed"
VOTE_MSG = "a vote is stored only while its ballot is open, with a time inside its window"


def _changed(columns: tuple[str, ...], cast: str = "") -> str:
    return " OR ".join(f"NEW.{c}{cast} IS DISTINCT FROM OLD.{c}{cast}" for c in columns)


def _sqlite_changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def sqlite_ddl() -> list[tuple[str, str]]:
    """Return the SQLite triggers as (table, statement)."""
    window = ("(SELECT b.stage <> 'open' OR b.withdrawn_at IS NOT NULL OR NEW.cast_at < "
              "b.opens_at OR NEW.cast_at >= b.closes_at FROM ballot b WHERE b.id = NEW.ballot_id)")
    ddl = [
        ("ballot", f"CREATE TRIGGER ballot_rules_frozen BEFORE UPDATE ON ballot WHEN "
                   f"OLD.stage <> 'draft' AND ({_sqlite_changed(FROZEN_COLUMNS)}) "
                   f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MSG}'); END"),
        ("ballot", f"CREATE TRIGGER ballot_stage_forward BEFORE UPDATE ON ballot WHEN "
                   f"{STAGE_RANK.format('NEW')} < {STAGE_RANK.format('OLD')} OR "
                   f"(OLD.stage = 'published' AND ({_sqlite_changed(PUBLISHED_COLUMNS)})) "
                   f"BEGIN SELECT RAISE(ABORT, '{STAGE_MSG}'); END"),
        ("ballot", f"CREATE TRIGGER ballot_no_delete BEFORE DELETE ON ballot WHEN "
                   f"OLD.stage <> 'draft' BEGIN SELECT RAISE(ABORT, '{FROZEN_MSG}'); END"),
    ]
    for table in ("ballot_option", "ballot_elector"):
        for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            ddl.append((table, f"CREATE TRIGGER {table}_frozen_{op.lower()} BEFORE {op} ON "
                               f"{table} WHEN (SELECT stage FROM ballot WHERE id = "
                               f"{row}.ballot_id) <> 'draft' "
                               f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MSG}'); END"))
    for table in ("vote", "vote_revision"):
        for op in ("INSERT", "UPDATE"):
            ddl.append((table, f"CREATE TRIGGER {table}_in_window_{op.lower()} BEFORE {op} ON "
                               f"{table} WHEN {window} "
                               f"BEGIN SELECT RAISE(ABORT, '{VOTE_MSG}'); END"))
    ddl.append(("vote_revision", "CREATE TRIGGER vote_revision_append_only BEFORE UPDATE ON "
                                 "vote_revision BEGIN SELECT RAISE(ABORT, "
                                 "'vote revisions are append-only'); END"))
    return ddl


def postgresql_ddl() -> list[tuple[str, str]]:
    """Return the PostgreSQL trigger functions and triggers as (table, statement)."""
    stage_back = f"{STAGE_RANK.format('NEW')} < {STAGE_RANK.format('OLD')}"
    published = _changed(tuple(c for c in PUBLISHED_COLUMNS if c != "outcome")) + \
        " OR NEW.outcome::text IS DISTINCT FROM OLD.outcome::text"
    return [
        ("ballot", "CREATE OR REPLACE FUNCTION ballot_guard() RETURNS trigger AS $$ BEGIN "
         f"IF TG_OP = 'DELETE' THEN IF OLD.stage <> 'draft' THEN RAISE EXCEPTION "
         f"'{FROZEN_MSG}'; END IF; RETURN OLD; END IF; "
         f"IF OLD.stage <> 'draft' AND ({_changed(FROZEN_COLUMNS)}) THEN "
         f"RAISE EXCEPTION '{FROZEN_MSG}'; END IF; "
         f"IF {stage_back} OR (OLD.stage = 'published' AND ({published})) THEN "
         f"RAISE EXCEPTION '{STAGE_MSG}'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql"),
        ("ballot", "CREATE TRIGGER ballot_guard BEFORE UPDATE OR DELETE ON ballot "
                   "FOR EACH ROW EXECUTE FUNCTION ballot_guard()"),
        ("ballot", "CREATE OR REPLACE FUNCTION ballot_child_guard() RETURNS trigger AS $$ "
         "DECLARE bid integer; BEGIN IF TG_OP = 'DELETE' THEN bid := OLD.ballot_id; ELSE "
         "bid := NEW.ballot_id; END IF; "
         "IF (SELECT stage FROM ballot WHERE id = bid) <> 'draft' THEN "
         f"RAISE EXCEPTION '{FROZEN_MSG}'; END IF; "
         "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql"),
        ("ballot", "CREATE OR REPLACE FUNCTION vote_window_guard() RETURNS trigger AS $$ BEGIN "
         "IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'vote_revision' THEN "
         "RAISE EXCEPTION 'vote revisions are append-only'; END IF; "
         "IF NOT EXISTS (SELECT 1 FROM ballot b WHERE b.id = NEW.ballot_id AND "
         "b.stage = 'open' AND b.withdrawn_at IS NULL AND NEW.cast_at >= b.opens_at AND "
         f"NEW.cast_at < b.closes_at) THEN RAISE EXCEPTION '{VOTE_MSG}'; END IF; "
         "RETURN NEW; END; $$ LANGUAGE plpgsql"),
        ("ballot_option", "CREATE TRIGGER ballot_option_guard BEFORE INSERT OR UPDATE OR "
                          "DELETE ON ballot_option FOR EACH ROW EXECUTE FUNCTION "
                          "ballot_child_guard()"),
        ("ballot_elector", "CREATE TRIGGER ballot_elector_guard BEFORE INSERT OR UPDATE OR "
                           "DELETE ON ballot_elector FOR EACH ROW EXECUTE FUNCTION "
                           "ballot_child_guard()"),
        ("vote", "CREATE TRIGGER vote_in_window BEFORE INSERT OR UPDATE ON vote "
                 "FOR EACH ROW EXECUTE FUNCTION vote_window_guard()"),
        ("vote_revision", "CREATE TRIGGER vote_revision_in_window BEFORE INSERT OR UPDATE ON "
                          "vote_revision FOR EACH ROW EXECUTE FUNCTION vote_window_guard()"),
    ]


def drop_ddl(dialect: str) -> list[str]:
    """Return the statements that remove these triggers (for the migration's downgrade)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {sql.split()[2]}" for _, sql in sqlite_ddl()]
    triggers = [("ballot_guard", "ballot"), ("ballot_option_guard", "ballot_option"),
                ("ballot_elector_guard", "ballot_elector"), ("vote_in_window", "vote"),
                ("vote_revision_in_window", "vote_revision")]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in triggers] + [
        f"DROP FUNCTION IF EXISTS {fn}()" for fn in
        ("ballot_guard", "ballot_child_guard", "vote_window_guard")]


def attach(tables: dict[str, Table]) -> None:
    """Create each trigger with its table (create_all creates `ballot` before the others)."""
    for dialect, ddl in (("sqlite", sqlite_ddl()), ("postgresql", postgresql_ddl())):
        for table, sql in ddl:
            if table not in tables:
                continue
            event.listen(tables[table], "after_create",
                         DDL(sql.replace("%", "%%")).execute_if(dialect=dialect))
