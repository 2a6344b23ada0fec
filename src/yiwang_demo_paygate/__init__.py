"""模拟非税收缴网关 A simulated fiscal non-tax collection gateway (the kind a finance bureau runs).

A separate small Django project (own settings, own process, own SQLite file) that speaks the protocol
of ``docs/paygate-protocol.md``: SM2-signed requests, answers, notifications and statement files, a
payment page with a QR code, asynchronous notifications that may come late, twice, out of order or
never, refunds, and a daily statement.  ``yiwang demo-paygate`` starts it on PORT+3.
"""
