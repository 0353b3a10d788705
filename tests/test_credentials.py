"""Where there is no keyring (headless Linux), the token is kept in memory only and the
user is told so; it is never written to disk."""

from __future__ import annotations

import keyring
from keyring.backends import fail

from app.client import Client
from app.credentials import MEMORY_ONLY_NOTICE, CredentialStore
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def test_without_a_keyring_the_token_is_kept_in_memory_with_a_notice():
    keyring.set_keyring(fail.Keyring())
    store = CredentialStore("device-1")
    store.set("secret-token")
    assert store.memory_only and store.notice == MEMORY_ONLY_NOTICE
    assert store.get() == "secret-token"
    store.clear()
    assert store.get() is None


def test_with_a_keyring_the_token_survives_a_restart(memory_keyring):
    CredentialStore("device-1").set("secret-token")
    again = CredentialStore("device-1")
    assert again.get() == "secret-token" and again.notice is None


async def test_signed_in_on_a_headless_machine_the_app_says_sign_in_is_not_kept(tmp_path, server):
    keyring.set_keyring(fail.Keyring())
    client = await Client.open(tmp_path / "phone", server.url)
    await client.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
    assert client.status().notice == MEMORY_ONLY_NOTICE
    await client.close()
    on_disk = b"".join(p.read_bytes() for p in (tmp_path / "phone").rglob("*") if p.is_file())
    token = client.http.headers["Authorization"].split()[1].encode()
    assert token not in on_disk

    reopened = await Client.open(tmp_path / "phone", server.url)
    assert reopened.user is None  # must sign in again, as the notice said
    await reopened.close()
