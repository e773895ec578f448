"""Input checked once, at the edge, before anything else reads it: JSON depth and size, Unicode, NUL."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

# Far deeper than any document Concord accepts; Python's json recurses once per level, so an
# unchecked body nested 100,000 deep would end in RecursionError (a 500) wherever it is parsed.
MAX_JSON_DEPTH = 64
# What JSON depth scanning needs to see: brackets, and quotes and backslashes to skip strings.
# All ASCII, so the bytes can be scanned before decoding: no UTF-8 sequence holds an ASCII byte.
JSON_TOKENS = re.compile(rb'[\[\]{}"\\]')
SURROGATE = re.compile(r"[\ud800-\udfff]")
FORM_TYPES = {"application/x-www-form-urlencoded"}

NUL_MESSAGE = "Text must not contain the NUL character (\\0); remove it and send again."
UTF8_MESSAGE = "The {where} is not valid UTF-8 text; send text encoded as UTF-8."
SURROGATE_MESSAGE = ("The JSON holds a lone UTF-16 surrogate (such as \\ud800), which is not a "
                     "character; send valid Unicode text.")


def init_app(app: Flask) -> None:
    """Run the check before every other before-request hook."""
    # The request id is given outside Flask (core.ops.RequestEdge), so even this refusal
    # carries it; CSRF, sign-in (lazy, on first use of current_user) and the rate limiter
    # all run after, on checked input.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)


def check_request() -> None:
    """Refuse (400, 413) a request whose address or body is not sound text, before any use of it."""
    environ = request.environ
    _check_text(_raw(environ.get("PATH_INFO", "")), "address")
    query = environ.get("QUERY_STRING")
    if query:
        _check_pairs(_raw(query), "query string")
    if not environ.get("CONTENT_TYPE"):
        return  # no body to read as JSON or a form (a body without a type is never parsed)
    if request.is_json:
        _check_json_body()
    elif request.mimetype in FORM_TYPES:
        _check_pairs(request.get_data(cache=True), "form")
    elif request.mimetype == "multipart/form-data" and _multipart_has_nul():
        raise BadRequest(NUL_MESSAGE)


def _multipart_has_nul() -> bool:
    """Tell whether a multipart field holds NUL (Werkzeug decodes its text leniently)."""
    return any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True))


def _raw(wsgi_text: str) -> bytes:
    """Return the bytes a WSGI server passed as a latin-1 string (PEP 3333)."""
    try:
        return wsgi_text.encode("latin-1")
    except UnicodeEncodeError:  # a server that already decoded: check what it made of it
        return wsgi_text.encode("utf-8", "surrogatepass")


def _check_text(raw: bytes, where: str) -> str:
    """Decode strict UTF-8 (which also refuses encoded surrogates) and refuse NUL."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(UTF8_MESSAGE.format(where=where)) from None
    if "\x00" in text:
        raise BadRequest(NUL_MESSAGE)
    return text


def _check_pairs(raw: bytes, where: str) -> None:
    """Check every name and value of a query string or urlencoded form, once percent-decoded."""
    # By hand: urllib's parse_qsl decodes bytes as ASCII, and a client may send raw non-ASCII.
    for pair in raw.split(b"&"):
        for part in pair.split(b"=", 1):
            _check_text(unquote_to_bytes(part.replace(b"+", b" ")), where)


def _check_json_body() -> None:
    """Refuse a JSON body that is too deep, too large, not JSON, or holds text that is not Unicode."""
    raw = request.get_data(cache=True)  # Werkzeug stops at MAX_CONTENT_LENGTH (a 413)
    if not raw:
        return  # nothing sent: the view says what it expected
    # Depth first: an attack nested 100,000 deep is told what is wrong with it, not its size.
    if nesting_exceeds(raw, MAX_JSON_DEPTH):
        raise BadRequest(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.")
    limit = current_app.config["MAX_JSON_BYTES"]
    if len(raw) > limit:
        raise RequestEntityTooLarge(f"The JSON body is larger than {limit} bytes.")
    text = _check_text(raw, "JSON body")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise BadRequest(f"The body is not valid JSON: {_reason(exc)}.") from None
    problem = text_problem(value)
    if problem:
        raise BadRequest(problem)


def _refuse_constant(name: str) -> Any:
    """Refuse NaN and Infinity: Python reads them, but they are not JSON."""
    raise ValueError(f"{name} is not a JSON value")


def _reason(exc: ValueError) -> str:
    """Say why JSON failed to parse without echoing what was sent."""
    return exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)


def nesting_exceeds(raw: bytes, limit: int) -> bool:
    """Tell whether JSON opens more than `limit` nested arrays or objects (a loop, no recursion)."""
    depth, in_string, skip = 0, False, -1
    for match in JSON_TOKENS.finditer(raw):
        pos, char = match.start(), match.group()
        if pos == skip:  # the character after a backslash inside a string is escaped
            continue
        if in_string:
            if char == b"\\":
                skip = pos + 1
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


def text_problem(value: Any) -> str | None:
    """Say what is wrong with any key or string inside a parsed JSON value (None if sound)."""
    pending = [value]
    while pending:  # a loop, not recursion: depth is bounded, but the walk need not rely on it
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return NUL_MESSAGE
            if SURROGATE.search(item):
                return SURROGATE_MESSAGE
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None
