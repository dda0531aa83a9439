// Package bundle owns a bundle made from an image: its rootfs, an overlay
// of cached layers (lowerdirs, top first) with the upper and work dirs
// inside the bundle, or with --flat a plain copy of the layers; the
// config.json derived from the image config on top of specdefault (process
// args from Entrypoint and Cmd, Env, WorkingDir, User resolved against the
// image's /etc/passwd and /etc/group, StopSignal and Labels as
// annotations); the bundle's marker file; and taking all of that down
// again (Umount).
package bundle
