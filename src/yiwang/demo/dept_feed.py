"""演示部门供数 The demo department system (PORT+1) as an exchange node feeding the population base.

Its node id and SM2 key are fixed and public (demo only, like its OIDC client secret): the department
system signs its feed packages with the key, the platform knows the public key and lets the node
feed the population base as 合肥市公安局 (``bases.FeedSource``).  Importing this module needs no
Django apps (the department system reads the constants); :func:`load_demo_dept_feed` does.
"""

from __future__ import annotations

import os

DEMO_DEPT_EXCHANGE_NODE_ID = "340100-demo-dept"
DEMO_DEPT_EXCHANGE_SM2_PRIVATE_KEY = "ed033adcbcff097bb45b453c482a6fa5d6e058d53d7551f72781aa1e7a1e9565"
DEMO_PLATFORM_NODE_ID = "yiwang-demo-3401"  # the demo instance's node id (demo/loader._exchange_identity)
FEED_ORGANISATION = "合肥市公安局"


def load_demo_dept_feed() -> None:
    """Register the department system's node (idempotent) and authorise it for the population base."""
    from yiwang.bases.models import FeedSource
    from yiwang.bases.services import authorise_feed
    from yiwang.core.crypto import sm2_public_key
    from yiwang.core.models import Organisation
    from yiwang.exchange.models import NodeRole
    from yiwang.exchange.services import register_node

    police = Organisation.objects.filter(name=FEED_ORGANISATION).first()
    if (
        police is None
        or FeedSource.objects.filter(
            node__node_id=DEMO_DEPT_EXCHANGE_NODE_ID, base="population", organisation=police, active=True
        ).exists()
    ):
        return  # idempotent: a second loaddemo changes (and audits) nothing
    port = int(os.environ.get("PORT", "8000")) + 1
    node = register_node(
        node_id=DEMO_DEPT_EXCHANGE_NODE_ID,
        name="演示部门业务系统",
        base_url=f"http://127.0.0.1:{port}",
        role=NodeRole.CHILD,
        sm2_public_key=sm2_public_key(DEMO_DEPT_EXCHANGE_SM2_PRIVATE_KEY),
    )
    authorise_feed(node=node, base="population", organisation=police)
