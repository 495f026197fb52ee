//! bench/scenarios/select.hpp for crossbeam-channel and flume: crossbeam's select_rx (4 channels, a
//! producer each, one consumer selecting a receive over all 4) and select_both (4 threads selecting a
//! send over the 4 channels, 4 selecting a receive), with the same names and checks as chan's rows.
//! crossbeam uses its `select!` macro (arms fixed at compile time, like chan::select and Go's select
//! statement); `crossbeam_try` adds a `default` arm and yields. select_rx_dyn is select_rx with
//! crossbeam's run-time `Select` (built once, its 4 receive arms reused for every item; crossbeam's own
//! benchmark builds one per item), beside chan's run-time chan::selector. flume has one selector, `Selector`,
//! built for every message (its arms own the callbacks), and no non-blocking form: no flume_try rows.
//! flume has no select_both row either: with send arms, flume 0.10.14's Selector delivered some
//! messages twice (a receiver took a message from a losing arm's parked send) and left threads asleep
//! beside full or non-empty channels, so the run never ended (4 senders, 4 receivers, cap 1024,
//! 65,536 messages: after 8 s, 65,479 received and 85 queued, i.e. 28 duplicates, with every
//! receiver parked). select_rx (receive arms only) runs and checks.

use super::{run_sized, share_of, sized, Body, Sample, Scale, Tally};
use crossbeam_channel::select;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

const WIDTH: usize = 4;
const CAPACITIES: [usize; 4] = [1, 4, 32, 1024];

fn id(producer: usize, i: usize) -> u64 {
    (((producer + 1) as u64) << 40) + i as u64
}

/// Runs body(t) on `threads` threads that start together; seconds from the start to the last join.
fn run_started<F: Fn(usize) -> Tally + Sync>(threads: usize, body: F) -> (f64, Vec<Tally>) {
    let ready = AtomicUsize::new(0);
    let go = AtomicUsize::new(0);
    let mut tallies = Vec::new();
    let mut seconds = 0.0;
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (ready, go, body) = (&ready, &go, &body);
                s.spawn(move || {
                    ready.fetch_add(1, Ordering::SeqCst);
                    while go.load(Ordering::Acquire) == 0 {
                        thread::yield_now();
                    }
                    body(t)
                })
            })
            .collect();
        while ready.load(Ordering::SeqCst) != threads {
            thread::yield_now();
        }
        let begin = Instant::now();
        go.store(1, Ordering::Release);
        tallies = handles.into_iter().map(|h| h.join().unwrap()).collect();
        seconds = begin.elapsed().as_secs_f64();
    });
    (seconds, tallies)
}

/// The receive and send selects of one library, over 4 channels.
trait Select: Sync {
    type Tx: Sync;
    type Rx: Sync;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx);
    fn plain_send(&self, tx: &Self::Tx, v: u64);
    /// (index of the arm that fired, the item)
    fn select_recv(&self, rx: &[Self::Rx; WIDTH]) -> (usize, u64);
    fn select_send(&self, tx: &[Self::Tx; WIDTH], v: u64) -> usize;
    fn is_empty(rx: &Self::Rx) -> bool;
    /// `items` receive selects, each item handed to `each(arm, item)`; select_rx's consumer.
    fn receive_each<F: FnMut(usize, u64)>(&self, rx: &[Self::Rx; WIDTH], items: usize, mut each: F) {
        for _ in 0..items {
            let (k, item) = self.select_recv(rx);
            each(k, item);
        }
    }
}

struct Crossbeam {
    blocking: bool,
    /// select_rx_dyn: the consumer uses a run-time `Select`, built once with the 4 receive arms
    dynamic: bool,
}
impl Select for Crossbeam {
    type Tx = crossbeam_channel::Sender<u64>;
    type Rx = crossbeam_channel::Receiver<u64>;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
        crossbeam_channel::bounded(cap)
    }
    fn plain_send(&self, tx: &Self::Tx, v: u64) {
        if self.blocking {
            return tx.send(v).expect("crossbeam: disconnected");
        }
        while let Err(e) = tx.try_send(v) {
            assert!(e.is_full(), "crossbeam: disconnected");
            thread::yield_now();
        }
    }
    fn select_recv(&self, rx: &[Self::Rx; WIDTH]) -> (usize, u64) {
        let [r0, r1, r2, r3] = rx;
        loop {
            if self.blocking {
                return select! {
                    recv(r0) -> m => (0, m.unwrap()),
                    recv(r1) -> m => (1, m.unwrap()),
                    recv(r2) -> m => (2, m.unwrap()),
                    recv(r3) -> m => (3, m.unwrap()),
                };
            }
            select! {
                recv(r0) -> m => return (0, m.unwrap()),
                recv(r1) -> m => return (1, m.unwrap()),
                recv(r2) -> m => return (2, m.unwrap()),
                recv(r3) -> m => return (3, m.unwrap()),
                default => thread::yield_now(),
            }
        }
    }
    fn select_send(&self, tx: &[Self::Tx; WIDTH], v: u64) -> usize {
        let [s0, s1, s2, s3] = tx;
        loop {
            if self.blocking {
                return select! {
                    send(s0, v) -> r => { r.unwrap(); 0 },
                    send(s1, v) -> r => { r.unwrap(); 1 },
                    send(s2, v) -> r => { r.unwrap(); 2 },
                    send(s3, v) -> r => { r.unwrap(); 3 },
                };
            }
            select! {
                send(s0, v) -> r => { r.unwrap(); return 0 },
                send(s1, v) -> r => { r.unwrap(); return 1 },
                send(s2, v) -> r => { r.unwrap(); return 2 },
                send(s3, v) -> r => { r.unwrap(); return 3 },
                default => thread::yield_now(),
            }
        }
    }
    fn is_empty(rx: &Self::Rx) -> bool {
        rx.is_empty()
    }
    fn receive_each<F: FnMut(usize, u64)>(&self, rx: &[Self::Rx; WIDTH], items: usize, mut each: F) {
        if !self.dynamic {
            for _ in 0..items {
                let (k, item) = self.select_recv(rx);
                each(k, item);
            }
            return;
        }
        let mut sel = crossbeam_channel::Select::new();
        for r in rx {
            sel.recv(r);
        }
        for _ in 0..items {
            let op = loop {
                if self.blocking {
                    break sel.select();
                }
                match sel.try_select() {
                    Ok(op) => break op,
                    Err(_) => thread::yield_now(),
                }
            };
            let k = op.index();
            each(k, op.recv(&rx[k]).expect("crossbeam: disconnected"));
        }
    }
}

struct Flume;
impl Select for Flume {
    type Tx = flume::Sender<u64>;
    type Rx = flume::Receiver<u64>;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
        flume::bounded(cap)
    }
    fn plain_send(&self, tx: &Self::Tx, v: u64) {
        tx.send(v).expect("flume: disconnected");
    }
    fn select_recv(&self, rx: &[Self::Rx; WIDTH]) -> (usize, u64) {
        let mut sel = flume::Selector::new();
        for (k, r) in rx.iter().enumerate() {
            sel = sel.recv(r, move |m| (k, m.expect("flume: disconnected")));
        }
        sel.wait()
    }
    fn select_send(&self, tx: &[Self::Tx; WIDTH], v: u64) -> usize {
        let mut sel = flume::Selector::new();
        for (k, s) in tx.iter().enumerate() {
            sel = sel.send(s, v, move |r| {
                r.expect("flume: disconnected");
                k
            });
        }
        sel.wait()
    }
    fn is_empty(rx: &Self::Rx) -> bool {
        rx.is_empty()
    }
}

fn channels<S: Select>(cap: usize) -> ([S::Tx; WIDTH], [S::Rx; WIDTH]) {
    let [a, b, c, d] = [(); WIDTH].map(|_| S::bounded(cap));
    ([a.0, b.0, c.0, d.0], [a.1, b.1, c.1, d.1])
}

fn require_drained<S: Select>(rx: &[S::Rx; WIDTH], what: &str) {
    if rx.iter().any(|r| !S::is_empty(r)) {
        eprintln!("rust peer: {}: items left in a channel", what);
        std::process::abort();
    }
}

fn run_select_rx<S: Select>(lib: &S, cap: usize, items: usize) -> f64 {
    let (tx, rx) = channels::<S>(cap);
    let (seconds, tallies) = run_started(WIDTH + 1, |t| {
        let mut mine = Tally::default();
        if t < WIDTH {
            for i in 1..=share_of(items, WIDTH, t) {
                mine.add(id(t, i));
                lib.plain_send(&tx[t], id(t, i));
            }
            return mine;
        }
        let mut last = [0u64; WIDTH];
        lib.receive_each(&rx, items, |k, item| {
            // Channel k carries producer k's items only, in the order that producer sent them.
            if (item >> 40) as usize != k + 1 || item <= last[k] {
                eprintln!(
                    "rust peer: select_rx: item {:x} out of arm {} after {:x}",
                    item, k, last[k]
                );
                std::process::abort();
            }
            last[k] = item;
            mine.add(item);
        });
        mine
    });
    let mut sent = Tally::default();
    tallies[..WIDTH].iter().for_each(|t| sent.merge(t));
    super::require_same(&sent, &tallies[WIDTH], "select_rx");
    require_drained::<S>(&rx, "select_rx (leftover)");
    seconds
}

fn run_select_both<S: Select>(lib: &S, cap: usize, items: usize) -> f64 {
    let (tx, rx) = channels::<S>(cap);
    let (seconds, tallies) = run_started(2 * WIDTH, |t| {
        let mut mine = Tally::default();
        if t < WIDTH {
            for i in 1..=share_of(items, WIDTH, t) {
                mine.add(id(t, i));
                lib.select_send(&tx, id(t, i));
            }
        } else {
            for _ in 0..share_of(items, WIDTH, t - WIDTH) {
                mine.add(lib.select_recv(&rx).1);
            }
        }
        mine
    });
    let (mut sent, mut received) = (Tally::default(), Tally::default());
    tallies[..WIDTH].iter().for_each(|t| sent.merge(t));
    tallies[WIDTH..].iter().for_each(|t| received.merge(t));
    super::require_same(&sent, &received, "select_both");
    require_drained::<S>(&rx, "select_both (leftover)");
    seconds
}

/// `scenarios`: (name in the row, grid, select_both or not)
fn add<S: Select + 'static>(
    out: &mut Vec<(String, Body)>,
    queue: &'static str,
    make: fn() -> S,
    scenarios: &[(&'static str, &'static str, bool)],
) {
    for &cap in &CAPACITIES {
        for &(scenario, grid, both) in scenarios {
            out.push((
                format!("{}/{}/{}/cap:{}/u64", queue, scenario, grid, cap),
                Box::new(move |sc: &Scale| {
                    let lib = make();
                    let (n, s) = run_sized(sc.min_items, sc.min_seconds, |n| {
                        if both {
                            run_select_both(&lib, cap, n)
                        } else {
                            run_select_rx(&lib, cap, n)
                        }
                    });
                    let mut counters = sized(n, s);
                    counters.push(("items_per_second", n as f64 / s));
                    Sample { seconds: s, counters }
                }),
            ));
        }
    }
}

const RX: (&str, &str, bool) = ("select_rx", "4x1", false);
const BOTH: (&str, &str, bool) = ("select_both", "4x4", true);
const RX_DYN: (&str, &str, bool) = ("select_rx_dyn", "4x1", false);

pub(super) fn register(out: &mut Vec<(String, Body)>) {
    let crossbeam = || Crossbeam {
        blocking: true,
        dynamic: false,
    };
    let crossbeam_try = || Crossbeam {
        blocking: false,
        dynamic: false,
    };
    add(out, "crossbeam", crossbeam, &[RX, BOTH]);
    add(out, "crossbeam_try", crossbeam_try, &[RX, BOTH]);
    // select_rx_dyn: crossbeam's run-time `Select`, as chan's row uses chan::selector.
    add(
        out,
        "crossbeam",
        || Crossbeam {
            blocking: true,
            dynamic: true,
        },
        &[RX_DYN],
    );
    add(
        out,
        "crossbeam_try",
        || Crossbeam {
            blocking: false,
            dynamic: true,
        },
        &[RX_DYN],
    );
    add(out, "flume", || Flume, &[RX]); // no select_both: see the top of this file
}
