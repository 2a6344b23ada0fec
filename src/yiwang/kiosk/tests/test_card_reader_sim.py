"""The simulated reader bridge (scripts/card_reader_sim.py) signs reads the platform accepts: its
config comes from ``kiosk_device --reader-config``; CORS answers the kiosk's origin only."""

from __future__ import annotations

import importlib.util
import io
import json
import threading
import urllib.request
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "card_reader_sim.py"


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("card_reader_sim", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_simulated_reader_logs_the_demo_card_in(world: Any, tmp_path: Path) -> None:
    sim = _load()
    config_path = tmp_path / "reader.json"
    out = io.StringIO()
    call_command("kiosk_device", "hefei", "演示终端", "--reader-config", str(config_path), stdout=out)
    assert oct(config_path.stat().st_mode & 0o777) == "0o600"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    assert config["origin"].startswith("http://")
    person = world.citizen.natural_person
    reader = sim.Reader(
        device=config["device"],
        secret=config["secret"],
        origin="http://kiosk.example",
        card={"name": person.real_name, "id_number": person.id_number},
    )
    server = sim.make_server(reader)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        with urllib.request.urlopen(f"{base}/card") as answer:  # noqa: S310 - local test server
            assert answer.headers["Access-Control-Allow-Origin"] == "http://kiosk.example"
            read = json.loads(answer.read())
        url = next(line for line in out.getvalue().splitlines() if line.startswith("kiosk URL: "))
        client = Client()
        assert client.get("/kiosk/?" + url.split("?", 1)[1]).status_code == 302
        response = client.post("/kiosk/login/card/", read, content_type="application/json")
        assert response.status_code == 200, response.content
        assert client.session["_auth_user_id"] == str(world.citizen.pk)
        request = urllib.request.Request(f"{base}/card", data=b"{}", method="PUT")  # noqa: S310
        with urllib.request.urlopen(request) as answer:  # noqa: S310
            assert answer.status == 204
        with urllib.request.urlopen(f"{base}/card") as answer:  # noqa: S310
            assert answer.status == 204  # no card on the reader
    finally:
        server.shutdown()
        server.server_close()
    assert sim.sign("k", read["card"]) != read["signature"]
