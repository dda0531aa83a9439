package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
)

// Support is what this build, with the host's libseccomp and kernel,
// accepts in linux.seccomp, for `berth features`.
type Support struct {
	Actions, Operators, Archs []string
	// KnownFlags are the flags berth understands; SupportedFlags those
	// the running kernel also accepts.
	KnownFlags, SupportedFlags []string
}

// Supported probes libseccomp and the kernel: an action or architecture is
// listed when libseccomp accepts it in a filter (an architecture whose byte
// order differs from the native one cannot share its filter, so it is not
// listed), a flag when seccomp(2) knows it. Nothing is loaded.
func Supported() Support {
	var s Support
	for _, a := range actionOrder {
		if actionWorks(a) {
			s.Actions = append(s.Actions, string(a))
		}
	}
	for _, o := range operatorOrder {
		s.Operators = append(s.Operators, string(o))
	}
	for _, a := range archList {
		if archWorks(a.scmp) {
			s.Archs = append(s.Archs, string(a.name))
		}
	}
	for _, f := range flagOrder {
		s.KnownFlags = append(s.KnownFlags, string(f))
		if kernelHasFlag(flags[f]) {
			s.SupportedFlags = append(s.SupportedFlags, string(f))
		}
	}
	return s
}

func actionWorks(a specs.LinuxSeccompAction) bool {
	// libseccomp refuses a rule that repeats the default action.
	def := libseccomp.ActAllow
	if a == specs.ActAllow {
		def = libseccomp.ActKillThread
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return false
	}
	defer f.Release()
	nr, err := libseccomp.GetSyscallFromName("getpid")
	if err != nil {
		return false
	}
	return f.AddRule(nr, toAction(a, nil)) == nil
}

func archWorks(a libseccomp.ScmpArch) bool {
	f, err := libseccomp.NewFilter(libseccomp.ActAllow)
	if err != nil {
		return false
	}
	defer f.Release()
	return f.AddArch(a) == nil
}
