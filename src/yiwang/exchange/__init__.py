"""Exchange system (交换系统): signed packages between platform instances and outbound webhook deliveries, idempotent and resumable."""
