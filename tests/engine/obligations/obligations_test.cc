// The obligations' part built on a PartContext of its own, without an
// Engine: reports and their review, the deadline timer and the score
// counters, and the errors of its commands.
#include "engine/obligations/obligations.h"

#include <memory>
#include <string>
#include <vector>

#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/evidence/evidence_store.h"
#include "engine/plans/directory.h"
#include "engine/storage/keys.h"
#include "engine/storage/outbox.h"
#include "engine/storage/pipeline.h"
#include "engine/storage/store.h"
#include "engine/time/clock.h"
#include "engine/time/timer_runner.h"
#include "gtest/gtest.h"
#include "tests/part_context.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;

absl::Time Beijing(int y, int mo, int d, int h = 0) {
  return absl::FromCivil(absl::CivilHour(y, mo, d, h), PlanTimeZone());
}

CommandMeta Meta(std::string actor) {
  CommandMeta m;
  m.actor = std::move(actor);
  return m;
}

// The shared ground a part needs, wired by hand as the Engine would
// (tests/part_context.h).
class ObligationsPartTest : public testing::PartContextTest {
 protected:
  ObligationsPartTest() : PartContextTest(Beijing(2023, 1, 9, 9)) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(WireContext());
    obligations_ = std::make_unique<Obligations>(&ctx_);
    obligations_->RegisterTimerHandlers(timers_.get());
  }

  // A pending obligation of unit "u1", due at `deadline`, with its deadline
  // timer, written as a cadence tick would.
  void PutPending(const std::string& id, absl::Time deadline) {
    v1::Obligation o;
    o.set_id(id);
    o.set_rule_id("weekly");
    o.set_rule_name("周报");
    o.set_unit_id("u1");
    o.set_period_label("2023-W02");
    *o.mutable_deadline() = Ts(deadline);
    o.set_state(v1::OBLIGATION_STATE_PENDING);
    o.set_version(1);
    Batch b(&ctx_, clock_.Now());
    b.Put(Cf::kEntities, keys::Entity(keys::Kind::kObligation, id), o);
    v1::Timer dl;
    dl.set_id("dl:" + id);
    *dl.mutable_due() = Ts(deadline);
    dl.mutable_deadline()->set_obligation_id(id);
    b.AddTimer(std::move(dl));
    ASSERT_TRUE(b.Commit().ok());
  }

  std::unique_ptr<Obligations> obligations_;
};

TEST_F(ObligationsPartTest, SubmitThenReturnCountsTheReturnOnTheUnitsScore) {
  PutPending("weekly:2023-W02:u1", Beijing(2023, 1, 13, 18));
  auto sub = obligations_->SubmitReport(Meta("u1"), "weekly:2023-W02:u1", "本周完成排查 12 处");
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ(sub->state(), v1::OBLIGATION_STATE_SUBMITTED);
  EXPECT_FALSE(sub->submitted_late());
  EXPECT_EQ(sub->version(), 2u);

  auto ret = obligations_->ReviewReport(Meta("office"), "weekly:2023-W02:u1", false, "缺少数据");
  ASSERT_TRUE(ret.ok()) << ret.status();
  EXPECT_EQ(ret->state(), v1::OBLIGATION_STATE_RETURNED);
  EXPECT_EQ(ret->last_reason(), "缺少数据");

  auto history = obligations_->History("weekly:2023-W02:u1");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].kind(), "submitted");
  EXPECT_EQ((*history)[1].kind(), "returned");

  auto scores = obligations_->ListUnitScores();
  ASSERT_TRUE(scores.ok()) << scores.status();
  ASSERT_EQ(scores->size(), 1u);
  EXPECT_EQ((*scores)[0].unit_id(), "u1");
  EXPECT_EQ((*scores)[0].returned(), 1);
}

TEST_F(ObligationsPartTest, DeadlineTimerRegisteredByThePartMarksMissedAndScores) {
  PutPending("weekly:2023-W02:u1", Beijing(2023, 1, 13, 18));
  auto run = timers_->Run(Beijing(2023, 1, 14), /*step_clock=*/true, absl::Minutes(5));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->fired, 1);
  EXPECT_EQ(run->failed, 0);

  auto o = obligations_->Get("weekly:2023-W02:u1");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->state(), v1::OBLIGATION_STATE_MISSED);
  EXPECT_EQ(o->urges(), 1);
  auto scores = obligations_->ListUnitScores();
  ASSERT_TRUE(scores.ok()) << scores.status();
  ASSERT_EQ(scores->size(), 1u);
  EXPECT_EQ((*scores)[0].due(), 1);
  EXPECT_EQ((*scores)[0].missed(), 1);

  // A report after the deadline is late.
  auto sub = obligations_->SubmitReport(Meta("u1"), "weekly:2023-W02:u1", "补报");
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_TRUE(sub->submitted_late());
}

TEST_F(ObligationsPartTest, CommandErrorsNameTheFieldOrState) {
  EXPECT_TRUE(IsError(obligations_->Get("").status(), absl::StatusCode::kInvalidArgument, "obligation_id"));
  EXPECT_TRUE(IsError(obligations_->Get("nope").status(), absl::StatusCode::kNotFound, "obligation_id"));
  PutPending("weekly:2023-W02:u1", Beijing(2023, 1, 13, 18));
  EXPECT_TRUE(IsError(obligations_->SubmitReport(Meta("u1"), "weekly:2023-W02:u1", "").status(),
                      absl::StatusCode::kInvalidArgument, "text"));
  EXPECT_TRUE(IsError(obligations_->ReviewReport(Meta("office"), "weekly:2023-W02:u1", true, "").status(),
                      absl::StatusCode::kFailedPrecondition, "pending"));
  // Without calendar and cadences there is nothing to reload.
  auto reload = obligations_->ReloadCadences(std::make_shared<CadenceConfig>(),
                                             [](absl::string_view) -> absl::StatusOr<int> { return 0; });
  EXPECT_TRUE(IsError(reload.status(), absl::StatusCode::kFailedPrecondition, "cadences"));
}

}  // namespace
}  // namespace duban
