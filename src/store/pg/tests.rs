//! The backend's own unit tests.

mod origin {
    use super::super::*;

    #[test]
    fn the_host_is_recorded_only_for_a_server_elsewhere() {
        assert_eq!(remote_origin(None, "jump-eu"), None, "Unix socket");
        assert_eq!(remote_origin(Some("127.0.0.1/32"), "jump-eu"), None);
        assert_eq!(remote_origin(Some("::1/128"), "jump-eu"), None);
        assert_eq!(
            remote_origin(Some("10.1.2.3/32"), "jump-eu").as_deref(),
            Some("jump-eu")
        );
        assert_eq!(actor_from("alice", Some("jump-eu")), "alice (on jump-eu)");
        assert_eq!(
            crate::identity::login_of(&actor_from("alice (sudo root)", Some("jump-us"))),
            "alice"
        );
        assert_eq!(actor_from("bob", None), "bob");
    }
}

mod host_tests {
    #[test]
    fn only_this_host_goes_without_tls_by_default() {
        let hosts = |url: &str| {
            let c: postgres::Config = url.parse().unwrap();
            super::super::on_this_host(c.get_hosts())
        };
        assert!(hosts("postgres://a@127.0.0.1:5432/db"));
        assert!(hosts("postgres://a@localhost/db"));
        assert!(hosts("postgres://a@[::1]/db"));
        assert!(hosts("postgres://a@%2Frun%2Fpostgresql/db"));
        assert!(!hosts("postgres://a@db.example.com/db"));
        assert!(!hosts("postgres://a@10.0.0.5/db"));
    }
}
