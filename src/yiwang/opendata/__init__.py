"""Open data portal (数据开放): datasets published from open resources, DCAT-AP metadata, bulk-access keys and download counts."""
