"""Who is signed in on this device: sign-in against the server, the token kept by the
credential store (never in plain text on disk), and sign-out that leaves no one's
personal data behind except that person's unsent work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from app.credentials import CredentialStore
from app.domain.lifecycle import Rejected
from app.domain.models import User
from app.photo_files import PhotoFiles
from app.store.local import Store
from app.sync import protocol as p
from app.sync.engine import SyncEngine

RunDb = Callable[..., Awaitable[Any]]


class Session:
    def __init__(
        self,
        http: httpx.AsyncClient,
        store: Store,
        run_db: RunDb,
        engine: SyncEngine,
        files: PhotoFiles,
        credentials: CredentialStore,
    ) -> None:
        self.http, self.store, self.run_db = http, store, run_db
        self.engine, self.files, self.credentials = engine, files, credentials
        self.user: User | None = None
        self.expired = False  # the server ended the session: sign in again to send work

    async def resume(self) -> None:
        """Signed in as before, if this device still holds the person and their token."""
        token = await self.credentials.get()
        user = await self.run_db(self.store.user)
        if token and user:
            self._authorise(token, user)

    async def expire(self) -> None:
        """The server no longer knows this sign-in (expired, ended elsewhere, suspended):
        ask for a new one. Nothing on the device is cleared, so unsent work waits."""
        await self.credentials.clear()
        self.http.headers.pop("Authorization", None)
        self.user, self.expired = None, True

    def _authorise(self, token: str, user: User) -> None:
        self.user, self.expired = user, False
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.engine.signed_out = False

    async def sign_in(self, email: str, password: str) -> User:
        if not email.strip() or not password:
            raise Rejected("invalid", "Enter your email address and password.")
        try:
            response = await self.http.post(
                "/v1/auth/login", json={"email": email.strip(), "password": password}
            )
        except httpx.TransportError:
            raise Rejected(
                "offline", "Can't reach the server. Check your signal and try again."
            ) from None
        if response.status_code != 200:
            raise Rejected("sign_in", response.json().get("detail", "Sign-in failed."))
        return await self._signed_in(p.LoginResponse.model_validate_json(response.content))

    async def _signed_in(self, body: p.LoginResponse) -> User:
        """Keep the person and their token: after sign-in, and after joining."""
        user = User.model_validate(body.user)
        previous = await self.run_db(self.store.user)
        if previous and previous.id != user.id:
            await self.run_db(self.store.clear_synced)  # another person's data must not show
        await self.run_db(self.store.tx_put, "user", user.model_dump_json())
        await self.credentials.set(body.token)
        self._authorise(body.token, user)
        return user

    async def join(
        self, name: str, email: str, password: str, landlord_id: str, phone: str = ""
    ) -> User:
        """A new tradesperson's account, signed in at once as sign-in does."""
        body = {
            "name": name.strip(),
            "email": email.strip(),
            "password": password,
            "landlord_id": landlord_id,
            "phone": phone.strip(),
        }
        try:
            response = await self.http.post("/v1/auth/join", json=body)
        except httpx.TransportError:
            raise Rejected(
                "offline", "Joining needs a connection. Check your signal and try again."
            ) from None
        if response.status_code != 200:
            raise Rejected("join", _said(response, "Joining failed. Please try again."))
        return await self._signed_in(p.LoginResponse.model_validate_json(response.content))

    async def became(self, user: User) -> None:
        """The server changed this person (a resident who joined as a tradesperson too)."""
        await self.run_db(self.store.tx_put, "user", user.model_dump_json())
        self.user = user

    async def sign_out(self) -> None:
        """Synced rows, the user record and sent photos go; the outbox stays and is sent
        when they sign in again (a pull from nothing refills the rest)."""
        await self.credentials.clear()
        self.http.headers.pop("Authorization", None)
        user, self.user = self.user, None
        self.engine.signed_out = True
        async with self.engine.between_rounds():
            await self.run_db(self.store.sign_out)
            keep = await self.run_db(self.store.photos_unsent)
        if user:
            await asyncio.to_thread(self.files.forget, user.id, keep)


def _said(response: httpx.Response, fallback: str) -> str:
    """The server's sentence for a refusal, or `fallback` when it sent none."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return detail if isinstance(detail, str) and detail else fallback
