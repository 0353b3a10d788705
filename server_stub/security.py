"""Passwords (argon2), bearer tokens (random, stored only as their SHA-256), how long a
session lasts, and the sign-in rate limit."""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

SESSION_IDLE = timedelta(days=30)  # a phone left in a van over a holiday stays signed in
SESSION_LIMIT = timedelta(days=90)  # then everyone signs in again, however active
TOUCH_EVERY = timedelta(hours=1)  # how stale `last_used_at` may get before it is written

_hasher = PasswordHasher()
_dummy_hash: str | None = None


def use_test_hasher() -> None:
    """Tests only: hash new passwords with argon2's cheapest parameters (microseconds, not
    a tenth of a second). Never called by the app or the server. Checking needs no switch:
    argon2 reads the cost from the stored hash, so cheap hashes are checked cheaply."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches. An unknown account (None) or one that cannot sign in
    is checked against a dummy hash of the same cost, so the answer takes the same time
    and timing does not tell which emails have accounts."""
    global _dummy_hash
    usable = password_hash is not None and password_hash.startswith("$argon2")
    if not usable:
        _dummy_hash = _dummy_hash or _hasher.hash(secrets.token_hex(16))
        password_hash = _dummy_hash
    try:
        return _hasher.verify(password_hash, password) and usable
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RateLimit:
    """At most `limit` failures per key within `window` seconds (a sliding window, kept in
    this process's memory). A key that is over the limit is refused before any password
    is hashed, so guessing costs the server nothing."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        with self._lock:
            failures = self._prune(key)
            if len(failures) < self.limit:
                return 0.0
            return failures[0] + self.window - time.monotonic()

    def failed(self, key: str) -> None:
        with self._lock:
            self._prune(key).append(time.monotonic())

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _prune(self, key: str) -> deque[float]:
        failures = self._failures[key]
        oldest = time.monotonic() - self.window
        while failures and failures[0] < oldest:
            failures.popleft()
        return failures


def wait_in_words(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
