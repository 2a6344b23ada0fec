"""物流 Courier logistics: pickup of materials and delivery of results through carrier adapters,
tracking, waybills and delivery confirmation (docs/logistics.md)."""
