//! The `wirefeed` command: flags in, library call, exit code out.

mod cmd;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Exit codes, documented in README and `--help`.
mod exit {
    /// Everything was published.
    pub const OK: u8 = 0;
    /// Some story files were skipped (or `check` found errors).
    pub const SKIPPED: u8 = 1;
    /// Bad flags or configuration (or `check` could not read a file).
    pub const USAGE: u8 = 2;
    /// A feed failed validation and was not written.
    pub const INVALID: u8 = 3;
    /// The output folder is locked by another build, an I/O error, or an unusable ledger.
    pub const IO: u8 = 4;
    /// Added to the number of the signal (SIGHUP, SIGINT, SIGTERM) that stopped a build, as
    /// shells do for a process killed by a signal.
    pub const SIGNALLED: i32 = 128;
}

const EXIT_CODES: &str = "\
Exit codes:
  0  all stories published, all feeds valid
  1  some story files were skipped (each is named on stderr)
  2  usage or configuration error
  3  a feed failed validation and was not written (the old file is untouched)
  4  another build holds the lock on the output folder, an I/O error, or the publication
     ledger is damaged, not a ledger, or of a newer schema (it is left untouched)
  129, 130, 143  stopped by SIGHUP, SIGINT (Ctrl-C) or SIGTERM (128 + the signal's
     number): temporary files removed, no feed left half-written";

/// Publish a folder of wire stories as RSS 2.0, Atom 1.0 and JSON feeds.
#[derive(Parser)]
#[command(name = "wirefeed", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Build(Box<cmd::build::BuildArgs>),
    Watch(Box<cmd::watch::WatchArgs>),
    Inspect(cmd::inspect::InspectArgs),
    Check(cmd::check::CheckArgs),
    History(cmd::history::HistoryArgs),
    Completions(cmd::shell::CompletionsArgs),
    /// Print the manual page (roff), e.g. `wirefeed man > /usr/local/share/man/man1/wirefeed.1`.
    Man,
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Build(args) => {
            cmd::clean_up_on_signal();
            cmd::build::execute(*args)
        }
        // The watch handles its own signals: it finishes a build before it stops.
        Command::Watch(args) => cmd::watch::execute(&args),
        Command::Inspect(args) => cmd::inspect::execute(args),
        Command::Check(args) => cmd::check::execute(&args),
        Command::History(args) => cmd::history::execute(&args),
        Command::Completions(args) => cmd::shell::completions(&args, Cli::command()),
        Command::Man => cmd::shell::man(Cli::command()),
    };
    cmd::wait_if_interrupted();
    code
}

/// Makes glibc's allocator give blocks of a megabyte or more back to the system when they are
/// freed. Its default raises the size at which a block gets its own mapping each time such a
/// block is freed, so that after the first large block every list of a million records' step
/// came from a thread's arena, which keeps it: at 1,000,000 stories a rerun peaked at 197 MiB
/// against 188 MiB with the threshold fixed. Not lower: at 128 KiB every rendered archive
/// document gets fresh pages, about 5 % more time for a build with archives (docs/PERFORMANCE.md,
/// issue 14). The library leaves the allocator alone: this is the program's choice.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const LARGE: libc::c_int = 1024 * 1024;
        // SAFETY: `mallopt` only sets allocator parameters; it is called before any thread
        // starts, and a refused value (return 0) leaves glibc's default in place.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE);
            libc::mallopt(libc::M_TRIM_THRESHOLD, LARGE);
        }
    }
}
