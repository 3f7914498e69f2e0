// Engine: opening the store, building the parts, and the runs of the timers
// (each part registers the handlers of its own timer kinds).
#include "engine/engine.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>

#include "absl/hash/hash.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/audit/audit_scope.h"
#include "engine/storage/events.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

constexpr int kSchemaVersion = 1;
}  // namespace

Engine::Engine(std::unique_ptr<Store> store, Clock* clock, EngineOptions options)
    : store_(std::move(store)), clock_(clock), options_(options) {}

Engine::~Engine() {
  if (store_) store_->SetWriteHook(nullptr);
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(const std::string& data_dir, Clock* clock,
                                                     EngineOptions options) {
  if (clock == nullptr) return absl::InvalidArgumentError("clock: required");
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(data_dir, options.store));
  auto version = store->Get(Cf::kMeta, keys::SchemaVersion());
  if (version.ok()) {
    int v = 0;
    if (!absl::SimpleAtoi(*version, &v) || v != kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat("data_dir ", data_dir, ": schema version '", *version,
                                                        "', this build reads ", kSchemaVersion));
    }
  } else {
    rocksdb::WriteBatch b;
    store->Put(&b, Cf::kMeta, keys::SchemaVersion(), std::to_string(kSchemaVersion));
    RETURN_IF_ERROR(store->Write(&b));
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(store), clock, options));
  // The audit trail: every write made for an act from now on carries its entry.
  ASSIGN_OR_RETURN(engine->audit_, audit::AuditLog::Open(engine->store_.get(), clock, options.audit));
  engine->store_->SetWriteHook(engine->audit_.get());
  engine->outbox_ = std::make_unique<Outbox>(engine->store_.get());
  RETURN_IF_ERROR(engine->outbox_->Init());
  engine->evidence_ = std::make_unique<EvidenceStore>(engine->store_.get(), clock, data_dir + "/evidence",
                                                      engine->options_.evidence);
  RETURN_IF_ERROR(engine->evidence_->Init());
  engine->pipeline_ = std::make_unique<Pipeline>(engine->store_.get(), engine->outbox_.get());
  Engine* e = engine.get();
  engine->timers_ = std::make_unique<TimerRunner>(
      engine->store_.get(), engine->pipeline_.get(), clock,
      [e](absl::Time now) -> std::unique_ptr<Txn> { return std::make_unique<Batch>(&e->ctx_, now); });
  engine->ctx_ = engine->MakeContext();
  engine->tasks_ = std::make_unique<TaskCommands>(&engine->ctx_);
  RETURN_IF_ERROR(engine->tasks_->Init());
  engine->tasks_->RegisterTimerHandlers(engine->timers_.get());
  engine->plans_ = std::make_unique<PlanImport>(&engine->ctx_, engine->tasks_.get());
  RETURN_IF_ERROR(engine->plans_->LoadDirectory());
  engine->obligations_ = std::make_unique<Obligations>(&engine->ctx_);
  engine->obligations_->RegisterTimerHandlers(engine->timers_.get());
  engine->supervision_ =
      std::make_unique<Supervision>(&engine->ctx_, engine->tasks_.get(), engine->obligations_.get());
  RETURN_IF_ERROR(engine->supervision_->Init());
  engine->supervision_->RegisterTimerHandlers(engine->timers_.get());
  if (auto sim = engine->store_->Get(Cf::kMeta, keys::SimulatedNow()); sim.ok() && clock->IsSimulated()) {
    int64_t us = 0;
    if (absl::SimpleAtoi(*sim, &us)) clock->MoveTo(absl::FromUnixMicros(us));
  }
  return engine;
}

PartContext Engine::MakeContext() {
  PartContext ctx;
  ctx.store = store_.get();
  ctx.pipeline = pipeline_.get();
  ctx.outbox = outbox_.get();
  ctx.audit = audit_.get();
  ctx.evidence = evidence_.get();
  ctx.clock = clock_;
  ctx.directory = &directory_;
  ctx.timers = timers_.get();
  ctx.workflow = &options_.workflow;
  ctx.calendar = options_.calendar;
  ctx.supervision = options_.supervision;
  ctx.cadences_slot = &options_.cadences;
  return ctx;
}

absl::Duration Engine::LateAfter() const {
  const std::shared_ptr<const CadenceConfig> cfg = cadences();
  return cfg ? cfg->late_after : absl::Minutes(5);
}

absl::StatusOr<TimerRun> Engine::RunTimers(absl::Time until, bool step_clock,
                                           const std::function<bool()>& cancelled) {
  return timers_->Run(until, step_clock, LateAfter(), cancelled);
}

absl::StatusOr<TimerRun> Engine::AdvanceClock(absl::Time to, const std::function<bool()>& cancelled) {
  return timers_->AdvanceClock(to, LateAfter(), cancelled);
}

}  // namespace duban
