import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang_demo_paygate.settings")
application = get_wsgi_application()

from yiwang_demo_paygate.dispatcher import DISPATCHER  # noqa: E402  (needs the app registry)

DISPATCHER.start()
