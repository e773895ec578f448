"""Exit 0 when a PostgreSQL server answers at the given URL, 1 otherwise (used by `make test`)."""

from __future__ import annotations

import sys

import psycopg


def main(url: str) -> int:
    """Try one connection with a short timeout."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        print(f"PostgreSQL not reachable: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "postgresql://127.0.0.1/test"))
