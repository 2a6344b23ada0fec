"""Who may call each page and API operation of `knowledge` (merged into ``authorisation_rules.RULES``).

The help centre, the article, search and hot-topic endpoints and the assistant are public.  A
conversation belongs to its user or anonymous session, so the probed (absent) one is a 404 for
everyone.  The knowledge-base editors are 事项管理员 (manager), 12345 热线坐席 (agent) and 系统管理员
(admin); other staff get 403 from the API and a 403 page in the workbench, applicants too.
"""

from __future__ import annotations

from authorisation_rules_base import EVERYONE, NOBODY, Rule, of

EDITORS = of("manager", "agent", "admin")

RULES: dict[str, Rule] = {
    "PAGE /help/": Rule(EVERYONE),
    "PAGE /help/assistant/": Rule(EVERYONE),
    "PAGE /help/assistant/new/": Rule(EVERYONE),
    "PAGE /help/assistant/rate/": Rule(NOBODY, absent_ok=True),
    "PAGE /help/<uuid:entry_id>/": Rule(EVERYONE, absent_ok=True),
    "PAGE /workbench/knowledge/": Rule(EDITORS),
    "PAGE /workbench/knowledge/new/": Rule(EDITORS),
    "PAGE /workbench/knowledge/review/": Rule(EDITORS),
    "PAGE /workbench/knowledge/proposals/": Rule(EDITORS),
    "PAGE /workbench/knowledge/<uuid:entry_id>/": Rule(EDITORS, absent_ok=True),
    "PAGE /workbench/knowledge/<uuid:entry_id>/<str:action>/": Rule(EDITORS, absent_ok=True),
    "GET /api/v1/knowledge/search": Rule(EVERYONE),
    "GET /api/v1/knowledge/articles/{entry_id}": Rule(EVERYONE, absent_ok=True),
    "GET /api/v1/knowledge/hot-topics": Rule(EVERYONE),
    "POST /api/v1/knowledge/assistant/messages": Rule(EVERYONE, body={"text": "你好"}),
    "GET /api/v1/knowledge/assistant/conversations/{conversation_id}": Rule(NOBODY, absent_ok=True),
    "POST /api/v1/knowledge/assistant/conversations/{conversation_id}/rating": Rule(
        NOBODY, absent_ok=True, body={"helpful": True}
    ),
    "GET /api/v1/knowledge/entries": Rule(EDITORS),
    "GET /api/v1/knowledge/proposals": Rule(EDITORS),
    "POST /api/v1/knowledge/entries": Rule(EDITORS, body={"title": "probe", "answer": "probe"}),
    "GET /api/v1/knowledge/entries/{entry_id}": Rule(EDITORS, absent_ok=True),
    "PATCH /api/v1/knowledge/entries/{entry_id}": Rule(EDITORS, absent_ok=True, body={"title": "x"}),
    "POST /api/v1/knowledge/entries/{entry_id}/submit": Rule(EDITORS, absent_ok=True, body={}),
    "POST /api/v1/knowledge/entries/{entry_id}/review": Rule(EDITORS, absent_ok=True, body={"approve": True}),
    "POST /api/v1/knowledge/entries/{entry_id}/publish": Rule(EDITORS, absent_ok=True, body={}),
    "POST /api/v1/knowledge/entries/{entry_id}/withdraw": Rule(EDITORS, absent_ok=True, body={}),
}
