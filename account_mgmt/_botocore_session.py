"""botocore's Session, for walking the credential chain; imported only when that is needed.

Importing ``botocore.session`` loads botocore's client stack, which only the
credential chain's own clients (STS, SSO) use; see ``_credentials``.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session


class BotocoreSession(botocore.session.Session):  # type: ignore[misc]  # botocore is untyped
    """botocore's Session, registering its ~120 built-in event handlers only when needed.

    Those handlers serve botocore clients, and registering them took most of
    a client's construction time. The only clients built here are the
    credential chain's (STS for assume-role and web identity, SSO), and
    ``create_client`` registers them first.
    """

    def __init__(self, *, profile: str | None) -> None:
        super().__init__(profile=profile, include_builtin_handlers=False)
        self._handlers_lock = threading.Lock()
        self._handlers_registered = False

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with self._handlers_lock:
            if not self._handlers_registered:
                self._register_builtin_handlers(self._events)
                self._handlers_registered = True
        return super().create_client(*args, **kwargs)
