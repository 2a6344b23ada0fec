"""``rotate_data_keys``: a new data-encryption key for personal data, and every protected value
re-encrypted under it in batches (docs/operations.md).  ``--resume`` continues an interrupted run
without a new key; ``--check`` only reports how many values each key still holds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core import rotation
from yiwang.core.keyring import ProtectedDataError, configured_cipher, keyring


class Command(BaseCommand):
    help = (
        "轮换个人信息数据加密密钥并分批重新加密（--check 只检查仍使用旧密钥的数据，--resume 续做）。"
        "Rotate the data-encryption key and re-encrypt every protected column in batches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="report values still on old keys; exit 1 if any"
        )
        parser.add_argument(
            "--resume", action="store_true", help="re-encrypt under the active key, no new key"
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                self._check()
                return
            if not options["resume"]:
                key_id, _key = keyring.new_key(configured_cipher(), retire_others=True)
                self.stdout.write(f"新数据密钥 {key_id}（{configured_cipher()}）已启用")
            self._reencrypt(options["batch_size"])
        except ProtectedDataError as exc:
            raise CommandError(f"无法读取受保护数据：{exc}", returncode=2) from exc

    def _reencrypt(self, batch_size: int) -> None:
        total, done = max(rotation.count_rows(), 1), 0
        interactive = self.stdout.isatty()

        def progress(rows: int) -> None:
            nonlocal done
            done = min(done + rows, total)
            filled = int(30 * done / total)
            line = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} 行"
            if interactive:
                self.stdout.write("\r" + line, ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        outcome = rotation.reencrypt(batch_size=batch_size, progress=progress)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"重新加密 {outcome['rewritten']} 行，{outcome['current']} 行已是当前密钥，"
                f"{outcome['changed meanwhile']} 行期间被修改（已是当前密钥）"
            )
        )

    def _check(self) -> None:
        active, reports = rotation.check()
        stale = 0
        for report in reports:
            old = report.stale(active)
            stale += old
            keys = ", ".join(f"{key}: {count}" for key, count in sorted(report.by_key.items())) or "—"
            self.stdout.write(f"{report.label}: {keys}{'  ← 旧密钥 ' + str(old) if old else ''}")
        if stale:
            raise CommandError(f"{stale} 个值仍使用旧密钥或未加密（当前密钥 {active}）", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"全部受保护数据均使用当前密钥 {active}"))
