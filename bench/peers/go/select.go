// bench/scenarios/select.hpp for Go's select statement: crossbeam's select_rx (4 channels, a producer
// each, one consumer selecting a receive over all 4) and select_both (4 goroutines selecting a send
// over the 4 channels, 4 selecting a receive), with the same names and checks as chan's rows. `go`
// rows block in select; `go_try` rows add a default case and call runtime.Gosched(), and their plain
// producers use put (ops.hpp's try-and-yield).
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

const selectWidth = 4

func selectID(producer, i int) uint64 { return uint64(producer+1)<<40 + uint64(i) }

// runStarted runs body(t) on `n` goroutines that start together; seconds from the start until all are done.
func runStarted(n int, body func(t int) tally) (float64, []tally) {
	var ready, goFlag int32
	tallies := make([]tally, n)
	var wg sync.WaitGroup
	for t := 0; t < n; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			atomic.AddInt32(&ready, 1)
			for atomic.LoadInt32(&goFlag) == 0 {
				runtime.Gosched()
			}
			tallies[t] = body(t)
		}(t)
	}
	for atomic.LoadInt32(&ready) != int32(n) {
		runtime.Gosched()
	}
	begin := time.Now()
	atomic.StoreInt32(&goFlag, 1)
	wg.Wait()
	return time.Since(begin).Seconds(), tallies
}

func selectRecv(c *[selectWidth]chan uint64, blocking bool) (int, uint64) {
	if blocking {
		select {
		case v := <-c[0]:
			return 0, v
		case v := <-c[1]:
			return 1, v
		case v := <-c[2]:
			return 2, v
		case v := <-c[3]:
			return 3, v
		}
	}
	for {
		select {
		case v := <-c[0]:
			return 0, v
		case v := <-c[1]:
			return 1, v
		case v := <-c[2]:
			return 2, v
		case v := <-c[3]:
			return 3, v
		default:
			runtime.Gosched()
		}
	}
}

func selectSend(c *[selectWidth]chan uint64, v uint64, blocking bool) int {
	if blocking {
		select {
		case c[0] <- v:
			return 0
		case c[1] <- v:
			return 1
		case c[2] <- v:
			return 2
		case c[3] <- v:
			return 3
		}
	}
	for {
		select {
		case c[0] <- v:
			return 0
		case c[1] <- v:
			return 1
		case c[2] <- v:
			return 2
		case c[3] <- v:
			return 3
		default:
			runtime.Gosched()
		}
	}
}

func selectChannels(capacity int) *[selectWidth]chan uint64 {
	var c [selectWidth]chan uint64
	for k := range c {
		c[k] = make(chan uint64, capacity)
	}
	return &c
}

func requireDrained(c *[selectWidth]chan uint64, what string) {
	for _, ch := range c {
		if len(ch) != 0 {
			requireSame(tally{}, tally{count: uint64(len(ch))}, what)
		}
	}
}

func runSelectRx(capacity, items int, blocking bool) float64 {
	c := selectChannels(capacity)
	seconds, tallies := runStarted(selectWidth+1, func(t int) tally {
		var mine tally
		if t < selectWidth {
			for i := 1; i <= shareOf(items, selectWidth, t); i++ {
				mine.add(selectID(t, i))
				put(c[t], selectID(t, i), blocking)
			}
			return mine
		}
		var last [selectWidth]uint64
		for i := 0; i < items; i++ {
			k, v := selectRecv(c, blocking)
			// Channel k carries producer k's items only, in the order that producer sent them.
			if v>>40 != uint64(k+1) || v <= last[k] {
				fmt.Fprintf(os.Stderr, "go peer: select_rx: item %x out of arm %d after %x\n", v, k, last[k])
				os.Exit(3)
			}
			last[k] = v
			mine.add(v)
		}
		return mine
	})
	var sent tally
	for _, s := range tallies[:selectWidth] {
		sent.merge(s)
	}
	requireSame(sent, tallies[selectWidth], "select_rx")
	requireDrained(c, "select_rx (leftover)")
	return seconds
}

func runSelectBoth(capacity, items int, blocking bool) float64 {
	c := selectChannels(capacity)
	seconds, tallies := runStarted(2*selectWidth, func(t int) tally {
		var mine tally
		if t < selectWidth {
			for i := 1; i <= shareOf(items, selectWidth, t); i++ {
				mine.add(selectID(t, i))
				selectSend(c, selectID(t, i), blocking)
			}
			return mine
		}
		for i := 0; i < shareOf(items, selectWidth, t-selectWidth); i++ {
			_, v := selectRecv(c, blocking)
			mine.add(v)
		}
		return mine
	})
	var sent, received tally
	for _, s := range tallies[:selectWidth] {
		sent.merge(s)
	}
	for _, r := range tallies[selectWidth:] {
		received.merge(r)
	}
	if sent.count != uint64(items) {
		requireSame(tally{count: uint64(items)}, sent, "select_both (senders)")
	}
	requireSame(sent, received, "select_both")
	requireDrained(c, "select_both (leftover)")
	return seconds
}

func addSelect(out []bench, queue string, blocking bool) []bench {
	for _, capacity := range capacities {
		capacity := capacity
		for _, s := range []struct {
			scenario, grid string
			run            func(capacity, items int, blocking bool) float64
		}{{"select_rx", "4x1", runSelectRx}, {"select_both", "4x4", runSelectBoth}} {
			s := s
			out = append(out, bench{fmt.Sprintf("%s/%s/%s/cap:%d/u64", queue, s.scenario, s.grid, capacity),
				func(sc scale) (float64, counters) {
					n, secs := runSized(sc.minItems, sc.minSeconds, func(n int) float64 {
						return s.run(capacity, n, blocking)
					})
					k := sized(n, secs)
					k["items_per_second"] = float64(n) / secs
					return secs, k
				}})
		}
	}
	return out
}
