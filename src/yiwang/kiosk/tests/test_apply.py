"""申请办理 at the kiosk: find an item by name; a logged-in person goes on to its application form
(the portal's apply page, in the same kiosk session); a window-only item leads to a ticket."""

from __future__ import annotations

from typing import Any

from yiwang.catalog.search import rebuild_search_index

from .conftest import KioskSetup, id_of


def test_search_and_apply(world: Any, kiosk: KioskSetup) -> None:
    rebuild_search_index()
    empty = kiosk.client.get("/kiosk/apply/")
    assert empty.status_code == 200
    anonymous = kiosk.client.get("/kiosk/apply/", {"q": world.market_item.name}).content.decode()
    assert world.market_item.name in anonymous and "登录后申请" in anonymous
    name, id_number = id_of(world.citizen)
    kiosk.post_card(kiosk.card(name=name, id_number=id_number))
    found = kiosk.client.get("/kiosk/apply/", {"q": world.market_item.name}).content.decode()
    apply_url = f"/items/{world.market_item.public_id}/apply/"
    assert apply_url in found
    assert kiosk.client.get(apply_url).status_code == 200  # the same session opens the form
    window_only = kiosk.client.get("/kiosk/apply/", {"q": "居民身份证换领"}).content.decode()
    assert "需到窗口办理" in window_only
    assert kiosk.client.get("/kiosk/apply/", {"q": "x" * 500}).status_code == 200
