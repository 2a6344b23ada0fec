from yiwang.portal.tests.fixtures import (  # noqa: F401 - pytest fixtures
    calendar,
    department,
    media_root,
)
