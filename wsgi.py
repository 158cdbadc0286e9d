"""WSGI entry point: ``gunicorn wsgi:app`` (``cmp serve`` does the same with its own options)."""

from __future__ import annotations

import sys

from cmp import create_app
from cmp.config import ConfigError
from cmp.storage import StorageError

try:
    app = create_app()
except (ConfigError, StorageError) as exc:
    # One clear line instead of a traceback: the operator needs the setting's name.
    print(f"cmp: {exc}", file=sys.stderr)
    sys.exit(2)
