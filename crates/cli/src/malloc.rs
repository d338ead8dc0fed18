//! The server's allocator setting: one glibc malloc arena.
//!
//! glibc gives each thread that allocates an arena of its own (up to eight per core), and each
//! arena keeps the pages it has freed. Under the pipeline benchmark that is 5–7 MiB of the
//! server's peak RSS that one shared arena reuses instead (docs/benchmarks.md, "Where the RSS
//! went"); per-thread caches keep the shared arena's lock off the hot path, and the same
//! benchmark is not slower with it. glibc reads the setting only when the process starts
//! (`MALLOC_ARENA_MAX`), and setting it from inside needs `mallopt`, which is `unsafe` (the
//! workspace forbids it). So `fml serve` executes itself again, once, with the variable set.
//! A deployment that sets `MALLOC_ARENA_MAX` itself keeps its own value.

/// The environment variable glibc's malloc reads at start-up.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const VAR: &str = "MALLOC_ARENA_MAX";

/// Replaces this process with the same command run with `MALLOC_ARENA_MAX=1`, unless the
/// variable is already set (by the deployment, or by this function before the exec). Returns
/// only when there is nothing to do, or when the exec failed (then the server runs on glibc's
/// defaults, and says so).
pub fn one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os(VAR).is_some() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else { return };
        let mut args = std::env::args_os();
        let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
        let error = std::process::Command::new(&exe).arg0(arg0).args(args).env(VAR, "1").exec();
        eprintln!("warning: could not restart with {VAR}=1 ({error}); running with glibc's default malloc arenas");
    }
}
