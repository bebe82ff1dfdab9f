//! Real outages of the local emulators, for the fault tests: the processes that
//! `scripts/stack.sh` started are frozen (SIGSTOP to their process group) and thawed
//! (SIGCONT). Both emulators keep their data in memory only, so they are never killed:
//! a frozen process keeps its data, accepts connections into its listen backlog and
//! answers nothing, exactly like a hung or overloaded endpoint, and after SIGCONT it
//! serves again, including whatever requests queued up meanwhile.
//!
//! Every freeze is a guard ([`Frozen`]) that thaws on drop, so a failing test never leaves
//! an emulator frozen; a watchdog process of its own thaws it too if the test process is
//! killed before it can.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use integration_tests::{LocalEnv, repo_root};

/// How long a freeze may outlive its test process before the watchdog thaws it.
const WATCHDOG_SECONDS: u64 = 45;

/// A local emulator, as `scripts/stack.sh` runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// DynamoDB Local.
    DynamoDb,
    /// LocalStack (S3, EventBridge, SQS).
    LocalStack,
}

impl Service {
    /// Its name in `scripts/stack.sh`.
    fn name(self) -> &'static str {
        match self {
            Self::DynamoDb => "dynamodb",
            Self::LocalStack => "localstack",
        }
    }

    fn endpoint_var(self) -> &'static str {
        match self {
            Self::DynamoDb => "AWS_ENDPOINT_URL_DYNAMODB",
            Self::LocalStack => "AWS_ENDPOINT_URL_S3",
        }
    }

    fn port_var(self) -> &'static str {
        match self {
            Self::DynamoDb => "DYNAMODB_PORT",
            Self::LocalStack => "LOCALSTACK_PORT",
        }
    }
}

/// The pid of the emulator `scripts/stack.sh` started, if it still runs: the script alone
/// knows where it records the pid and how to tell its process from one that reused it.
fn stack_pid(service: Service) -> Option<u32> {
    let out = Command::new(repo_root().join("scripts/stack.sh"))
        .args(["pid", service.name()])
        .stderr(Stdio::inherit())
        .output()
        .ok()?;
    let pid = String::from_utf8_lossy(&out.stdout).trim().parse().ok();
    pid.filter(|_| out.status.success())
}

/// A running emulator that this machine's `scripts/stack.sh` started.
#[derive(Debug, Clone)]
pub struct Emulator {
    pub service: Service,
    pub pid: u32,
    /// Its process group (the emulator leads its own: stack.sh starts it with setsid).
    pgid: u32,
    /// Where the functions under test reach it.
    pub address: SocketAddr,
}

/// Why the emulators cannot be frozen here.
#[derive(Debug)]
pub enum Unavailable {
    /// The SDK is pointed at endpoints that stack.sh did not start (for example LocalStack
    /// in Docker): there is no process of ours to freeze.
    External(String),
    /// The stack should be running but is not.
    NotRunning(String),
}

impl Emulator {
    /// The emulator behind the endpoint the tests use, as `scripts/stack.sh pid` names it.
    pub fn locate(service: Service) -> Result<Self, Unavailable> {
        let endpoint = std::env::var(service.endpoint_var())
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| {
                std::env::var("AWS_ENDPOINT_URL")
                    .ok()
                    .filter(|v| !v.is_empty())
            });
        let port = LocalEnv::load().get(service.port_var());
        let local = format!("http://127.0.0.1:{port}");
        let endpoint = endpoint.unwrap_or_else(|| local.clone());
        let Some(pid) = stack_pid(service) else {
            let reason = format!(
                "scripts/stack.sh runs no {} (endpoint {endpoint})",
                service.name()
            );
            return Err(
                if endpoint == local || endpoint == local.replace("127.0.0.1", "localhost") {
                    Unavailable::NotRunning(reason)
                } else {
                    Unavailable::External(reason)
                },
            );
        };
        let host_port = endpoint
            .split_once("://")
            .map_or(endpoint.as_str(), |(_, rest)| rest)
            .trim_end_matches('/');
        let address = host_port
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.find(SocketAddr::is_ipv4))
            .ok_or_else(|| Unavailable::NotRunning(format!("cannot resolve {endpoint}")))?;
        let pgid = stat(pid).map_or(pid, |s| s.pgrp);
        Ok(Self {
            service,
            pid,
            pgid,
            address,
        })
    }

    /// Freezes the emulator now; it thaws when the guard is dropped.
    pub fn freeze(&self) -> Frozen {
        Frozen::new(self.clone())
    }

    /// Whether the endpoint answers an HTTP request within `patience`.
    pub fn answers(&self, patience: Duration) -> bool {
        let attempt = || -> std::io::Result<usize> {
            let mut stream = TcpStream::connect_timeout(&self.address, patience)?;
            stream.set_read_timeout(Some(patience))?;
            stream.set_write_timeout(Some(patience))?;
            stream.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
            let mut buf = [0u8; 16];
            stream.read(&mut buf)
        };
        matches!(attempt(), Ok(n) if n > 0)
    }

    /// Waits until the endpoint answers again (it serves its backlog first).
    pub fn wait_until_answering(&self, limit: Duration) {
        let started = Instant::now();
        while !self.answers(Duration::from_secs(1)) {
            assert!(
                started.elapsed() < limit,
                "{:?} does not answer {:?} after being thawed",
                self.service,
                limit
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

struct Stat {
    state: char,
    pgrp: u32,
}

/// State and process group from `/proc/<pid>/stat` (fields 3 and 5; the command name,
/// field 2, is in parentheses and may contain anything).
fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let _ppid = fields.next()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some(Stat { state, pgrp })
}

/// The `kill` argument naming the emulator's process group (or only the emulator, if it
/// leads none).
fn kill_target(emulator: &Emulator) -> String {
    if emulator.pgid == emulator.pid {
        format!("-{}", emulator.pgid)
    } else {
        emulator.pid.to_string()
    }
}

/// Sends `signal` (STOP or CONT) to the emulator; whether it was delivered.
fn signal(emulator: &Emulator, signal: &str) -> bool {
    Command::new("kill")
        .args([format!("-{signal}").as_str(), "--", &kill_target(emulator)])
        .status()
        .is_ok_and(|s| s.success())
}

/// A frozen emulator; dropping it thaws it.
pub struct Frozen {
    emulator: Emulator,
    watchdog: Option<Child>,
    since: Instant,
}

impl Frozen {
    fn new(emulator: Emulator) -> Self {
        // The watchdog runs in a process group of its own, so that Ctrl-C on the test run
        // does not take it down with the tests; it is harmless if the freeze already ended.
        let target = kill_target(&emulator);
        let watchdog = {
            use std::os::unix::process::CommandExt;
            Command::new("sh")
                .args([
                    "-c",
                    &format!("sleep {WATCHDOG_SECONDS}; exec env kill -CONT -- {target}"),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .ok()
        };
        assert!(
            signal(&emulator, "STOP"),
            "could not stop {:?} (pid {})",
            emulator.service,
            emulator.pid
        );
        let frozen = Self {
            emulator,
            watchdog,
            since: Instant::now(),
        };
        let started = Instant::now();
        while stat(frozen.emulator.pid).is_some_and(|s| s.state != 'T') {
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{:?} (pid {}) did not stop",
                frozen.emulator.service,
                frozen.emulator.pid
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        frozen
    }

    /// Asserts that what the functions call is really the frozen process: its endpoint
    /// takes connections but answers nothing.
    pub fn assert_silent(&self) {
        assert!(
            !self.emulator.answers(Duration::from_millis(700)),
            "{:?} at {} still answers while pid {} is frozen: the endpoint is not that \
             emulator",
            self.emulator.service,
            self.emulator.address,
            self.emulator.pid
        );
    }

    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// How long it has been frozen.
    pub fn elapsed(&self) -> Duration {
        self.since.elapsed()
    }

    /// Thaws it and waits until it answers again.
    pub fn thaw(self) {
        let emulator = self.emulator.clone();
        drop(self);
        emulator.wait_until_answering(Duration::from_secs(30));
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        // Never panics: this runs while a failed test unwinds.
        if !signal(&self.emulator, "CONT") {
            eprintln!(
                "fault-tests: could not thaw {:?} (pid {}): run `kill -CONT -- {}`",
                self.emulator.service,
                self.emulator.pid,
                kill_target(&self.emulator)
            );
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }
}
