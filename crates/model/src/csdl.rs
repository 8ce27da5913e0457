//! The CSDL XML served at `$metadata`: the slice of Graph's model that tally implements.
//!
//! Differences from Graph's own document, on purpose: `reportRoot` has the containment navigation
//! property `azureADLicenseUsage` (Graph exposes only the function), and
//! `licenseInfoDetail/licenseType` is not nullable.

/// The whole `$metadata` document.
pub const METADATA_XML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="azureADLicenseType">
        <Member Name="none" Value="0" />
        <Member Name="free" Value="1" />
        <Member Name="basic" Value="2" />
        <Member Name="premiumP1" Value="3" />
        <Member Name="premiumP2" Value="4" />
        <Member Name="unknownFutureValue" Value="5" />
      </EnumType>
      <EntityType Name="entity" Abstract="true">
        <Key>
          <PropertyRef Name="id" />
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="reportRoot" BaseType="graph.entity">
        <NavigationProperty Name="azureADLicenseUsage" Type="Collection(graph.azureADLicenseUsage)" ContainsTarget="true" />
      </EntityType>
      <EntityType Name="azureADLicenseUsage" BaseType="graph.entity">
        <Property Name="licenseInfoDetails" Type="Collection(graph.licenseInfoDetail)" Nullable="false" />
        <Property Name="snapshotDateTime" Type="Edm.DateTimeOffset" Nullable="false" />
      </EntityType>
      <ComplexType Name="licenseInfoDetail">
        <Property Name="licenseType" Type="graph.azureADLicenseType" Nullable="false" />
        <Property Name="totalAssignedCount" Type="Edm.Int32" />
        <Property Name="totalLicenseCount" Type="Edm.Int32" />
        <Property Name="totalUsageCount" Type="Edm.Int32" />
      </ComplexType>
      <Function Name="getAzureADLicenseUsage" IsBound="true" IsComposable="true">
        <Parameter Name="bindingParameter" Type="graph.reportRoot" />
        <Parameter Name="period" Type="Edm.String" Nullable="false" />
        <ReturnType Type="Collection(graph.azureADLicenseUsage)" />
      </Function>
      <EntityContainer Name="GraphService">
        <Singleton Name="reports" Type="microsoft.graph.reportRoot" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;
