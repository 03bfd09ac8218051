//! Times two commands against each other: `alternate REPS -- CMD_A... -- CMD_B...`.
//!
//! The two commands run in turn (A, B, A, B, ...) REPS times each, so a slow moment of
//! the machine falls on both alike. Each run is timed from just before `spawn` to just
//! after `wait`, with standard output and error sent to /dev/null. Prints one line:
//! `min_a median_a min_b median_b failures_a failures_b`, times in milliseconds.
//!
//! Built by benches/kopium.sh with plain `rustc -O` (no dependencies): a shell timer
//! forks `date` around every run and adds about a millisecond of noise to runs that
//! take five.

use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: alternate REPS -- CMD_A [ARGS...] -- CMD_B [ARGS...]";
    let Some(reps) = args
        .first()
        .and_then(|r| r.parse::<usize>().ok())
        .filter(|&r| r > 0)
    else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let mut parts = rest.split(|a| a == "--").skip(1);
    let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    if a.is_empty() || b.is_empty() {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let mut times = [Vec::with_capacity(reps), Vec::with_capacity(reps)];
    let mut failures = [0usize; 2];
    for _ in 0..reps {
        for (i, cmd) in [a, b].into_iter().enumerate() {
            match run(cmd) {
                Ok((ms, ok)) => {
                    times[i].push(ms);
                    failures[i] += usize::from(!ok);
                }
                Err(e) => {
                    eprintln!("alternate: cannot run {}: {e}", cmd[0]);
                    return ExitCode::from(2);
                }
            }
        }
    }
    let [ta, tb] = &mut times;
    let (min_a, med_a) = min_median(ta);
    let (min_b, med_b) = min_median(tb);
    println!(
        "{min_a:.3} {med_a:.3} {min_b:.3} {med_b:.3} {} {}",
        failures[0], failures[1]
    );
    ExitCode::SUCCESS
}

/// One run of `cmd`: its wall time in milliseconds and whether it exited with success.
fn run(cmd: &[String]) -> std::io::Result<(f64, bool)> {
    let start = Instant::now();
    let status = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    Ok((start.elapsed().as_secs_f64() * 1e3, status.success()))
}

fn min_median(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    };
    (times[0], median)
}
