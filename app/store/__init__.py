"""The device's local store: SQLite through sqlite-utils, with numbered migrations, the
outbox of pending mutations, and the server's rows with pending changes shown on top."""

from app.store.local import Store

__all__ = ["Store"]
