// The Go peer of bench/: the standard library only, so `go build` needs nothing from outside
// (ci/bench sets GOPROXY=off, GOFLAGS=-mod=mod and keeps GOCACHE and GOPATH under build/).
module chanpeers

go 1.19
