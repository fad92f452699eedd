// Package simulate generates reproducible, de-identified research datasets
// of simulated couples rebuilding trust, by driving the real
// [github.com/mendkit/mend/exercise.Engine] on a manual clock.
//
// # Model
//
// [DrawCouple] draws each couple's parameters from a [Params] file (JSON,
// every field optional, defaults in [DefaultParams], schema
// simulate/params-1.0.json): the protocol profile, scheduler and time zone
// from weighted lists; the first breach's kind, severity, whether it was
// disclosed or discovered, ongoing or mutual; each partner's research
// consent, engagement, honesty and adherence (triangular distributions on
// 0..1); the couple's weekly setback propensity and the probability of a
// safety flag over the journey. Partner 1 caused the first breach; partner
// 2 was hurt by it (both, for a mutual breach).
//
// [Simulate] then lives the journey day by day for Params.Weeks weeks, each
// evening on the couple's local clock, through the engine's public API:
//
//   - day 0: the breach is recorded (by whoever revealed it) and both
//     partners state their commitment; commitment is asked again every four
//     weeks (yes more likely the more engaged);
//   - each partner gives a sealed account of each breach, sooner the more
//     engaged; then the partner who caused it acknowledges it, and the hurt
//     partner answers, accepting with a probability rising with the
//     acknowledging partner's honesty and with each round (0.15 + 0.55 ×
//     honesty + 0.1 per earlier round);
//   - once the accounts are in, each partner asks for needs now and then;
//     the other answers (accepted, counter-offer, needs time, declined, by
//     engagement) and the asker closes fulfilled ones (by the other's
//     adherence) or lets them lapse after four weeks;
//   - after the first week the couple proposes an agreement with a weekly
//     check-in ritual (Sundays 19:00) and often a Friday date night; each
//     partner signs when ready, and the engine activates it;
//   - every other day the app brings the plan up to date (one
//     exercise.Engine.Refresh, which expires overdue work and then turns the
//     scheduler's proposals into assignments); an assignment due now is
//     decided once: done with the
//     geometric mean of its participants' adherence × (0.6 + 0.4 ×
//     engagement), else skipped (two in five) or left to expire; joint work
//     waits while it is paused;
//   - each partner checks in with probability checkin_rate × engagement,
//     reporting their latent trust and closeness with Gaussian noise; latent
//     trust starts lower the graver the breach, rises with helpful joint
//     work, an accepted acknowledgement and an agreement in force, falls in
//     setback weeks and after a new disclosure, and decays slowly toward a
//     home level that the gains move;
//   - weekly: a setback week at the couple's propensity; a new disclosure
//     (a related breach, which makes the engine regress the phase) at
//     disclosure_rate × propensity × (1 − honesty); an ongoing breach ends
//     with a probability rising with honesty;
//   - safety: a flag is raised (by the hurt partner three times in four) at
//     the daily hazard that gives the drawn incidence over the journey, and
//     cleared by its owner after an exponential time (mean safety_weeks).
//
// The engine decides everything else: phases advance when their gates are
// met, regressions follow new disclosures, schedulers propose exercises and
// rituals, and joint work pauses under a safety flag.
//
// # De-identification
//
// [Export] is a pure function from one couple's stream to export records: only
// couples where both partners consent; IDs replaced by keyed pseudonyms
// (HMAC-SHA-256; [PseudonymKey] derives the key from the seed, where a real
// deployment keeps a secret key); no free text of any kind; times as whole
// days and minutes since the journey began; safety events dropped unless
// [ExportOptions.IncludeSafety]; events renumbered so nothing dropped leaves
// a gap. Records use their own envelope, [ExportEvent] (schema
// simulate/export-event-1.0.json), rather than the journey event's
// CloudEvents envelope: the journey payload schemas require the free-text
// fields an export must drop, and the envelope requires real IDs and times.
//
// # Datasets and determinism
//
// [Generate] writes the couples of a shard's parts with a bounded pool of
// workers, in couple order; [Finalize] assembles the dataset (couples.csv,
// panel.csv, codebook.md and codebook.json from the schemas, the schemas,
// and manifest.json with the SHA-256 of every file); [Run] does both.
// Every couple's draws come from ChaCha8 streams seeded by
// SHA-256(purpose, seed, index) ([CoupleSeed]), so the bytes do not depend
// on the number of workers, on how many machines share the work, or on the
// order couples finish. Memory is bounded by the number of workers, not the
// number of couples.
package simulate
