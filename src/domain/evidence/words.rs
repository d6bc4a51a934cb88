//! Command lines as words: quoted for display (exact, pasteable into a
//! shell, and safe for a terminal), and split shell-like from what a
//! person typed on the TUI's `:` line — quotes only, never a shell: no
//! variables, globs, `~`, pipes or command substitution.

/// One word as a POSIX shell reads it back: as is when plain, in single
/// quotes when that is exact, otherwise `$'…'` with every control,
/// invisible or non-ASCII-format character written as an escape.
pub fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_string();
    }
    let unseen = |c: char| c.is_control() || crate::text::is_invisible(c);
    if !word.chars().any(|c| c == '\'' || unseen(c)) {
        return format!("'{word}'");
    }
    let mut out = String::from("$'");
    for c in word.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if unseen(c) && (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if unseen(c) => out.push_str(&format!("\\U{:08X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The words joined as a shell command line.
pub fn command_line(argv: &[String]) -> String {
    argv.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

/// Split what a person typed into words the way a shell would, quotes
/// only: `'…'` is literal, `"…"` allows `\"`, `\\`, `\$` and `` \` ``, a
/// backslash outside quotes keeps the next character. An unclosed quote
/// is an error naming it.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("a ' quote is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err("a \" quote is not closed".into()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("a \" quote is not closed".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => cur.push(c),
                    None => return Err("a \\ at the end escapes nothing".into()),
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quoting_reads_back_exactly_and_is_terminal_safe() {
        assert_eq!(quote("df"), "df");
        assert_eq!(quote("-h"), "-h");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("$(reboot)"), "'$(reboot)'");
        assert_eq!(quote("it's"), "$'it\\'s'");
        assert_eq!(quote("\u{1b}[2J"), "$'\\u001B[2J'");
        assert_eq!(quote("a\u{202e}b"), "$'a\\u202Eb'");
        assert_eq!(quote("\u{E0041}"), "$'\\U000E0041'");
        for s in ["\u{1b}]52;c;x\u{7}", "x\u{9b}y", "l1\nl2"] {
            assert!(crate::text::is_clean(&quote(s)), "{s:?}");
        }
        assert_eq!(
            command_line(&w(&["sh", "-c", "echo hi; ls"])),
            "sh -c 'echo hi; ls'"
        );
    }

    #[test]
    fn splitting_is_quotes_only() {
        assert_eq!(split("df -h").unwrap(), w(&["df", "-h"]));
        assert_eq!(split("  a   b  ").unwrap(), w(&["a", "b"]));
        assert_eq!(
            split("echo 'a b' \"c d\"").unwrap(),
            w(&["echo", "a b", "c d"])
        );
        assert_eq!(split("echo $HOME *").unwrap(), w(&["echo", "$HOME", "*"]));
        assert_eq!(split("echo a\\ b").unwrap(), w(&["echo", "a b"]));
        assert_eq!(split(r#"echo "x\"y\n""#).unwrap(), w(&["echo", "x\"y\\n"]));
        assert_eq!(split("echo '' x").unwrap(), w(&["echo", "", "x"]));
        assert_eq!(split("a'b'c").unwrap(), w(&["abc"]));
        assert_eq!(split("").unwrap(), Vec::<String>::new());
        assert!(split("echo 'oops").unwrap_err().contains("not closed"));
        assert!(split("echo \"oops").unwrap_err().contains("not closed"));
        assert!(split("echo \\").is_err());
    }
}
