"""The OpenAPI 3.1 document of `/api/v1` (kept beside the routes it describes)."""

from __future__ import annotations

from typing import Any

from voting import choice_schema

ERROR = {"$ref": "#/components/schemas/Error"}


def _resp(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


# Every operation is rate-limited (core/limits.py) and answers 503 while the database is down.
UNAVAILABLE = {str(code): _resp(text, ERROR) for code, text in (
    (429, "Too many requests; the Retry-After header says when to retry"),
    (503, "Briefly unavailable; retry"))}
ERRORS = {**{str(code): _resp(text, ERROR) for code, text in (
    (400, "Bad request"), (401, "Not signed in"), (403, "Not allowed"), (404, "Not found"),
    (409, "Wrong phase"), (422, "Invalid choice"))}, **UNAVAILABLE}
# Ids are PostgreSQL integers: the router answers 404 to a larger number (core.ops).
BALLOT_ID = {"name": "ballot_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def openapi_document(server_url: str) -> dict[str, Any]:
    """Return the document for a server URL."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Concord decisions API", "version": "1",
                 "description": "Ballots, votes and outcomes. Authenticate with a session "
                                "cookie (and X-CSRFToken on POST) or a personal token."},
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "session": {"type": "apiKey", "in": "cookie",
                                            "name": "concord_session"}},
            "schemas": _schemas(),
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": _paths(),
    }


def _schemas() -> dict[str, Any]:
    return {
        "Error": {"type": "object", "required": ["error", "message"],
                  "properties": {"error": {"type": "integer"}, "message": {"type": "string"},
                                 "field": {"type": "string",
                                           "description": "The field a 422 refuses"}}},
        "Ballot": {"type": "object", "required": ["id", "title", "kind", "phase"], "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "text": {"type": "string"},
            "kind": {"enum": ["consensus", "motion", "plurality", "approval", "ranked"]},
            "phase": {"enum": ["draft", "upcoming", "open", "closed", "decided", "published"]},
            "secrecy": {"enum": ["open", "secret"]},
            "options": {"type": "array", "items": {"type": "string"}},
            "opens_at": {"type": "string", "format": "date-time"},
            "closes_at": {"type": "string", "format": "date-time"},
            "electorate": {"type": "array", "items": {"type": "string"}}}},
        # The very objects the API checks each vote against (voting/choice_schema.py).
        **choice_schema.components(),
        "Choice": {"description": "The shape of the ballot's kind.", "oneOf": [
            {"$ref": f"#/components/schemas/{name}"} for name in choice_schema.components()]},
        "Receipt": {"type": "object", "required": ["receipt", "version"], "properties": {
            "receipt": {"type": "string"}, "version": {"type": "integer"},
            "company": {"type": "string"}}},
    }


def _paths() -> dict[str, Any]:
    ballot = {"$ref": "#/components/schemas/Ballot"}
    return {
        "/ballots": {"get": {"summary": "List ballots", "responses": {
            "200": _resp("Ballots", {"type": "object", "properties": {
                "ballots": {"type": "array", "items": ballot}}}), **ERRORS}}},
        "/ballots/{ballot_id}": {"get": {"summary": "One ballot and your company's vote",
                                         "parameters": [BALLOT_ID],
                                         "responses": {"200": _resp("Ballot", ballot), **ERRORS}}},
        "/ballots/{ballot_id}/vote": {"post": {
            "summary": "Cast or change your company's vote", "parameters": [BALLOT_ID],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Choice"}}}},
            "responses": {"201": _resp("Recorded", {"$ref": "#/components/schemas/Receipt"}),
                          **ERRORS}}},
        "/ballots/{ballot_id}/outcome": {"get": {
            "summary": "The outcome once counted", "parameters": [BALLOT_ID],
            "responses": {"200": _resp("Outcome", {"type": "object"}), **ERRORS}}},
        "/decisions": {"get": {"summary": "Published outcomes (public)", "security": [],
                               "responses": {"200": _resp("Decisions", {"type": "object"}),
                                             **UNAVAILABLE}}},
    }
