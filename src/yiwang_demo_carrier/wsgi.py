import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang_demo_carrier.settings")
application = get_wsgi_application()

from yiwang_demo_carrier import engine  # noqa: E402  (after Django is set up)

engine.start()
