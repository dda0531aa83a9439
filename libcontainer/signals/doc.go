// Package signals owns the mapping between signal names as users type them
// (`berth kill ID TERM`, `SIGRTMIN+3`, `9`) and Linux signal numbers, and back
// to names for messages. Real-time signals are numbered as glibc and
// `kill -l` show them (SIGRTMIN is 34, SIGRTMAX is 64) because that is how
// users and runc name them; 32 and 33 are reserved by glibc for its threads
// and have no name.
package signals
