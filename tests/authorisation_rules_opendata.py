"""Who may call each page and API operation of `opendata` (merged into ``authorisation_rules.RULES``).

The public catalogue, its downloads and DCAT-AP are open to everyone (downloads of a dataset the probe
data does not hold answer 404).  Publishing is for the provider's data officials, and no probe
identity is one.  Keys are for every registered user; bulk access needs an open-data key, which no
probe identity sends."""

from __future__ import annotations

from authorisation_rules_base import EVERYONE, NOBODY, USERS, Rule

RULES: dict[str, Rule] = {
    "GET /api/v1/open-data/bulk": Rule(NOBODY),
    "GET /api/v1/open-data/datasets": Rule(EVERYONE),
    "GET /api/v1/open-data/datasets/{dataset_id}": Rule(EVERYONE, absent_ok=True),
    "GET /api/v1/open-data/datasets/{dataset_id}/download/{fmt}": Rule(EVERYONE, absent_ok=True),
    "GET /api/v1/open-data/keys": Rule(USERS),
    "GET /api/v1/open-data/manage/datasets": Rule(NOBODY),
    "GET /api/v1/open-data/themes": Rule(EVERYONE),
    "PATCH /api/v1/open-data/datasets/{dataset_id}": Rule(NOBODY),
    "POST /api/v1/open-data/datasets": Rule(NOBODY),
    "POST /api/v1/open-data/datasets/{dataset_id}/withdraw": Rule(NOBODY),
    "POST /api/v1/open-data/keys": Rule(USERS),
    "POST /api/v1/open-data/keys/{key_id}/revoke": Rule(USERS, absent_ok=True),
    "PAGE /open-data/": Rule(EVERYONE),
    "PAGE /open-data/catalog.jsonld": Rule(EVERYONE),
    "PAGE /open-data/datasets/<uuid:public_id>/": Rule(EVERYONE, absent_ok=True),
    "PAGE /open-data/datasets/<uuid:public_id>.jsonld": Rule(EVERYONE, absent_ok=True),
    "PAGE /open-data/datasets/<uuid:public_id>/download/<str:fmt>/": Rule(EVERYONE, absent_ok=True),
    "PAGE /open-data/keys/": Rule(USERS),
    "PAGE /open-data/keys/<uuid:public_id>/revoke/": Rule(USERS, absent_ok=True),
    "PAGE /open-data/licence/": Rule(EVERYONE),
}
