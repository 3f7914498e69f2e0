// timer_bench: figures for duban's durable timers.
//
//   1. Start-up with many pending timers: Engine::Open plus the first
//      NextTimerDue() in a fresh process, and that process's memory, for an
//      empty store and for a store holding --pending timers.
//   2. Firing --same_instant timers due at the same instant (batches of up
//      to 2000 timers, one synced write each), each writing a notification.
//   3. Firing --one_at_a_time timers at distinct instants (one synced write
//      per timer), for comparison with 2.
//
// Prints figures; it is not a test. Usage:
//   timer_bench [--pending=1000000] [--same_instant=100000]
//               [--one_at_a_time=2000] [--dir=/tmp] [--startup_runs=3]
// `--open=<data dir>` is the child mode used for the start-up measurement.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "duban/v1/model.pb.h"
#include "engine/time/clock.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/store.h"
#include "rocksdb/db.h"
#include "rocksdb/version.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(int64_t, pending, 1000000, "pending timers for the start-up measurement");
ABSL_FLAG(int64_t, same_instant, 100000, "timers due at one instant, fired together");
ABSL_FLAG(int64_t, one_at_a_time, 2000, "timers at distinct instants, fired one per instant");
ABSL_FLAG(std::string, dir, "", "directory in which to create the temporary data dirs (default $TMPDIR or /tmp)");
ABSL_FLAG(int, startup_runs, 3, "fresh processes per start-up measurement");
ABSL_FLAG(std::string, open, "", "child mode: open the engine on this data dir and report time and memory");

namespace fs = std::filesystem;
using duban::Cf;
using duban::Store;
namespace v1 = duban::v1;
namespace keys = duban::keys;

namespace {

constexpr int64_t kBatch = 10000;  // records per setup WriteBatch

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// The simulated "now" of every store the benchmark builds.
absl::Time BaseTime() {
  return absl::FromCivil(absl::CivilMinute(2025, 3, 3, 9, 0), duban::PlanTimeZone());
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t us = absl::ToUnixMicros(t);
  ts.set_seconds(us / 1000000);
  ts.set_nanos(static_cast<int32_t>((us % 1000000) * 1000));
  return ts;
}

[[noreturn]] void Die(absl::string_view what, const absl::Status& s) {
  std::fprintf(stderr, "timer_bench: %s: %s\n", std::string(what).c_str(), s.ToString().c_str());
  std::exit(2);
}

// kB values of /proc/self/status lines ("VmHWM", "VmRSS").
int64_t StatusKb(absl::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  std::string prefix = absl::StrCat(field, ":");
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    int64_t kb = 0;
    for (absl::string_view part : absl::StrSplit(line.substr(prefix.size()), ' ', absl::SkipEmpty())) {
      if (absl::SimpleAtoi(part, &kb)) return kb;
    }
  }
  return -1;
}

double Mib(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

int64_t DirBytes(const std::string& dir) {
  int64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::error_code ec;
    if (e.is_regular_file(ec)) total += static_cast<int64_t>(e.file_size(ec));
  }
  return total;
}

std::string MakeTempDir(const std::string& parent, absl::string_view name) {
  std::string tmpl = absl::StrCat(parent, "/timer_bench.", name, ".XXXXXX");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    std::fprintf(stderr, "timer_bench: cannot create a directory under %s\n", parent.c_str());
    std::exit(2);
  }
  return std::string(buf.data());
}

v1::Timer Reminder(const std::string& timer_id, const std::string& obligation_id, absl::Time due) {
  v1::Timer t;
  t.set_id(timer_id);
  *t.mutable_due() = Ts(due);
  t.mutable_reminder()->set_obligation_id(obligation_id);
  t.mutable_reminder()->set_reminder_index(0);
  return t;
}

void PutTimer(Store* store, rocksdb::WriteBatch* b, const v1::Timer& t, absl::Time due) {
  store->Put(b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(due), t.id()), t);
}

// Writes the batch when it holds kBatch records (or when force is set).
void MaybeWrite(Store* store, rocksdb::WriteBatch* b, int64_t records, bool force) {
  if (!force && records % kBatch != 0) return;
  if (b->Count() == 0) return;
  if (absl::Status s = store->Write(b); !s.ok()) Die("setup write", s);
  b->Clear();
}

// After the direct writes: one Engine::Open (writes the schema version and
// replays the WAL, as duband's first start would), then a flush of every
// column family, so that later opens read SST files instead of replaying a
// WAL of the whole setup.
void Settle(const std::string& dir) {
  duban::SimulatedClock clock(BaseTime());
  auto engine = duban::Engine::Open(dir, &clock);
  if (!engine.ok()) Die("settle: open", engine.status());
  duban::Store& store = (*engine)->store();
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) cfs.push_back(store.handle(static_cast<Cf>(i)));
  rocksdb::FlushOptions fo;
  fo.wait = true;
  rocksdb::Status s = store.db()->Flush(fo, cfs);
  if (!s.ok()) Die("settle: flush", absl::InternalError(s.ToString()));
}

// ---------------------------------------------------------------- child mode

int OpenChild(const std::string& dir) {
  int64_t rss_before = StatusKb("VmRSS");
  duban::SimulatedClock clock(BaseTime());
  auto t0 = SteadyClock::now();
  auto engine = duban::Engine::Open(dir, &clock);
  if (!engine.ok()) Die("open", engine.status());
  double open_s = SecondsSince(t0);
  auto t1 = SteadyClock::now();
  std::optional<absl::Time> next = (*engine)->NextTimerDue();
  double next_s = SecondsSince(t1);
  double total_s = SecondsSince(t0);
  int64_t hwm = StatusKb("VmHWM");
  int64_t rss = StatusKb("VmRSS");
  std::printf("STARTUP open_us=%lld next_us=%lld total_us=%lld next_due_us=%lld hwm_kb=%lld rss_kb=%lld "
              "rss_before_kb=%lld\n",
              static_cast<long long>(open_s * 1e6), static_cast<long long>(next_s * 1e6),
              static_cast<long long>(total_s * 1e6),
              static_cast<long long>(next ? absl::ToUnixMicros(*next) : -1), static_cast<long long>(hwm),
              static_cast<long long>(rss), static_cast<long long>(rss_before));
  std::fflush(stdout);
  return 0;
}

struct Startup {
  double open_ms = 0, next_ms = 0, total_ms = 0;
  int64_t next_due_us = -1;
  int64_t hwm_kb = 0, rss_kb = 0, rss_before_kb = 0;
};

// fork + exec of this binary with --open=dir; parses the child's report.
Startup RunChild(const std::string& self, const std::string& dir) {
  int fds[2];
  if (pipe(fds) != 0) Die("pipe", absl::InternalError("pipe failed"));
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) Die("fork", absl::InternalError("fork failed"));
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    std::string arg = absl::StrCat("--open=", dir);
    execl(self.c_str(), self.c_str(), arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "timer_bench: child for %s failed (status %d): %s\n", dir.c_str(), status, out.c_str());
    std::exit(2);
  }
  Startup r;
  int64_t open_us = 0, next_us = 0, total_us = 0;
  for (absl::string_view field : absl::StrSplit(out, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(field, absl::MaxSplits('=', 1));
    int64_t v = 0;
    if (!absl::SimpleAtoi(kv.second, &v)) continue;
    if (kv.first == "open_us") open_us = v;
    if (kv.first == "next_us") next_us = v;
    if (kv.first == "total_us") total_us = v;
    if (kv.first == "next_due_us") r.next_due_us = v;
    if (kv.first == "hwm_kb") r.hwm_kb = v;
    if (kv.first == "rss_kb") r.rss_kb = v;
    if (kv.first == "rss_before_kb") r.rss_before_kb = v;
  }
  r.open_ms = open_us / 1000.0;
  r.next_ms = next_us / 1000.0;
  r.total_ms = total_us / 1000.0;
  return r;
}

// Runs the child `runs` times; returns the run with the median total time.
Startup MedianStartup(const std::string& self, const std::string& dir, int runs, std::vector<double>* totals) {
  std::vector<Startup> all;
  for (int i = 0; i < runs; ++i) all.push_back(RunChild(self, dir));
  std::sort(all.begin(), all.end(), [](const Startup& a, const Startup& b) { return a.total_ms < b.total_ms; });
  for (const auto& s : all) totals->push_back(s.total_ms);
  return all[all.size() / 2];
}

std::string FormatDue(int64_t us) {
  if (us < 0) return "none";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", absl::FromUnixMicros(us), duban::PlanTimeZone());
}

// ---------------------------------------------------------------- measurement 1

void PendingStartup(const std::string& self, const std::string& parent, int64_t pending, int runs) {
  std::printf("== 1. Start-up with pending timers (fresh process: Engine::Open + first NextTimerDue)\n");
  absl::Time base = BaseTime();
  std::string empty_dir = MakeTempDir(parent, "empty");
  std::string full_dir = MakeTempDir(parent, "pending");

  // The empty baseline: a store with its column families and nothing else.
  {
    auto store = Store::Open(empty_dir);
    if (!store.ok()) Die("open empty store", store.status());
  }
  Settle(empty_dir);

  // 1M ObligationReminder timers due uniformly over one year after `base`.
  auto t0 = SteadyClock::now();
  {
    auto store_or = Store::Open(full_dir);
    if (!store_or.ok()) Die("open store", store_or.status());
    Store* store = store_or->get();
    rocksdb::WriteBatch b;
    std::mt19937_64 rng(20250303);
    const int64_t year_us = absl::ToInt64Microseconds(absl::Hours(24 * 365));
    std::uniform_int_distribution<int64_t> offset(1, year_us);
    for (int64_t i = 0; i < pending; ++i) {
      absl::Time due = base + absl::Microseconds(offset(rng));
      std::string obligation = absl::StrCat("bench-pending:", i);
      PutTimer(store, &b, Reminder(absl::StrCat("rem:", obligation, ":0"), obligation, due), due);
      MaybeWrite(store, &b, i + 1, false);
    }
    MaybeWrite(store, &b, pending, true);
  }
  double write_s = SecondsSince(t0);
  auto t1 = SteadyClock::now();
  Settle(full_dir);
  double settle_s = SecondsSince(t1);
  std::printf("setup: %lld timers written in batches of %lld in %.2f s (%.0f timers/s); "
              "first open + flush %.2f s\n",
              static_cast<long long>(pending), static_cast<long long>(kBatch), write_s,
              pending / std::max(write_s, 1e-9), settle_s);

  std::vector<double> empty_totals, full_totals;
  Startup e = MedianStartup(self, empty_dir, runs, &empty_totals);
  Startup f = MedianStartup(self, full_dir, runs, &full_totals);
  int64_t empty_bytes = DirBytes(empty_dir);
  int64_t full_bytes = DirBytes(full_dir);

  auto totals = [](const std::vector<double>& v) {
    std::string s;
    for (double x : v) absl::StrAppend(&s, s.empty() ? "" : " ", absl::StrFormat("%.1f", x));
    return s;
  };
  std::printf("%-28s %16s %16s\n", "", "empty store", absl::StrCat(pending, " timers").c_str());
  std::printf("%-28s %16.1f %16.1f\n", "Engine::Open (ms)", e.open_ms, f.open_ms);
  std::printf("%-28s %16.3f %16.3f\n", "first NextTimerDue (ms)", e.next_ms, f.next_ms);
  std::printf("%-28s %16.1f %16.1f\n", "open + first due (ms)", e.total_ms, f.total_ms);
  std::printf("%-28s %16s %16s\n", "  all runs, sorted (ms)", totals(empty_totals).c_str(),
              totals(full_totals).c_str());
  std::printf("%-28s %16.1f %16.1f\n", "VmRSS before open (MiB)", e.rss_before_kb / 1024.0, f.rss_before_kb / 1024.0);
  std::printf("%-28s %16.1f %16.1f\n", "VmHWM after (MiB)", e.hwm_kb / 1024.0, f.hwm_kb / 1024.0);
  std::printf("%-28s %16.1f %16.1f\n", "VmRSS after (MiB)", e.rss_kb / 1024.0, f.rss_kb / 1024.0);
  std::printf("%-28s %16.1f %16.1f\n", "data dir on disk (MiB)", Mib(empty_bytes), Mib(full_bytes));
  std::printf("first due: empty store %s; %lld timers %s\n", FormatDue(e.next_due_us).c_str(),
              static_cast<long long>(pending), FormatDue(f.next_due_us).c_str());
  std::printf("added by %lld timers: %+.1f MiB peak RSS, %+.1f ms start-up, %+.1f MiB on disk\n",
              static_cast<long long>(pending), (f.hwm_kb - e.hwm_kb) / 1024.0, f.total_ms - e.total_ms,
              Mib(full_bytes - empty_bytes));
  std::printf("(median of %d fresh processes; setup flushed, so no WAL replay at open)\n\n", runs);

  fs::remove_all(empty_dir);
  fs::remove_all(full_dir);
}

// ---------------------------------------------------------------- measurements 2 and 3

// n PENDING obligations over ~100 units, each with one reminder timer;
// timer i is due at due(i).
template <typename DueFn>
void WriteObligations(const std::string& dir, int64_t n, absl::Time deadline, DueFn due) {
  auto store_or = Store::Open(dir);
  if (!store_or.ok()) Die("open store", store_or.status());
  Store* store = store_or->get();
  rocksdb::WriteBatch b;
  for (int64_t i = 0; i < n; ++i) {
    v1::Obligation o;
    o.set_id(absl::StrFormat("bench-weekly:2025-W10:%07d", i));
    o.set_rule_id("bench-weekly");
    o.set_rule_name("每周进展报送");
    o.set_what("本周工作进展");
    o.set_unit_id(absl::StrFormat("U%03d", i % 100));
    o.set_subject_id(o.unit_id());
    o.set_recipient_unit_id("U999");
    o.set_period_label("2025-W10");
    o.set_period_start("2025-03-03");
    o.set_period_end("2025-03-09");
    *o.mutable_deadline() = Ts(deadline);
    o.set_state(v1::OBLIGATION_STATE_PENDING);
    o.set_version(1);
    store->Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kObligation, o.id()), o);
    absl::Time at = due(i);
    PutTimer(store, &b, Reminder(absl::StrCat("rem:", o.id(), ":0"), o.id(), at), at);
    MaybeWrite(store, &b, i + 1, false);
  }
  MaybeWrite(store, &b, n, true);
}

struct FireResult {
  double seconds = 0;
  int fired = 0;
  int64_t global_notes = 0;
  int64_t recipient_notes = 0;
  uint64_t last_seq = 0;
  int64_t timers_left = 0;
};

FireResult Fire(const std::string& dir, absl::Time start, absl::Time until) {
  duban::SimulatedClock clock(start);
  auto engine_or = duban::Engine::Open(dir, &clock);
  if (!engine_or.ok()) Die("open engine", engine_or.status());
  duban::Engine& engine = **engine_or;
  FireResult r;
  auto t0 = SteadyClock::now();
  auto run = engine.AdvanceClock(until);
  r.seconds = SecondsSince(t0);
  if (!run.ok()) Die("AdvanceClock", run.status());
  r.fired = run->fired;
  // A count from a scan that failed would pass for a count of what fired.
  auto count = [&](Cf cf, absl::string_view prefix, int64_t& n, const char* what) {
    absl::Status s = engine.store().Scan(cf, prefix, [&](absl::string_view, absl::string_view) {
      ++n;
      return true;
    });
    if (!s.ok()) Die(what, s);
  };
  count(Cf::kOutbox, keys::OutboxGlobalPrefix(), r.global_notes, "scan global notifications");
  count(Cf::kOutbox, "r", r.recipient_notes, "scan recipient notifications");
  count(Cf::kTimers, "", r.timers_left, "scan timers");
  r.last_seq = engine.outbox().last_seq();
  return r;
}

bool CheckCounts(const FireResult& r, int64_t n) {
  bool ok = r.fired == n && r.global_notes == n && r.recipient_notes == n && static_cast<int64_t>(r.last_seq) == n &&
            r.timers_left == 0;
  if (!ok) {
    std::printf("!!!!!!!! MISMATCH: expected %lld fired timers and %lld notifications; fired %d, outbox global log "
                "%lld, per-recipient %lld, last seq %llu, timers left %lld !!!!!!!!\n",
                static_cast<long long>(n), static_cast<long long>(n), r.fired,
                static_cast<long long>(r.global_notes), static_cast<long long>(r.recipient_notes),
                static_cast<unsigned long long>(r.last_seq), static_cast<long long>(r.timers_left));
  }
  return ok;
}

// Returns timers/s (0 on failure); *ok is cleared on a count mismatch.
double SameInstant(const std::string& parent, int64_t n, bool* ok) {
  std::printf("== 2. %lld timers due at the same instant, fired by one AdvanceClock\n", static_cast<long long>(n));
  std::string dir = MakeTempDir(parent, "same");
  absl::Time t = BaseTime() + absl::Hours(24);
  auto t0 = SteadyClock::now();
  WriteObligations(dir, n, t + absl::Hours(48), [&](int64_t) { return t; });
  double write_s = SecondsSince(t0);
  auto t1 = SteadyClock::now();
  Settle(dir);
  std::printf("setup: %lld PENDING obligations over 100 units + %lld reminder timers due at %s in %.2f s; "
              "first open + flush %.2f s\n",
              static_cast<long long>(n), static_cast<long long>(n), FormatDue(absl::ToUnixMicros(t)).c_str(),
              write_s, SecondsSince(t1));
  FireResult r = Fire(dir, t - absl::Minutes(1), t + absl::Minutes(1));
  const int64_t per_batch = 2000;
  int64_t batches = (n + per_batch - 1) / per_batch;
  double rate = r.fired / std::max(r.seconds, 1e-9);
  std::printf("AdvanceClock(T-1min -> T+1min): %.2f s, fired %d, %.0f timers/s\n", r.seconds, r.fired, rate);
  std::printf("notifications in the outbox: %lld (global log), %lld (per-recipient entries), last seq %llu\n",
              static_cast<long long>(r.global_notes), static_cast<long long>(r.recipient_notes),
              static_cast<unsigned long long>(r.last_seq));
  std::printf("synced write batches: %lld of up to %lld timers (+1 for the clock at the end); %.1f ms per batch\n",
              static_cast<long long>(batches), static_cast<long long>(per_batch),
              r.seconds * 1000.0 / std::max<int64_t>(batches, 1));
  std::printf("data dir after firing: %.1f MiB\n", Mib(DirBytes(dir)));
  if (!CheckCounts(r, n)) *ok = false;
  std::printf("\n");
  fs::remove_all(dir);
  return rate;
}

double OneAtATime(const std::string& parent, int64_t n, bool* ok) {
  std::printf("== 3. %lld timers at %lld distinct instants (1 s apart), fired by one AdvanceClock\n",
              static_cast<long long>(n), static_cast<long long>(n));
  std::string dir = MakeTempDir(parent, "single");
  absl::Time t = BaseTime() + absl::Hours(24);
  WriteObligations(dir, n, t + absl::Hours(48), [&](int64_t i) { return t + absl::Seconds(i); });
  Settle(dir);
  FireResult r = Fire(dir, t - absl::Minutes(1), t + absl::Seconds(n) + absl::Minutes(1));
  double rate = r.fired / std::max(r.seconds, 1e-9);
  std::printf("AdvanceClock: %.2f s, fired %d, %.0f timers/s; %lld synced writes (one per instant), "
              "%.2f ms per timer\n",
              r.seconds, r.fired, rate, static_cast<long long>(n), r.seconds * 1000.0 / std::max<int64_t>(n, 1));
  std::printf("notifications in the outbox: %lld\n", static_cast<long long>(r.global_notes));
  if (!CheckCounts(r, n)) *ok = false;
  fs::remove_all(dir);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  if (std::string dir = absl::GetFlag(FLAGS_open); !dir.empty()) return OpenChild(dir);

  std::string parent = absl::GetFlag(FLAGS_dir);
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
  }
  std::error_code ec;
  fs::create_directories(parent, ec);
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (self.empty()) self = argv[0];

  int64_t pending = absl::GetFlag(FLAGS_pending);
  int64_t same = absl::GetFlag(FLAGS_same_instant);
  int64_t single = absl::GetFlag(FLAGS_one_at_a_time);
  int runs = std::max(1, absl::GetFlag(FLAGS_startup_runs));

  std::printf("timer_bench: %u hardware threads, RocksDB %d.%d.%d, data under %s, simulated now %s\n",
              std::thread::hardware_concurrency(), ROCKSDB_MAJOR, ROCKSDB_MINOR, ROCKSDB_PATCH, parent.c_str(),
              FormatDue(absl::ToUnixMicros(BaseTime())).c_str());
  std::printf("--pending=%lld --same_instant=%lld --one_at_a_time=%lld --startup_runs=%d\n\n",
              static_cast<long long>(pending), static_cast<long long>(same), static_cast<long long>(single), runs);

  bool ok = true;
  if (pending > 0) PendingStartup(self, parent, pending, runs);
  double batched = same > 0 ? SameInstant(parent, same, &ok) : 0;
  double one = single > 0 ? OneAtATime(parent, single, &ok) : 0;
  if (batched > 0 && one > 0) {
    std::printf("\nsame instant vs one at a time: %.0f vs %.0f timers/s, ratio %.1fx\n", batched, one, batched / one);
  }
  if (!ok) {
    std::printf("\n!!!!!!!! MISMATCH in notification counts; see above !!!!!!!!\n");
    return 1;
  }
  return 0;
}
