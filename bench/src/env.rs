//! `infra/local.env`, with the process environment taking precedence, and the environment
//! a function is started with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The repository's root (the bench crate's parent directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub struct LocalEnv {
    file: BTreeMap<String, String>,
}

impl LocalEnv {
    pub fn load() -> Result<Self, String> {
        let path = repo_root().join("infra/local.env");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let file = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Ok(Self { file })
    }

    pub fn get(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| self.file.get(name).cloned())
    }

    pub fn require(&self, name: &str) -> Result<String, String> {
        self.get(name)
            .ok_or_else(|| format!("{name} is neither in the environment nor in infra/local.env"))
    }

    /// What a function process gets: every variable of `infra/local.env` (the environment
    /// winning), the SDK's endpoints for the emulators, then `overrides`. Nothing else of
    /// this process's environment is passed on.
    pub fn function_env(&self, overrides: &[(&str, String)]) -> Vec<(String, String)> {
        let mut vars: BTreeMap<String, String> = self
            .file
            .keys()
            .filter_map(|k| self.get(k).map(|v| (k.clone(), v)))
            .collect();
        for (key, value) in std::env::vars() {
            if key.starts_with("AWS_ENDPOINT_URL") {
                vars.insert(key, value);
            }
        }
        if let Some(region) = self.get("AWS_REGION") {
            vars.insert("AWS_DEFAULT_REGION".into(), region);
        }
        for (key, value) in overrides {
            vars.insert((*key).to_owned(), value.clone());
        }
        vars.into_iter().collect()
    }
}
