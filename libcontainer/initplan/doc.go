// Package initplan compiles a container's spec into the plan that the C
// init (nsenter/cinit.c) runs: a list of ops with every option already
// parsed into syscall arguments, so that the init needs no JSON, no option
// tables and no Go runtime. It owns the decision of which specs the C init
// runs (Unsupported) and the plan's encoding, shared with nsenter/cinit.h.
//
// The plan follows package initproc's order step for step: hostname,
// domainname, sysctls, the mount tree's propagation, the rootfs and its
// mounts, device nodes, the prestart hooks' turn, the createContainer
// hooks, pivot_root, masked and read-only paths, the cwd, root.readonly,
// the terminal, the keyring, rlimits, and last the process (user,
// capabilities, seccomp, no_new_privs, umask, args, env). The
// startContainer hooks come with the process's ops; the init keeps them
// until start.
package initplan
