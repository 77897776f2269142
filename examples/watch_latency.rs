//! Measures `wirefeed watch`'s latency: from a story file renamed into the articles folder to
//! the feed on disk containing it. Run by `bench/watch.sh`, against a watch it started.
//!
//! ```text
//! watch_latency FOLDER FEED SAMPLES STAGING
//! ```
//!
//! For each sample: writes a story with a unique headline in STAGING (same file system), waits
//! for the watch to be idle, renames the story into FOLDER (a folder of the articles) and looks
//! at FEED (`stat` every millisecond, read when it was replaced) until the headline is in it.
//! Prints each latency in milliseconds, then `p50`, `p95`, `min` and `max`. The stories are
//! removed at the end.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: watch_latency FOLDER FEED SAMPLES STAGING");
        std::process::exit(2);
    }
    let folder = PathBuf::from(&args[1]);
    let feed = PathBuf::from(&args[2]);
    let samples: usize = args[3].parse().expect("SAMPLES is a number");
    let staging = PathBuf::from(&args[4]);
    let run = std::process::id();
    let mut added = Vec::new();
    let mut latencies = Vec::new();
    for i in 0..samples {
        let headline = format!("Замер задержки {run} номер {i}");
        let minute = i % 60;
        let text = format!(
            "{headline}\nДУШАНБЕ, 31.12.2025 23:{minute:02} /НИАТ «Ховар»/. Новость для замера \
             задержки наблюдения, номер {i}.\nВторой абзац.\nФОТО: НИАТ «Ховар»\n"
        );
        let staged = staging.join(format!("latency-{i}.txt"));
        std::fs::write(&staged, text).expect("write the story");
        let target = folder.join(format!("zz-latency-{run}-{i}.txt"));
        // The previous sample's build and its cache write are over.
        std::thread::sleep(Duration::from_millis(700));
        let started = Instant::now();
        std::fs::rename(&staged, &target).expect("rename the story in");
        added.push(target);
        let took = wait_for(&feed, &headline, started);
        println!("{:.1}", took.as_secs_f64() * 1000.0);
        latencies.push(took);
    }
    for path in &added {
        let _ = std::fs::remove_file(path);
    }
    latencies.sort();
    let pick = |q: f64| {
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    println!(
        "p50 {:.1} p95 {:.1} min {:.1} max {:.1}",
        pick(0.5),
        pick(0.95),
        pick(0.0),
        pick(1.0)
    );
}

/// Waits until the feed holds the headline; the time since `started`.
fn wait_for(feed: &Path, headline: &str, started: Instant) -> Duration {
    let mut last = None;
    loop {
        // Feeds are replaced by a rename: a new inode or mtime means a new file to read.
        let stamp = std::fs::metadata(feed).ok().map(|m| {
            use std::os::unix::fs::MetadataExt;
            (m.ino(), m.mtime_nsec(), m.len())
        });
        if stamp.is_some() && stamp != last {
            last = stamp;
            if std::fs::read_to_string(feed).is_ok_and(|t| t.contains(headline)) {
                return started.elapsed();
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            eprintln!(
                "watch_latency: the story did not reach {} in 60 s",
                feed.display()
            );
            std::process::exit(1);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
