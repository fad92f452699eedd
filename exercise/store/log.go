package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/mendkit/mend/trust"
)

// The log file format (all integers little-endian):
//
//	file   = fileHeader record*
//	fileHeader (16 bytes) = "mendlog\x00" version:u32 reserved:u32
//	record = length:u32 crc:u32 group:u64 flags:u8 json:[length]byte
//
// crc is the CRC-32C (Castagnoli) of group, flags and json. Records are
// written in commit groups: every record of one group commit (one fsync)
// carries the same group number, numbers rise by one per group, and the
// last record of a group has the commit flag. Recovery keeps only complete
// groups, which makes every append atomic, and uses the group numbers to
// tell a torn final group (dropped) from damage to an earlier, acknowledged
// one (refused).
const (
	logName        = "events.log"
	fileHeaderSize = 16
	recHeaderSize  = 17
	formatVersion  = 1
	flagCommit     = 1
)

var (
	fileMagic  = [8]byte{'m', 'e', 'n', 'd', 'l', 'o', 'g', 0}
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

func fileHeader() []byte {
	h := make([]byte, fileHeaderSize)
	copy(h, fileMagic[:])
	binary.LittleEndian.PutUint32(h[8:], formatVersion)
	return h
}

// appendRecord appends one record to buf.
func appendRecord(buf []byte, group uint64, flags byte, payload []byte) []byte {
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(payload)))
	buf = binary.LittleEndian.AppendUint32(buf, 0)
	buf = binary.LittleEndian.AppendUint64(buf, group)
	buf = append(buf, flags)
	buf = append(buf, payload...)
	sealRecord(buf[start:], flags)
	return buf
}

// sealRecord sets a record's flags and recomputes its checksum.
func sealRecord(rec []byte, flags byte) {
	rec[16] = flags
	binary.LittleEndian.PutUint32(rec[4:], crc32.Checksum(rec[8:], castagnoli))
}

// recHeader is a parsed record header.
type recHeader struct {
	length uint32
	crc    uint32
	group  uint64
	flags  byte
}

func parseHeader(b []byte) recHeader {
	return recHeader{
		length: binary.LittleEndian.Uint32(b[0:]),
		crc:    binary.LittleEndian.Uint32(b[4:]),
		group:  binary.LittleEndian.Uint64(b[8:]),
		flags:  b[16],
	}
}

// valid reports whether rec (header and payload) matches its checksum.
func (h recHeader) valid(rec []byte) bool {
	return crc32.Checksum(rec[8:], castagnoli) == h.crc
}

// loc is where a record is in the log.
type loc struct {
	off int64  // offset of the record header
	n   uint32 // payload length
}

func (l loc) size() int64 { return recHeaderSize + int64(l.n) }

// keyFields are the envelope fields the index needs.
type keyFields struct {
	ID           trust.EventID        `json:"id"`
	Relationship trust.RelationshipID `json:"relationship"`
	Sequence     trust.Sequence       `json:"sequence"`
}

// scanned is a complete record found by recovery.
type scanned struct {
	loc
	keyFields
}

// recovery is what readLog found.
type recovery struct {
	end       int64  // offset after the last complete group: the log's valid length
	lastGroup uint64 // number of the last complete group (0 if none)
	torn      string // why the tail after end was dropped, "" if there was none
	fresh     bool   // the file has no complete header yet (a crash during creation)
}

// readLog checks a whole log and calls add for every record of every
// complete commit group, in order. A damaged or incomplete final group is
// reported as torn, to be truncated; damage with an intact record of a later
// group after it, a record that passes its checksum but breaks the format,
// or an error from add, is a *CorruptionError.
func readLog(r io.ReaderAt, size int64, path string, add func(scanned) error) (recovery, error) {
	corrupt := func(off int64, format string, args ...any) error {
		return &CorruptionError{Path: path, Offset: off, Reason: fmt.Sprintf(format, args...)}
	}
	want := fileHeader()
	if size < fileHeaderSize {
		got := make([]byte, size)
		if _, err := r.ReadAt(got, 0); err != nil && err != io.EOF {
			return recovery{}, err
		}
		if !bytes.HasPrefix(want, got) {
			return recovery{}, corrupt(0, "not a mend event log")
		}
		return recovery{fresh: true}, nil
	}
	got := make([]byte, fileHeaderSize)
	if _, err := r.ReadAt(got, 0); err != nil {
		return recovery{}, err
	}
	if !bytes.Equal(got[:8], fileMagic[:]) {
		return recovery{}, corrupt(0, "not a mend event log")
	}
	if v := binary.LittleEndian.Uint32(got[8:]); v != formatVersion {
		return recovery{}, corrupt(8, "log format version %d; this program reads version %d", v, formatVersion)
	}

	rd := &offsetReader{r: r, off: fileHeaderSize, size: size}
	res := recovery{end: fileHeaderSize}
	var pending []scanned
	hdr := make([]byte, recHeaderSize)
	var payload []byte
	for rd.off < size {
		off := rd.off
		damage := func(why string) (recovery, error) {
			if ev, ok, err := laterGroup(r, off+1, size, res.lastGroup+1); err != nil {
				return recovery{}, err
			} else if ok {
				return recovery{}, corrupt(off, "%s, but an intact record of a later commit follows at offset %d", why, ev)
			}
			res.torn = fmt.Sprintf("%s at offset %d", why, off)
			return res, nil
		}
		if size-off < recHeaderSize {
			return damage("incomplete record header")
		}
		if err := rd.read(hdr); err != nil {
			return recovery{}, err
		}
		h := parseHeader(hdr)
		if h.length == 0 || h.length > MaxEventSize || int64(h.length) > size-off-recHeaderSize {
			return damage(fmt.Sprintf("record length %d does not fit", h.length))
		}
		if cap(payload) < recHeaderSize+int(h.length) {
			payload = make([]byte, recHeaderSize+int(h.length))
		}
		rec := payload[:recHeaderSize+int(h.length)]
		copy(rec, hdr)
		if err := rd.read(rec[recHeaderSize:]); err != nil {
			return recovery{}, err
		}
		if !h.valid(rec) {
			return damage("record checksum mismatch")
		}
		// The record is intact: from here on, anything wrong is corruption.
		if h.group != res.lastGroup+1 {
			return recovery{}, corrupt(off, "record of commit %d follows commit %d", h.group, res.lastGroup)
		}
		if h.flags&^flagCommit != 0 {
			return recovery{}, corrupt(off, "unknown record flags %#x", h.flags)
		}
		var k keyFields
		if err := json.Unmarshal(rec[recHeaderSize:], &k); err != nil {
			return recovery{}, corrupt(off, "record is not an event: %v", err)
		}
		if k.ID.IsZero() || k.Relationship.IsZero() || k.Sequence == 0 {
			return recovery{}, corrupt(off, "record lacks an event id, relationship or sequence")
		}
		pending = append(pending, scanned{loc: loc{off: off, n: h.length}, keyFields: k})
		if h.flags&flagCommit == 0 {
			continue
		}
		for _, s := range pending {
			if err := add(s); err != nil {
				return recovery{}, corrupt(s.off, "%v", err)
			}
		}
		pending = pending[:0]
		res.lastGroup = h.group
		res.end = rd.off
	}
	if len(pending) > 0 {
		res.torn = fmt.Sprintf("commit %d has no final record", res.lastGroup+1)
	}
	return res, nil
}

// laterGroup looks for an intact record of a commit group after torn, from
// offset from on, and returns its offset. Finding one means the damage
// before it is not a torn final write.
func laterGroup(r io.ReaderAt, from, size int64, torn uint64) (int64, bool, error) {
	window := min(int64(1<<20), max(size-from, 0))
	buf := make([]byte, window+recHeaderSize)
	for base := from; base+recHeaderSize <= size; base += window {
		n := min(int64(len(buf)), size-base)
		chunk := buf[:n]
		if _, err := r.ReadAt(chunk, base); err != nil && err != io.EOF {
			return 0, false, err
		}
		for i := int64(0); i < window && i+recHeaderSize <= n; i++ {
			h := parseHeader(chunk[i:])
			off := base + i
			if h.length == 0 || h.length > MaxEventSize || int64(h.length) > size-off-recHeaderSize ||
				h.flags&^flagCommit != 0 || h.group <= torn {
				continue
			}
			rec := make([]byte, recHeaderSize+int(h.length))
			if _, err := r.ReadAt(rec, off); err != nil {
				return 0, false, err
			}
			if rec[recHeaderSize] == '{' && h.valid(rec) {
				return off, true, nil
			}
		}
	}
	return 0, false, nil
}

// offsetReader reads a ReaderAt sequentially through a buffer.
type offsetReader struct {
	r        io.ReaderAt
	off      int64 // offset of the next byte to return
	size     int64
	buf      []byte
	bufStart int64
}

func (o *offsetReader) read(p []byte) error {
	for len(p) > 0 {
		if o.off >= o.bufStart && o.off < o.bufStart+int64(len(o.buf)) {
			n := copy(p, o.buf[o.off-o.bufStart:])
			p = p[n:]
			o.off += int64(n)
			continue
		}
		if len(p) >= 256<<10 {
			// Large payloads skip the buffer.
			if _, err := o.r.ReadAt(p, o.off); err != nil {
				return err
			}
			o.off += int64(len(p))
			return nil
		}
		n := min(int64(256<<10), o.size-o.off)
		if n <= 0 {
			return io.ErrUnexpectedEOF
		}
		if cap(o.buf) < int(n) {
			o.buf = make([]byte, n)
		}
		o.buf = o.buf[:n]
		if _, err := o.r.ReadAt(o.buf, o.off); err != nil && err != io.EOF {
			return err
		}
		o.bufStart = o.off
	}
	return nil
}
