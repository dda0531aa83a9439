// Package sigforward catches, for a foreground `run` or `exec`, every
// signal that berth passes on to the container's process, and waits for
// that process while forwarding them (runc's rule: everything but SIGCHLD,
// SIGURG and the faults; SIGWINCH resizes a relayed terminal instead).
//
// Why not os/signal: signal.Notify enables signals one at a time, and for
// each one the Go runtime sends the new mask to a goroutine locked to its
// own thread and waits for the answer, two thread switches a signal. All of
// them took about 2.5 ms and 120 context switches of a 25 ms `run` on a
// 2-vCPU VM, and the locked goroutine costs a template thread besides.
// Here a C handler is installed for each signal with SA_ONSTACK, as
// os/signal's documentation allows non-Go code to do for asynchronous
// signals, and sends the signal's number over a non-blocking socket pair
// (the self-pipe trick: send(2) is async-signal-safe, and the handler
// touches nothing of Go's). Wait polls that socket and a pidfd of the
// process on the calling goroutine: no goroutine, no extra thread.
//
// The handlers stay installed until the process exits: a signal caught
// after Wait returned lands in the socket and is dropped, as berth is about
// to exit with the container's status anyway.
package sigforward
