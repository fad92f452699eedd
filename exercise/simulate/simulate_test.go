package simulate_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/simulate"
	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// small returns parameters for a quick dataset: few couples, few weeks,
// small parts, and a high safety incidence so safety events occur.
func small(couples, weeks int) simulate.Params {
	p := simulate.DefaultParams()
	p.Couples, p.Weeks, p.CouplesPerPart = couples, weeks, 4
	p.SafetyIncidence = simulate.Triangular{Min: 0.5, Mode: 0.8, Max: 1}
	return p
}

func validator(t testing.TB) *schemagen.Validator {
	return schemagen.NewValidator(t, trust.Schemas(), agreement.Schemas(), progress.Schemas(), exercise.Schemas(), simulate.Schemas())
}

func TestSimulateDrivesTheEngineDeterministically(t *testing.T) {
	p := small(1, 8)
	a, err := simulate.Simulate(context.Background(), p, 42, 3)
	require.NoError(t, err)
	b, err := simulate.Simulate(context.Background(), p, 42, 3)
	require.NoError(t, err)
	ja, err := json.Marshal(a.Events)
	require.NoError(t, err)
	jb, err := json.Marshal(b.Events)
	require.NoError(t, err)
	assert.Equal(t, string(ja), string(jb), "same seed and index, same bytes")
	other, err := simulate.Simulate(context.Background(), p, 42, 4)
	require.NoError(t, err)
	assert.NotEqual(t, a.Events[0].Relationship, other.Events[0].Relationship, "another index is another couple")

	_, err = trust.ReplayJourney(a.Events)
	require.NoError(t, err, "the stream replays through the journey fold")
	types := map[string]int{}
	for _, e := range a.Events {
		types[e.Type]++
	}
	for _, typ := range []string{trust.TypeBreachRecorded, trust.TypeAccountGiven, trust.TypeCommitmentStated,
		progress.TypeCheckInRecorded, exercise.TypeAssignmentProposed} {
		assert.Positive(t, types[typ], "the journey has %s events: %v", typ, types)
	}
}

func TestEngineEventsValidateAgainstPublishedSchemas(t *testing.T) {
	v := validator(t)
	p := small(6, 10)
	for i := range p.Couples {
		c, err := simulate.Simulate(context.Background(), p, 5, i)
		require.NoError(t, err)
		for _, e := range c.Events {
			validateEvent(t, v, e)
		}
	}
}

// validateEvent checks an engine event against the envelope schema and its
// dataschema.
func validateEvent(t *testing.T, v *schemagen.Validator, e trust.Event) {
	t.Helper()
	b, err := json.Marshal(e)
	require.NoError(t, err)
	require.NoError(t, v.Validate(schemagen.EventSchemaID, b), "envelope of %s", e.Type)
	data, err := json.Marshal(e.Data)
	require.NoError(t, err)
	require.NoError(t, v.Validate(e.DataSchema, data), "data of %s: %s", e.Type, data)
}

func TestExportDeidentifies(t *testing.T) {
	p := small(8, 10)
	key := simulate.PseudonymKey(9)
	sawSafety, sawSupport := false, false
	for i := range p.Couples {
		d := simulate.DrawCouple(p, 9, i)
		c, err := simulate.Simulate(context.Background(), p, 9, i)
		require.NoError(t, err)
		x, ok, err := simulate.Export(c.Events, simulate.ExportOptions{Key: key})
		require.NoError(t, err)
		require.Equal(t, d.Consented(), ok, "exported exactly when both consented")
		if !ok {
			assert.Empty(t, x.Events)
			continue
		}
		raw, err := json.Marshal(x.Events)
		require.NoError(t, err)
		text := string(raw)
		start := c.Events[0].Data.(*trust.JourneyStarted)
		secrets := []string{start.Relationship.ID.String(), start.Relationship.Partners[0].ID.String(),
			start.Relationship.Partners[0].DisplayName, start.Relationship.TimeZone, "what happened as I saw it",
			"my regret", "a private note", "what I noticed", "hopeful", "\"time\"", "T19:"}
		for _, s := range secrets {
			assert.NotContains(t, text, s, "the export never carries %q", s)
		}
		for _, e := range c.Events {
			assert.NotContains(t, text, e.ID.String(), "no event ID leaks")
			if e.Sensitive() {
				sawSafety = true
			}
		}
		for j, e := range x.Events {
			assert.Equal(t, j+1, e.Seq, "renumbered without gaps")
			assert.NotContains(t, string(e.Type), "safety", "safety events are dropped by default")
			assert.NotContains(t, mustJSON(t, e.Data), `"scheduler":"`+exercise.SupportScheduler+`"`, "so is the support offered after a flag")
		}
		with, _, err := simulate.Export(c.Events, simulate.ExportOptions{Key: key, IncludeSafety: true})
		require.NoError(t, err)
		n, support := 0, map[exercise.AssignmentID]bool{}
		for _, e := range c.Events {
			if p, ok := e.Data.(*exercise.AssignmentProposed); ok && p.Scheduler == exercise.SupportScheduler {
				support[p.Assignment] = true
				sawSupport = true
			}
			if e.Sensitive() || supportEvent(e, support) {
				n++
			}
		}
		assert.Equal(t, len(x.Events)+n, len(with.Events), "-include-safety adds back exactly the safety events and the support after them")
	}
	assert.True(t, sawSafety, "the parameters made safety flags happen")
	assert.True(t, sawSupport, "and the engine offered support after them")
}

// supportEvent reports whether e belongs to one of the support assignments.
func supportEvent(e trust.Event, support map[exercise.AssignmentID]bool) bool {
	b, _ := json.Marshal(e.Data)
	var ref struct {
		Assignment exercise.AssignmentID `json:"assignment"`
	}
	return strings.HasPrefix(e.Type, "exercise.") && json.Unmarshal(b, &ref) == nil && support[ref.Assignment]
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestExportRefusesWithoutBothConsents(t *testing.T) {
	p := small(1, 2)
	var c simulate.Couple
	for i := 0; ; i++ {
		if simulate.DrawCouple(p, 1, i).Consented() {
			var err error
			c, err = simulate.Simulate(context.Background(), p, 1, i)
			require.NoError(t, err)
			break
		}
	}
	rel := c.Events[0].Data.(*trust.JourneyStarted).Relationship
	withdraw, err := trust.NewEvent(&trust.ResearchConsent{Partner: rel.Partners[1].ID, Granted: false}, trust.Header{
		ID: trust.EventID{1}, Relationship: rel.ID, Sequence: trust.Sequence(len(c.Events) + 1), Recorded: c.Events[len(c.Events)-1].Time,
		Actor: trust.PartnerActor(rel.Partners[1].ID)})
	require.NoError(t, err)
	tests := []struct {
		name   string
		events []trust.Event
		ok     bool
		reason string
	}{
		{"both consent", c.Events, true, "a consenting couple is exported"},
		{"consent withdrawn", append(append([]trust.Event{}, c.Events...), withdraw), false, "the latest answer counts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, err := simulate.Export(tt.events, simulate.ExportOptions{Key: []byte("k")})
			require.NoError(t, err)
			assert.Equal(t, tt.ok, ok, tt.reason)
		})
	}
	_, _, err = simulate.Export(c.Events, simulate.ExportOptions{})
	assert.ErrorIs(t, err, trust.ErrInvalid, "a key is required")
}

func readLines(t *testing.T, path string) []string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	require.NoError(t, sc.Err())
	return out
}

func TestDatasetLinesValidateAndFilesFitTheCodebook(t *testing.T) {
	dir := t.TempDir()
	p := small(10, 6)
	m, err := simulate.Run(context.Background(), simulate.Config{Params: p, Seed: 3, IncludeSafety: true}, dir)
	require.NoError(t, err)
	v := validator(t)
	lines := 0
	for k := range m.Parts {
		for _, l := range readLines(t, filepath.Join(dir, simulate.EventsFile(k))) {
			require.NoError(t, v.Validate(simulate.ExportEventSchema, []byte(l)), l)
			lines++
		}
	}
	assert.Equal(t, m.Counts.Events, lines)
	assert.True(t, m.IncludeSafety, "the manifest records -include-safety")
	mb, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	require.NoError(t, v.Validate(simulate.ManifestSchema, mb))

	book := map[string][]string{}
	for _, e := range simulate.Codebook() {
		assert.NotEmpty(t, e.Description, "%s %s has a meaning", e.File, e.Field)
		assert.NotEmpty(t, e.Type, "%s %s has a type", e.File, e.Field)
		if !strings.Contains(e.Field, ".") {
			book[e.File] = append(book[e.File], e.Field)
		}
	}
	for _, f := range []string{"couples.csv", "panel.csv"} {
		rows := readLines(t, filepath.Join(dir, f))
		require.NotEmpty(t, rows)
		header := strings.Split(rows[0], ",")
		assert.Equal(t, book[f], header, "%s columns are the codebook's, in order", f)
		for _, r := range rows[1:] {
			assert.Len(t, strings.Split(r, ","), len(header), "%s: %s", f, r)
		}
	}
	assert.Len(t, readLines(t, filepath.Join(dir, "couples.csv")), m.Counts.Exported+1)
	assert.Len(t, readLines(t, filepath.Join(dir, "panel.csv")), 2*p.Weeks*m.Counts.Exported+1)
	_, err = os.Stat(filepath.Join(dir, ".parts"))
	assert.True(t, os.IsNotExist(err), "the staging area is removed")
}

func TestDatasetReproducesAcrossWorkersAndShards(t *testing.T) {
	p := small(13, 4)
	one := t.TempDir()
	m1, err := simulate.Run(context.Background(), simulate.Config{Params: p, Seed: 11, Workers: 1}, one)
	require.NoError(t, err)

	many := t.TempDir()
	cfg := simulate.Config{Params: p, Seed: 11, Workers: 3, Shards: 3}
	for _, shard := range []int{2, 0} {
		cfg.Shard = shard
		_, err := simulate.Generate(context.Background(), cfg, many)
		require.NoError(t, err)
	}
	_, err = simulate.Finalize(cfg, many)
	require.ErrorIs(t, err, simulate.ErrIncomplete, "shard 1 has not run")
	cfg.Shard = 1
	_, err = simulate.Generate(context.Background(), cfg, many)
	require.NoError(t, err)
	m3, err := simulate.Finalize(cfg, many)
	require.NoError(t, err)

	assert.Equal(t, m1.Files, m3.Files, "every file hashes the same")
	b1, err := os.ReadFile(filepath.Join(one, "manifest.json"))
	require.NoError(t, err)
	b3, err := os.ReadFile(filepath.Join(many, "manifest.json"))
	require.NoError(t, err)
	assert.Equal(t, string(b1), string(b3), "the manifests are byte-identical")
	assert.Equal(t, 4, m1.Parts, "13 couples in parts of 4")

	other := t.TempDir()
	m4, err := simulate.Run(context.Background(), simulate.Config{Params: p, Seed: 12}, other)
	require.NoError(t, err)
	assert.NotEqual(t, m1.Files, m4.Files, "another seed is another dataset")
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name   string
		json   string
		field  string
		reason string
	}{
		{"empty object", `{}`, "", "every field has a default"},
		{"override", `{"couples": 5, "weeks": 3, "consent_rate": 1}`, "", "fields override the defaults"},
		{"unknown field", `{"coupels": 5}`, "", "a typo is refused"},
		{"trailing brace", `{"couples": 5}}`, "", "a file is one JSON value"},
		{"trailing garbage", `{"couples": 5} x`, "", "a file is one JSON value"},
		{"bad rate", `{"consent_rate": 1.5}`, "consent_rate", "rates are probabilities"},
		{"bad profile", `{"profiles": [{"value": "nope", "weight": 1}]}`, "profiles.0.value", "profiles are built-in keys"},
		{"zero weights", `{"schedulers": [{"value": "default", "weight": 0}]}`, "schedulers", "weights must not all be zero"},
		{"bad triangle", `{"engagement": {"min": 0.5, "mode": 0.2, "max": 1}}`, "engagement.mode", "min <= mode <= max"},
		{"bad zone", `{"time_zones": [{"value": "Mars/Olympus", "weight": 1}]}`, "time_zones.0.value", "zones are IANA names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := simulate.ParseParams([]byte(tt.json))
			if tt.name == "empty object" || tt.name == "override" {
				require.NoError(t, err, tt.reason)
				assert.NoError(t, p.Validate())
				return
			}
			require.Error(t, err, tt.reason)
			assert.ErrorIs(t, err, trust.ErrInvalid)
			if tt.field != "" {
				var ve *trust.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.field, ve.Field, tt.reason)
			}
		})
	}
}
