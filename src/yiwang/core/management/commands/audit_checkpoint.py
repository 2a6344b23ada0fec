"""``audit_checkpoint``: verify the records added since the last checkpoint and sign the head."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.core.audit_checkpoints import CheckpointError, checkpoint_path, write_checkpoint


class Command(BaseCommand):
    help = (
        "校验新增审计记录并将链尾（序号、哈希、时间）签名写入库外检查点文件。"
        "Sign the audit chain's head into the append-only checkpoint file (scheduled every 5 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = write_checkpoint()
        except CheckpointError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if checkpoint is None:
            self.stdout.write(f"审计链无新增记录，未写检查点（{checkpoint_path()}）")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"检查点已写入：#{checkpoint.sequence} {checkpoint.hash[:16]}… → {checkpoint_path()}"
                )
            )
