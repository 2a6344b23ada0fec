"""智能客服会话 Assistant conversations and their messages; anonymous ones belong to a session."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel

MAX_MESSAGE_LENGTH = 500
MAX_MESSAGES = 200


class Conversation(TimeStampedModel):
    """会话 One chat with the assistant.  ``misses`` counts consecutive answers it could not give
    (two in a row hand the conversation over to a person: a ticket)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    message_count = models.PositiveIntegerField(default=0)
    misses = models.PositiveSmallIntegerField(default=0)
    last_intent = models.CharField(max_length=20, blank=True, default="")
    ticket_public_id = models.UUIDField(null=True, blank=True)
    ticket_code = models.CharField(max_length=40, blank=True, default="")
    handed_over_at = models.DateTimeField(null=True, blank=True)
    helpful = models.BooleanField(null=True, blank=True, help_text=_("是否解决问题"))
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("满意度 1–5"))
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("智能客服会话")
        verbose_name_plural = _("智能客服会话")

    def __str__(self) -> str:
        return str(self.public_id)


class MessageRole(models.TextChoices):
    USER = "user", _("用户")
    ASSISTANT = "assistant", _("智能客服")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=MessageRole.choices)
    text = models.TextField()
    intent = models.CharField(max_length=20, blank=True, default="")
    sources = models.JSONField(default=list, blank=True, help_text=_('[{"title", "url"}]'))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:30]}"
