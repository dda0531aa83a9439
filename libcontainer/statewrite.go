package libcontainer

// pendingWrite is a state.json write running in the background.
type pendingWrite struct {
	done chan struct{}
	err  error
}

// persist records c.st in state.json, durably (fsynced; see
// state.Dir.Save): the container's first record, once the init is ready.
// Start adds nothing to it (see Container.Start).
//
// A foreground `run` (CreateOptions.BackgroundState) writes in the
// background: the fsync costs 1-2.5 ms on this host's disk, and the
// container's start and exec need not wait for it. The record is copied
// before persist returns (c.st may change at once), and every later step
// that needs the file, or removes it, calls flushState first; run flushes
// before it exits. Meanwhile another berth command may find no record
// yet: the one case is a `berth state` within those milliseconds of a
// foreground run, which does not see the container yet.
func (c *Container) persist() error {
	if !c.backgroundState {
		return c.dir.Save(c.st)
	}
	// Encoding it is the first use of encoding/json in a run, about half
	// a millisecond, so it is done in the background too.
	snap := *c.st
	p := &pendingWrite{done: make(chan struct{})}
	c.pending = p
	go func() {
		defer close(p.done)
		b, err := c.dir.Encode(&snap)
		if err != nil {
			p.err = err
			return
		}
		p.err = c.dir.WriteEncoded(b, true)
	}()
	return nil
}

// flushState waits for the background writes of persist and returns the
// first failure.
func (c *Container) flushState() error {
	if c.pending == nil {
		return nil
	}
	<-c.pending.done
	err := c.pending.err
	c.pending = nil
	return err
}

// FlushState waits until state.json holds everything this process
// recorded (see persist); a foreground run calls it before it exits.
func (c *Container) FlushState() error { return c.flushState() }
