from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    name = "yiwang.receipts"
    label = "receipts"
    verbose_name = "财政电子票据 Electronic receipts"

    def ready(self) -> None:
        from yiwang.receipts import handlers

        handlers.connect()
