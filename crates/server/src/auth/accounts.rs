//! People's accounts, as an admin manages them. Hashes never leave here.

use super::password;
use crate::error::ApiError;
use crate::store::access::{rfc3339, UserRow, UserUpdate, UserUpdated};
use crate::AppState;
use branchpulse_core::access::{
    check_new_user, check_password, check_scope, NewUser, Role, User, UserChange,
};
use branchpulse_core::ProblemCode;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// `POST /users`: 422 naming the field, 409 for a taken user name.
pub async fn create(state: &AppState, admin: &str, new: NewUser) -> Result<User, ApiError> {
    check_new_user(&new, &state.catalog.branches()).map_err(ApiError::from)?;
    let row = UserRow {
        user: User {
            id: Uuid::new_v4(),
            username: new.username,
            role: new.role,
            branch: new.branch,
            region: new.region,
            active: true,
            created_at: rfc3339(OffsetDateTime::now_utc()),
        },
        password_hash: password::hash(new.password).await?,
        failed_logins: 0,
        locked_until: None,
    };
    if !state.store.add_user(&row).await? {
        return Err(
            ApiError::Conflict(format!("username: \"{}\" is taken", row.user.username))
                .coded(ProblemCode::UsernameTaken)
                .at("username"),
        );
    }
    let user = row.user;
    state
        .store
        .audit(
            &format!("user:{admin}"),
            "user.create",
            &user.username,
            json!({ "role": user.role, "branch": user.branch, "region": user.region }),
        )
        .await?;
    Ok(user)
}

/// `PATCH /users/{id}`: a new password or deactivation ends the user's
/// sessions; a new role, branch or region takes effect on their next
/// request. An admin cannot deactivate or demote their own account, and
/// the last active admin is never deactivated nor demoted (409), however
/// many admins change each other at once.
pub async fn change(
    state: &AppState,
    admin: &User,
    id: Uuid,
    change: UserChange,
) -> Result<User, ApiError> {
    // `{}`, and `[]` (which serde also reads as a struct), change nothing:
    // a client bug, told as such rather than answered 200.
    let UserChange {
        active,
        password,
        role,
        branch,
        region,
    } = &change;
    if active.is_none()
        && password.is_none()
        && role.is_none()
        && branch.is_none()
        && region.is_none()
    {
        return Err(ApiError::Unprocessable(
            "active, password, role, branch, region: give at least one; there is nothing to change"
                .into(),
        )
        .coded(ProblemCode::NothingToChange));
    }
    let target = state
        .store
        .user(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user {id}")))?;
    if change.active == Some(false) && id == admin.id {
        return Err(
            ApiError::Conflict("active: you cannot deactivate your own account".into())
                .coded(ProblemCode::OwnAccount)
                .at("active"),
        );
    }
    let scope = change.scope_of(&target.user);
    if let Some((role, branch, region)) = &scope {
        if id == admin.id && *role != Role::Admin {
            return Err(ApiError::Conflict(
                "role: you cannot take the admin role from your own account".into(),
            )
            .coded(ProblemCode::OwnAccount)
            .at("role"));
        }
        check_scope(
            *role,
            branch.as_deref(),
            region.as_deref(),
            &state.catalog.branches(),
        )
        .map_err(ApiError::from)?;
    }
    let password_hash = match change.password {
        Some(p) => {
            check_password(&p, &target.user.username).map_err(ApiError::from)?;
            Some(password::hash(p).await?)
        }
        None => None,
    };
    let update = UserUpdate {
        active: change.active,
        password_hash,
        scope: scope.clone(),
    };
    let user = match state.store.update_user(id, &update).await? {
        UserUpdated::Done(user) => user,
        UserUpdated::NoSuchUser => return Err(ApiError::NotFound(format!("no user {id}"))),
        UserUpdated::LastAdmin => {
            return Err(ApiError::Conflict(format!(
                "active: \"{}\" is the last active admin; make another admin first",
                target.user.username
            ))
            .coded(ProblemCode::LastAdmin)
            .at("active"))
        }
    };
    let mut detail =
        json!({ "active": change.active, "password_changed": update.password_hash.is_some() });
    if scope.is_some() {
        detail["before"] = json!({
            "role": target.user.role, "branch": target.user.branch, "region": target.user.region
        });
        detail["after"] =
            json!({ "role": user.role, "branch": user.branch, "region": user.region });
    }
    state
        .store
        .audit(
            &format!("user:{}", admin.username),
            "user.update",
            &user.username,
            detail,
        )
        .await?;
    Ok(user)
}
