// Go's built-in channels run the scenarios of bench/ (scenarios/*.hpp) with the same parameters, the
// same checks and the same output: Google Benchmark's JSON, names
// `<queue>/<scenario>/<P>x<C>/cap:<n>/<payload>`, so bench/report/chanbench.py merges them with the
// C++ rows. The command line is the part of Google Benchmark's that chanbench.py uses:
//
//	--benchmark_list_tests=true    print every name
//	--benchmark_filter=^NAME$      run the benchmarks whose name matches (a regular expression)
//	--benchmark_format=json        (the only format)
//	--scale=quick|default|full     sample sizes, as bench/scenarios/scale.hpp
//
// `go` rows use plain sends and receives (the goroutine parks in the Go scheduler); `go_try` rows use
// a select with a default case and call runtime.Gosched() on full/empty, the try-and-yield of bench/.
// Producers and consumers are goroutines; GOMAXPROCS is whatever the environment sets (ci/bench sets
// it to the number of cores) and is printed in the context.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ---- sizes (bench/scenarios/scale.hpp) ----

type scale struct {
	minItems      int
	minSeconds    float64
	roundTrips    int
	suiteMessages int
}

var scales = map[string]scale{
	"quick":   {1 << 16, 0.005, 2_000, 1 << 16},
	"default": {1 << 20, 0.05, 20_000, 1 << 20},
	"full":    {1 << 22, 0.2, 100_000, 5_000_000},
}

const suiteUnit = 5_000_000.0

// runSized gives a sample of at least minItems and minSeconds: a second, bigger run when the first
// was too short, and only the second one counts.
func runSized(minItems int, minSeconds float64, run func(int) float64) (int, float64) {
	first := run(minItems)
	if first >= minSeconds {
		return minItems, first
	}
	factor := 64.0
	if first > 0 {
		factor = 1.25 * minSeconds / first
	}
	items := int(math.Ceil(float64(minItems) * factor))
	return items, run(items)
}

// ---- payloads and the tally (bench/scenarios/payload.hpp) ----

// job is 144 bytes carried by value: a job descriptor, not a pointer.
type job struct {
	id   uint64
	body [17]uint64
}

type payload interface{ uint64 | job }

func makeItem[T payload](id uint64) T {
	var out T
	switch p := any(&out).(type) {
	case *uint64:
		*p = id
	case *job:
		p.id = id
		for k := range p.body {
			p.body[k] = id + uint64(k)
		}
	}
	return out
}

func idOf[T payload](item *T) uint64 {
	switch p := any(item).(type) {
	case *uint64:
		return *p
	case *job:
		for k := range p.body {
			if p.body[k] != p.id+uint64(k) {
				fmt.Fprintf(os.Stderr, "go peer: torn job %d\n", p.id)
				os.Exit(3)
			}
		}
		return p.id
	}
	panic("unreachable")
}

func payloadName[T payload]() string {
	var zero T
	if _, ok := any(zero).(job); ok {
		return "job144"
	}
	return "u64"
}

type tally struct{ count, sum, mixed uint64 }

func (t *tally) add(id uint64) {
	t.count++
	t.sum += id
	z := id + 0x9e3779b97f4a7c15 // splitmix64 finaliser
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	t.mixed += z ^ (z >> 31)
}

func (t *tally) merge(o tally) {
	t.count += o.count
	t.sum += o.sum
	t.mixed += o.mixed
}

func requireSame(sent, received tally, what string) {
	if sent != received {
		fmt.Fprintf(os.Stderr, "go peer: %s lost or duplicated items: sent %+v, received %+v\n", what, sent, received)
		os.Exit(3)
	}
}

// ---- how a scenario moves one item (bench/scenarios/ops.hpp) ----

func put[T any](ch chan T, v T, blocking bool) {
	if blocking {
		ch <- v
		return
	}
	for {
		select {
		case ch <- v:
			return
		default:
			runtime.Gosched()
		}
	}
}

func take[T any](ch chan T, blocking bool) T {
	if blocking {
		return <-ch
	}
	for {
		select {
		case v := <-ch:
			return v
		default:
			runtime.Gosched()
		}
	}
}

// ---- scenarios ----

func shareOf(total, parts, index int) int {
	n := total / parts
	if index < total%parts {
		n++
	}
	return n
}

// runThroughput: P producers and C consumers move `items`; the clock runs from the start line until
// the last goroutine is done.
func runThroughput[T payload](capacity, producers, consumers, items int, blocking bool) float64 {
	ch := make(chan T, capacity)
	var ready int32
	var goFlag int32
	startLine := func() {
		atomic.AddInt32(&ready, 1)
		for atomic.LoadInt32(&goFlag) == 0 {
			runtime.Gosched()
		}
	}
	sent := make([]tally, producers)
	received := make([]tally, consumers)
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			startLine()
			var mine tally
			// The producer index sits in the high bits so ids never collide and are never 0.
			base := uint64(p+1) << 40
			n := shareOf(items, producers, p)
			for i := 1; i <= n; i++ {
				mine.add(base + uint64(i))
				put(ch, makeItem[T](base+uint64(i)), blocking)
			}
			sent[p] = mine
		}(p)
	}
	for c := 0; c < consumers; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			startLine()
			var mine tally
			n := shareOf(items, consumers, c)
			for i := 0; i < n; i++ {
				item := take(ch, blocking)
				mine.add(idOf(&item))
			}
			received[c] = mine
		}(c)
	}
	for atomic.LoadInt32(&ready) != int32(producers+consumers) {
		runtime.Gosched()
	}
	begin := time.Now()
	atomic.StoreInt32(&goFlag, 1)
	wg.Wait()
	seconds := time.Since(begin).Seconds()
	var allSent, allReceived tally
	for _, t := range sent {
		allSent.merge(t)
	}
	for _, t := range received {
		allReceived.merge(t)
	}
	if allSent.count != uint64(items) {
		requireSame(tally{count: uint64(items)}, allSent, "throughput (producers)")
	}
	requireSame(allSent, allReceived, "throughput")
	if len(ch) != 0 {
		requireSame(tally{}, tally{count: uint64(len(ch))}, "throughput (leftover)")
	}
	return seconds
}

func capacityN(messages int) int { return 1 << bits.Len(uint(messages-1)) }

// runSeq: one goroutine sends every message, then receives every one (crossbeam's "seq").
func runSeq(messages int, blocking bool) float64 {
	ch := make(chan uint64, capacityN(messages))
	var sent, received tally
	begin := time.Now()
	for i := 1; i <= messages; i++ {
		sent.add(uint64(i))
		put(ch, uint64(i), blocking)
	}
	for i := 0; i < messages; i++ {
		received.add(take(ch, blocking))
	}
	seconds := time.Since(begin).Seconds()
	requireSame(sent, received, "suite seq")
	return seconds
}

// runPingpong: seconds for `trips` round trips, one item there and the same item back.
func runPingpong(capacity, trips int, blocking bool) float64 {
	there := make(chan uint64, capacity)
	back := make(chan uint64, capacity)
	done := make(chan struct{})
	go func() {
		for i := 0; i < trips; i++ {
			put(back, take(there, blocking), blocking)
		}
		close(done)
	}()
	var sent, returned tally
	begin := time.Now()
	for i := 1; i <= trips; i++ {
		sent.add(uint64(i))
		put(there, uint64(i), blocking)
		returned.add(take(back, blocking))
	}
	seconds := time.Since(begin).Seconds()
	<-done
	requireSame(sent, returned, "pingpong")
	return seconds
}

// ---- registry and output ----

type counters map[string]float64

type bench struct {
	name string
	body func(scale) (float64, counters)
}

var grid = [][2]int{{1, 1}, {1, 2}, {2, 1}, {2, 2}, {4, 4}, {8, 8}}
var capacities = []int{1, 4, 32, 1024}

const pingpongCapacity = 32

func sized(n int, s float64) counters { return counters{"items": float64(n), "sample_seconds": s} }

func addThroughput[T payload](out []bench, queue string, blocking bool) []bench {
	for _, capacity := range capacities {
		for _, g := range grid {
			capacity, p, c := capacity, g[0], g[1]
			out = append(out, bench{fmt.Sprintf("%s/throughput/%dx%d/cap:%d/%s", queue, p, c, capacity, payloadName[T]()),
				func(sc scale) (float64, counters) {
					n, s := runSized(sc.minItems, sc.minSeconds, func(n int) float64 {
						return runThroughput[T](capacity, p, c, n, blocking)
					})
					k := sized(n, s)
					k["items_per_second"] = float64(n) / s
					k["effective_capacity"] = float64(capacity)
					return s, k
				}})
		}
	}
	return out
}

func addChannel(out []bench, queue string, blocking bool) []bench {
	suite := []struct {
		scenario string
		p, c     int
	}{{"suite_spsc", 1, 1}, {"suite_mpsc", 4, 1}, {"suite_mpmc", 4, 4}}
	perUnit := func(n int, s float64) (float64, counters) {
		k := sized(n, s)
		k["seconds_per_5m"] = s / float64(n) * suiteUnit
		return s, k
	}
	for _, sh := range suite {
		for _, capN := range []bool{false, true} {
			sh, capN := sh, capN
			label := "1"
			if capN {
				label = "N"
			}
			out = append(out, bench{fmt.Sprintf("%s/%s/%dx%d/cap:%s/u64", queue, sh.scenario, sh.p, sh.c, label),
				func(sc scale) (float64, counters) {
					return perUnit(runSized(sc.suiteMessages, sc.minSeconds, func(n int) float64 {
						capacity := 1
						if capN {
							capacity = capacityN(n)
						}
						return runThroughput[uint64](capacity, sh.p, sh.c, n, blocking)
					}))
				}})
		}
	}
	out = append(out, bench{queue + "/suite_seq/1x1/cap:N/u64", func(sc scale) (float64, counters) {
		return perUnit(runSized(sc.suiteMessages, sc.minSeconds, func(n int) float64 { return runSeq(n, blocking) }))
	}})
	out = addThroughput[uint64](out, queue, blocking)
	out = addThroughput[job](out, queue, blocking)
	out = append(out, bench{fmt.Sprintf("%s/pingpong/1x1/cap:%d/u64", queue, pingpongCapacity),
		func(sc scale) (float64, counters) {
			n, s := runSized(sc.roundTrips, sc.minSeconds, func(n int) float64 {
				return runPingpong(pingpongCapacity, n, blocking)
			})
			k := sized(n, s)
			k["ns_per_op"] = s * 1e9 / float64(n)
			return s, k
		}})
	return out
}

func main() {
	sc := scales["default"]
	list := false
	var filter *regexp.Regexp
	for _, arg := range os.Args[1:] {
		switch {
		case strings.HasPrefix(arg, "--scale="):
			s, ok := scales[strings.TrimPrefix(arg, "--scale=")]
			if !ok {
				fmt.Fprintf(os.Stderr, "go peer: unknown %s\n", arg)
				os.Exit(2)
			}
			sc = s
		case arg == "--benchmark_list_tests=true":
			list = true
		case arg == "--benchmark_format=json":
		case strings.HasPrefix(arg, "--benchmark_filter="):
			filter = regexp.MustCompile(strings.TrimPrefix(arg, "--benchmark_filter="))
		default:
			fmt.Fprintf(os.Stderr, "go peer: unknown argument %s\n", arg)
			os.Exit(2)
		}
	}
	var benches []bench
	benches = addChannel(benches, "go", true)
	benches = addChannel(benches, "go_try", false)
	benches = addSelect(benches, "go", true)
	benches = addSelect(benches, "go_try", false)
	if list {
		for _, b := range benches {
			fmt.Println(b.name)
		}
		return
	}
	type row map[string]any
	var rows []row
	for _, b := range benches {
		if filter != nil && !filter.MatchString(b.name) {
			continue
		}
		seconds, k := b.body(sc)
		r := row{"name": b.name, "run_name": b.name, "run_type": "iteration", "repetitions": 1, "repetition_index": 0,
			"threads": 1, "iterations": 1, "real_time": seconds * 1e6, "cpu_time": 0, "time_unit": "us"}
		for key, v := range k {
			r[key] = v
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		fmt.Fprintln(os.Stderr, "go peer: no benchmark matches")
		os.Exit(1)
	}
	doc := map[string]any{
		"context": map[string]any{"executable": "chan_peers_go", "num_cpus": runtime.NumCPU(),
			"gomaxprocs": runtime.GOMAXPROCS(0), "go_version": runtime.Version(), "library_build_type": "release",
			"peer": "go"},
		"benchmarks": rows,
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		fmt.Fprintln(os.Stderr, "go peer:", err)
		os.Exit(1)
	}
}
