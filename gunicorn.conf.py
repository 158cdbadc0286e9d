"""gunicorn's configuration for ``gunicorn wsgi:app``: the same settings as ``cmp serve``.

gunicorn reads this file from the working directory by itself. Bind elsewhere with
``CMP_BIND`` (default 127.0.0.1:8000); see docs/deploy.md.
"""

from __future__ import annotations

import os

from cmp.serve import settings

globals().update(settings(os.environ.get("CMP_BIND", "127.0.0.1:8000")))
