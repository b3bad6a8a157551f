//! A reader's scope applied to a dashboard filter: with no branches or
//! region the filter takes the scope's branches; naming a branch or region
//! outside it is refused (403). The network figure is computed from every
//! branch whatever the filter (a benchmark with no branch in it), so it is
//! not narrowed here.

use crate::error::ApiError;
use branchpulse_core::access::Scope;
use branchpulse_core::aggregate::Filter;
use branchpulse_core::protocol::Branch;
use branchpulse_core::ProblemCode;

/// Narrow `filter` (already checked against `branches`) to `scope`.
pub fn narrow(filter: &mut Filter, scope: &Scope, branches: &[Branch]) -> Result<(), ApiError> {
    if *scope == Scope::All {
        return Ok(());
    }
    let allowed: Vec<&Branch> = branches.iter().filter(|b| scope.allows(b)).collect();
    if allowed.is_empty() {
        return Err(ApiError::Forbidden(
            "your account reads no branch; ask an admin to check it".into(),
        )
        .coded(ProblemCode::NoScope));
    }
    for code in &filter.branches {
        if !allowed.iter().any(|b| &b.code == code) {
            return Err(ApiError::Forbidden(format!(
                "branches: \"{code}\" is outside the branches your account reads"
            ))
            .coded(ProblemCode::OutsideScope)
            .at("branches"));
        }
    }
    if let Some(region) = &filter.region {
        let whole = branches
            .iter()
            .filter(|b| &b.region == region)
            .all(|b| scope.allows(b));
        if !whole {
            return Err(ApiError::Forbidden(format!(
                "region: \"{region}\" is outside the branches your account reads"
            ))
            .coded(ProblemCode::OutsideScope)
            .at("region"));
        }
    }
    if filter.branches.is_empty() && filter.region.is_none() {
        filter.branches = allowed.iter().map(|b| b.code.clone()).collect();
    }
    Ok(())
}

/// Whether a reader with `scope` may see the branch `code`.
pub fn allows_code(scope: &Scope, code: &str, branches: &[Branch]) -> bool {
    branches
        .iter()
        .find(|b| b.code == code)
        .is_some_and(|b| scope.allows(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branches() -> Vec<Branch> {
        [("N01", "North"), ("N02", "North"), ("S01", "South")]
            .map(|(code, region)| Branch {
                code: code.into(),
                name: code.into(),
                region: region.into(),
                active: true,
                format: None,
            })
            .to_vec()
    }

    #[test]
    fn an_empty_filter_takes_the_scope() {
        let mut f = Filter::default();
        narrow(&mut f, &Scope::Region("North".into()), &branches()).unwrap();
        assert_eq!(f.branches, ["N01", "N02"]);
        let mut f = Filter::default();
        narrow(&mut f, &Scope::All, &branches()).unwrap();
        assert!(f.branches.is_empty());
    }

    #[test]
    fn outside_the_scope_is_forbidden() {
        let manager = Scope::Branch("N01".into());
        let mut f = Filter {
            branches: vec!["N02".into()],
            ..Filter::default()
        };
        let refused = narrow(&mut f, &manager, &branches()).unwrap_err();
        assert_eq!(refused.status(), axum::http::StatusCode::FORBIDDEN);
        assert_eq!(
            (refused.code(), refused.field()),
            (ProblemCode::OutsideScope, Some("branches"))
        );
        // A region wider than one branch is outside a manager's scope.
        let mut f = Filter {
            region: Some("North".into()),
            ..Filter::default()
        };
        assert!(narrow(&mut f, &manager, &branches()).is_err());
        let regional = Scope::Region("North".into());
        let mut f = Filter {
            region: Some("South".into()),
            ..Filter::default()
        };
        assert!(narrow(&mut f, &regional, &branches()).is_err());
        let mut f = Filter {
            region: Some("North".into()),
            branches: vec!["N02".into()],
            ..Filter::default()
        };
        assert!(narrow(&mut f, &regional, &branches()).is_ok());
        // A damaged account with no branch reads nothing, not everything.
        let mut f = Filter::default();
        assert!(narrow(&mut f, &Scope::Branch(String::new()), &branches()).is_err());
    }
}
