//! `tally collect`'s read of `/directory/subscriptions` (SPEC §13.2): each `companySubscription`
//! read straight from the page as a typed record (anything else Graph adds is skipped unread),
//! then validated through the resource's description as Graph reported it, Graph's `id` and
//! read-only properties (skuPartNumber, serviceStatus) kept. A 403 is not an error: the tenant
//! is collected without subscriptions, and the caller says so.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tally_model::resources::COMPANY_SUBSCRIPTION;
use tally_model::{parse_reported, Entity};

use super::graph::{Graph, Refusal};
use super::limits::Pages;
use super::records::ServicePlan;

/// The permissions any of which lets an app read subscriptions, for the 403's line.
pub(super) const READ_PERMISSIONS: &str =
    "Organization.Read.All, Directory.Read.All or LicenseAssignment.Read.All";

/// A `companySubscription` as Graph sends it; a null property is left out (its default, or
/// null, applies). Values are JSON until the description validates them, so that a wrong one
/// is named by property.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GraphSubscription {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commerce_subscription_id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_date_time: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_trial: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_lifecycle_date_time: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_tenant_id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_type: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_status: Option<Vec<ServicePlan>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku_id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku_part_number: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_licenses: Option<Value>,
}

impl GraphSubscription {
    /// The stored object, checked by the description; a refused one fails the collect, named.
    pub(super) fn into_entity(self) -> anyhow::Result<Entity> {
        let shown = |value: &Option<Value>| match value {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => "?".to_owned(),
        };
        let name = format!(
            "the subscription {} (commerceSubscriptionId {})",
            shown(&self.id),
            shown(&self.commerce_subscription_id)
        );
        let body = serde_json::to_vec(&self)?;
        parse_reported(COMPANY_SUBSCRIPTION.entity, &body)
            .map_err(|error| anyhow::anyhow!("{name} from Graph: {error}"))
    }
}

/// Reads the tenant's subscriptions, following every nextLink within `pages`; `None` when
/// Graph refuses the first page with 403 (the app lacks the permission). Any other failure,
/// or a 403 past the first page, fails the collect as the other reads do.
pub(super) fn read(
    client: &mut Graph,
    graph: &str,
    pages: &mut Pages,
) -> anyhow::Result<Option<Vec<Entity>>> {
    let first = format!("{graph}/v1.0/directory/subscriptions");
    let mut subscriptions = Vec::new();
    let mut next = Some(first.clone());
    while let Some(url) = next.take() {
        pages.admit(&url)?;
        let page = match client.get_page(&url, GraphSubscription::into_entity) {
            Err(error) if url == first && forbidden(&error) => return Ok(None),
            page => page?,
        };
        subscriptions.extend(page.records);
        next = client.next_link(page.next_link)?;
    }
    Ok(Some(subscriptions))
}

fn forbidden(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<Refusal>()
        .is_some_and(|refusal| refusal.status == 403)
}

#[cfg(test)]
mod tests {
    use super::GraphSubscription;
    use tally_model::resources::{subscription_property as property, COMPANY_SUBSCRIPTION};

    const ID: &str = "5a0a2f5e-8f44-4b8e-9d0b-111111111111";

    fn entity(json: &str) -> anyhow::Result<tally_model::Entity> {
        serde_json::from_str::<GraphSubscription>(json)?.into_entity()
    }

    #[test]
    fn a_subscription_keeps_graphs_id_and_read_only_properties_and_skips_the_rest() {
        let subscription = entity(&format!(
            r#"{{"id":"{ID}","commerceSubscriptionId":"c-1","createdDateTime":"2025-01-02T03:04:05Z",
            "isTrial":false,"nextLifecycleDateTime":null,"ownerType":null,"skuId":"not-a-sku-here",
            "skuPartNumber":"GRAPHS_OWN","status":"Enabled","totalLicenses":7,"unknownToTally":[1],
            "serviceStatus":[{{"servicePlanId":"41781fb2-bc02-4b7c-bd55-b576c07bb09d","servicePlanName":"P",
            "provisioningStatus":"Success","appliesTo":"User","extra":1}}]}}"#
        ))
        .unwrap();
        let ty = COMPANY_SUBSCRIPTION.entity;
        assert_eq!(subscription.id.to_string(), ID);
        let get = |p| subscription.get(ty, p).as_str().map(str::to_owned);
        assert_eq!(
            get(property::sku_part_number()).as_deref(),
            Some("GRAPHS_OWN")
        );
        assert_eq!(get(property::sku_id()).as_deref(), Some("not-a-sku-here"));
        assert_eq!(
            subscription
                .get(ty, property::service_status())
                .items()
                .len(),
            1
        );
    }

    #[test]
    fn an_unusable_subscription_fails_naming_it() {
        let error = entity(r#"{"id":"x1","commerceSubscriptionId":"c-2","skuId":"s","status":"Enabled","totalLicenses":1}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("subscription x1 (commerceSubscriptionId c-2)"),
            "{error}"
        );
        assert!(error.contains("not a GUID"), "{error}");
        let error = entity(&format!(r#"{{"id":"{ID}","commerceSubscriptionId":"c-3","skuId":"s","status":"Enabled","totalLicenses":-1}}"#))
            .unwrap_err()
            .to_string();
        assert!(error.contains("totalLicenses"), "{error}");
        let error = entity(&format!(r#"{{"id":"{ID}","skuId":"s","totalLicenses":1}}"#))
            .unwrap_err()
            .to_string();
        assert!(error.contains("'status' is required"), "{error}");
    }
}
