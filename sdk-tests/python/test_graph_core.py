"""Drives tally over https with the unmodified msgraph-core and kiota packages from PyPI.

Requests are built the way kiota's generated request builders build them (RequestInformation
from a URL template, Parsable models, an error mapping) and sent through msgraph-core's
BaseGraphRequestAdapter over GraphClientFactory's httpx client and default middleware: create,
list with $filter paged by msgraph-core's PageIterator, get, patch, delete, the report function,
a batch through BatchRequestContent/BatchRequestBuilder, and a throttled call that kiota's
RetryHandler retries after Retry-After.

Environment (sdk-tests/run.sh sets it): TALLY_URL (https://127.0.0.1:PORT), TALLY_THROTTLED_URL
(a tally with --rate-limit 1), TALLY_TOKEN (an application token with Reports.ReadWrite.All),
SSL_CERT_FILE (tally's self-signed certificate: httpx trusts it).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional
from urllib.parse import urlparse

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.serialization import (
    Parsable,
    ParseNode,
    ParseNodeFactoryRegistry,
    SerializationWriter,
    SerializationWriterFactoryRegistry,
)
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware.middleware import BaseMiddleware
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from kiota_serialization_json.json_serialization_writer_factory import (
    JsonSerializationWriterFactory,
)
from msgraph_core import BaseGraphRequestAdapter, GraphClientFactory, PageIterator
from msgraph_core.middleware import GraphTelemetryHandler
from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from harness import check, finish, missing_environment, print_versions, run_checks

BASE = os.environ.get("TALLY_URL", "")
THROTTLED = os.environ.get("TALLY_THROTTLED_URL", "")
TOKEN = os.environ.get("TALLY_TOKEN", "")
# tally is not a Microsoft host: the token provider hands the token only to these hosts.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
COLLECTION = "{+baseurl}/reports/azureADLicenseUsage"
ENTITY = "{+baseurl}/reports/azureADLicenseUsage/{azureADLicenseUsage%2Did}"


# ---- Models, shaped like kiota's generated ones ------------------------------------------------


@dataclass
class LicenseInfoDetail(Parsable):
    license_type: Optional[str] = None
    total_license_count: Optional[int] = None
    total_assigned_count: Optional[int] = None
    total_usage_count: Optional[int] = None
    additional_data: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def create_from_discriminator_value(parse_node: ParseNode) -> LicenseInfoDetail:
        return LicenseInfoDetail()

    def get_field_deserializers(self) -> dict[str, Callable[[ParseNode], None]]:
        return {
            "licenseType": lambda n: setattr(self, "license_type", n.get_str_value()),
            "totalLicenseCount": lambda n: setattr(self, "total_license_count", n.get_int_value()),
            "totalAssignedCount": lambda n: setattr(
                self, "total_assigned_count", n.get_int_value()
            ),
            "totalUsageCount": lambda n: setattr(self, "total_usage_count", n.get_int_value()),
        }

    def serialize(self, writer: SerializationWriter) -> None:
        writer.write_str_value("licenseType", self.license_type)
        writer.write_int_value("totalLicenseCount", self.total_license_count)
        writer.write_int_value("totalAssignedCount", self.total_assigned_count)
        writer.write_int_value("totalUsageCount", self.total_usage_count)


@dataclass
class AzureADLicenseUsage(Parsable):
    id: Optional[str] = None
    snapshot_date_time: Optional[datetime] = None
    license_info_details: Optional[list[LicenseInfoDetail]] = None
    odata_type: Optional[str] = None
    additional_data: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def create_from_discriminator_value(parse_node: ParseNode) -> AzureADLicenseUsage:
        return AzureADLicenseUsage()

    def get_field_deserializers(self) -> dict[str, Callable[[ParseNode], None]]:
        return {
            "id": lambda n: setattr(self, "id", n.get_str_value()),
            "@odata.type": lambda n: setattr(self, "odata_type", n.get_str_value()),
            "snapshotDateTime": lambda n: setattr(
                self, "snapshot_date_time", n.get_datetime_value()
            ),
            "licenseInfoDetails": lambda n: setattr(
                self, "license_info_details", n.get_collection_of_object_values(LicenseInfoDetail)
            ),
        }

    def serialize(self, writer: SerializationWriter) -> None:
        writer.write_datetime_value("snapshotDateTime", self.snapshot_date_time)
        writer.write_collection_of_object_values("licenseInfoDetails", self.license_info_details)


@dataclass
class AzureADLicenseUsageCollectionResponse(Parsable):
    value: Optional[list[AzureADLicenseUsage]] = None
    odata_next_link: Optional[str] = None
    odata_count: Optional[int] = None
    additional_data: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def create_from_discriminator_value(parse_node: ParseNode):
        return AzureADLicenseUsageCollectionResponse()

    def get_field_deserializers(self) -> dict[str, Callable[[ParseNode], None]]:
        return {
            "value": lambda n: setattr(
                self, "value", n.get_collection_of_object_values(AzureADLicenseUsage)
            ),
            "@odata.nextLink": lambda n: setattr(self, "odata_next_link", n.get_str_value()),
            "@odata.count": lambda n: setattr(self, "odata_count", n.get_int_value()),
        }

    def serialize(self, writer: SerializationWriter) -> None:
        writer.write_collection_of_object_values("value", self.value)
        writer.write_str_value("@odata.nextLink", self.odata_next_link)


@dataclass
class MainError(Parsable):
    code: Optional[str] = None
    message: Optional[str] = None
    additional_data: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def create_from_discriminator_value(parse_node: ParseNode) -> MainError:
        return MainError()

    def get_field_deserializers(self) -> dict[str, Callable[[ParseNode], None]]:
        return {
            "code": lambda n: setattr(self, "code", n.get_str_value()),
            "message": lambda n: setattr(self, "message", n.get_str_value()),
        }

    def serialize(self, writer: SerializationWriter) -> None:
        writer.write_str_value("code", self.code)
        writer.write_str_value("message", self.message)


@dataclass
class ODataError(APIError, Parsable):
    error: Optional[MainError] = None
    additional_data: dict[str, Any] = field(default_factory=dict)

    @property
    def primary_message(self) -> Optional[str]:
        return self.error.message if self.error else None

    @staticmethod
    def create_from_discriminator_value(parse_node: ParseNode) -> ODataError:
        return ODataError()

    def get_field_deserializers(self) -> dict[str, Callable[[ParseNode], None]]:
        return {"error": lambda n: setattr(self, "error", n.get_object_value(MainError))}

    def serialize(self, writer: SerializationWriter) -> None:
        writer.write_object_value("error", self.error)


ERRORS = {"XXX": ODataError}


# ---- The client ---------------------------------------------------------------------------------


class StaticTokenProvider(AccessTokenProvider):
    """Hands a fixed token to https URLs on the allowed hosts, as Graph's providers do."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._hosts = AllowedHostsValidator(ALLOWED_HOSTS)

    async def get_authorization_token(self, uri: str, additional_authentication_context=None):
        if urlparse(uri).scheme != "https" or not self._hosts.is_url_host_valid(uri):
            return ""
        return self._token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


class Recorder(BaseMiddleware):
    """Records each status the server answered, below the RetryHandler (so retries show)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, Optional[str], str]] = []

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport):
        response = await super().send(request, transport)
        self.seen.append(
            (response.status_code, request.headers.get("Retry-Attempt"), response.http_version)
        )
        return response


def adapter(base: str, recorder: Recorder) -> BaseGraphRequestAdapter:
    """msgraph-core's adapter over GraphClientFactory's client (httpx, HTTP/2, SSL_CERT_FILE
    trusted) with kiota's default middleware, Graph's telemetry handler, and a Recorder last."""
    middleware = KiotaClientFactory.get_default_middleware(None)
    middleware.append(GraphTelemetryHandler())
    middleware.append(recorder)
    http_client = GraphClientFactory.create_with_custom_middleware(
        middleware=middleware, host=base  # the host parameter names the cloud: here, tally
    )
    auth = BaseBearerTokenAuthenticationProvider(StaticTokenProvider(TOKEN))
    parse = ParseNodeFactoryRegistry()
    parse.CONTENT_TYPE_ASSOCIATED_FACTORIES["application/json"] = JsonParseNodeFactory()
    write = SerializationWriterFactoryRegistry()
    write.CONTENT_TYPE_ASSOCIATED_FACTORIES["application/json"] = JsonSerializationWriterFactory()
    return BaseGraphRequestAdapter(auth, parse, write, http_client)


def request(
    client: BaseGraphRequestAdapter,
    method: Method,
    template: str,
    body: Optional[Parsable] = None,
    query: Optional[dict[str, Any]] = None,
    **path: str,
) -> RequestInformation:
    info = RequestInformation(method, template, {"baseurl": client.base_url, **path})
    info.headers.try_add("Accept", "application/json")
    if query:
        info.query_parameters = dict(query)
    if body is not None:
        info.set_content_from_parsable(client, "application/json", body)
    return info


def detail(kind: str, total: int, assigned: int, used: int) -> LicenseInfoDetail:
    return LicenseInfoDetail(kind, total, assigned, used)


def days_ago(days: float) -> datetime:
    return (datetime.now(timezone.utc) - timedelta(days=days)).replace(microsecond=0)


# ---- The checks ---------------------------------------------------------------------------------

recorder = Recorder()
created: list[AzureADLicenseUsage] = []


def api() -> BaseGraphRequestAdapter:
    global _api
    if "_api" not in globals():
        _api = adapter(BASE, recorder)
    return _api


async def post(body: AzureADLicenseUsage) -> AzureADLicenseUsage:
    info = request(api(), Method.POST, COLLECTION, body)
    return await api().send_async(info, AzureADLicenseUsage, ERRORS)


async def get(id: str) -> AzureADLicenseUsage:
    info = request(api(), Method.GET, ENTITY, **{"azureADLicenseUsage%2Did": id})
    return await api().send_async(info, AzureADLicenseUsage, ERRORS)


async def expect_error(call, status: int, code: str) -> None:
    try:
        await call
    except ODataError as error:
        assert error.response_status_code == status, error.response_status_code
        assert error.error is not None and error.error.code == code, error.error
        return
    raise AssertionError(f"expected {status} {code}")


@check("create answers 201's object with a server id")
async def create_one():
    sent = days_ago(1)
    body = AzureADLicenseUsage(
        snapshot_date_time=sent, license_info_details=[detail("premiumP2", 100, 90, 75)]
    )
    snapshot = await post(body)
    assert snapshot.id and len(snapshot.id) == 36, snapshot.id
    assert snapshot.odata_type == "#microsoft.graph.azureADLicenseUsage", snapshot.odata_type
    assert snapshot.snapshot_date_time == sent, snapshot.snapshot_date_time
    assert snapshot.license_info_details[0].total_usage_count == 75
    created.append(snapshot)


@check("create more snapshots: premiumP2 in some, basic in others, one 40 days old")
async def create_more():
    for i in range(6):
        kind = "premiumP2" if i % 2 == 0 else "basic"
        age = 40 if i == 5 else 2 + i
        body = AzureADLicenseUsage(
            snapshot_date_time=days_ago(age), license_info_details=[detail(kind, 10 + i, 5, i)]
        )
        created.append(await post(body))
    assert len(created) == 7


@check("list with $filter, paged two at a time by msgraph-core's PageIterator")
async def list_filtered():
    query = {"%24filter": "licenseInfoDetails/any(d: d/licenseType eq 'premiumP2')", "%24top": 2}
    info = request(api(), Method.GET, COLLECTION + "{?%24filter,%24top}", query=query)
    first = await api().send_async(info, AzureADLicenseUsageCollectionResponse, ERRORS)
    assert first.odata_next_link.startswith("https://"), first.odata_next_link
    before = len(recorder.seen)
    ids: list[str] = []

    def collect(item: AzureADLicenseUsage) -> bool:
        ids.append(item.id)
        return True

    await PageIterator(first, api()).iterate(collect)
    expected = [s.id for s in created if s.license_info_details[0].license_type == "premiumP2"]
    assert sorted(ids) == sorted(expected), (ids, expected)
    followed = recorder.seen[before:]
    assert len(followed) == 1 and followed[0][0] == 200, followed


@check("get one by id")
async def get_one():
    snapshot = await get(created[0].id)
    assert snapshot.id == created[0].id
    assert snapshot.snapshot_date_time == created[0].snapshot_date_time
    assert snapshot.additional_data["@odata.etag"].startswith('W/"'), snapshot.additional_data


@check("patch answers the whole updated object")
async def patch_one():
    body = AzureADLicenseUsage(license_info_details=[detail("premiumP1", 1, 2, 15)])
    info = request(
        api(), Method.PATCH, ENTITY, body, **{"azureADLicenseUsage%2Did": created[0].id}
    )
    snapshot = await api().send_async(info, AzureADLicenseUsage, ERRORS)
    assert snapshot.id == created[0].id
    assert snapshot.snapshot_date_time == created[0].snapshot_date_time, "untouched property kept"
    assert [(d.license_type, d.total_usage_count) for d in snapshot.license_info_details] == [
        ("premiumP1", 15)
    ]
    again = await get(created[0].id)
    assert again.license_info_details == snapshot.license_info_details


@check("microsoft.graph.getAzureADLicenseUsage(period='D7') answers the last week, oldest first")
async def report():
    template = "{+baseurl}/reports/microsoft.graph.getAzureADLicenseUsage(period='{period}')"
    info = request(api(), Method.GET, template, period="D7")
    page = await api().send_async(info, AzureADLicenseUsageCollectionResponse, ERRORS)
    week_ago = datetime.now(timezone.utc) - timedelta(days=7)
    expected = [s.id for s in created if s.snapshot_date_time >= week_ago]
    assert sorted(s.id for s in page.value) == sorted(expected)
    times = [s.snapshot_date_time for s in page.value]
    assert times == sorted(times), times
    assert created[6].id not in {s.id for s in page.value}, "40 days old is outside D7"


@check("a bad $filter is an ODataError 400 BadRequest")
async def bad_filter():
    query = {"%24filter": "snapshotDateTime gt"}
    info = request(api(), Method.GET, COLLECTION + "{?%24filter}", query=query)
    await expect_error(
        api().send_async(info, AzureADLicenseUsageCollectionResponse, ERRORS), 400, "BadRequest"
    )


@check("batch: create, get, delete, a 404 through BatchRequestContent and BatchRequestBuilder")
async def batch():
    client = api()
    body = AzureADLicenseUsage(snapshot_date_time=days_ago(3), license_info_details=[])
    items = [
        BatchRequestItem(request(client, Method.POST, COLLECTION, body), id="create"),
        BatchRequestItem(
            request(client, Method.GET, ENTITY, **{"azureADLicenseUsage%2Did": created[1].id}),
            id="read",
            depends_on=["create"],
        ),
        BatchRequestItem(
            request(client, Method.DELETE, ENTITY, **{"azureADLicenseUsage%2Did": created[2].id}),
            id="remove",
        ),
        BatchRequestItem(
            request(client, Method.GET, ENTITY, **{"azureADLicenseUsage%2Did": "0" * 8 + "-0000-0000-0000-" + "0" * 12}),
            id="missing",
        ),
    ]
    content = BatchRequestContent()
    for item in items:
        content.add_request(item.id, item)
    answer = await BatchRequestBuilder(client, ERRORS).post(content)
    statuses = answer.get_response_status_codes()
    assert statuses == {"create": 201, "read": 200, "remove": 204, "missing": 404}, statuses
    location = answer.get_response_by_id("create").headers["Location"]
    assert location.startswith(BASE + "/v1.0/reports/azureADLicenseUsage/"), location
    made = await get(location.rsplit("/", 1)[1])
    assert made.snapshot_date_time == body.snapshot_date_time
    await expect_error(get(created[2].id), 404, "Request_ResourceNotFound")
    del created[2]
    created.append(made)


@check("delete, then get is a 404 Request_ResourceNotFound")
async def delete_one():
    id = created[1].id
    info = request(api(), Method.DELETE, ENTITY, **{"azureADLicenseUsage%2Did": id})
    await api().send_no_response_content_async(info, ERRORS)
    await expect_error(get(id), 404, "Request_ResourceNotFound")


@check("a throttled call (429 Retry-After) is retried by kiota's RetryHandler and succeeds")
async def throttled():
    seen = Recorder()
    client = adapter(THROTTLED, seen)
    # Spend the bucket (1 request/s, burst 2) so the adapter's call is throttled.
    async with httpx.AsyncClient(verify=os.environ["SSL_CERT_FILE"]) as plain:
        statuses = []
        for _ in range(4):
            url = f"{THROTTLED}/v1.0/reports/azureADLicenseUsage/$count"
            statuses.append(
                (await plain.get(url, headers={"Authorization": f"Bearer {TOKEN}"})).status_code
            )
    assert 429 in statuses, statuses
    started = time.monotonic()
    info = request(client, Method.GET, COLLECTION + "{?%24top}", query={"%24top": 1})
    page = await client.send_async(info, AzureADLicenseUsageCollectionResponse, ERRORS)
    assert page.value is not None
    assert seen.seen[0][0] == 429, seen.seen
    assert seen.seen[-1][0] == 200, seen.seen
    assert seen.seen[1][1] == "1", f"the retry carries Retry-Attempt: 1: {seen.seen}"
    assert time.monotonic() - started >= 0.9, "waited for Retry-After"


async def main() -> int:
    if missing_environment(("TALLY_URL", "TALLY_THROTTLED_URL", "TALLY_TOKEN", "SSL_CERT_FILE")):
        return 2
    print_versions(
        (
            "msgraph-core",
            "microsoft-kiota-abstractions",
            "microsoft-kiota-http",
            "microsoft-kiota-serialization-json",
            "httpx",
        ),
        BASE,
    )
    passed, failed = await run_checks()
    protocols = sorted({http for _, _, http in recorder.seen})
    print(f"HTTP versions used: {', '.join(protocols)}")
    return finish(passed, failed)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
