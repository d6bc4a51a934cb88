//! `[channels]` and `[users]` through the real config layering, and every
//! mistake located at file:line:column.

use super::*;
use crate::config::Config;

const GOOD: &str = r#"
[channels.ops-hook]
type = "webhook"
url = "http://127.0.0.1:9000/hook"
format = "json"
headers_file = "/etc/sev/hook-headers"
timeout = "10s"

[channels.chat]
type = "webhook"
url = "https://chat.example.com/hooks/abc"
format = "slack"

[channels.pager]
type = "exec"
command = ["/usr/local/bin/page", "--quiet"]
timeout = "1m30s"

[channels.mail]
type = "email"
smtp = "127.0.0.1:25"
from = "sev@jump-eu"

[channels.local-mail]
type = "email"
sendmail = "/usr/sbin/sendmail"
from = "sev@jump-eu"

[users.alice]
contacts = [ { channel = "ops-hook", to = "@alice" }, { channel = "mail", to = "alice@example.com" } ]

[users.bob]
contacts = [ { channel = "pager" } ]
"#;

fn load(text: &str) -> Result<Config, crate::config::ConfigError> {
    let mut c = Config::builtin();
    c.layer_str(text, "test.toml")?;
    Ok(c)
}

#[test]
fn channels_and_users_are_read() {
    let c = load(GOOD).unwrap();
    assert_eq!(
        c.channels["ops-hook"],
        Channel::Webhook(Webhook {
            url: "http://127.0.0.1:9000/hook".into(),
            format: Format::Json,
            headers_file: Some("/etc/sev/hook-headers".into()),
            timeout: Duration::from_secs(10),
        })
    );
    assert_eq!(
        c.channels["chat"],
        Channel::Webhook(Webhook {
            url: "https://chat.example.com/hooks/abc".into(),
            format: Format::Slack,
            headers_file: None,
            timeout: DEFAULT_TIMEOUT,
        })
    );
    assert_eq!(
        c.channels["pager"],
        Channel::Exec(Exec {
            command: vec!["/usr/local/bin/page".into(), "--quiet".into()],
            timeout: Duration::from_secs(90),
        })
    );
    assert_eq!(
        c.channels["mail"],
        Channel::Email(Email {
            transport: MailTransport::Smtp("127.0.0.1:25".into()),
            from: "sev@jump-eu".into(),
            timeout: DEFAULT_TIMEOUT,
        })
    );
    assert_eq!(
        c.channels["local-mail"],
        Channel::Email(Email {
            transport: MailTransport::Sendmail("/usr/sbin/sendmail".into()),
            from: "sev@jump-eu".into(),
            timeout: DEFAULT_TIMEOUT,
        })
    );
    assert_eq!(
        c.users["alice"].contacts,
        [
            Contact {
                channel: "ops-hook".into(),
                to: "@alice".into()
            },
            Contact {
                channel: "mail".into(),
                to: "alice@example.com".into()
            }
        ]
    );
    assert_eq!(c.users["bob"].contacts[0].to, "");
    // `sev config show` writes them back as config that reads the same.
    let shown = c.to_toml();
    let mut again = Config::builtin();
    again.layer_str(&shown, "shown.toml").unwrap();
    assert_eq!(again.channels, c.channels);
    assert_eq!(again.users, c.users);
    // The built-in config has none.
    assert!(Config::builtin().channels.is_empty());
}

#[test]
fn a_later_layer_replaces_a_channel_and_may_use_earlier_ones() {
    let mut c = load(GOOD).unwrap();
    c.layer_str(
        "[channels.pager]\ntype = \"exec\"\ncommand = [\"/bin/true\"]\n\
         [users.carol]\ncontacts = [{ channel = \"mail\", to = \"carol@example.com\" }]\n",
        "user.toml",
    )
    .unwrap();
    assert_eq!(
        c.channels["pager"],
        Channel::Exec(Exec {
            command: vec!["/bin/true".into()],
            timeout: DEFAULT_TIMEOUT
        })
    );
    assert_eq!(c.channels.len(), 5);
    assert_eq!(c.users.len(), 3);
}

/// Each mistake, and where it must be reported: (toml, line, column, words).
#[test]
fn mistakes_are_located() {
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "[channels.x]\ntype = \"pigeon\"\n",
            2,
            8,
            "unknown channel type \"pigeon\"",
        ),
        (
            "[channels.x]\ntype = \"webhook\"\nurl = \"ftp://h/x\"\n",
            3,
            7,
            "http:// or https://",
        ),
        (
            "[channels.x]\ntype = \"webhook\"\nurl = \"http://exa mple.com/\"\n",
            3,
            7,
            "bad url",
        ),
        (
            "[channels.x]\ntype = \"webhook\"\nurl = \"not a url\"\n",
            3,
            7,
            "bad url",
        ),
        (
            "[channels.x]\ntype = \"webhook\"\nurl = \"https://user:pw@h/x\"\n",
            3,
            7,
            "headers_file",
        ),
        ("[channels.x]\ntype = \"webhook\"\n", 1, 11, "needs url"),
        (
            "[channels.x]\ntype = \"webhook\"\nurl = \"http://h/\"\nformat = \"xml\"\n",
            4,
            10,
            "json",
        ),
        (
            "[channels.x]\ntype = \"exec\"\ncommand = []\n",
            3,
            11,
            "command is empty",
        ),
        (
            "[channels.x]\ntype = \"exec\"\ncommand = [\"\"]\n",
            3,
            11,
            "command is empty",
        ),
        (
            "[channels.x]\ntype = \"exec\"\ncommand = [\"/bin/page\"]\ntimeout = \"10 parsecs\"\n",
            4,
            11,
            "bad duration",
        ),
        (
            "[channels.x]\ntype = \"exec\"\ncommand = [\"/bin/page\"]\ntimeout = \"0s\"\n",
            4,
            11,
            "1s to 5m",
        ),
        (
            "[channels.x]\ntype = \"exec\"\ncommand = [\"/bin/page\"]\ntimeout = \"1h\"\n",
            4,
            11,
            "1s to 5m",
        ),
        (
            "[channels.x]\ntype = \"exec\"\ncommand = [\"/bin/page\"]\nurl = \"http://h/\"\n",
            4,
            7,
            "url is not a setting of a exec channel",
        ),
        (
            "[channels.x]\ntype = \"exec\"\ncommand = [\"/bin/page\"]\nretries = 3\n",
            4,
            1,
            "unknown field `retries`",
        ),
        (
            "[channels.x]\ntype = \"email\"\nfrom = \"sev@h\"\nsmtp = \"h:25\"\nsendmail = \"/usr/sbin/sendmail\"\n",
            5,
            12,
            "not both",
        ),
        (
            "[channels.x]\ntype = \"email\"\nfrom = \"sev@h\"\n",
            1,
            11,
            "smtp or sendmail",
        ),
        (
            "[channels.x]\ntype = \"email\"\nfrom = \"sev@h\"\nsmtp = \"localhost\"\n",
            4,
            8,
            "host:port",
        ),
        (
            "[channels.x]\ntype = \"email\"\nfrom = \"sev@h\\r\\nBcc: x@y\"\nsmtp = \"h:25\"\n",
            3,
            8,
            "bare address",
        ),
        (
            "[channels.\"a b\"]\ntype = \"exec\"\ncommand = [\"/bin/x\"]\n",
            1,
            11,
            "channel name",
        ),
        (
            "[channels.x]\ntype = \"exec\"\ncommand = [\"/bin/x\"]\n[users.alice]\ncontacts = [\n  { channel = \"x\" },\n  { channel = \"slack\", to = \"@alice\" },\n]\n",
            7,
            15,
            "no channel named \"slack\": define [channels.slack] first (known: x)",
        ),
        (
            "[users.alice]\ncontacts = [{ channel = \"nope\" }]\n",
            2,
            25,
            "no channel named \"nope\"",
        ),
        (
            "[channels.m]\ntype = \"email\"\nfrom = \"sev@h\"\nsmtp = \"h:25\"\n[users.alice]\ncontacts = [{ channel = \"m\", to = \"alice\" }]\n",
            6,
            35,
            "not an email address",
        ),
        (
            "[channels.m]\ntype = \"email\"\nfrom = \"sev@h\"\nsmtp = \"h:25\"\n[users.alice]\ncontacts = [{ channel = \"m\" }]\n",
            6,
            13,
            "needs to =",
        ),
        (
            "[users.alice]\ncontacts = [{ channel = \"x\", phone = \"1\" }]\n",
            2,
            30,
            "unknown field `phone`",
        ),
    ];
    for (text, line, col, words) in cases {
        let e = load(text).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("test.toml", *line, *col),
            "{text}\n→ {e}"
        );
        assert!(e.message.contains(words), "{text}\n→ {e}");
    }
}
