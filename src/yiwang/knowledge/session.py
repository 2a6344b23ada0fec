"""The session that owns an anonymous conversation (made on the first message)."""

from __future__ import annotations

from django.http import HttpRequest

SESSION_FLAG = "knowledge_assistant"


def assistant_session_key(request: HttpRequest) -> str:
    """The session key of the request, creating the session when there is none yet."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    if not session.session_key or SESSION_FLAG not in session:
        session[SESSION_FLAG] = True
        session.save()
    return session.session_key or ""
