//! PLACEHOLDER until the routing work lands (it replaces this file):
//! equality matchers only.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    pub name: String,
    pub value: String,
}

impl Matcher {
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        get(&self.name) == Some(self.value.as_str())
    }
}

pub fn parse_matchers(text: &str) -> Result<Vec<Matcher>, String> {
    text.trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (n, v) = p
                .split_once('=')
                .ok_or_else(|| format!("{p}: not name=\"value\""))?;
            Ok(Matcher {
                name: n.trim().to_string(),
                value: v.trim().trim_matches('"').to_string(),
            })
        })
        .collect()
}
