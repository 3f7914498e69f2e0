// Pages of the engine's lists and histories (engine/storage/paging.h):
// every record once and in order, the last page without a token, tokens
// that are not the listing's refused naming page_token, and the numbered
// lists (supervision items "S<n>") in number order across pages, not in
// key order.
#include "engine/storage/paging.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "duban/v1/briefing.pb.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/store.h"
#include "engine/storage/yaml_util.h"
#include "engine/time/cadence.h"
#include "engine/time/clock.h"
#include "engine/time/work_calendar.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;
using testing::SourcePath;
using testing::TempDir;

absl::Time Beijing(int y, int mo, int d) { return absl::FromCivil(absl::CivilDay(y, mo, d), PlanTimeZone()); }

CommandMeta Meta(std::string actor) {
  CommandMeta m;
  m.actor = std::move(actor);
  return m;
}

TEST(PageSizeTest, ZeroIsTheDefaultLargerIsTheMostNegativeIsRefused) {
  EXPECT_EQ(*PageSize(0, 100, 1000), 100);
  EXPECT_EQ(*PageSize(7, 100, 1000), 7);
  EXPECT_EQ(*PageSize(5000, 100, 1000), 1000);
  EXPECT_TRUE(IsError(PageSize(-1, 100, 1000).status(), absl::StatusCode::kInvalidArgument, "page_size"));
}

TEST(PageTokenTest, OnlyATokenOfTheListingIsTaken) {
  std::string key = keys::Entity(keys::Kind::kSupervision, "S12");
  auto back = PageTokenKey(PageToken(key), keys::EntityPrefix(keys::Kind::kSupervision));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, key);
  EXPECT_EQ(*PageTokenKey("", "x"), "");
  // Not base64, another listing's key, the bare prefix.
  EXPECT_TRUE(IsError(PageTokenKey("%%%", "V").status(), absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_TRUE(IsError(PageTokenKey(PageToken("A1"), "V").status(), absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_TRUE(IsError(PageTokenKey(PageToken("V"), "V").status(), absl::StatusCode::kInvalidArgument, "page_token"));
  auto n = NumberedTokenAfter(PageToken(key), keys::Kind::kSupervision, "S");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 12u);
  EXPECT_TRUE(IsError(NumberedTokenAfter(PageToken(keys::Entity(keys::Kind::kSupervision, "Sx")),
                                         keys::Kind::kSupervision, "S").status(),
                      absl::StatusCode::kInvalidArgument, "page_token"));
}

// The demo plan on a simulated clock at 2023-01-01 with the calendar, the
// cadences and the supervision rules.
class PagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions opts;
    auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
    ASSERT_TRUE(cal.ok()) << cal.status();
    opts.calendar = std::make_shared<const WorkCalendar>(std::move(*cal));
    auto cad = LoadCadencesFile(SourcePath("tests/data/cadences-from-january.yaml"));
    ASSERT_TRUE(cad.ok()) << cad.status();
    opts.cadences = std::make_shared<const CadenceConfig>(std::move(*cad));
    auto sup = LoadSupervisionFile(SourcePath("config/supervision.yaml"));
    ASSERT_TRUE(sup.ok()) << sup.status();
    opts.supervision = std::make_shared<const SupervisionConfig>(std::move(*sup));
    auto e = Engine::Open(dir_.sub("db"), &clock_, opts);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto imported = engine_->ImportDemoOnce(*doc);
    ASSERT_TRUE(imported.ok()) << imported.status();
  }

  TempDir dir_;
  SimulatedClock clock_{Beijing(2023, 1, 1)};
  std::unique_ptr<Engine> engine_;
};

TEST_F(PagingTest, DeadTimersComeInPagesEachOnceInOrder) {
  ASSERT_TRUE(engine_->StartCadences().ok());
  // The warning checks of T1..T5 cannot fire: their task records are unreadable.
  rocksdb::WriteBatch b;
  for (int i = 1; i <= 5; ++i) {
    engine_->store().Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kTask, absl::StrCat("T", i)),
                         absl::string_view("\xff\xff\xff"));
  }
  ASSERT_TRUE(engine_->store().Write(&b).ok());
  auto run = engine_->AdvanceClock(Beijing(2023, 12, 31));
  ASSERT_TRUE(run.ok()) << run.status();
  auto all = engine_->ListDeadTimers();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_GE(all->size(), 5u);

  std::vector<std::string> walked;
  std::string token;
  int pages = 0;
  while (true) {
    auto page = engine_->ListDeadTimersPage(2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->timers.size(), 2u);
    ++pages;
    for (const auto& d : page->timers) walked.push_back(d.timer().id());
    if (page->next_page_token.empty()) break;
    token = page->next_page_token;
  }
  EXPECT_GE(pages, 3);
  ASSERT_EQ(walked.size(), all->size());
  for (size_t i = 0; i < walked.size(); ++i) EXPECT_EQ(walked[i], (*all)[i].timer().id());
  EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), walked.size());

  // The default page holds them all here; a token of another listing is refused.
  auto first = engine_->ListDeadTimersPage(0, "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->timers.size(), all->size());
  EXPECT_TRUE(first->next_page_token.empty());
  EXPECT_TRUE(IsError(engine_->ListDeadTimersPage(2, PageToken(keys::Entity(keys::Kind::kTask, "T1"))).status(),
                      absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_TRUE(IsError(engine_->ListDeadTimersPage(2, "not base64!").status(), absl::StatusCode::kInvalidArgument,
                      "page_token"));
  EXPECT_TRUE(IsError(engine_->ListDeadTimersPage(-1, "").status(), absl::StatusCode::kInvalidArgument, "page_size"));
}

TEST_F(PagingTest, SupervisionItemsComeInNumberOrderAcrossPages) {
  // Twelve items: S10, S11 and S12 sort before S2 by key, not by number.
  for (int i = 1; i <= 12; ++i) {
    NewSupervisionItem in;
    in.subject_kind = v1::SUPERVISION_SUBJECT_HAZARD;
    in.title = absl::StrCat("隐患", i);
    in.level = 1;
    in.hazard_list = "隐患清单";
    in.responsible_unit = i % 2 == 0 ? "fgj" : "swj";
    in.rectification_target = "整改到位";
    auto item = engine_->ListForSupervision(Meta("市安委办"), in);
    ASSERT_TRUE(item.ok()) << item.status();
    ASSERT_EQ(item->id(), absl::StrCat("S", i));
  }
  auto walk = [&](SupervisionFilter f) {
    std::vector<std::string> ids;
    while (true) {
      auto page = engine_->ListSupervisionPage(f);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_LE(static_cast<int>(page->items.size()), f.page_size);
      for (const auto& i : page->items) ids.push_back(i.id());
      if (page->next_page_token.empty()) break;
      f.page_token = page->next_page_token;
    }
    return ids;
  };
  SupervisionFilter f;
  f.page_size = 5;
  std::vector<std::string> want;
  for (int i = 1; i <= 12; ++i) want.push_back(absl::StrCat("S", i));
  EXPECT_EQ(walk(f), want);
  // A filter: the items of fgj (the even numbers), pages of 2.
  f.page_size = 2;
  f.unit = "fgj";
  std::vector<std::string> even;
  for (int i = 2; i <= 12; i += 2) even.push_back(absl::StrCat("S", i));
  EXPECT_EQ(walk(f), even);
  // The default page holds all twelve; bad tokens are refused.
  SupervisionFilter all;
  all.page_size = 0;
  auto page = engine_->ListSupervisionPage(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 12u);
  EXPECT_TRUE(page->next_page_token.empty());
  all.page_token = "bm90IGEga2V5";  // base64 of "not a key"
  EXPECT_TRUE(IsError(engine_->ListSupervisionPage(all).status(), absl::StatusCode::kInvalidArgument, "page_token"));
  all.page_token = PageToken(keys::Entity(keys::Kind::kAccountability, "A1"));
  EXPECT_TRUE(IsError(engine_->ListSupervisionPage(all).status(), absl::StatusCode::kInvalidArgument, "page_token"));
}

// ---------------------------------------------------------------- documents

v1::SupervisionItem Item(int n, size_t text_bytes) {
  v1::SupervisionItem item;
  item.set_id(absl::StrCat("S", n));
  item.set_title(std::string(text_bytes, 'x'));
  return item;
}

TEST(FitDocumentTest, CutsEachListToTheEntryBoundAndCountsWhatItLeftOut) {
  v1::Bulletin b;
  b.set_period("2023-04");
  for (int i = 1; i <= 700; ++i) *b.add_supervision() = Item(i, 10);
  for (int i = 1; i <= 30; ++i) b.add_units()->set_unit_id(absl::StrCat("u", i));
  FitDocument(&b, kMaxDocumentEntries, kMaxDocumentBytes, b.mutable_left_out());
  ASSERT_EQ(b.supervision_size(), kMaxDocumentEntries);
  EXPECT_EQ(b.supervision(0).id(), "S1");  // the head is kept
  EXPECT_EQ(b.supervision(kMaxDocumentEntries - 1).id(), absl::StrCat("S", kMaxDocumentEntries));
  EXPECT_EQ(b.left_out().at("supervision"), 700 - kMaxDocumentEntries);
  EXPECT_EQ(b.units_size(), 30);
  EXPECT_EQ(b.left_out().count("units"), 0u) << "a list within the bound is not mentioned";
  EXPECT_EQ(b.period(), "2023-04");
}

TEST(FitDocumentTest, CutsTheLongestListInBytesUntilTheDocumentFits) {
  v1::Briefing b;
  // 400 items of 20 KiB: 8 MiB, twice the gRPC message limit.
  for (int i = 1; i <= 400; ++i) *b.add_supervision_opened() = Item(i, 20 << 10);
  for (int i = 1; i <= 100; ++i) {
    v1::TaskLine* l = b.add_overdue();
    l->set_task_id(absl::StrCat("T", i));
    l->set_title("逾期任务");
  }
  ASSERT_GT(b.ByteSizeLong(), size_t{4} << 20);
  FitDocument(&b, kMaxDocumentEntries, kMaxDocumentBytes, b.mutable_left_out());
  EXPECT_LE(b.ByteSizeLong(), kMaxDocumentBytes);
  EXPECT_GT(b.supervision_opened_size(), 0);
  EXPECT_LT(b.supervision_opened_size(), 400);
  EXPECT_EQ(b.supervision_opened_size() + b.left_out().at("supervision_opened"), 400);
  EXPECT_EQ(b.supervision_opened(0).id(), "S1");
  EXPECT_EQ(b.overdue_size(), 100) << "the small list is left whole";
  EXPECT_EQ(b.left_out().count("overdue"), 0u);
}

TEST(FitDocumentTest, ADocumentWithinItsBoundsIsUnchanged) {
  v1::Bulletin b;
  for (int i = 1; i <= 3; ++i) *b.add_supervision() = Item(i, 100);
  const std::string before = b.SerializeAsString();
  FitDocument(&b, kMaxDocumentEntries, kMaxDocumentBytes, b.mutable_left_out());
  EXPECT_EQ(b.SerializeAsString(), before);
  EXPECT_TRUE(b.left_out().empty());
}

}  // namespace
}  // namespace duban
