"""``yiwang ratings_default``: 默认好评 for invitations left unrated past the period (scheduled daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.ratings.services import give_default_ratings


class Command(BaseCommand):
    help = "Give the default good rating to invitations left unrated past their region's period."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"ratings: {give_default_ratings()} default ratings given")
