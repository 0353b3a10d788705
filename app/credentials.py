"""Where the sign-in token is kept: the system keyring, or, where there is none, memory
only (the user signs in again after a restart, and is told so). Never plain text on disk."""

from __future__ import annotations

import contextlib

import keyring
from keyring.errors import KeyringError

SERVICE = "repairs-marketplace"
MEMORY_ONLY_NOTICE = (
    "This device has no secure password store, so your sign-in is kept in memory only. "
    "You will need to sign in again next time you open the app."
)


class CredentialStore:
    def __init__(self, account: str) -> None:
        self.account = account
        self._memory: str | None = None
        self.memory_only = False

    @property
    def notice(self) -> str | None:
        return MEMORY_ONLY_NOTICE if self.memory_only else None

    def get(self) -> str | None:
        if self.memory_only:
            return self._memory
        try:
            return keyring.get_password(SERVICE, self.account)
        except KeyringError:
            self.memory_only = True
            return self._memory

    def set(self, token: str) -> None:
        self._memory = token
        try:
            keyring.set_password(SERVICE, self.account, token)
            self.memory_only = False
        except KeyringError:  # NoKeyringError on headless Linux, or a locked keyring
            self.memory_only = True

    def clear(self) -> None:
        self._memory = None
        if self.memory_only:
            return
        # Nothing stored, or no keyring: either way nothing is left to delete.
        with contextlib.suppress(KeyringError):
            keyring.delete_password(SERVICE, self.account)
