//! `precompress [DIR]`: the brotli and gzip copies of a built page's files,
//! run by trunk after each build (see Trunk.toml's hook).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Writes brotli and gzip copies of the wasm, JavaScript and CSS of a built page.
#[derive(Debug, Parser)]
#[command(name = "precompress", version, about)]
struct Args {
    /// The built page (trunk's staging directory when run as its hook).
    #[arg(env = "TRUNK_STAGING_DIR", value_name = "DIR")]
    dir: PathBuf,

    /// The build profile (set by trunk). `debug` builds are left as they
    /// are: `trunk serve` makes one on every change, and brotli at its
    /// highest quality takes seconds.
    #[arg(long, env = "TRUNK_PROFILE", default_value = "release")]
    profile: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.profile == "debug" {
        return ExitCode::SUCCESS;
    }
    let started = std::time::Instant::now();
    match precompress::compress_dir(&args.dir) {
        Ok(made) => {
            println!(
                "precompress: {made} copies (brotli, gzip) in {} in {:.1?}",
                args.dir.display(),
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "precompress: cannot compress {}: {error}",
                args.dir.display()
            );
            ExitCode::FAILURE
        }
    }
}
