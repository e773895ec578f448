"""Meetings: agenda, attendance, decisions taken in the meeting, action items, published minutes."""
