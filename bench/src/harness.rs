//! A function binary started under our runtime API, its log lines collected from stdout,
//! and the environment it starts with.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use integration_tests::LocalEnv;
use serde_json::Value;

use crate::machine::proc_number;
use crate::runtime_api::{Completion, RuntimeApi};

/// What a function process gets: every variable `infra/local.env` names (the environment
/// winning), the SDK's endpoints for the emulators, then `overrides`. Nothing else of this
/// process's environment is passed on.
pub fn function_env(local: &LocalEnv, overrides: &[(&str, String)]) -> Vec<(String, String)> {
    let mut vars: BTreeMap<String, String> = local
        .vars()
        .chain(std::env::vars().filter(|(k, _)| k.starts_with("AWS_ENDPOINT_URL")))
        .collect();
    vars.insert("AWS_DEFAULT_REGION".into(), local.get("AWS_REGION"));
    for (key, value) in overrides {
        vars.insert((*key).to_owned(), value.clone());
    }
    vars.into_iter().collect()
}

#[derive(Default)]
struct Logs {
    /// `"request"` lines by request id.
    requests: HashMap<String, Value>,
    /// The lines of runs that are not requests (`"scheduled run"`, `"job run"`), oldest
    /// first.
    scheduled: VecDeque<Value>,
    /// The last lines of output, for diagnostics.
    tail: VecDeque<String>,
}

fn collect<R: std::io::Read + Send + 'static>(stream: R, logs: Arc<Mutex<Logs>>) {
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let Ok(mut logs) = logs.lock() else { break };
            if let Ok(value) = serde_json::from_str::<Value>(&line) {
                match value["message"].as_str() {
                    Some("request") => {
                        if let Some(id) = value["request_id"].as_str() {
                            logs.requests.insert(id.to_owned(), value.clone());
                        }
                    }
                    Some("scheduled run" | "job run") => logs.scheduled.push_back(value.clone()),
                    _ => {}
                }
            }
            if logs.tail.len() >= 40 {
                logs.tail.pop_front();
            }
            logs.tail.push_back(line);
        }
    });
}

/// One invocation's outcome.
#[derive(Debug)]
pub struct Invocation {
    /// `statusCode` of an HTTP response; 0 for other functions.
    pub status: u16,
    pub response: Value,
    pub completion: Completion,
    /// The function's log line for the request (`aws_calls`, `latency_ms`).
    pub log: Option<Value>,
}

impl Invocation {
    /// From the runtime API handing out the event to the response arriving, in ms.
    pub fn elapsed_ms(&self) -> f64 {
        (self.completion.completed_at - self.completion.handed_at).as_secs_f64() * 1000.0
    }

    pub fn aws_calls(&self) -> Option<u64> {
        self.log.as_ref().and_then(|l| l["aws_calls"].as_u64())
    }

    /// The handler's own latency, as its log line reports it.
    pub fn handler_ms(&self) -> Option<f64> {
        self.log.as_ref().and_then(|l| l["latency_ms"].as_f64())
    }

    pub fn body_json(&self) -> Value {
        let body = self.response["body"].as_str().unwrap_or_default();
        serde_json::from_str(body).unwrap_or(Value::Null)
    }
}

pub struct FunctionProcess {
    pub name: String,
    child: Child,
    pub api: RuntimeApi,
    logs: Arc<Mutex<Logs>>,
    pub spawned_at: Instant,
}

impl FunctionProcess {
    /// Starts `binary` under a runtime API of its own, with only `env` and the variables
    /// Lambda sets.
    pub async fn start(
        binary: &Path,
        name: &str,
        env: &[(String, String)],
    ) -> Result<Self, String> {
        let api = RuntimeApi::start(name).await?;
        let mut command = Command::new(binary);
        command
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            // What Lambda sets besides the function's own configuration.
            .envs([
                ("AWS_LAMBDA_RUNTIME_API", api.address()),
                ("AWS_LAMBDA_FUNCTION_NAME", name.to_owned()),
                ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
                ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".into()),
                ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
                ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let spawned_at = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let logs = Arc::new(Mutex::new(Logs::default()));
        if let Some(stdout) = child.stdout.take() {
            collect(stdout, logs.clone());
        }
        if let Some(stderr) = child.stderr.take() {
            collect(stderr, logs.clone());
        }
        Ok(Self {
            name: name.to_owned(),
            child,
            api,
            logs,
            spawned_at,
        })
    }

    /// The last lines the function wrote, for error messages.
    fn output_tail(&self) -> String {
        self.logs
            .lock()
            .map(|l| l.tail.iter().cloned().collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    }

    /// Peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Option<f64> {
        proc_number(&format!("/proc/{}/status", self.child.id()), "VmHWM")
    }

    /// The page faults the process has taken that needed no disk read (`minflt` of
    /// `/proc/<pid>/stat`): first touches of its binary's pages, heap and stacks.
    pub fn minor_faults(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // The fields after the command's parenthesis, which may itself hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        fields.get(7)?.parse().ok()
    }

    /// Invokes the function with `event` and waits (30 s at most) for the response and,
    /// briefly, its log line.
    pub async fn invoke(&self, event: &Value) -> Result<Invocation, String> {
        self.invoke_within(event, Duration::from_secs(30)).await
    }

    /// [`FunctionProcess::invoke`], waiting up to `timeout` for the response.
    pub async fn invoke_within(
        &self,
        event: &Value,
        timeout: Duration,
    ) -> Result<Invocation, String> {
        let failed = |e: String| {
            let init = self.api.init_error().unwrap_or_default();
            format!("{}: {e} {init}\n{}", self.name, self.output_tail())
        };
        let completion = self.api.invoke(event, timeout).await.map_err(failed)?;
        let id = &completion.id;
        let response: Value = serde_json::from_slice(&completion.body).unwrap_or(Value::Null);
        if completion.error {
            let body = String::from_utf8_lossy(&completion.body);
            return Err(failed(format!("reported an error: {body}")));
        }
        let http = event.get("requestContext").is_some();
        let deadline = Instant::now() + Duration::from_secs(2);
        let log = loop {
            let found = self.logs.lock().ok().and_then(|mut logs| match http {
                true => logs.requests.remove(id),
                false => logs.scheduled.pop_front(),
            });
            if found.is_some() || Instant::now() > deadline {
                break found;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        Ok(Invocation {
            status: response["statusCode"].as_u64().unwrap_or(0) as u16,
            response,
            completion,
            log,
        })
    }
}

impl Drop for FunctionProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
