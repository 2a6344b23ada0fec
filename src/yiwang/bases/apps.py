from django.apps import AppConfig


class BasesConfig(AppConfig):
    name = "yiwang.bases"
    label = "bases"
    verbose_name = "基础库 Base databases"

    def ready(self) -> None:
        # 部门供数: packages of kind bases.<base>.feed are applied by bases (docs/bases.md "Feeds").
        from yiwang.bases.services.feeds import register_feed_handlers

        register_feed_handlers()
