//! Reading a document's text in a child process, so that no file can take the server's
//! memory or CPU: [`crate::filetext`]'s budgets bound what they can see, and the child's
//! limits bound the rest.
//!
//! The parent ([`DocReader::read`]) runs `<program> read-document` with an empty
//! environment, caps it with `prlimit` ([`Limits`]: address space, CPU seconds, no core
//! file) before it is sent a byte, writes the file to its stdin, and kills it at the wall
//! time. At most [`Limits::concurrent`] children run at once. The child ([`child_main`])
//! reads the file, runs [`crate::filetext::text`], and prints one JSON line.
//!
//! Wire format, parent to child: the file's content type (`application/pdf`), a newline,
//! then the file's bytes to the end of stdin. Child to parent: `{"text": "…"}` or
//! `{"error": "…"}` on stdout, exit code 0.

use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fml_domain::document::FileType;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

/// The argument that makes a program (the `fml` binary, `fml-docread`) the child reader.
pub const ARG: &str = "read-document";

/// What one child may use.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Address space (`RLIMIT_AS`), bytes.
    pub memory: u64,
    /// CPU time (`RLIMIT_CPU`): past it the child gets `SIGXCPU`, a second later `SIGKILL`.
    pub cpu: Duration,
    /// Wall time, after which the parent kills the child.
    pub wall: Duration,
    /// Children at once in this process; the others wait their turn.
    pub concurrent: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { memory: 512 * 1024 * 1024, cpu: Duration::from_secs(10), wall: Duration::from_secs(20), concurrent: 2 }
    }
}

/// The reader could not be run: the server's fault (its setting or the machine), not the
/// file's, so the job fails and is retried.
#[derive(Debug, thiserror::Error)]
#[error("the document reader {program}: {message}")]
pub struct ReaderError {
    program: String,
    message: String,
}

/// Runs child readers of one program under one set of limits.
#[derive(Debug, Clone)]
pub struct DocReader {
    program: PathBuf,
    limits: Limits,
    permits: Arc<Semaphore>,
}

impl Default for DocReader {
    /// This executable (the `fml` binary), under the default limits.
    fn default() -> Self {
        Self::new(this_executable(), Limits::default())
    }
}

/// The running executable: the server reads documents with itself.
pub fn this_executable() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("fml"))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Answer {
    Text(String),
    Error(String),
}

impl DocReader {
    /// `program` must run the child reader when given [`ARG`].
    pub fn new(program: PathBuf, limits: Limits) -> Self {
        let permits = Arc::new(Semaphore::new(limits.concurrent.max(1)));
        Self { program, limits, permits }
    }

    pub fn program(&self) -> &std::path::Path {
        &self.program
    }

    /// The file's text, or why it cannot be read (the document's error, for an analyst);
    /// [`ReaderError`] when the reader itself could not be run.
    pub async fn read(&self, file_type: FileType, bytes: Vec<u8>) -> Result<Result<String, String>, ReaderError> {
        let _permit = self.permits.acquire().await.map_err(|e| self.error(e))?;
        let mut child = tokio::process::Command::new(&self.program)
            .arg(ARG)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| self.error(e))?;
        // Before the child has its input it does nothing but wait for it.
        if let Err(e) = limit(&child, &self.limits) {
            let _ = child.start_kill();
            return Err(self.error(format!("could not limit it: {e}")));
        }
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(self.error("its pipes were not opened"));
        };
        let run = async {
            let send = async move {
                // A child that stops reading (it died) is judged by how it ended, below.
                let _ = stdin.write_all(format!("{}\n", file_type.content_type()).as_bytes()).await;
                let _ = stdin.write_all(&bytes).await;
                drop(stdin);
            };
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let (mut stdout, mut stderr) = (stdout.take(MAX_ANSWER), stderr.take(64 * 1024));
            let (_, out_read, err_read) =
                tokio::join!(send, stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
            let status = child.wait().await;
            (out_read.and(err_read).and(status), out, err)
        };
        let Ok((status, out, err)) = tokio::time::timeout(self.limits.wall, run).await else {
            // Dropping the child kills it.
            return Ok(Err(format!("reading the file took longer than {} s", self.limits.wall.as_secs())));
        };
        let status = status.map_err(|e| self.error(e))?;
        if let Some(reason) = self.killed(&status, &err) {
            return Ok(Err(reason));
        }
        match serde_json::from_slice::<Answer>(&out) {
            Ok(Answer::Text(t)) if status.success() => Ok(Ok(t)),
            Ok(Answer::Error(e)) if status.success() => Ok(Err(e)),
            _ => {
                Err(self
                    .error(format!("it ended with {status} and no answer: {}", String::from_utf8_lossy(&err).trim())))
            }
        }
    }

    /// Why the child was stopped by a signal, as the document's reason.
    fn killed(&self, status: &std::process::ExitStatus, stderr: &[u8]) -> Option<String> {
        use std::os::unix::process::ExitStatusExt;
        let signal = status.signal()?;
        let mib = self.limits.memory / (1024 * 1024);
        let cpu = self.limits.cpu.as_secs();
        let out_of_memory = String::from_utf8_lossy(stderr).contains("memory allocation");
        Some(match signal {
            // Rust aborts when an allocation fails, which the address-space limit causes.
            6 if out_of_memory => format!("reading the file needed more than {mib} MiB"),
            // SIGXCPU at the soft CPU limit, SIGKILL at the hard one (or the kernel's OOM killer).
            24 => format!("reading the file used more than {cpu} s of CPU"),
            9 => format!("reading the file was stopped: it needed more than {mib} MiB or {cpu} s of CPU"),
            _ => format!("the file could not be read (the reader stopped with signal {signal})"),
        })
    }

    fn error(&self, e: impl std::fmt::Display) -> ReaderError {
        ReaderError { program: self.program.display().to_string(), message: e.to_string() }
    }
}

/// The most a child's answer may be: [`crate::filetext::MAX_TEXT`] of text, JSON-escaped.
const MAX_ANSWER: u64 = 8 * crate::filetext::MAX_TEXT as u64;

#[cfg(target_os = "linux")]
fn limit(child: &tokio::process::Child, limits: &Limits) -> std::io::Result<()> {
    use rustix::process::{Pid, Resource, Rlimit, prlimit};
    // An unreaped child keeps its pid, so this cannot reach another process.
    let pid = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(Pid::from_raw)
        .ok_or_else(|| std::io::Error::other("the child has no pid"))?;
    let cpu = limits.cpu.as_secs().max(1);
    let set = |resource, current: u64, maximum: u64| {
        prlimit(Some(pid), resource, Rlimit { current: Some(current), maximum: Some(maximum) }).map(drop)
    };
    set(Resource::As, limits.memory, limits.memory)?;
    set(Resource::Cpu, cpu, cpu + 1)?;
    // An abort would otherwise write a core file as large as the memory it was refused.
    set(Resource::Core, 0, 0)?;
    Ok(())
}

/// Elsewhere only the wall time and the in-process budgets hold.
#[cfg(not(target_os = "linux"))]
fn limit(_child: &tokio::process::Child, _limits: &Limits) -> std::io::Result<()> {
    Ok(())
}

/// The child reader: reads the file from stdin, prints its text or why it cannot be read.
/// The `fml` binary runs this for `fml read-document` before it starts anything else.
pub fn child_main() -> ExitCode {
    use std::io::{Read, Write};
    let mut input = Vec::new();
    let limit = fml_domain::document::MAX_FILE_BYTES + 1024;
    if let Err(e) = std::io::stdin().lock().take(limit).read_to_end(&mut input) {
        eprintln!("read-document: reading stdin: {e}");
        return ExitCode::from(2);
    }
    let Some(newline) = input.iter().position(|b| *b == b'\n') else {
        eprintln!("read-document: expected a content type line, then the file");
        return ExitCode::from(2);
    };
    let Some(file_type) = std::str::from_utf8(&input[..newline]).ok().and_then(FileType::from_content_type) else {
        eprintln!("read-document: unknown content type");
        return ExitCode::from(2);
    };
    let bytes = &input[newline + 1..];
    let answer = match std::panic::catch_unwind(|| crate::filetext::text(file_type, bytes)) {
        Ok(Ok(text)) => Answer::Text(text),
        Ok(Err(reason)) => Answer::Error(reason),
        Err(_) => Answer::Error("the file could not be parsed".to_owned()),
    };
    let mut stdout = std::io::stdout().lock();
    match serde_json::to_writer(&mut stdout, &answer).map_err(std::io::Error::from).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("read-document: writing the answer: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    /// Shell scripts standing in for the reader. Written before any child starts: an
    /// executable still open for writing in a forked child cannot be run ("text file busy").
    fn scripts(dir: &std::path::Path) -> impl Fn(&str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let all = [
            ("echo", r#"read -r line; printf '{"text":"%s"}' "$line""#),
            ("refuse", r#"printf '{"error":"the PDF is encrypted"}'"#),
            ("silent", "exit 0"),
            ("spin", "while :; do :; done"),
            ("sleep", "exec sleep 30"),
        ];
        for (name, body) in all {
            let path = dir.join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let dir = dir.to_path_buf();
        move |name| dir.join(name)
    }

    #[tokio::test]
    async fn the_child_is_limited_and_its_end_is_the_documents_reason() {
        let dir = std::env::temp_dir().join(format!("fml-docreader-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = scripts(&dir);
        // The wall limit is far above the CPU limit, so a loaded machine that gives the
        // spinning child its CPU second slowly still ends it by CPU; the sleeping child uses
        // none, so only the (shorter) wall limit of its own run can end it.
        let limits = Limits { cpu: Duration::from_secs(1), wall: Duration::from_secs(25), ..Limits::default() };
        let read_with = |name: &str, limits: Limits| {
            let reader = DocReader::new(script(name), limits);
            async move { reader.read(FileType::Pdf, b"%PDF-1.7".to_vec()).await }
        };
        let read = |name: &str| read_with(name, limits);

        assert_eq!(read("echo").await.unwrap(), Ok("application/pdf".to_owned()));
        assert_eq!(read("refuse").await.unwrap(), Err("the PDF is encrypted".to_owned()));
        // A reader that answers nothing, or is missing, is the server's failure.
        assert!(read("silent").await.unwrap_err().to_string().contains("no answer"));
        assert!(read("missing").await.is_err());
        // The CPU limit is set on the child.
        assert_eq!(read("spin").await.unwrap(), Err("reading the file used more than 1 s of CPU".to_owned()));
        let short = Limits { wall: Duration::from_secs(3), ..limits };
        assert_eq!(read_with("sleep", short).await.unwrap(), Err("reading the file took longer than 3 s".to_owned()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn signals_read_as_reasons() {
        let r = DocReader::new("fml".into(), Limits::default());
        let abort = std::process::ExitStatus::from_raw(6);
        let oom = r.killed(&abort, b"memory allocation of 1048576 bytes failed\n");
        assert_eq!(oom.as_deref(), Some("reading the file needed more than 512 MiB"));
        assert_eq!(
            r.killed(&abort, b"thread 'main' has overflowed its stack").as_deref(),
            Some("the file could not be read (the reader stopped with signal 6)")
        );
        assert!(r.killed(&std::process::ExitStatus::from_raw(9), b"").unwrap().contains("512 MiB or 10 s of CPU"));
        assert_eq!(r.killed(&std::process::ExitStatus::from_raw(0), b""), None);
    }
}
