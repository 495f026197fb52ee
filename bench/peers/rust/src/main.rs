//! crossbeam-channel and flume run the scenarios of bench/ (scenarios/*.hpp) with the same parameters,
//! the same checks and the same output: Google Benchmark's JSON, names
//! `<queue>/<scenario>/<P>x<C>/cap:<n>/<payload>`, so bench/report/chanbench.py merges them with the
//! C++ rows. The command line is the part of Google Benchmark's that chanbench.py uses:
//!   --benchmark_list_tests=true    print every name
//!   --benchmark_filter=^NAME$      run the one benchmark NAME (an anchored, escaped exact name)
//!   --benchmark_format=json        (the only format)
//!   --scale=quick|default|full     sample sizes, as bench/scenarios/scale.hpp
//! Blocking rows call send/recv; `_try` rows loop on try_send/try_recv and yield on full/empty.

mod select;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

// ---- sizes (bench/scenarios/scale.hpp) ---------------------------------------------------------
#[derive(Clone, Copy)]
struct Scale {
    min_items: usize,
    min_seconds: f64,
    round_trips: usize,
    suite_messages: usize,
}
const QUICK: Scale = Scale {
    min_items: 1 << 16,
    min_seconds: 0.005,
    round_trips: 2_000,
    suite_messages: 1 << 16,
};
const DEFAULT: Scale = Scale {
    min_items: 1 << 20,
    min_seconds: 0.05,
    round_trips: 20_000,
    suite_messages: 1 << 20,
};
const FULL: Scale = Scale {
    min_items: 1 << 22,
    min_seconds: 0.2,
    round_trips: 100_000,
    suite_messages: 5_000_000,
};
const SUITE_UNIT: f64 = 5_000_000.0;

/// At least `min_items` and `min_seconds`: a second, bigger run when the first was too short.
fn run_sized(min_items: usize, min_seconds: f64, mut run: impl FnMut(usize) -> f64) -> (usize, f64) {
    let first = run(min_items);
    if first >= min_seconds {
        return (min_items, first);
    }
    let factor = if first > 0.0 { 1.25 * min_seconds / first } else { 64.0 };
    let items = (min_items as f64 * factor).ceil() as usize;
    (items, run(items))
}

// ---- payloads and the tally (bench/scenarios/payload.hpp) --------------------------------------
trait Payload: Send + Default + 'static {
    const NAME: &'static str;
    fn make(id: u64) -> Self;
    fn id(&self) -> u64;
}
impl Payload for u64 {
    const NAME: &'static str = "u64";
    fn make(id: u64) -> Self {
        id
    }
    fn id(&self) -> u64 {
        *self
    }
}
/// 144 bytes, carried by value: a job descriptor, not a pointer.
#[derive(Default)]
struct Job {
    id: u64,
    body: [u64; 17],
}
impl Payload for Job {
    const NAME: &'static str = "job144";
    fn make(id: u64) -> Self {
        let mut j = Job { id, body: [0; 17] };
        for (k, b) in j.body.iter_mut().enumerate() {
            *b = id + k as u64;
        }
        j
    }
    fn id(&self) -> u64 {
        for (k, b) in self.body.iter().enumerate() {
            if *b != self.id + k as u64 {
                eprintln!("rust peer: torn job {}", self.id);
                std::process::abort();
            }
        }
        self.id
    }
}
const _: () = assert!(std::mem::size_of::<Job>() == 144);

#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
struct Tally {
    count: u64,
    sum: u64,
    mixed: u64,
}
impl Tally {
    fn add(&mut self, id: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(id);
        let mut z = id.wrapping_add(0x9e3779b97f4a7c15); // splitmix64 finaliser
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        self.mixed = self.mixed.wrapping_add(z ^ (z >> 31));
    }
    fn merge(&mut self, o: &Tally) {
        self.count += o.count;
        self.sum = self.sum.wrapping_add(o.sum);
        self.mixed = self.mixed.wrapping_add(o.mixed);
    }
}
fn require_same(sent: &Tally, received: &Tally, what: &str) {
    if sent != received {
        eprintln!(
            "rust peer: {} lost or duplicated items: sent {:?}, received {:?}",
            what, sent, received
        );
        std::process::abort();
    }
}

// ---- the channels ------------------------------------------------------------------------------
trait Channel<T: Send + 'static> {
    type Tx: Send + Sync;
    type Rx: Send + Sync;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx);
    fn send(tx: &Self::Tx, v: T);
    fn recv(rx: &Self::Rx) -> T;
    fn try_send(tx: &Self::Tx, v: T) -> Result<(), T>;
    fn try_recv(rx: &Self::Rx) -> Option<T>;
}

struct Crossbeam;
impl<T: Send + 'static> Channel<T> for Crossbeam {
    type Tx = crossbeam_channel::Sender<T>;
    type Rx = crossbeam_channel::Receiver<T>;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
        crossbeam_channel::bounded(cap)
    }
    fn send(tx: &Self::Tx, v: T) {
        tx.send(v).expect("crossbeam: disconnected");
    }
    fn recv(rx: &Self::Rx) -> T {
        rx.recv().expect("crossbeam: disconnected")
    }
    fn try_send(tx: &Self::Tx, v: T) -> Result<(), T> {
        match tx.try_send(v) {
            Ok(()) => Ok(()),
            Err(crossbeam_channel::TrySendError::Full(v)) => Err(v),
            Err(crossbeam_channel::TrySendError::Disconnected(_)) => panic!("crossbeam: disconnected"),
        }
    }
    fn try_recv(rx: &Self::Rx) -> Option<T> {
        match rx.try_recv() {
            Ok(v) => Some(v),
            Err(crossbeam_channel::TryRecvError::Empty) => None,
            Err(crossbeam_channel::TryRecvError::Disconnected) => panic!("crossbeam: disconnected"),
        }
    }
}

struct Flume;
impl<T: Send + 'static> Channel<T> for Flume {
    type Tx = flume::Sender<T>;
    type Rx = flume::Receiver<T>;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
        flume::bounded(cap)
    }
    fn send(tx: &Self::Tx, v: T) {
        tx.send(v).expect("flume: disconnected");
    }
    fn recv(rx: &Self::Rx) -> T {
        rx.recv().expect("flume: disconnected")
    }
    fn try_send(tx: &Self::Tx, v: T) -> Result<(), T> {
        match tx.try_send(v) {
            Ok(()) => Ok(()),
            Err(flume::TrySendError::Full(v)) => Err(v),
            Err(flume::TrySendError::Disconnected(_)) => panic!("flume: disconnected"),
        }
    }
    fn try_recv(rx: &Self::Rx) -> Option<T> {
        match rx.try_recv() {
            Ok(v) => Some(v),
            Err(flume::TryRecvError::Empty) => None,
            Err(flume::TryRecvError::Disconnected) => panic!("flume: disconnected"),
        }
    }
}

/// bench/scenarios/ops.hpp: blocking rows park, try rows retry with a yield.
fn put<C: Channel<T>, T: Send + 'static>(tx: &C::Tx, v: T, blocking: bool) {
    if blocking {
        return C::send(tx, v);
    }
    let mut v = v;
    loop {
        match C::try_send(tx, v) {
            Ok(()) => return,
            Err(back) => {
                v = back;
                thread::yield_now();
            }
        }
    }
}
fn take<C: Channel<T>, T: Send + 'static>(rx: &C::Rx, blocking: bool) -> T {
    if blocking {
        return C::recv(rx);
    }
    loop {
        if let Some(v) = C::try_recv(rx) {
            return v;
        }
        thread::yield_now();
    }
}

// ---- scenarios ---------------------------------------------------------------------------------
fn share_of(total: usize, parts: usize, index: usize) -> usize {
    total / parts + if index < total % parts { 1 } else { 0 }
}

/// bench/scenarios/throughput.hpp: the clock runs from the start line until the last thread is joined.
fn run_throughput<C: Channel<T>, T: Payload>(
    cap: usize,
    producers: usize,
    consumers: usize,
    items: usize,
    blocking: bool,
) -> f64 {
    let (tx, rx) = C::bounded(cap);
    let ready = AtomicUsize::new(0);
    let go = AtomicUsize::new(0);
    let start_line = || {
        ready.fetch_add(1, Ordering::SeqCst);
        while go.load(Ordering::Acquire) == 0 {
            thread::yield_now();
        }
    };
    let (mut sent, mut received) = (Tally::default(), Tally::default());
    let mut seconds = 0.0;
    thread::scope(|s| {
        let mut senders = Vec::new();
        let mut receivers = Vec::new();
        for p in 0..producers {
            let (tx, start_line) = (&tx, &start_line);
            senders.push(s.spawn(move || {
                start_line();
                let mut mine = Tally::default();
                // The producer index sits in the high bits so ids never collide and are never 0.
                let base = ((p + 1) as u64) << 40;
                for i in 1..=share_of(items, producers, p) as u64 {
                    mine.add(base + i);
                    put::<C, T>(tx, T::make(base + i), blocking);
                }
                mine
            }));
        }
        for c in 0..consumers {
            let (rx, start_line) = (&rx, &start_line);
            receivers.push(s.spawn(move || {
                start_line();
                let mut mine = Tally::default();
                for _ in 0..share_of(items, consumers, c) {
                    let item: T = take::<C, T>(rx, blocking);
                    mine.add(item.id());
                }
                mine
            }));
        }
        while ready.load(Ordering::SeqCst) != producers + consumers {
            thread::yield_now();
        }
        let begin = Instant::now();
        go.store(1, Ordering::Release);
        for h in senders {
            sent.merge(&h.join().unwrap());
        }
        for h in receivers {
            received.merge(&h.join().unwrap());
        }
        seconds = begin.elapsed().as_secs_f64();
    });
    if sent.count != items as u64 {
        require_same(
            &Tally {
                count: items as u64,
                ..sent
            },
            &sent,
            "throughput (producers)",
        );
    }
    require_same(&sent, &received, "throughput");
    if C::try_recv(&rx).is_some() {
        require_same(
            &Tally::default(),
            &Tally {
                count: 1,
                ..Tally::default()
            },
            "throughput (leftover)",
        );
    }
    seconds
}

/// bench/scenarios/suite.hpp: one thread sends every message, then receives every one.
fn run_seq<C: Channel<u64>>(messages: usize, blocking: bool) -> f64 {
    let (tx, rx) = C::bounded(messages.next_power_of_two());
    let (mut sent, mut received) = (Tally::default(), Tally::default());
    let begin = Instant::now();
    for i in 1..=messages as u64 {
        sent.add(i);
        put::<C, u64>(&tx, i, blocking);
    }
    for _ in 0..messages {
        received.add(take::<C, u64>(&rx, blocking));
    }
    let seconds = begin.elapsed().as_secs_f64();
    require_same(&sent, &received, "suite seq");
    seconds
}

/// bench/scenarios/latency.hpp: seconds for `trips` round trips, one item there and the same back.
fn run_pingpong<C: Channel<u64>>(cap: usize, trips: usize, blocking: bool) -> f64 {
    let (there_tx, there_rx) = C::bounded(cap);
    let (back_tx, back_rx) = C::bounded(cap);
    let (mut sent, mut returned) = (Tally::default(), Tally::default());
    let mut seconds = 0.0;
    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..trips {
                let item = take::<C, u64>(&there_rx, blocking);
                put::<C, u64>(&back_tx, item, blocking);
            }
        });
        let begin = Instant::now();
        for i in 1..=trips as u64 {
            sent.add(i);
            put::<C, u64>(&there_tx, i, blocking);
            returned.add(take::<C, u64>(&back_rx, blocking));
        }
        seconds = begin.elapsed().as_secs_f64();
    });
    require_same(&sent, &returned, "pingpong");
    seconds
}

// ---- registry and output -----------------------------------------------------------------------
struct Sample {
    seconds: f64,
    counters: Vec<(&'static str, f64)>,
}
type Body = Box<dyn Fn(&Scale) -> Sample>;

const GRID: [(usize, usize); 6] = [(1, 1), (1, 2), (2, 1), (2, 2), (4, 4), (8, 8)];
const CAPACITIES: [usize; 4] = [1, 4, 32, 1024];
const PINGPONG_CAPACITY: usize = 32;

fn sized(items: usize, seconds: f64) -> Vec<(&'static str, f64)> {
    vec![("items", items as f64), ("sample_seconds", seconds)]
}

fn add_throughput<C: Channel<T> + 'static, T: Payload>(out: &mut Vec<(String, Body)>, queue: &str, blocking: bool) {
    for &cap in &CAPACITIES {
        for &(p, c) in &GRID {
            let name = format!("{}/throughput/{}x{}/cap:{}/{}", queue, p, c, cap, T::NAME);
            out.push((
                name,
                Box::new(move |sc: &Scale| {
                    let (n, s) = run_sized(sc.min_items, sc.min_seconds, |n| {
                        run_throughput::<C, T>(cap, p, c, n, blocking)
                    });
                    let mut counters = sized(n, s);
                    counters.push(("items_per_second", n as f64 / s));
                    counters.push(("effective_capacity", cap as f64));
                    Sample { seconds: s, counters }
                }),
            ));
        }
    }
}

fn add_channel<C: Channel<u64> + Channel<Job> + 'static>(out: &mut Vec<(String, Body)>, queue: &str, blocking: bool) {
    for (scenario, p, c) in [("suite_spsc", 1, 1), ("suite_mpsc", 4, 1), ("suite_mpmc", 4, 4)] {
        for cap_n in [false, true] {
            let name = format!(
                "{}/{}/{}x{}/cap:{}/u64",
                queue,
                scenario,
                p,
                c,
                if cap_n { "N" } else { "1" }
            );
            out.push((
                name,
                Box::new(move |sc: &Scale| {
                    let (n, s) = run_sized(sc.suite_messages, sc.min_seconds, |n| {
                        run_throughput::<C, u64>(if cap_n { n.next_power_of_two() } else { 1 }, p, c, n, blocking)
                    });
                    let mut counters = sized(n, s);
                    counters.push(("seconds_per_5m", s / n as f64 * SUITE_UNIT));
                    Sample { seconds: s, counters }
                }),
            ));
        }
    }
    out.push((
        format!("{}/suite_seq/1x1/cap:N/u64", queue),
        Box::new(move |sc: &Scale| {
            let (n, s) = run_sized(sc.suite_messages, sc.min_seconds, |n| run_seq::<C>(n, blocking));
            let mut counters = sized(n, s);
            counters.push(("seconds_per_5m", s / n as f64 * SUITE_UNIT));
            Sample { seconds: s, counters }
        }),
    ));
    add_throughput::<C, u64>(out, queue, blocking);
    add_throughput::<C, Job>(out, queue, blocking);
    out.push((
        format!("{}/pingpong/1x1/cap:{}/u64", queue, PINGPONG_CAPACITY),
        Box::new(move |sc: &Scale| {
            let (n, s) = run_sized(sc.round_trips, sc.min_seconds, |n| {
                run_pingpong::<C>(PINGPONG_CAPACITY, n, blocking)
            });
            let mut counters = sized(n, s);
            counters.push(("ns_per_op", s * 1e9 / n as f64));
            Sample { seconds: s, counters }
        }),
    ));
}

fn registry() -> Vec<(String, Body)> {
    let mut out = Vec::new();
    add_channel::<Crossbeam>(&mut out, "crossbeam", true);
    add_channel::<Crossbeam>(&mut out, "crossbeam_try", false);
    add_channel::<Flume>(&mut out, "flume", true);
    add_channel::<Flume>(&mut out, "flume_try", false);
    select::register(&mut out);
    out
}

fn main() {
    let mut scale = DEFAULT;
    let mut list = false;
    let mut filter: Option<String> = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--scale=quick" => scale = QUICK,
            "--scale=default" => scale = DEFAULT,
            "--scale=full" => scale = FULL,
            "--benchmark_list_tests=true" => list = true,
            "--benchmark_format=json" => {}
            a if a.starts_with("--benchmark_filter=") => {
                let f = &a["--benchmark_filter=".len()..];
                // chanbench.py passes ^re.escape(name)$; names hold no regex character but '.', '-'.
                let exact = f.strip_prefix('^').and_then(|f| f.strip_suffix('$'));
                match exact {
                    Some(e) => filter = Some(e.replace('\\', "")),
                    None => {
                        eprintln!(
                            "rust peer: --benchmark_filter takes one anchored exact name (^name$), not {}",
                            f
                        );
                        std::process::exit(2);
                    }
                }
            }
            a => {
                eprintln!("rust peer: unknown argument {}", a);
                std::process::exit(2);
            }
        }
    }
    let benches = registry();
    if list {
        for (name, _) in &benches {
            println!("{}", name);
        }
        return;
    }
    let selected: Vec<&(String, Body)> = benches
        .iter()
        .filter(|(n, _)| filter.as_ref().map_or(true, |f| f == n))
        .collect();
    if selected.is_empty() {
        eprintln!("rust peer: no benchmark matches");
        std::process::exit(1);
    }
    let cpus = thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut rows = Vec::new();
    for (name, body) in selected {
        let sample = body(&scale);
        let mut row = format!(
            "{{\"name\": \"{0}\", \"run_name\": \"{0}\", \"run_type\": \"iteration\", \"repetitions\": 1, \
             \"repetition_index\": 0, \"threads\": 1, \"iterations\": 1, \"real_time\": {1:e}, \"cpu_time\": 0, \
             \"time_unit\": \"us\"",
            name,
            sample.seconds * 1e6
        );
        for (k, v) in &sample.counters {
            row.push_str(&format!(", \"{}\": {:e}", k, v));
        }
        row.push('}');
        rows.push(row);
    }
    println!(
        "{{\"context\": {{\"executable\": \"chan_peers_rust\", \"num_cpus\": {}, \"library_build_type\": \"release\", \
         \"peer\": \"rust\"}},\n \"benchmarks\": [\n  {}\n ]}}",
        cpus,
        rows.join(",\n  ")
    );
}
