import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
_web = get_wsgi_application()

from yiwang.core.machine import MachineDispatch  # noqa: E402 - needs the settings configured above

# Machine-to-machine endpoints take a shorter middleware chain (ADR 0016, yiwang/core/machine.py).
application = MachineDispatch(_web)
