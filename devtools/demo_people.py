"""The demo consortium's people, shared by the local sign-in provider and the demo data."""

from __future__ import annotations

# Fictional people; the companies are the consortium's own (see shared/DOMAIN.md).
# `company` is a company slug, `role` is "representative" or "alternate"; `admin` and
# `chair` mark the site administrator and the current chair.
DEMO_PEOPLE: list[dict] = [
    {"sub": "ada-admin", "name": "Ada Admin", "email": "ada@concord.example",
     "email_verified": True, "admin": True},
    {"sub": "carol-att", "name": "Carol Chen", "email": "carol@att.example",
     "email_verified": True, "company": "att", "role": "representative", "chair": True},
    {"sub": "andy-att", "name": "Andy Alvarez", "email": "andy@att.example",
     "email_verified": True, "company": "att", "role": "alternate"},
    {"sub": "naoko-ntt", "name": "Naoko Tanaka", "email": "naoko@ntt.example",
     "email_verified": True, "company": "ntt", "role": "representative"},
    {"sub": "olivier-orange", "name": "Olivier Martin", "email": "olivier@orange.example",
     "email_verified": True, "company": "orange", "role": "representative"},
    {"sub": "priya-jio", "name": "Priya Sharma", "email": "priya@jio.example",
     "email_verified": True, "company": "reliance-jio", "role": "representative"},
    {"sub": "walter-walmart", "name": "Walter Brooks", "email": "walter@walmart.example",
     "email_verified": True, "company": "walmart", "role": "representative"},
    {"sub": "nina-public", "name": "Nina Novak", "email": "nina@example.org",
     "email_verified": True},
    {"sub": "uma-unverified", "name": "Uma Ueda", "email": "uma@orange.example",
     "email_verified": False},
]
