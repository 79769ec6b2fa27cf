//! Who may add and remove users, and what removal erases.
//!
//! ETSI EN 303 645 4.11-1 (v2.1.1 5.11-1): a user can erase their own data
//! from the device without a factory reset, and without touching anyone
//! else's (a renter does not reset the landlord's device). Only the owner
//! manages other users; a resident or guest can remove only themselves; the
//! last owner cannot be removed (that is what factory reset is for).

use crate::state::{DeviceState, MAX_NAME_LEN, MAX_USERS, Role, User, UserData, UserId};

/// Why a user change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// The acting user may not make this change.
    #[error("not allowed to change this user")]
    NotAuthorised,
    /// No user with that id.
    #[error("no such user")]
    NoSuchUser,
    /// The device already holds [`MAX_USERS`] users.
    #[error("the device cannot hold more users")]
    TooManyUsers,
    /// A user with that public key already exists.
    #[error("a user with this key already exists")]
    DuplicateKey,
    /// Name empty or longer than [`MAX_NAME_LEN`].
    #[error("user name must be 1 to 64 bytes")]
    InvalidName,
    /// Removing the last owner would leave the device unmanageable; use factory reset.
    #[error("the last owner cannot be removed; use factory reset")]
    LastOwner,
    /// A second owner cannot be added this way.
    #[error("an owner can only be created by pairing")]
    SecondOwner,
}

impl UserError {
    /// Stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAuthorised => "user_not_authorised",
            Self::NoSuchUser => "user_not_found",
            Self::TooManyUsers => "user_too_many",
            Self::DuplicateKey => "user_duplicate_key",
            Self::InvalidName => "user_invalid_name",
            Self::LastOwner => "user_last_owner",
            Self::SecondOwner => "user_second_owner",
        }
    }
}

/// Adds a user on behalf of `actor`; returns the new id.
///
/// # Errors
/// [`UserError`] if `actor` is not an owner or the new user is invalid.
pub fn add_user(
    state: &mut DeviceState,
    actor: UserId,
    public_key: [u8; 32],
    role: Role,
    name: &str,
) -> Result<UserId, UserError> {
    let actor_role = state
        .user(actor)
        .map(|u| u.role)
        .ok_or(UserError::NotAuthorised)?;
    if actor_role != Role::Owner {
        return Err(UserError::NotAuthorised);
    }
    if role == Role::Owner {
        return Err(UserError::SecondOwner);
    }
    insert_user(state, public_key, role, name)
}

/// Inserts a user without an authorisation check (pairing creates the owner this way).
///
/// # Errors
/// [`UserError`] if the user list is full, the key is known or the name is invalid.
pub fn insert_user(
    state: &mut DeviceState,
    public_key: [u8; 32],
    role: Role,
    name: &str,
) -> Result<UserId, UserError> {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(UserError::InvalidName);
    }
    if state.users.len() >= MAX_USERS {
        return Err(UserError::TooManyUsers);
    }
    if state.users.iter().any(|u| u.public_key == public_key) {
        return Err(UserError::DuplicateKey);
    }
    let id = state.next_user_id;
    state.next_user_id = state
        .next_user_id
        .checked_add(1)
        .ok_or(UserError::TooManyUsers)?;
    state.users.push(User {
        id,
        role,
        name: name.to_owned(),
        public_key: public_key.to_vec(),
    });
    state.user_data.insert(id, UserData::default());
    Ok(id)
}

/// Removes `target` and erases their per-user data, on behalf of `actor`.
///
/// # Errors
/// [`UserError::NotAuthorised`] if a non-owner removes someone else;
/// [`UserError::NoSuchUser`]; [`UserError::LastOwner`].
pub fn remove_user(
    state: &mut DeviceState,
    actor: UserId,
    target: UserId,
) -> Result<(), UserError> {
    let actor_role = state
        .user(actor)
        .map(|u| u.role)
        .ok_or(UserError::NotAuthorised)?;
    if actor != target && actor_role != Role::Owner {
        return Err(UserError::NotAuthorised);
    }
    let target_role = state
        .user(target)
        .map(|u| u.role)
        .ok_or(UserError::NoSuchUser)?;
    if target_role == Role::Owner
        && state.users.iter().filter(|u| u.role == Role::Owner).count() <= 1
    {
        return Err(UserError::LastOwner);
    }
    state.users.retain(|u| u.id != target);
    state.user_data.remove(&target);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretBytes;
    use crate::state::Identity;

    fn state() -> DeviceState {
        DeviceState::from_identity(Identity {
            serial: "S".into(),
            model: "M".into(),
            discriminator: 1,
            verifier: SecretBytes::new(vec![0; 32]),
            identity_key: SecretBytes::new(vec![0; 32]),
            certificate_chain: Vec::new(),
            firmware_public_key: vec![0; 32],
        })
    }

    #[test]
    fn resident_cannot_remove_owner_but_can_remove_themselves() {
        let mut s = state();
        let owner = insert_user(&mut s, [1; 32], Role::Owner, "Landlord").unwrap();
        let resident = add_user(&mut s, owner, [2; 32], Role::Resident, "Renter").unwrap();
        let guest = add_user(&mut s, owner, [3; 32], Role::Guest, "Guest").unwrap();
        assert_eq!(
            remove_user(&mut s, resident, owner),
            Err(UserError::NotAuthorised)
        );
        assert_eq!(
            remove_user(&mut s, resident, guest),
            Err(UserError::NotAuthorised)
        );
        assert_eq!(
            add_user(&mut s, resident, [4; 32], Role::Guest, "x"),
            Err(UserError::NotAuthorised)
        );
        remove_user(&mut s, resident, resident).unwrap();
        assert!(s.user(resident).is_none());
        assert!(!s.user_data.contains_key(&resident));
        assert!(s.user(owner).is_some() && s.user_data.contains_key(&guest));
    }

    #[test]
    fn last_owner_and_duplicates_are_refused() {
        let mut s = state();
        let owner = insert_user(&mut s, [1; 32], Role::Owner, "Owner").unwrap();
        assert_eq!(remove_user(&mut s, owner, owner), Err(UserError::LastOwner));
        assert_eq!(
            add_user(&mut s, owner, [1; 32], Role::Guest, "x"),
            Err(UserError::DuplicateKey)
        );
        assert_eq!(
            add_user(&mut s, owner, [5; 32], Role::Owner, "x"),
            Err(UserError::SecondOwner)
        );
        assert_eq!(
            add_user(&mut s, owner, [5; 32], Role::Guest, ""),
            Err(UserError::InvalidName)
        );
    }

    #[test]
    fn ids_are_never_reused() {
        let mut s = state();
        let owner = insert_user(&mut s, [1; 32], Role::Owner, "Owner").unwrap();
        let a = add_user(&mut s, owner, [2; 32], Role::Guest, "a").unwrap();
        remove_user(&mut s, owner, a).unwrap();
        let b = add_user(&mut s, owner, [2; 32], Role::Guest, "b").unwrap();
        assert_ne!(a, b);
    }
}
