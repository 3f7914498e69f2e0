// A PartContext wired by hand, as the Engine wires it, over a fresh store in
// a temporary folder: the base of the tests that build one part of the
// engine (tasks, obligations, supervision, plan import, accountability)
// without an Engine.
#ifndef DUBAN_TESTS_PART_CONTEXT_H_
#define DUBAN_TESTS_PART_CONTEXT_H_

#include <memory>

#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/evidence/evidence_store.h"
#include "engine/plans/directory.h"
#include "engine/plans/plan_import.h"
#include "engine/storage/outbox.h"
#include "engine/storage/pipeline.h"
#include "engine/storage/store.h"
#include "engine/storage/keys.h"
#include "engine/tasks/task_commands.h"
#include "engine/tasks/task_machine.h"
#include "engine/time/cadence.h"
#include "engine/time/clock.h"
#include "engine/time/timer_runner.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace duban::testing {

class PartContextTest : public ::testing::Test {
 protected:
  explicit PartContextTest(absl::Time start) : clock_(start) {}

  // The store, outbox, pipeline, evidence store and timer runner, and the
  // context pointing at them (and at the clock, directory, workflow options
  // and cadences slot below). Call from SetUp, under ASSERT_NO_FATAL_FAILURE.
  void WireContext() {
    auto store = Store::Open(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    outbox_ = std::make_unique<Outbox>(store_.get());
    ASSERT_TRUE(outbox_->Init().ok());
    pipeline_ = std::make_unique<Pipeline>(store_.get(), outbox_.get());
    evidence_ = std::make_unique<EvidenceStore>(store_.get(), &clock_, dir_.path() + "/evidence", EvidenceOptions{});
    ASSERT_TRUE(evidence_->Init().ok());
    timers_ = std::make_unique<TimerRunner>(store_.get(), pipeline_.get(), &clock_, [this](absl::Time now) {
      return std::unique_ptr<Txn>(new Batch(&ctx_, now));
    });
    ctx_.store = store_.get();
    ctx_.pipeline = pipeline_.get();
    ctx_.outbox = outbox_.get();
    ctx_.evidence = evidence_.get();
    ctx_.clock = &clock_;
    ctx_.directory = &directory_;
    ctx_.timers = timers_.get();
    ctx_.workflow = &workflow_;
    ctx_.cadences_slot = &cadences_;
  }

  // The task commands and the plan import on the context, the directory
  // loaded from the store (as the Engine builds them). Under
  // ASSERT_NO_FATAL_FAILURE.
  void BuildTasksAndPlans(std::unique_ptr<TaskCommands>* tasks, std::unique_ptr<PlanImport>* plans) {
    *tasks = std::make_unique<TaskCommands>(&ctx_);
    ASSERT_TRUE((*tasks)->Init().ok());
    *plans = std::make_unique<PlanImport>(&ctx_, tasks->get());
    ASSERT_TRUE((*plans)->LoadDirectory().ok());
  }

  // A stored campaign record, for tasks created without a plan import.
  void PutCampaign(const std::string& id, const std::string& plan_id) {
    v1::Campaign campaign;
    campaign.set_id(id);
    campaign.set_plan_id(plan_id);
    rocksdb::WriteBatch b;
    store_->Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kCampaign, id), campaign);
    ASSERT_TRUE(store_->Write(&b).ok());
  }

  TempDir dir_;
  SimulatedClock clock_;
  std::shared_ptr<const CadenceConfig> cadences_;
  WorkflowOptions workflow_;
  Directory directory_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<EvidenceStore> evidence_;
  std::unique_ptr<TimerRunner> timers_;
  PartContext ctx_;
};

}  // namespace duban::testing

#endif  // DUBAN_TESTS_PART_CONTEXT_H_
