// What the office hands out, end to end against duband: ledgers streamed
// over gRPC and saved by dubanctl, briefings drafted by the daemon's timer
// thread and published, and /metrics parsed as Prometheus text.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/office.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/http_receiver.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::BinaryPath;
using testing::Daemon;
using testing::FreePort;
using testing::TempDir;
using testing::WaitUntil;

// GET http://127.0.0.1:port/path; the body, or "" on failure.
std::string HttpGet(uint16_t port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return "";
  }
  std::string req = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string resp;
  char buf[8192];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) resp.append(buf, static_cast<size_t>(n));
  ::close(fd);
  size_t body = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.", 0) != 0 || resp.find(" 200 ") == std::string::npos || body == std::string::npos) return "";
  return resp.substr(body + 4);
}

// Prometheus text format: "# HELP", "# TYPE" and samples
// `name{label="value",...} number` (NaN in any case, as Prometheus' own
// parser reads it). Returns sample -> value; fails the test
// on a line that does not parse.
std::map<std::string, double> ParseMetrics(const std::string& text) {
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? ([-+0-9.eEInfa]+|[Nn]a[Nn])( [0-9]+)?$)");
  static const std::regex meta(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::map<std::string, double> out;
  for (absl::string_view l : absl::StrSplit(text, '\n')) {
    std::string line(l);
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(std::regex_match(line, meta)) << line;
      continue;
    }
    std::smatch m;
    if (!std::regex_match(line, m, sample)) {
      ADD_FAILURE() << "not a sample: " << line;
      continue;
    }
    size_t sp = line.rfind(' ');
    double v = 0;
    std::string num = line.substr(sp + 1);
    if (num == "+Inf") {
      v = std::numeric_limits<double>::infinity();
    } else if (num == "NaN" || num == "Nan" || num == "nan") {
      v = std::numeric_limits<double>::quiet_NaN();  // as Go's ParseFloat reads it
    } else {
      EXPECT_TRUE(absl::SimpleAtod(num, &v)) << line;
    }
    out[line.substr(0, sp)] = v;
  }
  return out;
}

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

class OfficeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics_port_ = FreePort();
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"),
                                       std::vector<std::string>{absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port_)});
    ASSERT_TRUE(daemon_->Start()) << "duband did not start; see " << daemon_->log_path();
    exports_ = v1::ExportService::NewStub(daemon_->channel());
    briefings_ = v1::BriefingService::NewStub(daemon_->channel());
    admin_ = v1::AdminService::NewStub(daemon_->ChannelAs("sysadmin"));  // the clock is the system administrator's
  }

  TempDir dir_;
  uint16_t metrics_port_ = 0;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::ExportService::Stub> exports_;
  std::unique_ptr<v1::BriefingService::Stub> briefings_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(OfficeE2eTest, ExportLedgerStreamsTheWorkbookInBoundedChunks) {
  grpc::ClientContext ctx;
  v1::ExportLedgerRequest req;
  req.set_kind(v1::LEDGER_KIND_TASKS);
  auto reader = exports_->ExportLedger(&ctx, req);
  v1::FileChunk chunk, first;
  std::string data;
  int chunks = 0;
  while (reader->Read(&chunk)) {
    if (chunks++ == 0) first = chunk;
    EXPECT_EQ(chunk.offset(), data.size());
    EXPECT_LE(chunk.data().size(), 64u * 1024);
    data += chunk.data();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(first.file_name(), "tasks.xlsx");
  EXPECT_EQ(first.rows(), 170);
  EXPECT_EQ(first.total_size(), data.size());
  EXPECT_EQ(data.substr(0, 2), "PK");  // a zip container

  grpc::ClientContext bad_ctx;
  req.set_kind(v1::LEDGER_KIND_UNSPECIFIED);
  auto bad = exports_->ExportLedger(&bad_ctx, req);
  while (bad->Read(&chunk)) {
  }
  grpc::Status st = bad->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("kind"), std::string::npos);
}

TEST_F(OfficeE2eTest, DubanctlExportSavesTheLedgerAsCsv) {
  std::string out = dir_.sub("economy.csv");
  std::string printed = Shell(absl::StrCat("DUBAN_TOKEN=", daemon_->Login("office"), " ", BinaryPath("clients/dubanctl"), " --addr=", daemon_->address(),
                                         " export tasks --campaign=economy --format=csv --out=", out));
  EXPECT_NE(printed.find("wrote " + out + " ("), std::string::npos) << printed;
  std::ifstream f(out, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string csv = ss.str();
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF编号,任务,牵头单位,", 0), 0u) << csv.substr(0, 100);
  EXPECT_NE(csv.find("1.1.1,开展系列消费促进活动,市商务局"), std::string::npos);
  std::string refused = Shell(absl::StrCat("DUBAN_TOKEN=", daemon_->Login("office"), " ", BinaryPath("clients/dubanctl"), " --addr=", daemon_->address(),
                                         " export tasks --campaign=nope --out=", dir_.sub("x.csv")));
  EXPECT_NE(refused.find("NOT_FOUND: campaign_id: unknown campaign 'nope'"), std::string::npos) << refused;
}

TEST_F(OfficeE2eTest, TheDaemonDraftsTheQuarterlyReviewAndTheOfficePublishesIt) {
  grpc::ClientContext actx;
  v1::AdvanceClockRequest adv;
  adv.mutable_to()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilMinute(2023, 4, 3, 9, 0), absl::FixedTimeZone(8 * 3600))));
  v1::AdvanceClockResponse aresp;
  ASSERT_TRUE(admin_->AdvanceClock(&actx, adv, &aresp).ok());
  v1::ListBriefingsResponse list;
  ASSERT_TRUE(WaitUntil([&] {
    grpc::ClientContext ctx;
    v1::ListBriefingsRequest req;
    req.set_kind(v1::BRIEFING_KIND_QUARTERLY);
    list.Clear();
    return briefings_->ListBriefings(&ctx, req, &list).ok() && list.briefings_size() == 1;
  }, absl::Seconds(30)));
  EXPECT_EQ(list.briefings(0).id(), "quarterly-review:2023-Q1");

  grpc::ClientContext gctx;
  v1::GetBriefingRequest get;
  get.set_briefing_id("quarterly-review:2023-Q1");
  get.set_format(v1::FILE_FORMAT_HTML);
  v1::BriefingResponse got;
  ASSERT_TRUE(briefings_->GetBriefing(&gctx, get, &got).ok());
  EXPECT_NE(got.rendered().find("@page { size: A4"), std::string::npos);
  EXPECT_NE(got.rendered().find("季讲评"), std::string::npos);

  std::string printed = Shell(absl::StrCat("DUBAN_TOKEN=", daemon_->Login("office"), " ", BinaryPath("clients/dubanctl"), " --addr=", daemon_->address(),
                                         " briefing publish quarterly-review:2023-Q1"));
  EXPECT_NE(printed.find("quarterly-review:2023-Q1  published  (version 2)"), std::string::npos) << printed;
  printed = Shell(absl::StrCat("DUBAN_TOKEN=", daemon_->Login("office"), " ", BinaryPath("clients/dubanctl"), " --addr=", daemon_->address(),
                             " briefing get quarterly-review:2023-Q1"));
  EXPECT_EQ(printed.rfind("# 季讲评（2023-01-01 至 2023-03-31）", 0), 0u) << printed.substr(0, 200);
}

TEST_F(OfficeE2eTest, MetricsParseAndCountCommandsTimersWatchersAndStorage) {
  {
    grpc::ClientContext ctx;
    v1::GetBriefingRequest req;
    req.set_briefing_id("no-such-briefing");
    v1::BriefingResponse resp;
    EXPECT_EQ(briefings_->GetBriefing(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    v1::ListBriefingsRequest req;
    v1::ListBriefingsResponse resp;
    EXPECT_TRUE(briefings_->ListBriefings(&ctx, req, &resp).ok());
  }
  // A watcher stays open while we scrape.
  auto notifications = v1::NotificationService::NewStub(daemon_->channel());
  grpc::ClientContext wctx;
  v1::WatchRequest wreq;
  wreq.set_recipient("fgj");
  auto watch = notifications->Watch(&wctx, wreq);

  std::map<std::string, double> m;
  ASSERT_TRUE(WaitUntil([&] {
    std::string text = HttpGet(metrics_port_, "/metrics");
    if (text.empty()) return false;
    m = ParseMetrics(text);
    return m["duban_watchers"] == 1;
  }, absl::Seconds(20)));
  EXPECT_EQ((m["duban_commands_total{kind=\"duban.v1.BriefingService/GetBriefing\",result=\"NOT_FOUND\"}"]), 1);
  EXPECT_EQ((m["duban_commands_total{kind=\"duban.v1.BriefingService/ListBriefings\",result=\"OK\"}"]), 1);
  EXPECT_EQ((m["duban_command_duration_seconds_count{kind=\"duban.v1.BriefingService/ListBriefings\"}"]), 1);
  EXPECT_EQ((m["duban_command_duration_seconds_bucket{kind=\"duban.v1.BriefingService/ListBriefings\",le=\"+Inf\"}"]), 1);
  EXPECT_GT(m["duban_timers_pending"], 0);  // the cadences' next ticks
  ASSERT_TRUE(m.count("duban_timers_dead"));
  EXPECT_EQ(m["duban_timers_dead"], 0);
  EXPECT_TRUE(m.count("duban_timer_lag_seconds"));
  EXPECT_TRUE(m.count("duban_outbox_last_seq"));
  EXPECT_TRUE(m.count("duban_dead_letters_total"));
  EXPECT_GT((m["duban_rocksdb_bytes{cf=\"entities\",kind=\"live_data\"}"] +
             m["duban_rocksdb_bytes{cf=\"entities\",kind=\"memtables\"}"]), 0);
  wctx.TryCancel();
  v1::Notification n;
  while (watch->Read(&n)) {
  }
  (void)watch->Finish();
  ASSERT_TRUE(WaitUntil([&] {
    m = ParseMetrics(HttpGet(metrics_port_, "/metrics"));
    return m["duban_watchers"] == 0;
  }, absl::Seconds(20)));
}

}  // namespace
}  // namespace duban
