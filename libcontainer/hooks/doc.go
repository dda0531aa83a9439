// Package hooks owns running the config's lifecycle hooks: each hook's
// binary is executed with its args and env, the container's state JSON on
// stdin, and killed when its timeout passes. Which namespace a hook runs in
// is decided by who calls Run: the runtime process for prestart,
// createRuntime, poststart and poststop; the container's init for
// createContainer and startContainer.
package hooks
