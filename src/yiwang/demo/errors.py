from enum import StrEnum


class DemoErrorCode(StrEnum):
    """Why the demo and benchmark data generators refuse to run."""

    BENCH_DATA_EXISTS = "bench_data_exists"
    NO_TEMPLATE_ITEMS = "no_template_items"
    NO_USERS = "no_users"
