//! `infra/local.env`, read by the rule of `scripts/env.sh` (written down at the top of
//! `infra/local.env`): a variable set to a non-empty value in the environment wins, an
//! empty or unset one takes the file's value, the file's first line for a name counts, and
//! a line that is not `KEY=value`, a comment or blank is an error, never skipped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `infra/local.env` under the environment, as every script sees it.
pub struct LocalEnv(HashMap<String, String>);

/// The repository's root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_owned()
}

impl LocalEnv {
    /// Reads `infra/local.env`; panics naming the line it cannot parse.
    pub fn load() -> Self {
        let path = repo_root().join("infra/local.env");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} is unreadable: {e}", path.display()));
        Self::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// `KEY=value` lines (values taken verbatim), comments and blank lines.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut vars = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let parsed = line
                .split_once('=')
                .filter(|(key, _)| is_name(key))
                .ok_or_else(|| format!("cannot parse line {}: {line}", n + 1))?;
            vars.entry(parsed.0.to_owned())
                .or_insert_with(|| parsed.1.to_owned());
        }
        Ok(Self(vars))
    }

    /// The environment's value if it is set and not empty, else the file's.
    pub fn get(&self, name: &str) -> String {
        self.resolve(name, std::env::var(name).ok())
            .unwrap_or_else(|| panic!("{name} is neither in the environment nor in local.env"))
    }

    /// Every variable the file names, with its value by the rule above.
    pub fn vars(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.0.keys().map(|name| (name.clone(), self.get(name)))
    }

    fn resolve(&self, name: &str, from_env: Option<String>) -> Option<String> {
        match (from_env, self.0.get(name)) {
            (Some(value), Some(file)) if value.is_empty() => Some(file.clone()),
            (Some(value), _) => Some(value),
            (None, file) => file.cloned(),
        }
    }
}

/// A shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::LocalEnv;

    #[test]
    fn a_non_empty_environment_value_wins_and_an_empty_one_does_not() {
        let env = LocalEnv::parse("A=file\nB=file\nC=\n").expect("parses");
        assert_eq!(env.resolve("A", Some("env".into())), Some("env".into()));
        assert_eq!(env.resolve("B", Some(String::new())), Some("file".into()));
        assert_eq!(env.resolve("B", None), Some("file".into()));
        assert_eq!(env.resolve("C", Some("env".into())), Some("env".into()));
        assert_eq!(env.resolve("D", Some(String::new())), Some(String::new()));
        assert_eq!(env.resolve("D", None), None);
    }

    #[test]
    fn values_are_verbatim_and_the_first_line_for_a_name_counts() {
        let env = LocalEnv::parse("# c\n\n  # c\nA=x=$y #z\r\nA=second\nE=\n").expect("parses");
        assert_eq!(env.resolve("A", None), Some("x=$y #z".into()));
        assert_eq!(env.resolve("E", None), Some(String::new()));
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_it() {
        for bad in ["export A=1", " A=1", "A = 1", "1A=x", "A"] {
            let error = LocalEnv::parse(&format!("# ok\n{bad}\n"))
                .err()
                .unwrap_or_else(|| panic!("{bad:?} parses"));
            assert_eq!(error, format!("cannot parse line 2: {bad}"));
        }
    }
}
