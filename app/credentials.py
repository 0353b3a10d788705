"""Where the sign-in token is kept: the phone's secure storage (Keychain, Keystore) when
the app runs on a phone, the system keyring on a desktop, and, where there is neither,
memory only (the user signs in again after a restart, and is told so). Never plain text
on disk."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

import keyring
from keyring.errors import KeyringError

log = logging.getLogger(__name__)

SERVICE = "repairs-marketplace"
MEMORY_ONLY_NOTICE = (
    "This device has no secure password store, so your sign-in is kept in memory only. "
    "You will need to sign in again next time you open the app."
)


class SecureStorage(Protocol):
    """A phone's secure storage, as `flet_secure_storage.SecureStorage` offers it."""

    async def get(self, key: str) -> Any: ...
    async def set(self, key: str, value: Any) -> None: ...
    async def remove(self, key: str) -> None: ...


class CredentialStore:
    def __init__(self, account: str, secure_storage: SecureStorage | None = None) -> None:
        self.account = account
        self.secure_storage = secure_storage
        self._memory: str | None = None
        self.memory_only = False

    @property
    def notice(self) -> str | None:
        return MEMORY_ONLY_NOTICE if self.memory_only else None

    @property
    def _key(self) -> str:
        return f"{SERVICE} {self.account}"

    async def get(self) -> str | None:
        if self.memory_only:
            return self._memory
        try:
            if self.secure_storage is not None:
                return await self.secure_storage.get(self._key)
            return await asyncio.to_thread(keyring.get_password, SERVICE, self.account)
        except (KeyringError, RuntimeError, TimeoutError) as e:
            log.warning("No secure store for the sign-in: %s", e)
            self.memory_only = True
            return self._memory

    async def set(self, token: str) -> None:
        self._memory = token
        try:
            if self.secure_storage is not None:
                await self.secure_storage.set(self._key, token)
            else:
                await asyncio.to_thread(keyring.set_password, SERVICE, self.account, token)
            self.memory_only = False
        except (KeyringError, RuntimeError, TimeoutError) as e:
            # NoKeyringError on headless Linux, a locked keyring, or no secure storage
            log.warning("Sign-in kept in memory only: %s", e)
            self.memory_only = True

    async def clear(self) -> None:
        self._memory = None
        if self.memory_only:
            return
        # Nothing stored, or no store: either way nothing is left to delete.
        with contextlib.suppress(KeyringError, RuntimeError, TimeoutError):
            if self.secure_storage is not None:
                await self.secure_storage.remove(self._key)
            else:
                await asyncio.to_thread(keyring.delete_password, SERVICE, self.account)
