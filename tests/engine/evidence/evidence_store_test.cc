// Evidence files in the engine: stored by SHA-256 only once complete,
// checked by size and content type, referenced from a progress report in
// the command's batch, listed per task, unit and period, and swept when no
// report references them.
#include "engine/evidence/evidence_store.h"

#include <filesystem>
#include <memory>
#include <string>

#include "absl/time/civil_time.h"
#include "engine/engine.h"
#include "engine/storage/yaml_util.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;
using ::duban::testing::SourcePath;
using ::duban::testing::TempDir;
namespace fs = std::filesystem;

constexpr char kJfifHeader[] = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00";
const std::string kJpeg = std::string(kJfifHeader, sizeof(kJfifHeader) - 1) + std::string(3000, 'x');
const std::string kPdf = "%PDF-1.7\n" + std::string(500, 'p');

// The files under root other than the (empty) tmp folder.
int StoredFiles(const std::string& root) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) ++n;
  }
  return n;
}

class EvidenceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.evidence.max_bytes = 10000;
    options.evidence.grace = absl::Hours(24);
    auto e = Engine::Open(dir_.path(), &clock_, options);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", true).ok());
  }

  absl::StatusOr<v1::EvidenceFile> Upload(const std::string& actor, const std::string& name,
                                          const std::string& content) {
    auto u = engine_->evidence().BeginUpload(actor, name);
    if (!u.ok()) return u.status();
    for (size_t i = 0; i < content.size(); i += 1000) {
      absl::Status s = (*u)->Append(absl::string_view(content).substr(i, 1000));
      if (!s.ok()) return s;
    }
    return (*u)->Finish();
  }

  absl::StatusOr<CommandResult> Report(const std::string& actor, const std::string& sha) {
    CommandMeta m;
    m.actor = actor;
    TaskCommandArgs a;
    a.task_id = "T1";
    a.command = v1::TASK_COMMAND_REPORT_PROGRESS;
    a.report.set_work_done("开展促消费活动12场");
    a.report.add_evidence()->set_sha256(sha);
    return engine_->Execute(m, a);
  }

  void Accept() {
    CommandMeta m;
    m.actor = "swj";
    TaskCommandArgs a;
    a.task_id = "T1";
    a.command = v1::TASK_COMMAND_ACCEPT;
    ASSERT_TRUE(engine_->Execute(m, a).ok());
  }

  std::string root() const { return dir_.path() + "/evidence"; }

  TempDir dir_;
  SimulatedClock clock_{absl::FromCivil(absl::CivilSecond(2023, 3, 20, 9, 0, 0), PlanTimeZone())};
  std::unique_ptr<Engine> engine_;
};

TEST(EvidenceTypeOfTest, JudgesByContentNotByName) {
  EXPECT_EQ(EvidenceTypeOf(kJpeg.substr(0, 12), "a.pdf"), "image/jpeg");
  EXPECT_EQ(EvidenceTypeOf(kPdf.substr(0, 12), "scan.jpg"), "application/pdf");
  EXPECT_EQ(EvidenceTypeOf("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00", "photo.jpg"), "");
  EXPECT_EQ(EvidenceTypeOf(std::string("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00", 12), "台账.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(EvidenceTypeOf(std::string("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00", 12), "archive.zip"), "");
}

TEST_F(EvidenceStoreTest, StoresByContentHashAfterSync) {
  auto f = Upload("swj", "现场照片.jpg", kJpeg);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->sha256().size(), 64u);
  EXPECT_EQ(f->content_type(), "image/jpeg");
  EXPECT_EQ(f->size(), static_cast<int64_t>(kJpeg.size()));
  EXPECT_EQ(f->uploaded_by(), "swj");
  EXPECT_TRUE(fs::exists(root() + "/" + f->sha256().substr(0, 2) + "/" + f->sha256()));
  std::string back;
  ASSERT_TRUE(engine_->evidence().ReadContent(f->sha256(), [&](absl::string_view c) {
    back.append(c.data(), c.size());
    return true;
  }).ok());
  EXPECT_EQ(back, kJpeg);
  // The same content again is one file.
  auto again = Upload("swj", "copy.jpg", kJpeg);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sha256(), f->sha256());
  EXPECT_EQ(StoredFiles(root()), 1);
}

TEST_F(EvidenceStoreTest, AnUploadThatBreaksOffLeavesNothing) {
  {
    auto u = engine_->evidence().BeginUpload("swj", "半截.jpg");
    ASSERT_TRUE(u.ok());
    ASSERT_TRUE((*u)->Append(kJpeg.substr(0, 2000)).ok());
    EXPECT_EQ(StoredFiles(root()), 1);  // the temp file, while it lasts
  }  // dropped without Finish
  EXPECT_EQ(StoredFiles(root()), 0);
}

TEST_F(EvidenceStoreTest, RefusesTooLargeAndForbiddenTypes) {
  EXPECT_TRUE(IsError(Upload("swj", "big.jpg", kJpeg + std::string(10000, 'y')).status(),
                      absl::StatusCode::kResourceExhausted, "file"));
  EXPECT_TRUE(IsError(Upload("swj", "photo.jpg", "MZ\x90\x00 this is a program, not a photo").status(),
                      absl::StatusCode::kInvalidArgument, "file"));
  EXPECT_TRUE(IsError(Upload("swj", "empty.pdf", "").status(), absl::StatusCode::kInvalidArgument, "file"));
  EXPECT_TRUE(IsError(Upload("swj", "../x.pdf", kPdf).status(), absl::StatusCode::kInvalidArgument, "file_name"));
  EXPECT_EQ(StoredFiles(root()), 0);
}

TEST_F(EvidenceStoreTest, ReportReferencesTheFileInItsEvent) {
  Accept();
  auto f = Upload("swj", "现场照片.jpg", kJpeg);
  ASSERT_TRUE(f.ok());
  auto r = Report("swj", f->sha256());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->events[0].report().evidence_size(), 1);
  EXPECT_EQ(r->events[0].report().evidence(0).file_name(), "现场照片.jpg");
  EXPECT_EQ(r->events[0].report().evidence(0).content_type(), "image/jpeg");
  auto history = engine_->History("T1");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().report().evidence(0).sha256(), f->sha256());

  auto by_task = engine_->evidence().List("T1", "", "");
  ASSERT_TRUE(by_task.ok());
  ASSERT_EQ(by_task->size(), 1u);
  ASSERT_EQ((*by_task)[0].attachments_size(), 1);
  EXPECT_EQ((*by_task)[0].attachments(0).subject_id(), "T1");
  EXPECT_EQ((*by_task)[0].attachments(0).period(), "2023-03");
  auto by_unit = engine_->evidence().List("", "swj", "2023-03");
  ASSERT_TRUE(by_unit.ok());
  EXPECT_EQ(by_unit->size(), 1u);
  EXPECT_TRUE(engine_->evidence().List("", "swj", "2023-04")->empty());
  EXPECT_TRUE(engine_->evidence().List("T2", "", "")->empty());
}

TEST_F(EvidenceStoreTest, ReportRefusesUnknownOrOthersFilesAndWritesNothing) {
  Accept();
  auto before = engine_->GetTask("T1");
  EXPECT_TRUE(IsError(Report("swj", std::string(64, 'a')).status(), absl::StatusCode::kNotFound,
                      "report.evidence[0].sha256"));
  EXPECT_TRUE(IsError(Report("swj", "xyz").status(), absl::StatusCode::kInvalidArgument, "report.evidence[0].sha256"));
  auto theirs = Upload("fgj", "别人的.pdf", kPdf);
  ASSERT_TRUE(theirs.ok());
  EXPECT_TRUE(IsError(Report("swj", theirs->sha256()).status(), absl::StatusCode::kPermissionDenied,
                      "report.evidence[0].sha256"));
  EXPECT_EQ(engine_->GetTask("T1")->version(), before->version());
}

TEST_F(EvidenceStoreTest, SweepRemovesOnlyUnreferencedUploadsPastTheGracePeriod) {
  Accept();
  auto kept = Upload("swj", "现场照片.jpg", kJpeg);
  auto dropped = Upload("swj", "没用上.pdf", kPdf);
  ASSERT_TRUE(kept.ok() && dropped.ok());
  ASSERT_TRUE(Report("swj", kept->sha256()).ok());
  EXPECT_EQ(*engine_->evidence().Sweep(clock_.Now() + absl::Hours(23)), 0);
  EXPECT_EQ(*engine_->evidence().Sweep(clock_.Now() + absl::Hours(25)), 1);
  EXPECT_TRUE(engine_->evidence().Get(kept->sha256()).ok());
  EXPECT_TRUE(IsError(engine_->evidence().Get(dropped->sha256()).status(), absl::StatusCode::kNotFound, "sha256"));
  EXPECT_EQ(StoredFiles(root()), 1);
}

TEST_F(EvidenceStoreTest, OtherSubjectsAttachmentsAreListedKeptAndNotCountedAsTheTasks) {
  auto f = Upload("swj", "整改照片.jpg", kJpeg);
  ASSERT_TRUE(f.ok());
  EvidenceRefs refs;
  refs.Add()->set_sha256(f->sha256());
  // Same id and version under different kinds: no key is shared.
  rocksdb::WriteBatch batch;
  v1::EvidenceAttachment item = NewEvidenceAttachment("supervision", "T1", 2, clock_.Now(), "swj", {"swj"});
  item.set_task_id("T1");
  engine_->evidence().PutAttachments(&batch, refs, item);
  engine_->evidence().PutAttachments(
      &batch, refs, NewEvidenceAttachment("obligation", "T1", 2, clock_.Now(), "swj", {"swj"}));
  ASSERT_TRUE(engine_->store().Write(&batch).ok());

  auto file = engine_->evidence().Get(f->sha256());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->attachments_size(), 2);
  auto by_task = engine_->evidence().List("T1", "", "");
  ASSERT_TRUE(by_task.ok());
  ASSERT_EQ(by_task->size(), 1u);  // the item about T1
  auto by_unit = engine_->evidence().List("", "swj", "2023-03");
  ASSERT_TRUE(by_unit.ok());
  ASSERT_EQ(by_unit->size(), 1u);
  EXPECT_EQ((*by_unit)[0].attachments_size(), 2);
  // The ledger's count is of the task's own reports.
  EXPECT_EQ(*engine_->evidence().CountForTask("T1"), 0);
  // Referenced: kept past the grace period.
  EXPECT_EQ(*engine_->evidence().Sweep(clock_.Now() + absl::Hours(25)), 0);
}

TEST_F(EvidenceStoreTest, LeftoverTempFilesAreRemovedAtStart) {
  {
    std::FILE* f = std::fopen((root() + "/tmp/crashed-upload").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("half", f);
    std::fclose(f);
  }
  ASSERT_TRUE(engine_->evidence().Init().ok());
  EXPECT_EQ(StoredFiles(root()), 0);
}

}  // namespace
}  // namespace duban
