"""Reads tally's GET /beta/reports/azureADPremiumLicenseInsight (SPEC §12.3) over https with the
full, unmodified msgraph-beta-sdk from PyPI: the generated beta GraphServiceClient, its request
builder client.reports.azure_a_d_premium_license_insight and its typed models.

The client is built as in test_msgraph_sdk_directory.py (an azure-core credential that hands out
the static TALLY_TOKEN behind kiota's AzureIdentityAuthenticationProvider with tally's hosts
allowed, the beta SDK's own GraphRequestAdapter), with the adapter's base URL {TALLY_URL}/beta.
Nothing in the SDK is patched or subclassed.

The tenant is set up with plain httpx calls and the same token, since the beta SDK has no request
builder for two of them: tally's POST /v1.0/subscribedSkus (an emulator-only write),
POST /v1.0/users, and POST /beta/reports/azureADUserFeatureUsage (2019–2022 beta type, no longer
in the SDK), with dates relative to now so that every one of the seven userCounts is known by
hand. Everything read goes through the SDK.

Environment (sdk-tests/run.sh sets it): TALLY_URL (https://127.0.0.1:PORT), TALLY_TOKEN (an
application token with Directory.ReadWrite.All and Reports.ReadWrite.All in a fresh tenant),
SSL_CERT_FILE (tally's self-signed certificate: httpx trusts it).
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import datetime, timedelta, timezone

import httpx
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta.generated.models.azure_a_d_premium_feature_utilization import (
    AzureADPremiumFeatureUtilization,
)
from msgraph_beta.generated.models.azure_a_d_premium_license_insight import (
    AzureADPremiumLicenseInsight,
)
from msgraph_beta.generated.models.azure_a_d_premium_p1_feature_utilizations import (
    AzureADPremiumP1FeatureUtilizations,
)
from msgraph_beta.generated.models.azure_a_d_premium_p2_feature_utilizations import (
    AzureADPremiumP2FeatureUtilizations,
)
from msgraph_beta.generated.models.internet_access_feature_utilizations import (
    InternetAccessFeatureUtilizations,
)
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.private_access_feature_utilizations import (
    PrivateAccessFeatureUtilizations,
)
from msgraph_beta.generated.reports.azure_a_d_premium_license_insight.azure_a_d_premium_license_insight_request_builder import (
    AzureADPremiumLicenseInsightRequestBuilder,
)
from harness import (
    check,
    claims_of,
    finish,
    missing_environment,
    print_versions,
    run_checks,
    StaticTokenCredential,
)

BASE = os.environ.get("TALLY_URL", "")
TOKEN = os.environ.get("TALLY_TOKEN", "")
# tally is not a Microsoft host: the SDK hands the token only to the hosts listed here.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


# ---- The client, as a user builds it ------------------------------------------------------------


def graph_client() -> GraphServiceClient:
    auth = AzureIdentityAuthenticationProvider(
        StaticTokenCredential(TOKEN),
        scopes=["https://graph.microsoft.com/.default"],
        allowed_hosts=ALLOWED_HOSTS,
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{BASE}/beta"
    return GraphServiceClient(request_adapter=adapter)


# ---- The checks ---------------------------------------------------------------------------------

client: GraphServiceClient
RUN = uuid.uuid4().hex[:8]
P2_PLAN = "eec0eb4f-6444-4f95-aba0-50c24d67f998"  # AAD_PREMIUM_P2
P1_PLAN = "41781fb2-bc02-4b7c-bd55-b576c07bb09d"  # AAD_PREMIUM
BASIC_PLAN = "c4da7f8a-5ee2-4c99-a7e1-87d2df57f6fe"  # AAD_BASIC
# Entitled: P2 = 10 enabled + 2 warning (suspended and lockedOut do not count), P1 = 5, so 17.
SKUS = [
    ("SPE_E5", 10, 2, [("AAD_PREMIUM_P2", P2_PLAN), ("AAD_PREMIUM", P1_PLAN)]),
    ("AAD_PREMIUM", 5, 0, [("AAD_PREMIUM", P1_PLAN)]),
]
BASIC_SKU = ("AAD_BASIC", 3, 0, [("AAD_BASIC", BASIC_PLAN)])
# Two userIds that have feature usage but no /users entry: they count as members.
UNLISTED_A = str(uuid.uuid4())
UNLISTED_B = str(uuid.uuid4())
UNLISTED_C = str(uuid.uuid4())
# The seven userCounts the records below make, worked out by hand in setup_feature_usage.
EXPECTED = {
    "conditionalAccess": 3,
    "conditionalAccessGuestUsers": 1,
    "riskBasedConditionalAccess": 1,
    "riskBasedConditionalAccessGuestUsers": 2,
    "internetAccess": 3,
    "internetAccessM365": 1,
    "privateAccess": 2,
}
people: dict[str, str] = {}  # name -> the /users id tally gave


def days(n: float) -> str:
    """n days from now (negative: ago), as Graph writes a date."""
    return (datetime.now(timezone.utc) + timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def post(path: str, body: dict) -> dict:
    async with httpx.AsyncClient(verify=os.environ["SSL_CERT_FILE"]) as plain:
        response = await plain.post(
            f"{BASE}{path}", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert response.status_code == 201, (path, response.status_code, response.text)
    return response.json()


async def post_sku(part: str, enabled: int, warning: int, plans: list[tuple[str, str]]) -> None:
    created = await post(
        "/v1.0/subscribedSkus",
        {
            "skuId": str(uuid.uuid4()),
            "skuPartNumber": part,
            "appliesTo": "User",
            "capabilityStatus": "Enabled",
            "prepaidUnits": {"enabled": enabled, "suspended": 7, "warning": warning, "lockedOut": 9},
            "servicePlans": [
                {
                    "servicePlanId": plan_id,
                    "servicePlanName": name,
                    "provisioningStatus": "Success",
                    "appliesTo": "User",
                }
                for name, plan_id in plans
            ],
        },
    )
    assert created["skuPartNumber"] == part, created


async def record(user_id: str, updated: float, uses: list[tuple[str, float]]) -> None:
    await post(
        "/beta/reports/azureADUserFeatureUsage",
        {
            "userId": user_id,
            "lastUpdatedDateTime": days(updated),
            "featureUsageDetails": [
                {"featureName": feature, "lastUsedDateTime": days(used)} for feature, used in uses
            ],
        },
    )


async def expect_odata_error(call, status: int, code: str) -> ODataError:
    try:
        await call
    except ODataError as error:
        assert error.response_status_code == status, (error.response_status_code, error.error)
        assert error.error is not None and error.error.code == code, error.error
        assert error.error.message, "the error carries a message"
        return error
    raise AssertionError(f"expected ODataError {status} {code}")


def insight():
    return client.reports.azure_a_d_premium_license_insight


def counts(got: AzureADPremiumLicenseInsight) -> dict[str, int | None]:
    p1, p2 = got.p1_feature_utilizations, got.p2_feature_utilizations
    internet, private = got.internet_access_feature_utilizations, got.private_access_feature_utilizations
    return {
        "conditionalAccess": p1.conditional_access.user_count,
        "conditionalAccessGuestUsers": p1.conditional_access_guest_users.user_count,
        "riskBasedConditionalAccess": p2.risk_based_conditional_access.user_count,
        "riskBasedConditionalAccessGuestUsers": p2.risk_based_conditional_access_guest_users.user_count,
        "internetAccess": internet.internet_access.user_count,
        "internetAccessM365": internet.internet_access_m365.user_count,
        "privateAccess": private.private_access.user_count,
    }


@check("a tenant with no SKU: azure_a_d_premium_license_insight.get() raises ODataError 403 missingLicense")
async def no_sku():
    await expect_odata_error(insight().get(), 403, "missingLicense")


@check("setup (httpx): a Basic-only tenant still raises ODataError 403 missingLicense")
async def basic_only():
    await post_sku(*BASIC_SKU)
    error = await expect_odata_error(insight().get(), 403, "missingLicense")
    # The SDK reads Graph's error shape, innerError included.
    assert error.error.inner_error is not None, error.error


@check("setup (httpx): a P2 and a P1 SKU, a member and a guest in /users")
async def setup_directory():
    for sku in SKUS:
        await post_sku(*sku)
    for name, kind in [("mia", "Member"), ("gus", "Guest"), ("gwen", "Guest")]:
        created = await post(
            "/v1.0/users",
            {
                "accountEnabled": True,
                "displayName": f"Insight {name} {RUN}",
                "mailNickname": f"{name}{RUN}",
                "userPrincipalName": f"{name}.{RUN}@contoso.example",
                "userType": kind,
            },
        )
        # (userType is not among the properties Graph returns by default)
        people[name] = created["id"]


@check("setup (httpx): azureADUserFeatureUsage records that make each userCount known by hand")
async def setup_feature_usage():
    # mia, a member: only her latest record counts (the older one's risk-based use 1 day ago
    # does not). conditionalAccess 10 days ago counts, risk-based 40 days ago does not,
    # internetAccess 1 day ago counts.
    await record(people["mia"], -20, [("riskBasedConditionalAccess", -1)])
    await record(
        people["mia"],
        -2,
        [("conditionalAccess", -10), ("riskBasedConditionalAccess", -40), ("internetAccess", -1)],
    )
    # gus, a guest: counted among the guests for both conditional-access features, nowhere else.
    await record(people["gus"], -1, [("conditionalAccess", -2), ("riskBasedConditionalAccess", -5)])
    # gwen, a guest: risk-based only.
    await record(people["gwen"], -1, [("riskBasedConditionalAccess", -6)])
    # No /users entries, so members. Feature names match in any case; a use dated after now does
    # not count; 29 days ago does, 31 does not (the window is 30 x 24 h).
    await record(
        UNLISTED_A,
        -1,
        [("CONDITIONALACCESS", -29), ("privateAccess", -3), ("internetAccessM365", 1)],
    )
    await record(
        UNLISTED_B,
        -3,
        [
            ("riskBasedConditionalAccess", -3),
            ("internetAccess", -4),
            ("internetAccessM365", -5),
            ("conditionalAccess", -31),
        ],
    )
    await record(
        UNLISTED_C, -1, [("internetAccess", -7), ("privateAccess", -8), ("conditionalAccess", -1)]
    )
    # So: conditionalAccess mia, A, C = 3; its guests gus = 1; riskBased B = 1; its guests gus,
    # gwen = 2; internetAccess mia, B, C = 3; internetAccessM365 B = 1; privateAccess A, C = 2.


@check("azure_a_d_premium_license_insight.get() reads the typed model: id, entitled counts, 7 userCounts")
async def read_insight():
    got = await insight().get()
    assert isinstance(got, AzureADPremiumLicenseInsight), type(got)
    assert got.id == claims_of(TOKEN)["tid"], got.id
    assert got.entitled_p1_license_count == 5, got.entitled_p1_license_count
    assert got.entitled_p2_license_count == 12, got.entitled_p2_license_count
    assert got.entitled_total_license_count == 17, got.entitled_total_license_count
    assert isinstance(got.p1_feature_utilizations, AzureADPremiumP1FeatureUtilizations)
    assert isinstance(got.p2_feature_utilizations, AzureADPremiumP2FeatureUtilizations)
    assert isinstance(got.internet_access_feature_utilizations, InternetAccessFeatureUtilizations)
    assert isinstance(got.private_access_feature_utilizations, PrivateAccessFeatureUtilizations)
    assert isinstance(got.p1_feature_utilizations.conditional_access, AzureADPremiumFeatureUtilization)
    assert counts(got) == EXPECTED, counts(got)
    # Nothing in the body is unknown to the generated model (only OData annotations are left over).
    extra = {key for key in got.additional_data if not key.startswith("@odata.")}
    assert extra == set(), extra
    for group in (
        got.p1_feature_utilizations,
        got.p2_feature_utilizations,
        got.internet_access_feature_utilizations,
        got.private_access_feature_utilizations,
    ):
        extra = {key for key in group.additional_data if not key.startswith("@odata.")}
        assert extra == set(), (type(group).__name__, extra)


@check("$select through the SDK's query parameters returns only the selected properties (and id)")
async def select():
    query = AzureADPremiumLicenseInsightRequestBuilder.AzureADPremiumLicenseInsightRequestBuilderGetQueryParameters(
        select=["entitledP2LicenseCount", "p2FeatureUtilizations"]
    )
    got = await insight().get(RequestConfiguration(query_parameters=query))
    assert isinstance(got, AzureADPremiumLicenseInsight), type(got)
    assert got.id == claims_of(TOKEN)["tid"], got.id
    assert got.entitled_p2_license_count == 12, got.entitled_p2_license_count
    p2 = got.p2_feature_utilizations
    assert p2.risk_based_conditional_access.user_count == 1, p2
    assert p2.risk_based_conditional_access_guest_users.user_count == 2, p2
    left_out = {
        "entitled_p1_license_count": got.entitled_p1_license_count,
        "entitled_total_license_count": got.entitled_total_license_count,
        "p1_feature_utilizations": got.p1_feature_utilizations,
        "internet_access_feature_utilizations": got.internet_access_feature_utilizations,
        "private_access_feature_utilizations": got.private_access_feature_utilizations,
    }
    assert all(value is None for value in left_out.values()), left_out


@check("$select of an unknown property raises ODataError 400 BadRequest")
async def select_unknown():
    query = AzureADPremiumLicenseInsightRequestBuilder.AzureADPremiumLicenseInsightRequestBuilderGetQueryParameters(
        select=["nope"]
    )
    await expect_odata_error(
        insight().get(RequestConfiguration(query_parameters=query)), 400, "BadRequest"
    )


async def main() -> int:
    global client
    if missing_environment(("TALLY_URL", "TALLY_TOKEN", "SSL_CERT_FILE")):
        return 2
    print_versions(
        (
            "msgraph-beta-sdk",
            "msgraph-core",
            "microsoft-kiota-abstractions",
            "microsoft-kiota-serialization-json",
            "microsoft-kiota-http",
            "httpx",
        ),
        BASE,
    )
    client = graph_client()
    passed, failed = await run_checks()
    return finish(passed, failed)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
