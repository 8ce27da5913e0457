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
use crate::resources::{FunctionKind, ResourceDef, Singleton, ALL, REPORT_ROOT};

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
"#,
    );
    let singletons = singletons(resources);
    for singleton in &singletons {
        let _ = writeln!(
            xml,
            r#"      <EntityType Name="{}" BaseType="graph.entity">"#,
            singleton.short_type_name()
        );
        for def in resources.iter().filter(|def| def.singleton == *singleton) {
            let _ = writeln!(
                xml,
                r#"        <NavigationProperty Name="{}" Type="Collection(graph.{})" ContainsTarget="true" />"#,
                def.collection,
                def.entity.short_name()
            );
        }
        if *singleton == &REPORT_ROOT {
            xml.push_str(
                r#"        <NavigationProperty Name="azureADPremiumLicenseInsight" Type="graph.azureADPremiumLicenseInsight" ContainsTarget="true" />
"#,
            );
        }
        xml.push_str("      </EntityType>\n");
    }
    for entity in &entities {
        let key = entity.key();
        if key.name == "id" {
            let _ = writeln!(
                xml,
                r#"      <EntityType Name="{}" BaseType="graph.entity">"#,
                entity.short_name()
            );
            write_properties(&entity.properties[1..], &mut xml);
        } else {
            // Keyed by a property of its own (a price by its skuId), so not a graph.entity.
            let _ = writeln!(
                xml,
                r#"      <EntityType Name="{}">
        <Key>
          <PropertyRef Name="{}" />
        </Key>"#,
                entity.short_name(),
                key.name
            );
            write_properties(entity.properties, &mut xml);
        }
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
        let Some(function) = &def.function else {
            continue;
        };
        let _ = writeln!(
            xml,
            r#"      <Function Name="{}" IsBound="true" IsComposable="true">
        <Parameter Name="bindingParameter" Type="graph.{}" />"#,
            function.name,
            def.singleton.short_type_name()
        );
        if let FunctionKind::Window = function.kind {
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
"#,
    );
    for singleton in &singletons {
        let _ = writeln!(
            xml,
            r#"        <Singleton Name="{}" Type="{}" />"#,
            singleton.name, singleton.type_name
        );
    }
    xml.push_str(
        r#"        <EntitySet Name="subscribedSkus" EntityType="microsoft.graph.subscribedSku" />
        <EntitySet Name="users" EntityType="microsoft.graph.user" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#,
    );
    xml
}

/// The singletons the resources live in, each once, in the order they first appear.
fn singletons(resources: &[&ResourceDef]) -> Vec<&'static Singleton> {
    let mut singletons: Vec<&'static Singleton> = Vec::new();
    for def in resources {
        if !singletons.contains(&def.singleton) {
            singletons.push(def.singleton);
        }
    }
    singletons
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
        let scale = match property.ty {
            Type::Decimal => r#" Scale="4""#,
            _ => "",
        };
        let _ = writeln!(
            xml,
            r#"        <Property Name="{}" Type="{}"{nullable}{scale} />"#,
            property.name,
            property.ty.csdl()
        );
    }
}

#[cfg(test)]
mod tests {
    //! `$metadata` pinned whole by a snapshot (`src/snapshots/`), and what a snapshot cannot
    //! show: every resource described once, every type that is named declared.

    use super::*;

    #[test]
    fn metadata_is_the_snapshot() {
        insta::assert_snapshot!("metadata", metadata_xml());
    }

    #[test]
    fn every_resource_and_its_types_are_described_once() {
        let xml = metadata_xml();
        for def in ALL {
            let entity = format!(r#"<EntityType Name="{}""#, def.entity.short_name());
            assert_eq!(xml.matches(&entity).count(), 1, "{entity}");
            if let Some(function) = &def.function {
                let function = format!(r#"<Function Name="{}" "#, function.name);
                assert_eq!(xml.matches(&function).count(), 1, "{function}");
            }
            assert!(xml.contains(&format!(r#"<NavigationProperty Name="{}""#, def.collection)));
        }
    }

    #[test]
    fn every_type_named_is_declared_once() {
        let xml = metadata_xml();
        let mut named = 0;
        for (at, _) in xml.match_indices("graph.") {
            // `graph.name` (or `microsoft.graph.name`) in a `Type`, `BaseType` or `EntityType`.
            let name: String = xml[at + "graph.".len()..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            named += 1;
            let declared = [
                format!(r#"<EntityType Name="{name}""#),
                format!(r#"<ComplexType Name="{name}">"#),
                format!(r#"<EnumType Name="{name}">"#),
            ];
            let count: usize = declared
                .iter()
                .map(|d| xml.matches(d.as_str()).count())
                .sum();
            assert_eq!(count, 1, "graph.{name}");
        }
        assert!(named > 20, "{named}");
    }
}
