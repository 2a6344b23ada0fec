"""Portal pages (互联网政务服务门户): thin views over the catalog, cases and accounts services."""
