from yiwang.testing.fixtures import (  # noqa: F401 - pytest fixtures
    calendar,
    citizen,
    citizen_client,
    clerk,
    clerk_client,
    department,
    media_root,
)
