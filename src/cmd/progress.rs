//! The progress line of a long build, on a terminal only.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wirefeed::build::Progress;

/// A progress line on a terminal, shown only when the scan takes more than a second; cleared
/// when dropped. Never drawn for cron or pipes (stderr is not a terminal there).
pub struct ProgressLine {
    /// The counters the build updates.
    pub counters: Arc<Progress>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressLine {
    /// Starts drawing (after a second) until dropped.
    pub fn start() -> Self {
        let counters = Arc::new(Progress::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (counters.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut drawn = false;
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let (done, total) = (
                    c.scanned.load(Ordering::Relaxed),
                    c.total.load(Ordering::Relaxed),
                );
                if started.elapsed() > Duration::from_secs(1) && total > 0 && done < total {
                    eprint!(
                        "\rwirefeed: reading stories {done}/{total} ({}%)",
                        done * 100 / total
                    );
                    drawn = true;
                }
            }
            if drawn {
                eprint!("\r\x1b[K");
            }
        });
        ProgressLine {
            counters,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
