"""Signs in to tally with the unmodified azure-identity from PyPI (client credentials, SPEC §12.4)
and drives the full generated msgraph-sdk with that credential: no token is minted by tally's
CLI or pasted anywhere; the app is registered with `tally app add` and the credential asks
tally's token endpoint, as it would ask Entra ID.

Both of azure-identity's ClientSecretCredentials are used: the synchronous one (azure.identity,
which goes through msal) and the asynchronous one (azure.identity.aio, azure-identity's own
client) that GraphServiceClient needs. Each is given tally as its authority host with instance
discovery off (tally is not a Microsoft host), and trusts tally's self-signed certificate through
azure-core's connection_verify. The Graph client is built as in test_msgraph_sdk_directory.py
(kiota's AzureIdentityAuthenticationProvider with tally's hosts allowed, the SDK's
GraphRequestAdapter with its base URL set to {TALLY_URL}/v1.0), only with the real credential.

Checks: get_token (sync and async) answers an application token of the app's tenant and roles
that expires in the future; a SKU set up through tally's POST /subscribedSkus (httpx, with a
token from the credential) is listed by subscribed_skus.get(); users.post() and
users.by_user_id().get(); a wrong secret raises ClientAuthenticationError with AADSTS7000215;
a second app without a directory role gets the SDK's ODataError 403.

Environment (sdk-tests/run.sh sets it): TALLY_URL (https://127.0.0.1:PORT, also the authority),
TALLY_TENANT (a fresh tenant), TALLY_CLIENT_ID and TALLY_CLIENT_SECRET (an app there with
Directory.ReadWrite.All and Reports.ReadWrite.All), TALLY_LIMITED_CLIENT_ID and
TALLY_LIMITED_CLIENT_SECRET (an app there with Reports.Read.All only), SSL_CERT_FILE (tally's
self-signed certificate).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid

import httpx
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential
from azure.identity.aio import ClientSecretCredential as AsyncClientSecretCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.user import User
from harness import check, claims_of, finish, missing_environment, print_versions, run_checks

REQUIRED = (
    "TALLY_URL",
    "TALLY_TENANT",
    "TALLY_CLIENT_ID",
    "TALLY_CLIENT_SECRET",
    "TALLY_LIMITED_CLIENT_ID",
    "TALLY_LIMITED_CLIENT_SECRET",
    "SSL_CERT_FILE",
)
BASE = os.environ.get("TALLY_URL", "")
TENANT = os.environ.get("TALLY_TENANT", "")
CLIENT_ID = os.environ.get("TALLY_CLIENT_ID", "")
SECRET = os.environ.get("TALLY_CLIENT_SECRET", "")
CERT = os.environ.get("SSL_CERT_FILE", "")
SCOPE = "https://graph.microsoft.com/.default"
# tally is not a Microsoft host: the SDK hands the token only to the hosts listed here.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


# ---- The credentials and the client, as a user builds them --------------------------------------


def options() -> dict:
    return {
        "authority": BASE,
        "disable_instance_discovery": True,
        "connection_verify": CERT,
    }


def credential(client_id: str = CLIENT_ID, secret: str = SECRET) -> ClientSecretCredential:
    return ClientSecretCredential(TENANT, client_id, secret, **options())


def async_credential(
    client_id: str = CLIENT_ID, secret: str = SECRET
) -> AsyncClientSecretCredential:
    return AsyncClientSecretCredential(TENANT, client_id, secret, **options())


def graph_client(cred: AsyncClientSecretCredential) -> GraphServiceClient:
    auth = AzureIdentityAuthenticationProvider(cred, scopes=[SCOPE], allowed_hosts=ALLOWED_HOSTS)
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{BASE}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


# ---- The checks ---------------------------------------------------------------------------------

cred: AsyncClientSecretCredential
client: GraphServiceClient
RUN = uuid.uuid4().hex[:8]
SKU_ID = uuid.uuid4()
created: list[User] = []


def assert_app_token(token, now: float) -> None:
    assert token.expires_on > now + 3000, (token.expires_on, now)
    got = claims_of(token.token)
    assert got["tid"] == TENANT, got
    assert got["appid"] == CLIENT_ID and got["azp"] == CLIENT_ID, got
    assert got["idtyp"] == "app", got
    assert set(got["roles"]) == {"Directory.ReadWrite.All", "Reports.ReadWrite.All"}, got


@check("ClientSecretCredential (sync, msal).get_token answers the app's token, expiring in about an hour")
async def sync_get_token():
    now = time.time()
    with credential() as sync:
        token = sync.get_token(SCOPE)
        assert_app_token(token, now)
        assert sync.get_token(SCOPE).token == token.token, "msal serves the second from its cache"


@check("ClientSecretCredential (aio).get_token answers the app's token, expiring in about an hour")
async def async_get_token():
    now = time.time()
    assert_app_token(await cred.get_token(SCOPE), now)


@check("setup (tally only): POST /subscribedSkus through httpx with a token from the credential")
async def setup_sku():
    token = (await cred.get_token(SCOPE)).token
    body = {
        "skuId": str(SKU_ID),
        "skuPartNumber": "ENTERPRISEPREMIUM",
        "appliesTo": "User",
        "capabilityStatus": "Enabled",
        "prepaidUnits": {"enabled": 3, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [],
    }
    async with httpx.AsyncClient(verify=CERT) as plain:
        response = await plain.post(
            f"{BASE}/v1.0/subscribedSkus", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 201, (response.status_code, response.text)


@check("GraphServiceClient with the credential: subscribed_skus.get() lists the SKU")
async def list_skus():
    page = await client.subscribed_skus.get()
    skus = {sku.sku_id: sku for sku in page.value}
    assert set(skus) == {SKU_ID}, skus.keys()
    sku = skus[SKU_ID]
    assert sku.id == f"{TENANT}_{SKU_ID}", sku.id
    assert sku.prepaid_units.enabled == 3 and sku.consumed_units == 0, sku


@check("GraphServiceClient with the credential: users.post() then users.by_user_id().get()")
async def create_and_read_user():
    body = User(
        account_enabled=True,
        display_name=f"Identity{RUN} Ada",
        mail_nickname=f"ada{RUN}",
        user_principal_name=f"ada.{RUN}@contoso.example",
        usage_location="US",
        password_profile=PasswordProfile(
            force_change_password_next_sign_in=True, password="xWwvJ]6NMw+bWH-d"
        ),
    )
    user = await client.users.post(body)
    assert isinstance(user, User) and user.id and len(user.id) == 36, user
    created.append(user)
    got = await client.users.by_user_id(user.id).get()
    assert got.id == user.id, got.id
    assert got.display_name == body.display_name, got.display_name
    assert got.user_principal_name == body.user_principal_name, got.user_principal_name
    by_upn = await client.users.by_user_id(body.user_principal_name).get()
    assert by_upn.id == user.id, by_upn.id


@check("a wrong secret: the sync credential raises ClientAuthenticationError with AADSTS7000215")
async def sync_wrong_secret():
    with credential(secret=SECRET + "x") as wrong:
        try:
            wrong.get_token(SCOPE)
        except ClientAuthenticationError as error:
            assert "AADSTS7000215" in str(error), str(error)
            return
    raise AssertionError("expected ClientAuthenticationError")


@check("a wrong secret: the aio credential raises ClientAuthenticationError with AADSTS7000215")
async def async_wrong_secret():
    async with async_credential(secret=SECRET + "x") as wrong:
        try:
            await wrong.get_token(SCOPE)
        except ClientAuthenticationError as error:
            assert "AADSTS7000215" in str(error), str(error)
            return
    raise AssertionError("expected ClientAuthenticationError")


@check("an app with Reports.Read.All only: the SDK raises ODataError 403 Authorization_RequestDenied")
async def limited_app():
    limited_id = os.environ["TALLY_LIMITED_CLIENT_ID"]
    async with async_credential(limited_id, os.environ["TALLY_LIMITED_CLIENT_SECRET"]) as limited:
        token = await limited.get_token(SCOPE)
        assert claims_of(token.token)["roles"] == ["Reports.Read.All"], claims_of(token.token)
        denied = graph_client(limited)
        for call in (denied.users.get(), denied.users.by_user_id(created[0].id).get()):
            try:
                await call
            except ODataError as error:
                assert error.response_status_code == 403, (error.response_status_code, error.error)
                assert error.error.code == "Authorization_RequestDenied", error.error
                continue
            raise AssertionError("expected ODataError 403")


async def main() -> int:
    global cred, client
    if missing_environment(REQUIRED):
        return 2
    print_versions(
        ("azure-identity", "msal", "azure-core", "msgraph-sdk", "aiohttp"),
        BASE,
    )
    async with async_credential() as cred:
        client = graph_client(cred)
        passed, failed = await run_checks()
    return finish(passed, failed)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
