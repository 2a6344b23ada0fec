from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "yiwang.ratings"
    label = "ratings"
    verbose_name = "好差评 Ratings"
