from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = "办件 Cases"

    def ready(self) -> None:
        from yiwang.cases import (  # noqa: F401  (connect signal receivers; process bridges workflow → case)
            archive,
            bundles,
            courier,
            delivery,
            licence_issuing,
            process,
            provisional,
            shared_materials,
        )

        archive.connect()  # 电子归档 on every terminal transition
        provisional.connect()  # 时限重算 when an official holiday schedule is entered
        licence_issuing.connect()  # 办结出证: the e-licence a completed case yields, after the commit
        courier.connect()  # 快递送达: courier order at completion, 签收 closes the handover (logistics)
        shared_materials.connect()  # 一证通办: the catalogue checks shared-data sources against sharing

        from django.db.models.signals import post_migrate

        from yiwang.cases import detail_cache
        from yiwang.cases.work_metrics import case_lines
        from yiwang.core.metrics import register_collector

        register_collector("cases", case_lines)  # the case gauges of /metrics

        # After every migrate (SQLite drops a table's triggers when it rebuilds the table).
        post_migrate.connect(detail_cache.on_post_migrate, dispatch_uid="yiwang.cases.detail_cache")
