package progress

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// MaxLineBytes is the longest JSON Lines record the reader accepts.
const MaxLineBytes = 1 << 20

// WriteJSONL writes events as JSON Lines: one compact JSON event per line,
// each ending in "\n". The same events always give the same bytes. Apps'
// own event types are written with the data they were read with.
func WriteJSONL(w io.Writer, events []trust.Event) error {
	jw := NewJSONLWriter(w)
	for _, e := range events {
		if err := jw.Write(e); err != nil {
			return err
		}
	}
	return jw.Flush()
}

// JSONLWriter streams events as JSON Lines. Call Flush when done.
type JSONLWriter struct {
	w *bufio.Writer
}

// NewJSONLWriter returns a writer that buffers its output to w.
func NewJSONLWriter(w io.Writer) *JSONLWriter { return &JSONLWriter{w: bufio.NewWriterSize(w, 64<<10)} }

// Write writes one event.
func (jw *JSONLWriter) Write(e trust.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("progress: jsonl: event %s: %w", e.ID, err)
	}
	if _, err := jw.w.Write(b); err != nil {
		return err
	}
	return jw.w.WriteByte('\n')
}

// Flush writes any buffered data.
func (jw *JSONLWriter) Flush() error { return jw.w.Flush() }

// LineError reports a JSON Lines record that could not be read. It wraps the
// cause, so errors.Is(err, trust.ErrInvalid) holds for a malformed event.
type LineError struct {
	// Line is the 1-based line number.
	Line int
	// Err is the cause.
	Err error
}

// Error implements the error interface.
func (e *LineError) Error() string { return fmt.Sprintf("progress: jsonl: line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

// JSONLReader reads events from JSON Lines, one at a time. Blank lines are
// skipped; each record is decoded and validated with [trust.DecodeEvent], so
// events of unregistered types come back as [trust.RawPayload] and re-encode
// unchanged.
type JSONLReader struct {
	r    *bufio.Reader
	line int
	err  error
}

// NewJSONLReader returns a reader of r.
func NewJSONLReader(r io.Reader) *JSONLReader {
	return &JSONLReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next event, or io.EOF after the last one. A malformed
// record gives a *LineError; the reader then stops.
func (jr *JSONLReader) Next() (trust.Event, error) {
	for jr.err == nil {
		line, err := jr.readLine()
		if err != nil {
			jr.err = err
			if err == io.EOF && len(line) == 0 {
				break
			}
			if err != io.EOF {
				break
			}
		}
		jr.line++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		e, derr := trust.DecodeEvent(line)
		if derr != nil {
			jr.err = &LineError{Line: jr.line, Err: derr}
			return trust.Event{}, jr.err
		}
		return e, nil
	}
	return trust.Event{}, jr.err
}

// readLine reads one line without its newline, refusing lines longer than MaxLineBytes.
func (jr *JSONLReader) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := jr.r.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLineBytes+1 {
			return nil, &LineError{Line: jr.line + 1, Err: check.Invalid(pkgName, "", "record is longer than %d bytes", MaxLineBytes)}
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			return buf[:len(buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return buf, err
		}
	}
}

// ReadJSONL reads every event of a JSON Lines stream. It does not check that
// the events form one journey; append them to a [Timeline] for that.
func ReadJSONL(r io.Reader) ([]trust.Event, error) {
	jr := NewJSONLReader(r)
	var out []trust.Event
	for {
		e, err := jr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
}
