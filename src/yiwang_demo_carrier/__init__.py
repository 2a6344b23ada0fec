"""演示快递 The simulated carrier: a separate small Django project (its own settings, SQLite file and
gunicorn on PORT+4) that behaves like a courier company's open platform — signed order requests,
waybill numbers, a timer that moves each parcel through pickup, transit, delivery (or failed
delivery and return), signed callbacks with retries, tracking queries and a tracking page.
See docs/logistics.md."""
