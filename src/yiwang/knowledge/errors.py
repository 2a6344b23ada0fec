from enum import StrEnum


class KnowledgeErrorCode(StrEnum):
    """Every error code knowledge raises."""

    NOT_FOUND = "knowledge_not_found"  # 404: no such entry or conversation (or not yours)
    FORBIDDEN = "knowledge_forbidden"  # 403: the action is not yours to take
    INVALID_STATE = "knowledge_invalid_state"  # 409: the entry is not in a state that allows it
    SAME_REVIEWER = "knowledge_same_reviewer"  # 403: the author may not review their own entry
    TEXT_REQUIRED = "knowledge_text_required"  # 400: title, answer or message missing
    CONVERSATION_FULL = "knowledge_conversation_full"  # 409: too many messages in one conversation
    ALREADY_RATED = "knowledge_already_rated"  # 409: the conversation was rated already
