from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "yiwang.logistics"
    label = "logistics"
    verbose_name = "物流 Logistics"

    def ready(self) -> None:
        from yiwang.logistics import postage

        postage.connect()  # the applicant's postage paid → the order goes to the carrier
