"""Check every published decision of a running Concord by recounting it yourself.

    python -m voting.verify BASE_URL [--json]

Reads the public decisions register (BASE_URL/api/v1/decisions), downloads each decision's
record as JSON and as CSV, recounts both with the pure rules of this package, and compares
them with the published outcome. Prints one line per decision and a total; exits 0 only if
every decision agrees, 1 if any disagrees, 2 if the site cannot be read. With --json it
prints {"checked", "agreed", "decisions": [{"id", "url", "kind", "tie_break", "published",
"recounted", "agree"}]}. Needs nothing but this checkout: no database, no sign-in.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

from voting.record import RecordError
from voting.recount import read_record, report

Fetch = Callable[[str], str]


def fetch_url(url: str) -> str:
    """GET a URL and return its body as text (UTF-8)."""
    request = urllib.request.Request(url, headers={"User-Agent": "concord-verify/1"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


def check(base: str, entry: dict[str, Any], fetch: Fetch) -> dict[str, Any]:
    """Recount one decision from its JSON and CSV records; both must agree with the outcome."""
    found = {"id": entry["id"], "url": entry.get("url"), "kind": entry.get("kind"),
             "tie_break": None, "published": None, "recounted": None, "agree": False}
    try:
        by_json = report(read_record(fetch(_absolute(base, entry["record_json"]))) or {})
        by_csv = report(read_record(fetch(_absolute(base, entry["record_csv"]))) or {})
    except (RecordError, KeyError, TypeError, ValueError) as exc:
        return {**found, "error": str(exc)}
    same = by_json["recounted"] == by_csv["recounted"] and \
        by_json["published"] == by_csv["published"]
    return {**found, "tie_break": by_json["tie_break"], "published": by_json["published"],
            "recounted": by_json["recounted"], "agree": by_json["agree"] and by_csv["agree"]
            and same, "summary": by_json["summary"]}


def _absolute(base: str, url: str) -> str:
    return url if url.startswith(("http://", "https://")) else base.rstrip("/") + url


def verify(base: str, fetch: Fetch = fetch_url) -> dict[str, Any]:
    """Check every decision in the register; return the --json document."""
    register = json.loads(fetch(base.rstrip("/") + "/api/v1/decisions"))
    results = [check(base, entry, fetch) for entry in register["decisions"]]
    return {"checked": len(results), "agreed": sum(r["agree"] for r in results),
            "decisions": results}


def _line(result: dict[str, Any]) -> str:
    published = (result["published"] or {}).get("status", "?")
    recounted = (result["recounted"] or {}).get("status", "?")
    verdict = "agrees" if result["agree"] else "DISAGREES"
    rule = (result["tie_break"] or "-").replace("_", " ")
    extra = f" ({result['error']})" if result.get("error") else ""
    return (f"#{result['id']:<5} {result['kind'] or '?':<10} tie-break: {rule:<13} "
            f"published {published}, recounted {recounted}: {verdict}{extra}")


def main(argv: Sequence[str] | None = None, fetch: Fetch = fetch_url) -> int:
    """Run the check; return 0 if every decision agrees, 1 if one does not, 2 on failure."""
    parser = argparse.ArgumentParser(prog="python -m voting.verify",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the site, e.g. https://concord.example.org")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        result = verify(args.base_url, fetch)
    except (OSError, urllib.error.URLError, ValueError, KeyError) as exc:
        print(f"verify: cannot read {args.base_url}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for entry in result["decisions"]:
            print(_line(entry))
        print(f"{result['checked']} decisions checked, {result['agreed']} agree with their "
              "recount.")
    return 0 if result["agreed"] == result["checked"] else 1


if __name__ == "__main__":
    sys.exit(main())
