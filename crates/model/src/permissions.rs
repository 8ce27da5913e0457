//! Every application permission tally checks somewhere (SPEC §9, §12): what an app registered
//! with `tally app add` may be granted, gathered from the descriptions that guard each route.

use crate::directory::insight::INSIGHT;
use crate::directory::{ASSIGN_LICENSE, AUDIT_LOG, SKUS, USERS};
use crate::resources::{Permissions, ALL};

/// The permissions, sorted, each once.
pub fn known() -> Vec<&'static str> {
    let guards: Vec<&Permissions> = ALL
        .iter()
        .map(|def| def.permissions)
        .chain([&INSIGHT, &USERS, &SKUS, &ASSIGN_LICENSE, &AUDIT_LOG])
        .collect();
    let mut names: Vec<&'static str> = guards
        .iter()
        .flat_map(|guard| guard.read.iter().chain(guard.write.iter()).copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The known permission spelled like `name` (case-insensitively, as tokens are checked).
pub fn find(name: &str) -> Option<&'static str> {
    known()
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reports_and_directory_permissions_are_known_once() {
        let known = known();
        for name in [
            "Reports.Read.All",
            "Reports.ReadWrite.All",
            "User.Read.All",
            "LicenseAssignment.ReadWrite.All",
            "AuditLog.Read.All",
        ] {
            assert_eq!(known.iter().filter(|k| **k == name).count(), 1, "{name}");
        }
        assert_eq!(find("reports.read.all"), Some("Reports.Read.All"));
        assert_eq!(find("Mail.Read"), None);
    }
}
