package simulate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Version is the generator's version, recorded in every manifest. It
// changes whenever the same seed and parameters would give other bytes.
const Version = "1.0.0"

// Generator names the generator in manifests.
const Generator = "github.com/mendkit/mend/exercise/simulate " + Version

// FileEntry is one file of a dataset, with its size and hash.
type FileEntry struct {
	// Path is the file's path inside the dataset directory, with forward slashes.
	Path string `json:"path"`
	// Bytes is the file's size.
	Bytes int64 `json:"bytes" jsonschema:"minimum=0"`
	// SHA256 is the hex SHA-256 of the file's bytes.
	SHA256 string `json:"sha256" jsonschema:"pattern=^[0-9a-f]{64}$"`
}

// Manifest describes a dataset: what generated it, from what, what it
// holds, and the hash of every file. It holds no time stamp, so the same
// seed and parameters give the same manifest.
type Manifest struct {
	// Generator is the generator and its version.
	Generator string `json:"generator"`
	// Seed is the dataset's seed, in decimal.
	Seed string `json:"seed" jsonschema:"pattern=^[0-9]+$,maxLength=20"`
	// Params are the parameters, defaults filled in.
	Params Params `json:"params"`
	// IncludeSafety records whether safety flags were exported.
	IncludeSafety bool `json:"include_safety"`
	// Pseudonyms says how IDs were pseudonymised.
	Pseudonyms string `json:"pseudonyms"`
	// Schemas are the $ids of the schemas the files follow.
	Schemas []string `json:"schemas"`
	// Parts is how many event parts there are; each holds CouplesPerPart couples by index.
	Parts int `json:"parts" jsonschema:"minimum=1"`
	// Layout says how the files fit together.
	Layout string `json:"layout"`
	// Counts count what the dataset holds.
	Counts Counts `json:"counts"`
	// Files lists every file but the manifest, sorted by path.
	Files []FileEntry `json:"files"`
}

// Layout is the manifest's description of how the files fit together.
const Layout = "events/part-NNNNN.jsonl holds the exported events of couples [NNNNN*couples_per_part, (NNNNN+1)*couples_per_part) " +
	"that both consented, in couple-index order, each couple's events in sequence; concatenating the parts in order gives the " +
	"whole stream. couples.csv and panel.csv hold one header line then the parts' rows in the same order. A shard i of n " +
	"writes the parts k with k mod n = i; the parts do not depend on the number of workers or of shards."

// ErrIncomplete reports a dataset directory that lacks parts: some shards have not run yet.
var ErrIncomplete = errors.New("simulate: dataset is incomplete")

// Finalize assembles a dataset whose parts are all written (by one
// [Generate] run or by several shards into the same directory): it joins the
// staged CSV rows into couples.csv and panel.csv, writes the schemas,
// codebook.md and codebook.json, hashes every file into manifest.json, and
// removes the staging area. It fails with [ErrIncomplete] naming the
// missing parts, changing nothing.
func Finalize(cfg Config, dir string) (Manifest, error) {
	if err := cfg.defaults(); err != nil {
		return Manifest{}, err
	}
	p := cfg.Params
	var counts Counts
	var missing []string
	for k := range p.Parts() {
		b, err := os.ReadFile(filepath.Join(dir, stagingFile(k, "stats.json")))
		if err == nil {
			_, err = os.Stat(filepath.Join(dir, EventsFile(k)))
		}
		if err != nil {
			missing = append(missing, strconv.Itoa(k))
			continue
		}
		var st PartStats
		if err := json.Unmarshal(b, &st); err != nil || st.Part != k {
			return Manifest{}, fmt.Errorf("simulate: part %d: bad counts file: %v", k, err)
		}
		counts.add(st.Counts)
	}
	if len(missing) > 0 {
		return Manifest{}, fmt.Errorf("%w: parts %s of %d are missing", ErrIncomplete, strings.Join(missing, ", "), p.Parts())
	}
	if counts.Couples != p.Couples {
		return Manifest{}, fmt.Errorf("simulate: the parts hold %d couples, the parameters %d: were they generated with other parameters?", counts.Couples, p.Couples)
	}
	joins := []struct {
		name, part string
		columns    []string
	}{
		{"couples.csv", "couples.csv", columns(CoupleSummary{})},
		{"panel.csv", "panel.csv", columns(PanelRow{})},
	}
	for _, j := range joins {
		if err := joinParts(dir, j.name, j.part, strings.Join(j.columns, ",")+"\n", p.Parts()); err != nil {
			return Manifest{}, err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "schemas"), 0o755); err != nil {
		return Manifest{}, err
	}
	var ids []string
	for _, s := range Schemas() {
		ids = append(ids, s.ID)
		if err := writeFile(filepath.Join(dir, "schemas", s.Name+"-"+strconv.Itoa(s.Major)+"."+strconv.Itoa(s.Minor)+".json"), s.JSON); err != nil {
			return Manifest{}, err
		}
	}
	entries := Codebook()
	cb, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if err := writeFile(filepath.Join(dir, "codebook.json"), append(cb, '\n')); err != nil {
		return Manifest{}, err
	}
	if err := writeFile(filepath.Join(dir, "codebook.md"), CodebookMarkdown(entries)); err != nil {
		return Manifest{}, err
	}
	m := Manifest{Generator: Generator, Seed: strconv.FormatUint(cfg.Seed, 10), Params: p, IncludeSafety: cfg.IncludeSafety,
		Pseudonyms: "HMAC-SHA-256 of each ID under a key derived from the seed (PseudonymKey), truncated to 64 bits; " +
			"a real deployment uses a secret key held by the data owner",
		Schemas: ids, Parts: p.Parts(), Layout: Layout, Counts: counts}
	if err := os.RemoveAll(filepath.Join(dir, stagingDir)); err != nil {
		return Manifest{}, err
	}
	if m.Files, err = hashFiles(dir); err != nil {
		return Manifest{}, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	return m, writeFile(filepath.Join(dir, "manifest.json"), append(b, '\n'))
}

// Run generates a whole dataset into dir on this machine and finalizes it.
func Run(ctx context.Context, cfg Config, dir string) (Manifest, error) {
	cfg.Shard, cfg.Shards = 0, 1
	if _, err := Generate(ctx, cfg, dir); err != nil {
		return Manifest{}, err
	}
	return Finalize(cfg, dir)
}

func joinParts(dir, name, part, header string, parts int) error {
	path := filepath.Join(dir, name)
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	defer os.Remove(path + ".tmp")
	defer f.Close()
	if _, err := io.WriteString(f, header); err != nil {
		return err
	}
	for k := range parts {
		in, err := os.Open(filepath.Join(dir, stagingFile(k, part)))
		if err != nil {
			return err
		}
		_, err = io.Copy(f, in)
		in.Close()
		if err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

func writeFile(path string, b []byte) error {
	if err := os.WriteFile(path+".tmp", b, 0o644); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

// hashFiles lists every regular file under dir but manifest.json, with its
// size and SHA-256, sorted by path.
func hashFiles(dir string) ([]FileEntry, error) {
	var out []FileEntry
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "manifest.json" {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return err
		}
		out = append(out, FileEntry{Path: rel, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}
