"""The provider's few HTML pages, as inline templates: no template folder, no JavaScript."""

from __future__ import annotations

from flask import Response, render_template_string

SIGN_IN_TITLE = "Sign in to the local OpenStackID stand-in"

_LAYOUT_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
fieldset { margin: 1rem 0; }
fieldset div { margin: .4rem 0; }
button { font-size: 1rem; padding: .4rem 1.2rem; margin-right: .5rem; }
</style>
</head>
<body>
<main>
<h1>{{ title }}</h1>
"""

_LAYOUT_FOOT = """</main>
</body>
</html>
"""

_SIGN_IN = (
    _LAYOUT_HEAD
    + """<p>This is a development provider: no password is asked.
The application <strong>{{ client_id }}</strong> asks for: {{ scope }}.</p>
<form method="post" action="{{ action }}">
{% for name, value in params %}<input type="hidden" name="{{ name }}" value="{{ value }}">
{% endfor %}<fieldset>
<legend>Sign in as</legend>
{% for user in users %}<div>
<input type="radio" name="sub" id="person-{{ loop.index }}" value="{{ user.sub }}" required
{%- if user.sub == selected %} checked{% endif %}>
<label for="person-{{ loop.index }}">{{ user.name }} &lt;{{ user.email }}&gt;
{%- if not user.email_verified %} (e-mail not verified){% endif %}</label>
</div>
{% endfor %}</fieldset>
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button>
</form>
"""
    + _LAYOUT_FOOT
)

_MESSAGE = (
    _LAYOUT_HEAD
    + """{% for line in lines %}<p>{{ line }}</p>
{% endfor %}"""
    + _LAYOUT_FOOT
)


def sign_in_page(
    client_id: str, scope: str, users: list[dict], selected: str | None, action: str,
    params: list[tuple[str, str]],
) -> str:
    """Render the page that lets a developer pick a demo person, then approve or deny."""
    return render_template_string(
        _SIGN_IN,
        title=SIGN_IN_TITLE,
        client_id=client_id,
        scope=scope,
        users=users,
        selected=selected,
        action=action,
        params=params,
    )


def message_page(status: int, title: str, *lines: str | None) -> Response:
    """Render a short page with a heading and a few sentences (empty ones left out)."""
    body = render_template_string(_MESSAGE, title=title, lines=[s for s in lines if s])
    return Response(body, status=status, mimetype="text/html")
