"""The declared shape of a vote, one JSON Schema per ballot kind: published and enforced as one.

`voting.openapi` publishes these very objects in the OpenAPI document, and the API checks each
vote against the one of its ballot's kind before the rules see it (`normalize_choice` then
checks what a schema cannot: the ballot's own options and how many there are). A field that
breaks the schema is named in the 422, with a message that never echoes what was sent.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from voting.ballot_rules import MAX_REASON
from voting.outcome import Kind

MAX_OPTIONS = 50  # as voting.forms.MAX_OPTIONS: no ballot has more options, so no rank is higher
OPTION = {"type": "string", "minLength": 1, "maxLength": 200}


def _shape(field: str, schema: dict[str, Any], **others: Any) -> dict[str, Any]:
    return {"type": "object", "required": [field], "additionalProperties": False,
            "properties": {field: schema, **others}}


SCHEMAS: dict[Kind, tuple[str, dict[str, Any]]] = {
    Kind.CONSENSUS: ("ConsensusChoice", _shape(
        "response", {"enum": ["support", "stand_aside", "object"]},
        reason={"type": ["string", "null"], "maxLength": MAX_REASON,
                "description": "Required to object."})),
    Kind.MOTION: ("MotionChoice", _shape("vote", {"enum": ["yes", "no", "abstain"]})),
    Kind.PLURALITY: ("PluralityChoice", _shape(
        "choice", {"type": ["string", "null"], "maxLength": 200,
                   "description": "An option; null or empty for a blank vote."})),
    Kind.APPROVAL: ("ApprovalChoice", _shape(
        "approve", {"type": "array", "items": OPTION, "uniqueItems": True,
                    "maxItems": MAX_OPTIONS})),
    Kind.RANKED: ("RankedChoice", _shape(
        "ranks", {"type": "object", "propertyNames": OPTION, "maxProperties": MAX_OPTIONS,
                  "description": "Option to rank, 1 first; null leaves an option unranked.",
                  "additionalProperties": {"type": ["integer", "null"], "minimum": 1,
                                           "maximum": MAX_OPTIONS}})),
}
VALIDATORS = {kind: jsonschema_rs.Draft202012Validator(schema)
              for kind, (_name, schema) in SCHEMAS.items()}
TYPE_WORDS = {"integer": "a whole number", "string": "text", "null": "null", "array": "a list",
              "object": "an object", "number": "a number", "boolean": "true or false"}


def components() -> dict[str, Any]:
    """Return the schemas by name, for the OpenAPI document's components."""
    return dict(SCHEMAS.values())


def choice_problem(kind: Kind, body: Any) -> tuple[str, str] | None:
    """Return (field, message) for the first part of a vote that breaks its kind's schema."""
    error = next(VALIDATORS[kind].iter_errors(body), None)
    if error is None:
        return None
    schema, name = SCHEMAS[kind][1], error.kind.name
    place = [str(step) for step in error.instance_path]
    for step in list(error.schema_path)[:-1]:
        schema = schema[step] if isinstance(schema, dict) else schema[int(step)]
    if name == "required":
        place.append(error.kind.property)
    elif name == "additionalProperties":
        place.append(str(error.kind.unexpected[0]))
    field = ".".join(place)[:200] or "the vote"
    return field, f"{field} {_complaint(name, schema)}"


def _complaint(name: str, schema: dict[str, Any]) -> str:
    """Say what a schema keyword wants, in words."""
    match name:
        case "required":
            return "is required"
        case "additionalProperties":
            return "is not a field of this ballot's vote"
        case "type":
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            return "must be " + " or ".join(TYPE_WORDS[t] for t in types)
        case "enum":
            return "must be one of " + ", ".join(map(str, schema["enum"]))
        case "minimum" | "maximum":
            return f"must be between {schema['minimum']} and {schema['maximum']}"
        case "maxLength":
            return f"is longer than {schema['maxLength']} characters"
        case "minLength":
            return "must not be empty"
        case "uniqueItems":
            return "names an option twice"
        case "maxItems" | "maxProperties":
            return f"has more than {MAX_OPTIONS} entries"
        case "propertyNames":
            return f"names an option that is empty or longer than {OPTION['maxLength']} characters"
    return "is not valid"
