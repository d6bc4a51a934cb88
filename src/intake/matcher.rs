//! Alertmanager's matcher syntax: `name="value"`, `!=`, `=~`, `!~`, one
//! or a list (`{a="1", b=~"x|y"}` or `a=1, b=~x|y`), as Alertmanager's
//! UTF-8 matcher parser (`matcher/parse`) reads it:
//! - a name or value is either double-quoted, with Go's escapes (`\"`,
//!   `\\`, `\n`, `\t`, `\xHH`, `\u2603`, …; an unknown escape is an error),
//!   or unquoted: a run of characters other than white space and
//!   `{ } ! = ~ , \ " ' `` ` ``;
//! - white space between tokens is ignored; braces are optional but must
//!   pair; a trailing comma is allowed; empty input is no matchers;
//! - a regex is fully anchored (`^(?:…)$`), so `=~"web"` does not match
//!   `webserver`;
//! - a name that is absent matches as the empty string, so `team=""`
//!   matches alerts without a team and `team!="db"` matches them too.
//!
//! Regexes are compiled by the `regex` crate (RE2 syntax, as Go's), with a
//! size limit so that a pattern such as `(a{1000}){1000}` is refused at
//! load instead of taking memory; matching is linear in the text.

use std::fmt;

/// The operator of one matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Op {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "=~")]
    Re,
    #[serde(rename = "!~")]
    NotRe,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Re => "=~",
            Op::NotRe => "!~",
        }
    }
}

/// Compiled size limit of one regex (the `regex` crate's default is 10 MiB;
/// a routing rule needs far less, and this bounds what a config or a
/// `--match` can make sev allocate).
const REGEX_SIZE_LIMIT: usize = 256 * 1024;
/// The lazy DFA's cache per regex.
const REGEX_DFA_LIMIT: usize = 1024 * 1024;

/// One matcher: a name, an operator and a value (a regex for `=~`/`!~`).
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: Op,
    pub value: String,
    re: Option<regex::Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.op == o.op && self.value == o.value
    }
}

impl Matcher {
    /// A matcher, compiling the regex of `=~`/`!~`.
    pub fn new(name: &str, op: Op, value: &str) -> Result<Matcher, String> {
        if name.is_empty() {
            return Err("the label name is empty".into());
        }
        let re = match op {
            Op::Eq | Op::Ne => None,
            Op::Re | Op::NotRe => Some(
                regex::RegexBuilder::new(&format!("^(?:{value})$"))
                    .size_limit(REGEX_SIZE_LIMIT)
                    .dfa_size_limit(REGEX_DFA_LIMIT)
                    .build()
                    .map_err(|e| regex_error(value, &e))?,
            ),
        };
        Ok(Matcher {
            name: name.to_string(),
            op,
            value: value.to_string(),
            re,
        })
    }

    /// Whether the value `get` gives for this matcher's name matches (an
    /// absent name is the empty string, as in Alertmanager).
    pub fn matches<'v>(&self, get: impl Fn(&str) -> Option<&'v str>) -> bool {
        self.matches_value(get(&self.name).unwrap_or(""))
    }

    /// Whether `v` matches.
    pub fn matches_value(&self, v: &str) -> bool {
        match (&self.op, &self.re) {
            (Op::Eq, _) => v == self.value,
            (Op::Ne, _) => v != self.value,
            (Op::Re, Some(re)) => re.is_match(v),
            (Op::NotRe, Some(re)) => !re.is_match(v),
            // Built only by `new`, which compiles every regex.
            (Op::Re | Op::NotRe, None) => false,
        }
    }
}

/// `name="value"`, quoted so that [`parse_matchers`] reads it back as the
/// same matcher.
impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.name.is_empty() && self.name.chars().all(|c| !is_reserved(c)) {
            f.write_str(&self.name)?;
        } else {
            f.write_str(&quote(&self.name))?;
        }
        write!(f, "{}{}", self.op.as_str(), quote(&self.value))
    }
}

/// A string in double quotes with Go's escapes, for [`parse_matchers`].
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || crate::text::is_invisible(c) => {
                let n = u32::from(c);
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn regex_error(value: &str, e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(_) => format!(
            "the regex \"{value}\" is too large (over {} KiB compiled): simplify it",
            REGEX_SIZE_LIMIT / 1024
        ),
        _ => {
            // The regex crate's message spans several lines with a caret
            // under the place; keep its last line, which says what is wrong.
            let msg = e.to_string();
            let last = msg.lines().rev().find(|l| !l.trim().is_empty());
            format!(
                "bad regex \"{value}\": {}",
                last.unwrap_or("invalid")
                    .trim()
                    .trim_start_matches("error: ")
            )
        }
    }
}

/// Characters that end an unquoted name or value.
fn is_reserved(c: char) -> bool {
    c.is_whitespace() || "{}!=~,\\\"'`".contains(c)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Comma,
    Op(Op),
    /// A name or value, already unquoted.
    Text(String),
}

/// A token and the 1-based column (in characters) where it starts.
type Spanned = (Tok, usize);

fn lex(input: &str) -> Result<Vec<Spanned>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '{' => Tok::Open,
            '}' => Tok::Close,
            ',' => Tok::Comma,
            '=' if chars.get(i + 1) == Some(&'~') => {
                i += 1;
                Tok::Op(Op::Re)
            }
            '=' => Tok::Op(Op::Eq),
            '!' => match chars.get(i + 1) {
                Some('=') => {
                    i += 1;
                    Tok::Op(Op::Ne)
                }
                Some('~') => {
                    i += 1;
                    Tok::Op(Op::NotRe)
                }
                _ => return Err(format!("column {col}: '!' must be followed by = or ~")),
            },
            '"' => {
                let start = i;
                i += 1;
                let mut escaped = false;
                while i < chars.len() && (escaped || chars[i] != '"') {
                    escaped = !escaped && chars[i] == '\\';
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(format!(
                        "column {col}: the quoted text has no closing \" (write \\\" for a quote inside it)"
                    ));
                }
                let raw: String = chars[start + 1..i].iter().collect();
                Tok::Text(unquote(&raw).map_err(|e| format!("column {col}: {e}"))?)
            }
            c if is_reserved(c) => {
                return Err(format!(
                    "column {col}: unexpected '{}': quote the value (\"…\") to use it",
                    c.escape_default()
                ));
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_reserved(chars[i]) {
                    i += 1;
                }
                out.push((Tok::Text(chars[start..i].iter().collect()), col));
                continue;
            }
        };
        out.push((tok, col));
        i += 1;
    }
    Ok(out)
}

/// The text between double quotes, with Go's escapes (`strconv.Unquote`):
/// `\a \b \f \n \r \t \v \\ \"`, `\xHH` and `\NNN` bytes (which must form
/// UTF-8), `\uHHHH`, `\UHHHHHHHH`. A raw line break is refused, as in Go.
fn unquote(raw: &str) -> Result<String, String> {
    let mut bytes: Vec<u8> = Vec::with_capacity(raw.len());
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\n' {
            return Err("a line break inside quotes: write \\n".into());
        }
        if c != '\\' {
            let mut b = [0; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            continue;
        }
        let Some(e) = it.next() else {
            return Err("a lone \\ at the end: write \\\\".into());
        };
        let simple = match e {
            'a' => Some(7u8),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(11),
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(b) = simple {
            bytes.push(b);
            continue;
        }
        let mut take = |n: usize, radix: u32| -> Result<u32, String> {
            let mut v: u32 = 0;
            for _ in 0..n {
                let d = it
                    .next()
                    .and_then(|d| d.to_digit(radix))
                    .ok_or_else(|| format!("bad escape \\{e}: expected {n} digits"))?;
                v = v * radix + d;
            }
            Ok(v)
        };
        match e {
            'x' => bytes.push(take(2, 16)? as u8),
            '0'..='7' => {
                let rest = take(2, 8)?;
                let v = (e as u32 - '0' as u32) * 64 + rest;
                let b = u8::try_from(v).map_err(|_| format!("bad escape \\{e}: over \\377"))?;
                bytes.push(b);
            }
            'u' | 'U' => {
                let v = take(if e == 'u' { 4 } else { 8 }, 16)?;
                let ch = char::from_u32(v)
                    .ok_or_else(|| format!("bad escape \\{e}{v:x}: not a Unicode character"))?;
                let mut b = [0; 4];
                bytes.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
            }
            other => {
                return Err(format!(
                    "unknown escape \\{} (write \\\\ for a backslash, as in a regex: \\\\d)",
                    other.escape_default()
                ));
            }
        }
    }
    String::from_utf8(bytes).map_err(|_| "the escapes do not spell valid UTF-8".to_string())
}

/// Parse one or more matchers: `service="checkout"`, `{a="1", b=~"x|y"}`,
/// `a=1,b!=2`. Empty input (or `{}`) is no matchers.
pub fn parse_matchers(text: &str) -> Result<Vec<Matcher>, String> {
    let toks = lex(text)?;
    let end = text.chars().count() + 1;
    let mut i = 0;
    let open = matches!(toks.first(), Some((Tok::Open, _)));
    if open {
        i += 1;
    }
    let at = |i: usize| toks.get(i).map(|t| t.1).unwrap_or(end);
    let mut out = Vec::new();
    loop {
        match toks.get(i) {
            None => break,
            Some((Tok::Close, _)) => break,
            Some((Tok::Text(name), _)) => {
                let op = match toks.get(i + 1) {
                    Some((Tok::Op(op), _)) => *op,
                    _ => {
                        return Err(format!(
                            "column {}: expected an operator (=, !=, =~ or !~) after {}",
                            at(i + 1),
                            quote(name)
                        ));
                    }
                };
                let value = match toks.get(i + 2) {
                    Some((Tok::Text(v), _)) => v,
                    _ => {
                        return Err(format!(
                            "column {}: expected a value after {}{} (\"\" for empty)",
                            at(i + 2),
                            quote(name),
                            op.as_str()
                        ));
                    }
                };
                out.push(
                    Matcher::new(name, op, value).map_err(|e| format!("column {}: {e}", at(i)))?,
                );
                i += 3;
                match toks.get(i) {
                    Some((Tok::Comma, _)) => i += 1,
                    None | Some((Tok::Close, _)) => {}
                    Some(_) => {
                        return Err(format!(
                            "column {}: expected a comma or }} after a matcher (quote values that hold spaces)",
                            at(i)
                        ));
                    }
                }
            }
            Some(_) => {
                return Err(format!(
                    "column {}: expected a label name (like service=\"checkout\")",
                    at(i)
                ));
            }
        }
    }
    match (open, toks.get(i)) {
        (true, Some((Tok::Close, _))) => i += 1,
        (true, _) => return Err(format!("column {end}: missing the closing }}")),
        (false, Some((Tok::Close, c))) => {
            return Err(format!("column {c}: }} without an opening {{"));
        }
        (false, _) => {}
    }
    if let Some((_, c)) = toks.get(i) {
        return Err(format!("column {c}: unexpected text after the closing }}"));
    }
    Ok(out)
}

#[cfg(test)]
#[path = "matcher_tests.rs"]
mod tests;
