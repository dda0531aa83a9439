package libcontainer

// pendingWrite is a state.json write running in the background.
type pendingWrite struct {
	done chan struct{}
	err  error
}

// persist records c.st in state.json, durably (fsynced: the first record)
// or not (see state.Dir.Save and Update).
//
// A foreground `run` (CreateOptions.BackgroundState) writes in the
// background: the first record's fsync costs 1-2.5 ms on this host's disk,
// and the container's start and exec need not wait for it. The writes stay
// in order (each waits for the one before), the record is copied before
// persist returns (c.st may change at once), and every later step that
// needs the file, or removes it, calls flushState first; run flushes
// before it exits. Meanwhile another berth command may read the record
// before: the one case is a `berth state` within those milliseconds of a
// foreground run, which sees the container as it was a moment before.
func (c *Container) persist(durable bool) error {
	if !c.backgroundState {
		if err := c.flushState(); err != nil {
			return err
		}
		if durable {
			return c.dir.Save(c.st)
		}
		return c.dir.Update(c.st)
	}
	// A copy of the record as it is now: c.st changes at once (Pid,
	// Started), while its maps and the config are never changed in place
	// after create. Encoding it is the first use of encoding/json in a
	// run, about half a millisecond, so it is done in the background too.
	snap := *c.st
	prev := c.pending
	p := &pendingWrite{done: make(chan struct{})}
	c.pending = p
	go func() {
		defer close(p.done)
		b, err := c.dir.Encode(&snap)
		if prev != nil {
			<-prev.done
			if prev.err != nil {
				p.err = prev.err
				return
			}
		}
		if err != nil {
			p.err = err
			return
		}
		p.err = c.dir.WriteEncoded(b, durable)
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
