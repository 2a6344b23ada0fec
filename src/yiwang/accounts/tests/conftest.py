from yiwang.testing.fixtures import (  # noqa: F401 - pytest fixtures
    calendar,
    department,
    media_root,
)
