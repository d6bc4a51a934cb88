//! Who is acting. The actor recorded on every event is the real Unix user
//! (uid → passwd entry), not `$USER`, which anyone can set.

use nix::unistd::{Uid, User};

/// The login name of the real user running this process. Falls back to
/// `uid:<n>` when the passwd entry cannot be read (containers without one).
pub fn current_user() -> String {
    let uid = Uid::current();
    match User::from_uid(uid) {
        Ok(Some(u)) => u.name,
        _ => format!("uid:{}", uid.as_raw()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn actor_ignores_user_env() {
        // SAFETY: tests in this module don't read USER concurrently.
        let before = super::current_user();
        unsafe { std::env::set_var("USER", "mallory") };
        assert_eq!(super::current_user(), before);
        assert_ne!(before, "mallory");
    }
}
