//! Request bodies of the directory: a SKU or a user to create or change, and assignLicense's.
//! Each is checked whole before anything is stored; a bad one is a 400 with a message that
//! names the property (Graph's wording where Graph has one).

use serde_json::{Map, Value as Json};
use tally_odata::edm::DateTimeOffset;
use uuid::Uuid;

use crate::catalog::{self, CatalogPlan};

use super::objects::{
    upn_key, AssignedLicense, PrepaidUnits, Profile, ServicePlan, SignInActivity, Sku, User,
};

/// A message for a 400.
pub type BodyError = String;

/// `@odata.type` a client may send (the generated SDK models do), and must then be this type.
fn check_type(body: &Map<String, Json>, ty: &str) -> Result<(), BodyError> {
    match body.get("@odata.type") {
        None => Ok(()),
        Some(Json::String(sent)) if sent.trim_start_matches('#') == ty => Ok(()),
        Some(other) => Err(format!(
            "The @odata.type {other} does not match the type {ty} of the resource."
        )),
    }
}

/// The body as a JSON object, parsed by the same strict parser as the reports' bodies (a
/// duplicate key, a lone surrogate or nesting past serde_json's depth limit is a 400).
fn object(body: &[u8]) -> Result<Map<String, Json>, BodyError> {
    match crate::strict_json::parse_strict(body) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(_) => Err("The request body must be a JSON object.".into()),
        Err(error) => Err(error.to_string()),
    }
}

fn unknown(name: &str, ty: &str) -> BodyError {
    format!(
        "Property '{name}' does not exist on type '{ty}' (or tally does not keep it). Make sure \
         to only use property names that are defined by the type."
    )
}

fn read_only(name: &str) -> BodyError {
    format!("Property '{name}' is read-only and cannot be set.")
}

/// The longest string tally keeps in a directory property without a cap of Graph's own: long
/// enough for any real value, short enough that a page of objects stays small.
pub const MAX_STRING: usize = 256;

/// Graph's caps on a user's strings, in characters (its `maxLength`s, as Entra enforces them).
pub const USER_STRING_CAPS: [(&str, usize); 7] = [
    ("displayName", 256),
    ("givenName", 64),
    ("surname", 64),
    ("jobTitle", 128),
    ("mail", 254),
    ("mailNickname", 64),
    ("userPrincipalName", 113),
];

/// The most items tally keeps in a directory collection (a SKU's servicePlans, its
/// subscriptionIds, the licenses of one assignLicense): real ones hold at most a few dozen.
pub const MAX_ITEMS: usize = 256;

/// A string property: at most `MAX_STRING` characters unless the name has a cap of Graph's
/// own, and no NUL.
fn string(name: &str, value: &Json) -> Result<Option<String>, BodyError> {
    let cap = USER_STRING_CAPS
        .iter()
        .find(|(property, _)| *property == name)
        .map_or(MAX_STRING, |(_, cap)| *cap);
    match value {
        Json::Null => Ok(None),
        Json::String(text) if text.contains('\0') => Err(format!(
            "Property '{name}' cannot contain the NUL character."
        )),
        Json::String(text) if text.chars().count() > cap => Err(format!(
            "Property '{name}' is longer than its limit of {cap} characters."
        )),
        Json::String(text) => Ok(Some(text.clone())),
        other => Err(format!("Property '{name}' must be a string, not {other}.")),
    }
}

fn required_string(name: &str, value: &Json) -> Result<String, BodyError> {
    string(name, value)?.ok_or_else(|| format!("Property '{name}' cannot be null."))
}

/// The items of a collection property, at most [`MAX_ITEMS`] of them.
fn items<'a>(name: &str, value: &'a Json, what: &str) -> Result<&'a [Json], BodyError> {
    match value {
        Json::Array(items) if items.len() > MAX_ITEMS => Err(format!(
            "Property '{name}' has {} items; tally keeps at most {MAX_ITEMS}.",
            items.len()
        )),
        Json::Array(items) => Ok(items),
        other => Err(format!("Property '{name}' must be {what}, not {other}.")),
    }
}

fn guid(name: &str, value: &Json) -> Result<Uuid, BodyError> {
    match value {
        Json::String(text) if text.len() == 36 => Uuid::parse_str(text)
            .map_err(|_| format!("Property '{name}' must be a GUID, not '{text}'.")),
        other => Err(format!("Property '{name}' must be a GUID, not {other}.")),
    }
}

fn guids(name: &str, value: &Json) -> Result<Vec<Uuid>, BodyError> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    let items = items(name, value, "an array of GUIDs")?;
    let mut ids: Vec<Uuid> = Vec::with_capacity(items.len());
    for item in items {
        let id = guid(name, item)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn units(name: &str, value: &Json) -> Result<i32, BodyError> {
    match value.as_i64().and_then(|n| i32::try_from(n).ok()) {
        Some(n) if n >= 0 => Ok(n),
        _ => Err(format!(
            "Property 'prepaidUnits/{name}' must be an integer from 0 to {}, not {value}.",
            i32::MAX
        )),
    }
}

fn date(name: &str, value: &Json) -> Result<Option<String>, BodyError> {
    let Some(text) = string(name, value)? else {
        return Ok(None);
    };
    DateTimeOffset::parse(&text)
        .map(|_| Some(text.clone()))
        .map_err(|error| format!("Property '{name}' is not a DateTimeOffset ('{text}'): {error}."))
}

// ---- SKUs ----

/// The capability states of a SKU.
pub const CAPABILITY_STATUSES: [&str; 5] =
    ["Enabled", "Warning", "Suspended", "Deleted", "LockedOut"];

const SKU_TYPE: &str = "microsoft.graph.subscribedSku";

/// A SKU to create (POST, `tally import`): as [`sku_reported`], and a body that leaves out
/// `servicePlans` or `skuPartNumber` gets the product catalog's for its skuId, when the catalog
/// knows it (SPEC §13.3: `SPE_E5` created by its skuId alone has Graph's plans). A body that
/// gives them (`"servicePlans": []`, `"skuPartNumber": null` included) keeps its own.
pub fn sku_create(body: &[u8]) -> Result<Sku, BodyError> {
    let body = object(body)?;
    let mut sku = new_sku(&body)?;
    if let Some(product) = catalog::by_sku_id(sku.sku_id) {
        if !body.contains_key("servicePlans") {
            sku.service_plans = product.plans.iter().map(catalog_plan).collect();
        }
        if !body.contains_key("skuPartNumber") {
            sku.sku_part_number = Some(product.part_number.to_owned());
        }
    }
    Ok(sku)
}

/// A catalog plan as a SKU's `servicePlanInfo`, with the statuses a body's plan defaults to.
fn catalog_plan(plan: &CatalogPlan) -> ServicePlan {
    ServicePlan {
        service_plan_id: plan.service_plan_id,
        service_plan_name: Some(plan.service_plan_name.to_owned()),
        provisioning_status: Some("Success".into()),
        applies_to: Some("User".into()),
    }
}

/// A SKU as a Graph-compatible source reported it (`tally collect`): `skuId` is required;
/// `appliesTo` defaults to `User`, `capabilityStatus` to `Enabled`, units to 0, and what the
/// source left out stays out (no catalog plans).
pub fn sku_reported(body: &[u8]) -> Result<Sku, BodyError> {
    new_sku(&object(body)?)
}

fn new_sku(body: &Map<String, Json>) -> Result<Sku, BodyError> {
    check_type(body, SKU_TYPE)?;
    let sku_id = match body.get("skuId") {
        Some(value) => guid("skuId", value)?,
        None => return Err("Property 'skuId' is required.".into()),
    };
    let mut sku = Sku {
        sku_id,
        sku_part_number: None,
        applies_to: Some("User".into()),
        capability_status: "Enabled".into(),
        prepaid_units: PrepaidUnits::default(),
        consumed_units: 0,
        service_plans: Vec::new(),
        account_id: None,
        account_name: None,
        subscription_ids: Vec::new(),
    };
    apply_sku(&mut sku, body, true)?;
    Ok(sku)
}

/// A change to a SKU, checked: apply it with [`SkuPatch::apply`].
#[derive(Clone, Debug)]
pub struct SkuPatch(Map<String, Json>);

impl SkuPatch {
    /// Whether the body sets the property `name`.
    pub fn sets(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn parse(body: &[u8]) -> Result<Self, BodyError> {
        let body = object(body)?;
        check_type(&body, SKU_TYPE)?;
        // Check it on a scratch SKU, so that applying it later cannot fail.
        let mut scratch = Sku {
            sku_id: Uuid::nil(),
            sku_part_number: None,
            applies_to: None,
            capability_status: "Enabled".into(),
            prepaid_units: PrepaidUnits::default(),
            consumed_units: 0,
            service_plans: Vec::new(),
            account_id: None,
            account_name: None,
            subscription_ids: Vec::new(),
        };
        apply_sku(&mut scratch, &body, false)?;
        Ok(SkuPatch(body))
    }

    /// Applies the change. It was checked whole when parsed, and no check depends on the SKU
    /// it is applied to, so it applies whole.
    pub fn apply(&self, sku: &mut Sku) {
        let _checked_when_parsed = apply_sku(sku, &self.0, false);
    }
}

fn apply_sku(sku: &mut Sku, body: &Map<String, Json>, create: bool) -> Result<(), BodyError> {
    for (name, value) in body {
        match name.as_str() {
            "@odata.type" => {}
            "skuId" if create => {}
            "skuId" => return Err("Property 'skuId' cannot be changed.".into()),
            "id" | "consumedUnits" => return Err(read_only(name)),
            "skuPartNumber" => sku.sku_part_number = string(name, value)?,
            "appliesTo" => sku.applies_to = string(name, value)?,
            "accountId" => sku.account_id = string(name, value)?,
            "accountName" => sku.account_name = string(name, value)?,
            "capabilityStatus" => {
                let status = required_string(name, value)?;
                if !CAPABILITY_STATUSES.contains(&status.as_str()) {
                    return Err(format!(
                        "Property 'capabilityStatus' must be one of {}, not '{status}'.",
                        CAPABILITY_STATUSES.join(", ")
                    ));
                }
                sku.capability_status = status;
            }
            "prepaidUnits" => sku.prepaid_units = prepaid_units(value)?,
            "servicePlans" => sku.service_plans = service_plans(value)?,
            "subscriptionIds" => {
                sku.subscription_ids = items(name, value, "an array of strings")?
                    .iter()
                    .map(|item| required_string(name, item))
                    .collect::<Result<_, _>>()?;
            }
            other => return Err(unknown(other, SKU_TYPE)),
        }
    }
    Ok(())
}

/// The members of a property whose value must be an object.
fn object_property<'a>(name: &str, value: &'a Json) -> Result<&'a Map<String, Json>, BodyError> {
    match value {
        Json::Object(fields) => Ok(fields),
        other => Err(format!("Property '{name}' must be an object, not {other}.")),
    }
}

fn prepaid_units(value: &Json) -> Result<PrepaidUnits, BodyError> {
    let fields = object_property("prepaidUnits", value)?;
    let mut units_detail = PrepaidUnits::default();
    for (name, value) in fields {
        match name.as_str() {
            "@odata.type" => {}
            "enabled" => units_detail.enabled = units(name, value)?,
            "suspended" => units_detail.suspended = units(name, value)?,
            "warning" => units_detail.warning = units(name, value)?,
            "lockedOut" => units_detail.locked_out = units(name, value)?,
            other => return Err(unknown(other, "microsoft.graph.licenseUnitsDetail")),
        }
    }
    Ok(units_detail)
}

fn service_plans(value: &Json) -> Result<Vec<ServicePlan>, BodyError> {
    let items = items("servicePlans", value, "an array")?;
    let mut plans: Vec<ServicePlan> = Vec::with_capacity(items.len());
    for item in items {
        let Json::Object(fields) = item else {
            return Err(format!(
                "Each of 'servicePlans' must be an object, not {item}."
            ));
        };
        let mut plan = ServicePlan {
            service_plan_id: Uuid::nil(),
            service_plan_name: None,
            provisioning_status: Some("Success".into()),
            applies_to: Some("User".into()),
        };
        let mut has_id = false;
        for (name, value) in fields {
            match name.as_str() {
                "@odata.type" => {}
                "servicePlanId" => {
                    plan.service_plan_id = guid("servicePlans/servicePlanId", value)?;
                    has_id = true;
                }
                "servicePlanName" => plan.service_plan_name = string(name, value)?,
                "provisioningStatus" => plan.provisioning_status = string(name, value)?,
                "appliesTo" => plan.applies_to = string(name, value)?,
                other => return Err(unknown(other, "microsoft.graph.servicePlanInfo")),
            }
        }
        if !has_id {
            return Err("Property 'servicePlans/servicePlanId' is required.".into());
        }
        if plans
            .iter()
            .any(|p| p.service_plan_id == plan.service_plan_id)
        {
            return Err(format!(
                "The service plan {} is listed twice in 'servicePlans'.",
                plan.service_plan_id
            ));
        }
        plans.push(plan);
    }
    Ok(plans)
}

// ---- users ----

const USER_TYPE: &str = "microsoft.graph.user";

/// A user to create. `userPrincipalName` is required; a `passwordProfile` is accepted and
/// dropped (tally keeps no passwords).
pub fn user_create(body: &[u8], id: Uuid) -> Result<User, BodyError> {
    new_user(&object(body)?, id)
}

/// A new user `id` from a body's properties. Without `accountEnabled` or `userType` it is an
/// enabled member (SPEC §12.2: Graph requires the first and defaults the second), so the
/// derived numbers count it.
fn new_user(body: &Map<String, Json>, id: Uuid) -> Result<User, BodyError> {
    check_type(body, USER_TYPE)?;
    if !body.contains_key("userPrincipalName") {
        return Err("Property 'userPrincipalName' is required.".into());
    }
    let mut user = blank_user(id);
    user.account_enabled = Some(true);
    user.profile.user_type = Some("Member".into());
    apply_user(&mut user, body)?;
    Ok(user)
}

/// A user with nothing set, to apply a body to.
fn blank_user(id: Uuid) -> User {
    User {
        id,
        user_principal_name: String::new(),
        account_enabled: None,
        profile: Profile::default(),
        assigned_licenses: Vec::new(),
        assigned_plans: Vec::new(),
        sign_in_activity: SignInActivity::default(),
    }
}

/// A user record of `tally import` (one JSON line): the POST body, with an optional `id` and
/// the user's `assignedLicenses` as `tally export` writes them. Answers the user (without
/// licenses) and the licenses to assign.
pub fn user_import(line: &[u8]) -> Result<(User, Vec<AssignedLicense>), BodyError> {
    let mut body = object(line)?;
    let id = match body.remove("id") {
        None => Uuid::new_v4(),
        Some(value) => guid("id", &value)?,
    };
    let licenses = match body.remove("assignedLicenses") {
        None | Some(Json::Null) => Vec::new(),
        Some(value) => {
            let mut request = Map::new();
            request.insert("addLicenses".into(), value);
            request.insert("removeLicenses".into(), Json::Array(Vec::new()));
            assign_license_fields(&request)?.add
        }
    };
    // Derived, and written by `tally export` for readers: recomputed here.
    body.remove("assignedPlans");
    body.remove("licenseAssignmentStates");
    body.remove("businessPhones");
    Ok((new_user(&body, id)?, licenses))
}

/// A change to a user, checked: apply it with [`UserPatch::apply`].
#[derive(Clone, Debug)]
pub struct UserPatch(Map<String, Json>);

impl UserPatch {
    pub fn parse(body: &[u8]) -> Result<Self, BodyError> {
        let body = object(body)?;
        check_type(&body, USER_TYPE)?;
        apply_user(&mut blank_user(Uuid::nil()), &body)?;
        Ok(UserPatch(body))
    }

    /// Applies the change. It was checked whole when parsed, and no check depends on the user
    /// it is applied to, so it applies whole.
    pub fn apply(&self, user: &mut User) {
        let _checked_when_parsed = apply_user(user, &self.0);
    }

    /// The new userPrincipalName's key, if the change sets one.
    pub fn upn_key(&self) -> Option<String> {
        self.0
            .get("userPrincipalName")
            .and_then(Json::as_str)
            .map(upn_key)
    }
}

fn apply_user(user: &mut User, body: &Map<String, Json>) -> Result<(), BodyError> {
    for (name, value) in body {
        let profile = &mut user.profile;
        match name.as_str() {
            "@odata.type" | "passwordProfile" => {}
            "id" | "assignedLicenses" | "assignedPlans" | "licenseAssignmentStates" => {
                return Err(read_only(name))
            }
            "userPrincipalName" => user.user_principal_name = user_principal_name(value)?,
            "accountEnabled" => {
                user.account_enabled = match value {
                    Json::Null => None,
                    Json::Bool(enabled) => Some(*enabled),
                    other => {
                        return Err(format!(
                            "Property 'accountEnabled' must be true or false, not {other}."
                        ))
                    }
                }
            }
            "displayName" => profile.display_name = string(name, value)?,
            "givenName" => profile.given_name = string(name, value)?,
            "surname" => profile.surname = string(name, value)?,
            "jobTitle" => profile.job_title = string(name, value)?,
            "mail" => profile.mail = string(name, value)?,
            "mailNickname" => profile.mail_nickname = string(name, value)?,
            "userType" => {
                profile.user_type = string(name, value)?;
                if let Some(kind) = profile.user_type.as_deref() {
                    if kind != "Member" && kind != "Guest" {
                        return Err(format!(
                            "Property 'userType' must be Member or Guest, not '{kind}'."
                        ));
                    }
                }
            }
            "usageLocation" => {
                profile.usage_location = string(name, value)?;
                if let Some(location) = &mut profile.usage_location {
                    if location.len() != 2 || !location.bytes().all(|b| b.is_ascii_alphabetic()) {
                        return Err(format!(
                            "Property 'usageLocation' must be a two-letter country code \
                             (ISO 3166-1 alpha-2), not '{location}'."
                        ));
                    }
                    location.make_ascii_uppercase();
                }
            }
            "signInActivity" => user.sign_in_activity = sign_in_activity(value)?,
            other => return Err(unknown(other, USER_TYPE)),
        }
    }
    Ok(())
}

/// `alias@domain` with the characters Entra allows: in the alias letters, digits and
/// `' . - _ ! # ^ ~` (no `.` just before the `@`), in the domain letters, digits, `-` and `.`;
/// so no control character, space or second `@` is ever stored (or printed by `tally collect`).
fn user_principal_name(value: &Json) -> Result<String, BodyError> {
    let upn = required_string("userPrincipalName", value)?;
    let alias_char = |c: char| c.is_ascii_alphanumeric() || "'.-_!#^~".contains(c);
    let domain_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    let valid = upn.split_once('@').is_some_and(|(alias, domain)| {
        !alias.is_empty()
            && !domain.is_empty()
            && !alias.ends_with('.')
            && alias.chars().all(alias_char)
            && domain.chars().all(domain_char)
    });
    if valid {
        Ok(upn)
    } else {
        Err(format!(
            "Invalid value specified for property 'userPrincipalName' of resource 'User': \
             {:?} is not of the form alias@domain (the alias may hold letters, digits and \
             ' . - _ ! # ^ ~, the domain letters, digits, - and .).",
            upn
        ))
    }
}

fn sign_in_activity(value: &Json) -> Result<SignInActivity, BodyError> {
    let fields = object_property("signInActivity", value)?;
    let mut activity = SignInActivity::default();
    for (name, value) in fields {
        match name.as_str() {
            "@odata.type" => {}
            "lastSignInDateTime" => activity.last_sign_in_date_time = date(name, value)?,
            "lastNonInteractiveSignInDateTime" => {
                activity.last_non_interactive_sign_in_date_time = date(name, value)?
            }
            "lastSuccessfulSignInDateTime" => {
                activity.last_successful_sign_in_date_time = date(name, value)?
            }
            other => return Err(unknown(other, "microsoft.graph.signInActivity")),
        }
    }
    Ok(activity)
}

// ---- assignLicense ----

/// `assignLicense`'s parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignLicense {
    pub add: Vec<AssignedLicense>,
    pub remove: Vec<Uuid>,
}

/// Parses `{"addLicenses": [{"skuId", "disabledPlans"}], "removeLicenses": [skuId]}`; both are
/// required, as on Graph (either may be empty).
pub fn assign_license(body: &[u8]) -> Result<AssignLicense, BodyError> {
    assign_license_fields(&object(body)?)
}

fn assign_license_fields(body: &Map<String, Json>) -> Result<AssignLicense, BodyError> {
    let mut request = AssignLicense {
        add: Vec::new(),
        remove: Vec::new(),
    };
    for (name, value) in body {
        match name.as_str() {
            "addLicenses" => {
                for item in items(name, value, "an array")? {
                    let Json::Object(fields) = item else {
                        return Err("Each of 'addLicenses' must be an object.".into());
                    };
                    let mut sku_id = None;
                    let mut disabled_plans = Vec::new();
                    for (name, value) in fields {
                        match name.as_str() {
                            "@odata.type" => {}
                            "skuId" => sku_id = Some(guid("addLicenses/skuId", value)?),
                            "disabledPlans" => disabled_plans = guids("disabledPlans", value)?,
                            other => return Err(unknown(other, "microsoft.graph.assignedLicense")),
                        }
                    }
                    let Some(sku_id) = sku_id else {
                        return Err("Each of 'addLicenses' needs a 'skuId'.".into());
                    };
                    if request.add.iter().any(|license| license.sku_id == sku_id) {
                        return Err(format!(
                            "License {sku_id} is listed twice in 'addLicenses'."
                        ));
                    }
                    request.add.push(AssignedLicense {
                        disabled_plans,
                        sku_id,
                    });
                }
            }
            "removeLicenses" => request.remove = guids("removeLicenses", value)?,
            other => {
                return Err(format!(
                    "The parameter '{other}' is not a parameter of assignLicense, whose \
                     parameters are addLicenses and removeLicenses."
                ))
            }
        }
    }
    for key in ["addLicenses", "removeLicenses"] {
        if !body.contains_key(key) {
            return Err(format!(
                "The parameter '{key}' is required (it may be empty)."
            ));
        }
    }
    Ok(request)
}
