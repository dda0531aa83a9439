// Package notify owns berth's side of two systemd service protocols that a
// container managed as a service needs:
//
//   - sd_notify: when berth runs with NOTIFY_SOCKET set, the container gets
//     a socket of its own at /run/notify/notify.sock (NOTIFY_SOCKET in its
//     environment, the directory bind-mounted from the state directory),
//     and `start` waits for the container's READY=1 and forwards it, with
//     MAINPID set to the container's init, to the caller's socket, as runc
//     does;
//   - socket activation: when berth itself was activated (LISTEN_PID is its
//     pid), the LISTEN_FDS fds from 3 on are passed to the container's
//     process ahead of --preserve-fds, with LISTEN_FDS and LISTEN_PID (the
//     process's pid in the container) in its environment.
package notify
