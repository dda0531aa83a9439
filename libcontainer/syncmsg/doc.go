// Package syncmsg owns the framing of messages on the socket between berth
// and a container's init: a 32-bit type, a 32-bit length and the payload, in
// host byte order. The C stage (nsenter/nsenter.c) speaks the first few types
// and must stay in step with the constants here.
package syncmsg
