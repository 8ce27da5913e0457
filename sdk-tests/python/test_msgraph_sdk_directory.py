"""Drives tally's directory API (SPEC §12.2) over https with the full, unmodified msgraph-sdk
from PyPI: the generated GraphServiceClient and its fluent request builders and models.

The client is built the way a user points the SDK at another cloud: an azure-core credential
(here one that hands out the static TALLY_TOKEN) behind kiota's AzureIdentityAuthenticationProvider
with tally's hosts allowed, the SDK's own GraphRequestAdapter, and the adapter's base URL set to
{TALLY_URL}/v1.0. Nothing in the SDK is patched or subclassed.

The SKUs are set up with tally's POST /subscribedSkus (an emulator-only write) through a plain
httpx call with the same token; everything after that goes through the SDK: subscribed_skus.get(),
users.post(User(...)), users.by_user_id(id).assign_license.post(...), license_details.get(),
users.get() with $filter/$top/$orderby/$count paged by msgraph-core's PageIterator and by
odata_next_link with with_url, and the ODataError the SDK raises for tally's 400s and 404s.

Subscriptions (SPEC §13.2): a third SKU and two companySubscriptions of it are set up with tally's
POST /subscribedSkus and POST /directory/subscriptions (httpx again), then read through the SDK:
directory.subscriptions.get() into typed CompanySubscription models, by_company_subscription_id
and subscriptions_with_commerce_subscription_id, $filter/$select/$count/$orderby/$top, the SKU's
prepaid_units and subscription_ids taken from its subscriptions, the SDK's own post/patch/delete
and count, and the ODataError 403 for a token without a read permission.

Environment (sdk-tests/run.sh sets it): TALLY_URL (https://127.0.0.1:PORT), TALLY_TOKEN (an
application token with Directory.ReadWrite.All and AuditLog.Read.All in a fresh tenant),
TALLY_LIMITED_TOKEN (the same tenant's application token with User.Read.All only),
SSL_CERT_FILE (tally's self-signed certificate: httpx trusts it).
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import datetime, timedelta, timezone
from typing import Optional

import httpx
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.directory.subscriptions.subscriptions_request_builder import (
    SubscriptionsRequestBuilder,
)
from msgraph.generated.models.assigned_license import AssignedLicense
from msgraph.generated.models.company_subscription import CompanySubscription
from msgraph.generated.models.company_subscription_collection_response import (
    CompanySubscriptionCollectionResponse,
)
from msgraph.generated.models.license_units_detail import LicenseUnitsDetail
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.service_plan_info import ServicePlanInfo
from msgraph.generated.models.sign_in_activity import SignInActivity
from msgraph.generated.models.subscribed_sku import SubscribedSku
from msgraph.generated.models.user import User
from msgraph.generated.models.user_collection_response import UserCollectionResponse
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import (
    AssignLicensePostRequestBody,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core import PageIterator
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
# The same tenant's token with User.Read.All only: it may not read subscriptions.
LIMITED_TOKEN = os.environ.get("TALLY_LIMITED_TOKEN", "")
# tally is not a Microsoft host: the SDK hands the token only to the hosts listed here.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


# ---- The client, as a user builds it ------------------------------------------------------------


def graph_client(token: str = TOKEN) -> GraphServiceClient:
    auth = AzureIdentityAuthenticationProvider(
        StaticTokenCredential(token),
        scopes=["https://graph.microsoft.com/.default"],
        allowed_hosts=ALLOWED_HOSTS,
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{BASE}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


# ---- The checks ---------------------------------------------------------------------------------

client: GraphServiceClient
# This run's fresh objects. SKU "big" has 4 enabled units and two service plans; SKU "one" has
# one unit, to run out of.
RUN = uuid.uuid4().hex[:8]
PLAN_A = uuid.uuid4()
PLAN_B = uuid.uuid4()
SKUS = {
    "big": {"skuId": uuid.uuid4(), "part": "ENTERPRISEPREMIUM", "enabled": 4, "warning": 0},
    "one": {"skuId": uuid.uuid4(), "part": "EMS", "enabled": 1, "warning": 0},
}
PREFIX = f"Sdk{RUN}"
users: list[User] = []  # the users created, in creation order


def sku_body(name: str) -> dict:
    sku = SKUS[name]
    return {
        "skuId": str(sku["skuId"]),
        "skuPartNumber": sku["part"],
        "appliesTo": "User",
        "capabilityStatus": "Enabled",
        "prepaidUnits": {
            "enabled": sku["enabled"],
            "suspended": 0,
            "warning": sku["warning"],
            "lockedOut": 0,
        },
        "servicePlans": [
            {
                "servicePlanId": str(PLAN_A),
                "servicePlanName": "AAD_PREMIUM",
                "provisioningStatus": "Success",
                "appliesTo": "User",
            },
            {
                "servicePlanId": str(PLAN_B),
                "servicePlanName": "AAD_PREMIUM_P2",
                "provisioningStatus": "Success",
                "appliesTo": "User",
            },
        ],
    }


def sku_id(name: str) -> uuid.UUID:
    return SKUS[name]["skuId"]


def object_id(name: str) -> str:
    return f"{claims_of(TOKEN)['tid']}_{sku_id(name)}"


async def consumed(name: str) -> Optional[int]:
    sku = await client.subscribed_skus.by_subscribed_sku_id(object_id(name)).get()
    return sku.consumed_units


def add(name: str, disabled: Optional[list[uuid.UUID]] = None) -> AssignedLicense:
    return AssignedLicense(sku_id=sku_id(name), disabled_plans=disabled or [])


async def assign(user: User, add_names=(), remove_names=()) -> Optional[User]:
    body = AssignLicensePostRequestBody(
        add_licenses=[add(name) for name in add_names],
        remove_licenses=[sku_id(name) for name in remove_names],
    )
    return await client.users.by_user_id(user.id).assign_license.post(body)


async def licenses_of(user: User) -> list[uuid.UUID]:
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
        select=["id", "assignedLicenses", "usageLocation"]
    )
    got = await client.users.by_user_id(user.id).get(RequestConfiguration(query_parameters=query))
    return sorted((license.sku_id for license in got.assigned_licenses), key=str)


async def expect_odata_error(call, status: int, code: str) -> ODataError:
    try:
        await call
    except ODataError as error:
        assert error.response_status_code == status, (error.response_status_code, error.error)
        assert error.error is not None and error.error.code == code, error.error
        assert error.error.message, "the error carries a message"
        return error
    raise AssertionError(f"expected ODataError {status} {code}")


@check("setup (tally only): POST /subscribedSkus through httpx with the same token answers 201")
async def setup_skus():
    async with httpx.AsyncClient(verify=os.environ["SSL_CERT_FILE"]) as plain:
        for name in SKUS:
            response = await plain.post(
                f"{BASE}/v1.0/subscribedSkus",
                json=sku_body(name),
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            assert response.status_code == 201, (response.status_code, response.text)
            assert response.json()["id"] == object_id(name), response.json()


@check("subscribed_skus.get() reads skuId, prepaidUnits, consumedUnits, servicePlans into models")
async def list_skus():
    page = await client.subscribed_skus.get()
    by_sku = {sku.sku_id: sku for sku in page.value}
    assert set(by_sku) == {sku_id(name) for name in SKUS}, by_sku.keys()
    big = by_sku[sku_id("big")]
    assert isinstance(big, SubscribedSku)
    assert isinstance(big.sku_id, uuid.UUID)
    assert big.id == object_id("big"), big.id
    assert big.sku_part_number == "ENTERPRISEPREMIUM", big.sku_part_number
    assert big.applies_to == "User" and big.capability_status == "Enabled"
    assert isinstance(big.prepaid_units, LicenseUnitsDetail)
    units = big.prepaid_units
    assert (units.enabled, units.suspended, units.warning, units.locked_out) == (4, 0, 0, 0), units
    assert big.consumed_units == 0, big.consumed_units
    plans = {(plan.service_plan_id, plan.service_plan_name) for plan in big.service_plans}
    assert plans == {(PLAN_A, "AAD_PREMIUM"), (PLAN_B, "AAD_PREMIUM_P2")}, plans
    one = await client.subscribed_skus.by_subscribed_sku_id(object_id("one")).get()
    assert one.sku_id == sku_id("one") and one.prepaid_units.enabled == 1, one


@check("users.post(User(...)) with a password_profile answers 201's user (five users)")
async def create_users():
    for i, name in enumerate(["Ada", "Bea", "Cy", "Dee", "Eve"]):
        body = User(
            account_enabled=True,
            display_name=f"{PREFIX} {name}",
            mail_nickname=f"{name.lower()}{RUN}",
            user_principal_name=f"{name.lower()}.{RUN}@contoso.example",
            usage_location="US",
            user_type="Member",
            password_profile=PasswordProfile(
                force_change_password_next_sign_in=True, password=f"xWwvJ]6NMw+bWH-d{i}"
            ),
        )
        user = await client.users.post(body)
        assert isinstance(user, User)
        assert user.id and len(user.id) == 36, user.id
        assert user.display_name == body.display_name, user.display_name
        assert user.user_principal_name == body.user_principal_name, user.user_principal_name
        assert user.password_profile is None, "the password is never returned"
        users.append(user)


@check("users.by_user_id(userPrincipalName).get() finds the user; $select reads usageLocation")
async def get_by_upn():
    got = await client.users.by_user_id(users[0].user_principal_name).get()
    assert got.id == users[0].id, got.id
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
        select=["id", "displayName", "usageLocation", "assignedLicenses", "accountEnabled"]
    )
    got = await client.users.by_user_id(users[0].id).get(
        RequestConfiguration(query_parameters=query)
    )
    assert got.usage_location == "US" and got.account_enabled is True, got
    assert got.assigned_licenses == [], got.assigned_licenses


@check("assign_license.post(AssignLicensePostRequestBody) answers the user; consumedUnits goes up")
async def assign_licenses():
    body = AssignLicensePostRequestBody(
        add_licenses=[add("big", disabled=[PLAN_B])], remove_licenses=[]
    )
    answered = await client.users.by_user_id(users[0].id).assign_license.post(body)
    assert isinstance(answered, User) and answered.id == users[0].id, answered
    assert await consumed("big") == 1
    for user in users[1:3]:
        await assign(user, add_names=["big"])
    assert await consumed("big") == 3
    assert await licenses_of(users[0]) == [sku_id("big")]


@check("license_details.get() lists the SKU, its disabled plan Disabled")
async def license_details():
    page = await client.users.by_user_id(users[0].id).license_details.get()
    assert len(page.value) == 1, page.value
    detail = page.value[0]
    assert detail.sku_id == sku_id("big") and detail.sku_part_number == "ENTERPRISEPREMIUM", detail
    status = {plan.service_plan_id: plan.provisioning_status for plan in detail.service_plans}
    assert status[PLAN_B] == "Disabled", status
    assert status[PLAN_A] != "Disabled", status
    none = await client.users.by_user_id(users[4].id).license_details.get()
    assert none.value == [], none.value


@check("users.get() $filter assignedLicenses/any(...) with $top 2, paged by msgraph-core's PageIterator")
async def page_by_license():
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        filter=f"assignedLicenses/any(x:x/skuId eq {sku_id('big')})", top=2
    )
    first = await client.users.get(RequestConfiguration(query_parameters=query))
    assert isinstance(first, UserCollectionResponse)
    assert len(first.value) == 2, [u.display_name for u in first.value]
    assert first.odata_next_link and first.odata_next_link.startswith(BASE + "/v1.0/users"), (
        first.odata_next_link
    )
    ids: list[str] = []

    def collect(user: User) -> bool:
        assert isinstance(user, User), type(user)
        ids.append(user.id)
        return True

    iterator = PageIterator(first, client.request_adapter, error_mapping={"XXX": ODataError})
    await iterator.iterate(collect)
    assert sorted(ids) == sorted(u.id for u in users[:3]), (ids, [u.id for u in users])


@check("users.get() startswith + $orderby + $count (ConsistencyLevel), following odata_next_link with with_url")
async def page_by_name():
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        filter=f"startswith(displayName,'{PREFIX}')",
        orderby=["displayName"],
        count=True,
        top=2,
        select=["id", "displayName", "userPrincipalName"],
    )
    config = RequestConfiguration(query_parameters=query)
    config.headers.add("ConsistencyLevel", "eventual")
    page = await client.users.get(config)
    assert page.odata_count == 5, page.odata_count
    names: list[str] = []
    pages = 0
    while True:
        pages += 1
        names.extend(user.display_name for user in page.value)
        if not page.odata_next_link:
            break
        again = RequestConfiguration()
        again.headers.add("ConsistencyLevel", "eventual")
        page = await client.users.with_url(page.odata_next_link).get(again)
    assert pages == 3, pages
    assert names == sorted(u.display_name for u in users), names


@check("assignLicense with no free unit raises ODataError 400 Request_BadRequest, atomically")
async def no_free_unit():
    await assign(users[0], add_names=["one"])
    assert await consumed("one") == 1
    await expect_odata_error(assign(users[1], add_names=["one"]), 400, "Request_BadRequest")
    # "big" has a free unit and "one" has none: neither is assigned.
    await expect_odata_error(
        assign(users[3], add_names=["big", "one"]), 400, "Request_BadRequest"
    )
    assert await consumed("one") == 1
    assert await consumed("big") == 3
    assert await licenses_of(users[3]) == []


@check("assignLicense to a user without usageLocation raises ODataError 400 Request_BadRequest")
async def no_usage_location():
    body = User(
        account_enabled=True,
        display_name=f"Nowhere {RUN}",
        mail_nickname=f"nowhere{RUN}",
        user_principal_name=f"nowhere.{RUN}@contoso.example",
    )
    user = await client.users.post(body)
    await expect_odata_error(assign(user, add_names=["big"]), 400, "Request_BadRequest")
    assert await consumed("big") == 3
    await client.users.by_user_id(user.id).delete()


@check("assignLicense removeLicenses takes the SKU off: consumedUnits down, licenseDetails empty")
async def remove_license():
    await assign(users[0], remove_names=["big", "one"])
    assert await consumed("big") == 2
    assert await consumed("one") == 0
    assert await licenses_of(users[0]) == []
    page = await client.users.by_user_id(users[0].id).license_details.get()
    assert page.value == [], page.value
    # the freed unit of "one" can be given again
    await assign(users[1], add_names=["one"])
    assert await consumed("one") == 1


@check("signInActivity: the SDK model's datetimes (+00:00) written, read with $select, $filter lt")
async def sign_in_activity():
    month_ago = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=30)
    body = User(
        account_enabled=True,
        display_name=f"Stale {RUN}",
        mail_nickname=f"stale{RUN}",
        user_principal_name=f"stale.{RUN}@contoso.example",
        usage_location="US",
        sign_in_activity=SignInActivity(
            last_sign_in_date_time=month_ago,
            last_non_interactive_sign_in_date_time=month_ago + timedelta(days=1),
            last_successful_sign_in_date_time=month_ago,
        ),
    )
    user = await client.users.post(body)
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
        select=["id", "signInActivity"]
    )
    got = await client.users.by_user_id(user.id).get(RequestConfiguration(query_parameters=query))
    activity = got.sign_in_activity
    assert isinstance(activity, SignInActivity), got
    assert activity.last_sign_in_date_time == month_ago, activity.last_sign_in_date_time
    assert activity.last_non_interactive_sign_in_date_time == month_ago + timedelta(days=1)
    week_ago = (datetime.now(timezone.utc) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        filter=f"signInActivity/lastSignInDateTime lt {week_ago}",
        select=["id", "displayName", "signInActivity"],
    )
    page = await client.users.get(RequestConfiguration(query_parameters=query))
    assert [u.id for u in page.value] == [user.id], [u.display_name for u in page.value]
    await client.users.by_user_id(user.id).delete()


@check("users.by_user_id(id).delete(), then get raises ODataError 404 Request_ResourceNotFound")
async def delete_user():
    await client.users.by_user_id(users[4].id).delete()
    await expect_odata_error(
        client.users.by_user_id(users[4].id).get(), 404, "Request_ResourceNotFound"
    )


@check("the SDK's own subscribed_skus.post/delete (generated, undocumented on Graph) work on tally")
async def sdk_writes_sku():
    created = await client.subscribed_skus.post(
        SubscribedSku(
            sku_id=uuid.uuid4(),
            sku_part_number="STANDARDPACK",
            applies_to="User",
            capability_status="Enabled",
            prepaid_units=LicenseUnitsDetail(enabled=2, suspended=0, warning=0, locked_out=0),
            service_plans=[],
        )
    )
    assert created.sku_part_number == "STANDARDPACK" and created.consumed_units == 0, created
    await client.subscribed_skus.by_subscribed_sku_id(created.id).delete()
    await expect_odata_error(
        client.subscribed_skus.by_subscribed_sku_id(created.id).get(),
        404,
        "Request_ResourceNotFound",
    )


# ---- Subscriptions (SPEC §13.2): companySubscription at /directory/subscriptions ----------------

# A third SKU, set up with two subscriptions through tally's own writes: an Enabled trial of 10
# licenses with a next lifecycle date, and a Warning one of 3.
SUBSCRIBED = {"skuId": uuid.uuid4(), "part": "SPE_E5"}
NEXT_LIFECYCLE = datetime(2027, 3, 1, 12, 30, tzinfo=timezone.utc)
subscriptions: dict[str, dict] = {}  # by status: the subscription as tally's POST answered it


@check("setup (tally only): one SKU and two subscriptions (Enabled 10 trial, Warning 3) via httpx")
async def setup_subscriptions():
    body = {
        "skuId": str(SUBSCRIBED["skuId"]),
        "skuPartNumber": SUBSCRIBED["part"],
        "appliesTo": "User",
        "capabilityStatus": "Enabled",
        "prepaidUnits": {"enabled": 0, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [
            {
                "servicePlanId": str(PLAN_A),
                "servicePlanName": "AAD_PREMIUM",
                "provisioningStatus": "Success",
                "appliesTo": "User",
            }
        ],
    }
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(verify=os.environ["SSL_CERT_FILE"]) as plain:
        response = await plain.post(f"{BASE}/v1.0/subscribedSkus", json=body, headers=headers)
        assert response.status_code == 201, (response.status_code, response.text)
        for status, total, extra in [
            (
                "Enabled",
                10,
                {"isTrial": True, "nextLifecycleDateTime": "2027-03-01T12:30:00Z"},
            ),
            ("Warning", 3, {}),
        ]:
            body = {"skuId": str(SUBSCRIBED["skuId"]), "status": status, "totalLicenses": total}
            response = await plain.post(
                f"{BASE}/v1.0/directory/subscriptions", json=body | extra, headers=headers
            )
            assert response.status_code == 201, (response.status_code, response.text)
            subscriptions[status] = response.json()


@check("directory.subscriptions.get() reads every companySubscription field into typed models")
async def list_subscriptions():
    page = await client.directory.subscriptions.get()
    assert isinstance(page, CompanySubscriptionCollectionResponse), type(page)
    by_status = {s.status: s for s in page.value}
    assert set(by_status) == {"Enabled", "Warning"}, by_status.keys()
    for status, total in (("Enabled", 10), ("Warning", 3)):
        got = by_status[status]
        posted = subscriptions[status]
        assert isinstance(got, CompanySubscription), type(got)
        assert got.id == posted["id"], (got.id, posted)
        assert got.commerce_subscription_id == posted["commerceSubscriptionId"], got
        assert isinstance(got.created_date_time, datetime), got.created_date_time
        assert got.created_date_time.tzinfo is not None, got.created_date_time
        assert abs(datetime.now(timezone.utc) - got.created_date_time) < timedelta(minutes=5)
        assert got.sku_id == str(SUBSCRIBED["skuId"]), got.sku_id
        assert got.sku_part_number == SUBSCRIBED["part"], got.sku_part_number
        assert isinstance(got.total_licenses, int) and got.total_licenses == total, got
        assert isinstance(got.service_status, list) and len(got.service_status) == 1, got
        plan = got.service_status[0]
        assert isinstance(plan, ServicePlanInfo), type(plan)
        assert isinstance(plan.service_plan_id, uuid.UUID) and plan.service_plan_id == PLAN_A
        assert plan.service_plan_name == "AAD_PREMIUM", plan.service_plan_name
    trial, warning = by_status["Enabled"], by_status["Warning"]
    assert trial.is_trial is True and warning.is_trial is False, (trial.is_trial, warning.is_trial)
    assert trial.next_lifecycle_date_time == NEXT_LIFECYCLE, trial.next_lifecycle_date_time
    assert warning.next_lifecycle_date_time is None, warning.next_lifecycle_date_time


@check("by_company_subscription_id(id).get() and subscriptions_with_commerce_subscription_id(...)")
async def get_subscription():
    posted = subscriptions["Enabled"]
    got = await client.directory.subscriptions.by_company_subscription_id(posted["id"]).get()
    assert isinstance(got, CompanySubscription), type(got)
    assert got.id == posted["id"] and got.total_licenses == 10 and got.is_trial is True, got
    assert got.next_lifecycle_date_time == NEXT_LIFECYCLE, got.next_lifecycle_date_time
    by_commerce = await client.directory.subscriptions_with_commerce_subscription_id(
        posted["commerceSubscriptionId"]
    ).get()
    assert isinstance(by_commerce, CompanySubscription), type(by_commerce)
    assert by_commerce.id == posted["id"], by_commerce.id
    await expect_odata_error(
        client.directory.subscriptions.by_company_subscription_id(str(uuid.uuid4())).get(),
        404,
        "Request_ResourceNotFound",
    )


@check("directory.subscriptions.get() with $filter status eq 'Warning', $select, $count and $orderby")
async def filter_subscriptions():
    query = SubscriptionsRequestBuilder.SubscriptionsRequestBuilderGetQueryParameters(
        filter="status eq 'Warning'", select=["id", "status", "totalLicenses"], count=True
    )
    page = await client.directory.subscriptions.get(RequestConfiguration(query_parameters=query))
    assert [s.id for s in page.value] == [subscriptions["Warning"]["id"]], page.value
    assert page.odata_count == 1, page.odata_count
    only = page.value[0]
    assert only.total_licenses == 3 and only.sku_id is None, only
    query = SubscriptionsRequestBuilder.SubscriptionsRequestBuilderGetQueryParameters(
        orderby=["totalLicenses desc"], top=1
    )
    page = await client.directory.subscriptions.get(RequestConfiguration(query_parameters=query))
    assert [s.total_licenses for s in page.value] == [10], page.value
    assert page.odata_next_link, "a next page"


@check("subscribed_skus: the SKU's prepaid_units are its subscriptions' (10/3), subscription_ids both")
async def sku_of_subscriptions():
    key = f"{claims_of(TOKEN)['tid']}_{SUBSCRIBED['skuId']}"
    sku = await client.subscribed_skus.by_subscribed_sku_id(key).get()
    assert isinstance(sku, SubscribedSku) and sku.sku_id == SUBSCRIBED["skuId"], sku
    units = sku.prepaid_units
    assert isinstance(units, LicenseUnitsDetail), type(units)
    assert (units.enabled, units.warning, units.suspended, units.locked_out) == (10, 3, 0, 0), units
    expected = sorted(s["commerceSubscriptionId"] for s in subscriptions.values())
    assert sorted(sku.subscription_ids) == expected, sku.subscription_ids
    page = await client.subscribed_skus.get()
    listed = {s.sku_id: s for s in page.value}[SUBSCRIBED["skuId"]]
    assert listed.prepaid_units.enabled == 10 and listed.prepaid_units.warning == 3, listed
    assert sorted(listed.subscription_ids) == expected, listed.subscription_ids


@check("the SDK's own directory.subscriptions.post/patch/delete and count.get() work on tally")
async def sdk_writes_subscription():
    key = f"{claims_of(TOKEN)['tid']}_{SUBSCRIBED['skuId']}"

    async def units() -> tuple:
        got = (await client.subscribed_skus.by_subscribed_sku_id(key).get()).prepaid_units
        return (got.enabled, got.warning, got.suspended, got.locked_out)

    created = await client.directory.subscriptions.post(
        CompanySubscription(sku_id=str(SUBSCRIBED["skuId"]), status="Suspended", total_licenses=2)
    )
    assert isinstance(created, CompanySubscription) and created.is_trial is False, created
    assert created.sku_part_number == SUBSCRIBED["part"], created.sku_part_number
    assert await client.directory.subscriptions.count.get() == 3
    assert await units() == (10, 3, 2, 0)
    item = client.directory.subscriptions.by_company_subscription_id(created.id)
    patched = await item.patch(CompanySubscription(status="Expired"))
    assert patched.status == "Expired" and patched.total_licenses == 2, patched
    assert await units() == (10, 3, 0, 0)
    await item.delete()
    await expect_odata_error(item.get(), 404, "Request_ResourceNotFound")
    assert await client.directory.subscriptions.count.get() == 2


@check("a token without a subscription read permission: directory.subscriptions.get() raises ODataError 403")
async def subscriptions_forbidden():
    limited = graph_client(LIMITED_TOKEN)
    error = await expect_odata_error(
        limited.directory.subscriptions.get(), 403, "Authorization_RequestDenied"
    )
    assert "subscriptions" in error.error.message, error.error.message


async def main() -> int:
    global client
    if missing_environment(("TALLY_URL", "TALLY_TOKEN", "TALLY_LIMITED_TOKEN", "SSL_CERT_FILE")):
        return 2
    print_versions(
        (
            "msgraph-sdk",
            "msgraph-core",
            "microsoft-kiota-abstractions",
            "microsoft-kiota-authentication-azure",
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
