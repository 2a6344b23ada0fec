from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "yiwang.knowledge"
    label = "knowledge"
    verbose_name = "知识库与智能客服 Knowledge base and assistant"
