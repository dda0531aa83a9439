package image

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress redraws one status line ("layers 2/5, 12.3/45.6 MB") on a
// terminal while layers are extracted; with no writer it only counts.
type progress struct {
	w           io.Writer
	layers      int
	done        atomic.Int32
	read, total atomic.Int64
	quit        chan struct{}
	wg          sync.WaitGroup
}

func newProgress(w io.Writer, layers, cached int) *progress {
	p := &progress{w: w, layers: layers, quit: make(chan struct{})}
	p.done.Store(int32(cached))
	return p
}

func (p *progress) add(n int64) { p.read.Add(n) }
func (p *progress) layerDone()  { p.done.Add(1) }

func (p *progress) start() {
	if p.w == nil {
		return
	}
	p.draw()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				// Clear the line: the caller prints the result.
				fmt.Fprint(p.w, "\r\x1b[K")
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
}

func (p *progress) draw() {
	mb := func(n int64) float64 { return float64(n) / 1e6 }
	fmt.Fprintf(p.w, "\r\x1b[Kunpacking: layers %d/%d, %.1f/%.1f MB", p.done.Load(), p.layers, mb(p.read.Load()), mb(p.total.Load()))
}

func (p *progress) stop() {
	if p.w == nil {
		return
	}
	close(p.quit)
	p.wg.Wait()
}
