//! Who is acting. The actor recorded on every event is the real Unix user
//! (uid → passwd entry), not `$USER`, which anyone can set. Under sudo (real
//! uid 0 with SUDO_USER set) the human is recorded, with the effective user
//! noted: `alice (sudo root)`.

use nix::unistd::{Uid, User};

fn name_of(uid: Uid) -> String {
    match User::from_uid(uid) {
        Ok(Some(u)) => u.name,
        _ => format!("uid:{}", uid.as_raw()),
    }
}

/// The login name to act as (and to assign to "me").
pub fn current_user() -> String {
    sudo_human().unwrap_or_else(|| name_of(Uid::current()))
}

/// The human behind sudo, when running as root through it.
fn sudo_human() -> Option<String> {
    if !Uid::current().is_root() {
        return None; // SUDO_USER is just an environment variable: trust it only from root
    }
    let h = std::env::var("SUDO_USER").ok()?;
    let ok = h != "root" && crate::domain::validate_user(&h).is_ok();
    ok.then_some(h)
}

/// The label recorded on events: the human, and the effective user if it differs.
pub fn current_actor() -> String {
    match sudo_human() {
        Some(h) => format!("{h} (sudo {})", name_of(Uid::effective())),
        None => name_of(Uid::current()),
    }
}

/// Where this session comes from: the SSH client address, or "local".
pub fn origin() -> String {
    std::env::var("SSH_CONNECTION")
        .or_else(|_| std::env::var("SSH_CLIENT"))
        .ok()
        .and_then(|v| v.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "local".into())
}

/// The login part of an actor label (`alice (sudo root)` → `alice`).
pub fn login_of(actor: &str) -> &str {
    actor.split(" (").next().unwrap_or(actor)
}

#[cfg(test)]
mod tests {
    #[test]
    fn actor_ignores_user_env() {
        let before = super::current_user();
        // SAFETY: tests in this module don't read USER concurrently.
        unsafe { std::env::set_var("USER", "mallory") };
        assert_eq!(super::current_user(), before);
        assert_ne!(before, "mallory");
    }

    #[test]
    fn login_part_of_a_sudo_label() {
        assert_eq!(super::login_of("alice (sudo root)"), "alice");
        assert_eq!(super::login_of("bob"), "bob");
    }
}
