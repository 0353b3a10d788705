"""Where there is no keyring (headless Linux), the token is kept in memory only and the
user is told so; it is never written to disk."""

from __future__ import annotations

import keyring
from keyring.backends import fail

from app.client import Client
from app.credentials import MEMORY_ONLY_NOTICE, CredentialStore
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class PhoneStorage:
    """A phone's secure storage, as flet_secure_storage offers it (async, by key)."""

    def __init__(self, broken: bool = False) -> None:
        self.values: dict[str, str] = {}
        self.broken = broken

    async def get(self, key):
        if self.broken:
            raise RuntimeError("Keystore unavailable")
        return self.values.get(key)

    async def set(self, key, value):
        if self.broken:
            raise RuntimeError("Keystore unavailable")
        self.values[key] = value

    async def remove(self, key):
        self.values.pop(key, None)


async def test_without_a_keyring_the_token_is_kept_in_memory_with_a_notice():
    keyring.set_keyring(fail.Keyring())
    store = CredentialStore("device-1")
    await store.set("secret-token")
    assert store.memory_only and store.notice == MEMORY_ONLY_NOTICE
    assert await store.get() == "secret-token"
    await store.clear()
    assert await store.get() is None


async def test_with_a_keyring_the_token_survives_a_restart(memory_keyring):
    await CredentialStore("device-1").set("secret-token")
    again = CredentialStore("device-1")
    assert await again.get() == "secret-token" and again.notice is None


async def test_on_a_phone_the_token_lives_in_its_secure_storage_not_the_keyring(memory_keyring):
    phone = PhoneStorage()
    await CredentialStore("device-1", phone).set("secret-token")
    assert list(phone.values.values()) == ["secret-token"] and memory_keyring.secrets == {}
    again = CredentialStore("device-1", phone)
    assert await again.get() == "secret-token" and again.notice is None
    await again.clear()
    assert phone.values == {}


async def test_a_phone_whose_secure_storage_fails_keeps_the_token_in_memory_and_says_so():
    store = CredentialStore("device-1", PhoneStorage(broken=True))
    await store.set("secret-token")
    assert store.notice == MEMORY_ONLY_NOTICE and await store.get() == "secret-token"


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


async def test_the_notice_once_hidden_stays_hidden_on_that_device(tmp_path, server):
    keyring.set_keyring(fail.Keyring())
    client = await Client.open(tmp_path / "phone", server.url)
    await client.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
    await client.dismiss_notice()
    assert client.status().notice is None
    await client.close()
    reopened = await Client.open(tmp_path / "phone", server.url)
    await reopened.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
    assert reopened.status().notice is None  # said once, not again on every screen
    await reopened.close()
    elsewhere = await Client.open(tmp_path / "another-device", server.url)
    await elsewhere.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
    assert elsewhere.status().notice == MEMORY_ONLY_NOTICE  # another device still says it
    await elsewhere.close()
