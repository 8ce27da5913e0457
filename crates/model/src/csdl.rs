//! The CSDL XML served at `$metadata`, written from the resources' descriptions: every enum,
//! complex and entity type they use, `reportRoot` with a containment navigation property per
//! collection, and the functions; and the directory's types (SPEC §12.2) with their entity
//! sets, `user/licenseDetails` and the `assignLicense` action; and the premium license insight
//! (SPEC §12.3), `reportRoot/azureADPremiumLicenseInsight`.
//!
//! Differences from Graph's own document, on purpose: `reportRoot` has a containment
//! navigation property per collection (Graph exposes only the functions), and properties
//! tally requires (such as `licenseInfoDetail/licenseType`) are not nullable.

use std::fmt::Write;

use tally_odata::schema::{ComplexType, EntityType, EnumType, Property, Type};

use crate::directory::insight::PREMIUM_LICENSE_INSIGHT;
use crate::directory::types::{LICENSE_DETAILS, SUBSCRIBED_SKU, USER};
use crate::resources::{FunctionKind, ResourceDef, ALL};

/// The whole `$metadata` document.
pub fn metadata_xml() -> &'static str {
    static XML: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    XML.get_or_init(|| write_metadata(ALL))
}

fn write_metadata(resources: &[&ResourceDef]) -> String {
    let mut enums: Vec<&EnumType> = Vec::new();
    let mut complexes: Vec<&ComplexType> = Vec::new();
    // The reports' entity types, then the directory's.
    let entities: Vec<&EntityType> = resources
        .iter()
        .map(|def| def.entity)
        .chain([
            &SUBSCRIBED_SKU,
            &USER,
            &LICENSE_DETAILS,
            &PREMIUM_LICENSE_INSIGHT,
        ])
        .collect();
    for entity in &entities {
        for property in entity.properties {
            collect(property, &mut enums, &mut complexes);
        }
    }
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
"#,
    );
    for ty in &enums {
        let _ = writeln!(xml, r#"      <EnumType Name="{}">"#, ty.short_name());
        for (value, member) in ty.members.iter().enumerate() {
            let _ = writeln!(xml, r#"        <Member Name="{member}" Value="{value}" />"#);
        }
        xml.push_str("      </EnumType>\n");
    }
    xml.push_str(
        r#"      <EntityType Name="entity" Abstract="true">
        <Key>
          <PropertyRef Name="id" />
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="reportRoot" BaseType="graph.entity">
"#,
    );
    for def in resources {
        let _ = writeln!(
            xml,
            r#"        <NavigationProperty Name="{}" Type="Collection(graph.{})" ContainsTarget="true" />"#,
            def.collection,
            def.entity.short_name()
        );
    }
    xml.push_str(
        r#"        <NavigationProperty Name="azureADPremiumLicenseInsight" Type="graph.azureADPremiumLicenseInsight" ContainsTarget="true" />
"#,
    );
    xml.push_str("      </EntityType>\n");
    for entity in &entities {
        let _ = writeln!(
            xml,
            r#"      <EntityType Name="{}" BaseType="graph.entity">"#,
            entity.short_name()
        );
        write_properties(&entity.properties[1..], &mut xml);
        if std::ptr::eq(*entity, &USER) {
            xml.push_str(
                r#"        <NavigationProperty Name="licenseDetails" Type="Collection(graph.licenseDetails)" ContainsTarget="true" />
"#,
            );
        }
        xml.push_str("      </EntityType>\n");
    }
    for ty in &complexes {
        let _ = writeln!(xml, r#"      <ComplexType Name="{}">"#, ty.short_name());
        write_properties(ty.properties, &mut xml);
        xml.push_str("      </ComplexType>\n");
    }
    for def in resources {
        let _ = writeln!(
            xml,
            r#"      <Function Name="{}" IsBound="true" IsComposable="true">
        <Parameter Name="bindingParameter" Type="graph.reportRoot" />"#,
            def.function.name
        );
        if let FunctionKind::Window = def.function.kind {
            xml.push_str(
                "        <Parameter Name=\"period\" Type=\"Edm.String\" Nullable=\"false\" />\n",
            );
        }
        let _ = writeln!(
            xml,
            r#"        <ReturnType Type="Collection(graph.{})" />
      </Function>"#,
            def.entity.short_name()
        );
    }
    xml.push_str(
        r#"      <Action Name="assignLicense" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.user" />
        <Parameter Name="addLicenses" Type="Collection(graph.assignedLicense)" Nullable="false" />
        <Parameter Name="removeLicenses" Type="Collection(Edm.Guid)" Nullable="false" />
        <ReturnType Type="graph.user" />
      </Action>
      <EntityContainer Name="GraphService">
        <Singleton Name="reports" Type="microsoft.graph.reportRoot" />
        <EntitySet Name="subscribedSkus" EntityType="microsoft.graph.subscribedSku" />
        <EntitySet Name="users" EntityType="microsoft.graph.user" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#,
    );
    xml
}

fn collect(
    property: &Property,
    enums: &mut Vec<&'static EnumType>,
    complexes: &mut Vec<&'static ComplexType>,
) {
    match property.ty {
        Type::Enum(ty) if !enums.contains(&ty) => enums.push(ty),
        Type::Collection(ty) | Type::Complex(ty) if !complexes.contains(&ty) => {
            complexes.push(ty);
            for property in ty.properties {
                collect(property, enums, complexes);
            }
        }
        _ => {}
    }
}

fn write_properties(properties: &[Property], xml: &mut String) {
    for property in properties {
        let nullable = if property.nullable {
            ""
        } else {
            r#" Nullable="false""#
        };
        let _ = writeln!(
            xml,
            r#"        <Property Name="{}" Type="{}"{nullable} />"#,
            property.name,
            property.ty.csdl()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_and_its_types_are_described_once() {
        let xml = metadata_xml();
        for def in ALL {
            let entity = format!(r#"<EntityType Name="{}" "#, def.entity.short_name());
            assert_eq!(xml.matches(&entity).count(), 1, "{entity}");
            assert!(xml.contains(&format!(r#"<Function Name="{}""#, def.function.name)));
            assert!(xml.contains(&format!(r#"<NavigationProperty Name="{}""#, def.collection)));
        }
        assert_eq!(
            xml.matches(r#"<EnumType Name="azureADLicenseType">"#)
                .count(),
            1
        );
        assert!(xml.contains(
            r#"<Property Name="licenseType" Type="graph.azureADLicenseType" Nullable="false" />"#
        ));
        assert!(xml.contains(
            r#"<Property Name="licenseInfoDetails" Type="Collection(graph.licenseInfoDetail)" Nullable="false" />"#
        ));
    }

    #[test]
    fn the_directory_is_described_with_its_sets_navigation_and_action() {
        let xml = metadata_xml();
        for name in ["subscribedSku", "user", "licenseDetails"] {
            let entity = format!(r#"<EntityType Name="{name}" BaseType="graph.entity">"#);
            assert_eq!(xml.matches(&entity).count(), 1, "{entity}");
        }
        for complex in [
            "signInActivity",
            "assignedLicense",
            "servicePlanInfo",
            "licenseUnitsDetail",
        ] {
            let declared = format!(r#"<ComplexType Name="{complex}">"#);
            assert_eq!(xml.matches(&declared).count(), 1, "{declared}");
        }
        assert!(xml.contains(r#"<EntitySet Name="users" EntityType="microsoft.graph.user" />"#));
        assert!(xml.contains(
            r#"<EntitySet Name="subscribedSkus" EntityType="microsoft.graph.subscribedSku" />"#
        ));
        assert!(xml.contains(r#"<Action Name="assignLicense" IsBound="true">"#));
        assert!(xml.contains(r#"<Property Name="signInActivity" Type="graph.signInActivity" />"#));
        assert!(xml.contains(r#"<Property Name="disabledPlans" Type="Collection(Edm.Guid)" />"#));
    }

    #[test]
    fn the_premium_license_insight_is_described_as_graph_beta_has_it() {
        let xml = metadata_xml();
        assert!(xml.contains(r#"<NavigationProperty Name="azureADPremiumLicenseInsight" Type="graph.azureADPremiumLicenseInsight" ContainsTarget="true" />"#));
        assert!(xml.contains(r#"<Property Name="entitledP2LicenseCount" Type="Edm.Int64" />"#));
        assert!(xml.contains(r#"<Property Name="p1FeatureUtilizations" Type="graph.azureADPremiumP1FeatureUtilizations" />"#));
        let utilization = r#"<ComplexType Name="azureADPremiumFeatureUtilization">"#;
        assert_eq!(xml.matches(utilization).count(), 1);
        assert!(xml.contains(r#"<Property Name="userCount" Type="Edm.Int64" />"#));
    }
}
