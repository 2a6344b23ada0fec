"""Fixtures of the demo tests: the simulated payment gateway, started once per test session."""

from __future__ import annotations

import pytest

from yiwang.testing.paygate import Receiver, start_gateway


@pytest.fixture(scope="session")
def paygate(tmp_path_factory):
    """The real gateway process (gunicorn) on a free port with its own database and key file."""
    yield from start_gateway(tmp_path_factory.mktemp("paygate"))


@pytest.fixture(scope="session")
def paygate_receiver(paygate):
    """A merchant notify_url (http.server thread) that checks signatures and answers as told."""
    receiver = Receiver(paygate.keys["gateway"]["public"], paygate.clock)
    server = receiver.serve()
    yield receiver
    server.shutdown()
