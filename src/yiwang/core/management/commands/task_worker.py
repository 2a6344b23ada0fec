"""task_worker: django-tasks' database worker that requeues what a crash left running (``yiwang worker``)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from yiwang.core.task_backends.rq import run_worker, uses_rq
from yiwang.core.task_worker import ResilientWorker, default_worker_id


class Command(db_worker.Command):
    help = "运行后台任务进程：启动时及数据库连接恢复后，将崩溃遗留的运行中任务放回队列（docs/operations.md）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=default_worker_id(), reload=False)
        if uses_rq():  # db_worker checks the backend is a database one; RQ's worker takes over below
            for action in parser._actions:
                if action.dest == "backend_name":
                    action.type = str

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        if uses_rq():  # YIWANG_TASK_BACKEND=rq: RQ's worker on Redis (yiwang/core/task_backends/rq.py)
            run_worker(worker_id=options["worker_id"], queue_names=queue_names, burst=options["batch"])
            return
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
