//! `wirefeed completions SHELL` and `wirefeed man`: the command line described for shells and
//! for `man`, generated from the same clap definitions as the parser, so neither can drift.

use std::process::ExitCode;

use clap::Args;
use clap_complete::Shell;

use crate::exit;

/// Print a shell completion script.
///
/// Examples:
///   wirefeed completions bash > /etc/bash_completion.d/wirefeed
///   wirefeed completions zsh > "${fpath[1]}/_wirefeed"
///   wirefeed completions fish > ~/.config/fish/completions/wirefeed.fish
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Writes the completion script for `args.shell` of `command` to stdout.
pub fn completions(args: &CompletionsArgs, mut command: clap::Command) -> ExitCode {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "wirefeed", &mut out);
    write(&out)
}

/// Writes the manual page of `command` (roff, section 1) to stdout.
pub fn man(command: clap::Command) -> ExitCode {
    let mut out = Vec::new();
    // Writing roff into a Vec cannot fail but for memory.
    if let Err(e) = clap_mangen::Man::new(command).render(&mut out) {
        eprintln!("error: cannot render the manual page: {e}");
        return ExitCode::from(exit::IO);
    }
    write(&out)
}

/// Writes to stdout; a closed pipe is not an error.
fn write(bytes: &[u8]) -> ExitCode {
    match super::write_stdout(bytes) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            ExitCode::from(exit::IO)
        }
    }
}
