// Webhook delivery against a tiny HTTP/1.1 receiver on 127.0.0.1, and the
// parsing of the `webhooks:` section of duband.yaml.
#include "services/webhook.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/outbox.h"
#include "engine/storage/store.h"
#include "engine/storage/yaml_util.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "tests/http_receiver.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::FreePort;
using testing::Seqs;
using testing::Receiver;
using testing::TempDir;
using testing::WaitUntil;

class WebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(dir_.sub("db"));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    outbox_ = std::make_unique<Outbox>(store_.get());
    ASSERT_TRUE(outbox_->Init().ok());
  }

  // Commits one notification per (recipient, title); returns them with their seqs.
  std::vector<v1::Notification> Commit(const std::vector<std::pair<std::string, std::string>>& notes) {
    std::vector<v1::Notification> v;
    for (const auto& [recipient, title] : notes) {
      v1::Notification n;
      n.set_recipient(recipient);
      n.set_kind(v1::NOTIFICATION_KIND_REMINDER);
      n.set_subject_id("task-1");
      n.set_title(title);
      v.push_back(std::move(n));
    }
    rocksdb::WriteBatch batch;
    absl::Status st = outbox_->Commit(&batch, &v);
    EXPECT_TRUE(st.ok()) << st;
    return v;
  }

  static WebhookConfig Hook(const std::string& name, const std::string& url) {
    WebhookConfig h;
    h.name = name;
    h.url = url;
    h.timeout = absl::Seconds(2);
    h.backoff_initial = absl::Milliseconds(20);
    h.backoff_max = absl::Seconds(1);
    return h;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(WebhookTest, DeliversAllInSeqOrderAsJson) {
  Receiver rx;
  ASSERT_TRUE(rx.ok());
  auto notes = Commit({{"fgj", "关于报送第一季度工作进展的提醒"},
                       {"jtj", "催办：项目建设进度滞后"},
                       {"fgj", "预警等级变更为黄色"}});
  WebhookDispatcher d(outbox_.get(), {Hook("ops", rx.url())});
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("ops").delivered == 3; })) << d.stats("ops").attempts;
  EXPECT_EQ(rx.accepted(), Seqs(1, 3));
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (size_t i = 0; i < reqs.size(); ++i) {
    EXPECT_EQ(reqs[i].content_type, "application/json");
    EXPECT_TRUE(absl::StrContains(reqs[i].body, notes[i].title())) << reqs[i].body;  // UTF-8, unescaped
    EXPECT_TRUE(absl::StrContains(reqs[i].body, "\"subject_id\"")) << reqs[i].body;  // proto field names
    EXPECT_TRUE(absl::StrContains(reqs[i].body, "NOTIFICATION_KIND_REMINDER")) << reqs[i].body;
    v1::Notification got;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(reqs[i].body, &got).ok()) << reqs[i].body;
    EXPECT_EQ(got.SerializeAsString(), notes[i].SerializeAsString()) << reqs[i].body;
  }
  EXPECT_EQ(outbox_->Cursor("ops"), notes.back().seq());
  auto st = d.stats("ops");
  EXPECT_EQ(st.attempts, 3u);
  EXPECT_EQ(st.failures, 0u);
  d.Stop();
  EXPECT_EQ(rx.requests().size(), 3u);
}

TEST_F(WebhookTest, RetriesWithBackoffUntilAccepted) {
  Receiver rx(/*fail_first=*/3);
  ASSERT_TRUE(rx.ok());
  auto notes = Commit({{"fgj", "一"}, {"fgj", "二"}, {"fgj", "三"}, {"fgj", "四"}});
  WebhookDispatcher d(outbox_.get(), {Hook("ops", rx.url())});
  auto t0 = std::chrono::steady_clock::now();
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("ops").delivered == 4; }));
  auto elapsed = std::chrono::steady_clock::now() - t0;
  // Back-offs of 20, 40 and 80 ms (plus jitter) before the 2nd, 3rd and 4th try.
  EXPECT_GE(elapsed, std::chrono::milliseconds(140));
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 7u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(reqs[i].seq, "1") << i;  // the failing one, retried
  EXPECT_EQ(rx.accepted(), Seqs(1, 4));
  auto st = d.stats("ops");
  EXPECT_EQ(st.attempts, 4u + 3u);
  EXPECT_EQ(st.failures, 3u);
  EXPECT_EQ(outbox_->Cursor("ops"), notes.back().seq());
}

TEST_F(WebhookTest, RecipientFilterSkipsOthersButAdvancesCursor) {
  Receiver rx;
  ASSERT_TRUE(rx.ok());
  auto notes = Commit({{"fgj", "a"}, {"jtj", "b"}, {"fgj", "c"}, {"zjj", "d"}, {"jtj", "e"}});
  WebhookConfig h = Hook("fgj-only", rx.url());
  h.recipients = {"fgj"};
  WebhookDispatcher d(outbox_.get(), {h});
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return outbox_->Cursor("fgj-only") == notes.back().seq(); }));
  EXPECT_EQ(rx.accepted(), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(d.stats("fgj-only").delivered, 2u);
  EXPECT_EQ(d.stats("fgj-only").attempts, 2u);
  for (const auto& r : rx.requests()) EXPECT_TRUE(absl::StrContains(r.body, "\"recipient\":\"fgj\"")) << r.body;
}

TEST_F(WebhookTest, RestartResumesFromPersistedCursor) {
  Receiver rx;
  ASSERT_TRUE(rx.ok());
  Commit({{"fgj", "一"}, {"fgj", "二"}, {"fgj", "三"}});
  {
    WebhookDispatcher d(outbox_.get(), {Hook("ops", rx.url())});
    d.Start();
    ASSERT_TRUE(WaitUntil([&] { return d.stats("ops").delivered == 3; }));
    d.Stop();
  }
  EXPECT_EQ(outbox_->Cursor("ops"), 3u);
  Commit({{"fgj", "四"}, {"jtj", "五"}});
  WebhookDispatcher d2(outbox_.get(), {Hook("ops", rx.url())});
  d2.Start();
  ASSERT_TRUE(WaitUntil([&] { return d2.stats("ops").delivered == 2; }));
  EXPECT_EQ(d2.stats("ops").attempts, 2u);
  EXPECT_EQ(outbox_->Cursor("ops"), 5u);
  d2.Stop();
  EXPECT_EQ(rx.accepted(), Seqs(1, 5));  // nothing twice
  EXPECT_EQ(rx.requests().size(), 5u);
}

TEST_F(WebhookTest, ReceiverDownThenUp) {
  uint16_t port = FreePort();
  ASSERT_NE(port, 0);
  Commit({{"fgj", "一"}, {"fgj", "二"}, {"fgj", "三"}});
  WebhookConfig h = Hook("ops", absl::StrCat("http://127.0.0.1:", port, "/hook"));
  h.backoff_max = absl::Milliseconds(100);
  WebhookDispatcher d(outbox_.get(), {h});
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("ops").failures >= 2; }));  // connection refused
  EXPECT_EQ(d.stats("ops").delivered, 0u);
  EXPECT_EQ(outbox_->Cursor("ops"), 0u);
  Receiver rx(0, port);
  ASSERT_TRUE(rx.ok());
  ASSERT_TRUE(WaitUntil([&] { return d.stats("ops").delivered == 3; }));
  EXPECT_EQ(rx.accepted(), Seqs(1, 3));
  EXPECT_EQ(rx.requests().size(), 3u);
  EXPECT_EQ(outbox_->Cursor("ops"), 3u);
}

TEST_F(WebhookTest, NewNotificationsAreDeliveredWhileRunning) {
  Receiver rx;
  ASSERT_TRUE(rx.ok());
  WebhookDispatcher d(outbox_.get(), {Hook("a", rx.url())});
  d.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // idle first
  Commit({{"fgj", "一"}});
  ASSERT_TRUE(WaitUntil([&] { return d.stats("a").delivered == 1; }));
  Commit({{"fgj", "二"}, {"fgj", "三"}});
  ASSERT_TRUE(WaitUntil([&] { return d.stats("a").delivered == 3; }));
  EXPECT_EQ(rx.accepted(), Seqs(1, 3));
}

TEST_F(WebhookTest, TwoHooksHaveTheirOwnCursors) {
  Receiver good;
  Receiver flaky(/*fail_first=*/2);
  ASSERT_TRUE(good.ok() && flaky.ok());
  Commit({{"fgj", "一"}, {"jtj", "二"}});
  WebhookConfig f = Hook("flaky", flaky.url());
  f.recipients = {"jtj"};
  WebhookDispatcher d(outbox_.get(), {Hook("good", good.url()), f});
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("good").delivered == 2 && d.stats("flaky").delivered == 1; }));
  EXPECT_EQ(good.accepted(), Seqs(1, 2));
  EXPECT_EQ(flaky.accepted(), (std::vector<std::string>{"2"}));
  EXPECT_EQ(d.stats("flaky").failures, 2u);
  EXPECT_EQ(d.stats("good").failures, 0u);
  EXPECT_TRUE(WaitUntil([&] { return outbox_->Cursor("good") == 2 && outbox_->Cursor("flaky") == 2; }));
}

TEST_F(WebhookTest, TimeoutIsRetried) {
  Receiver rx(/*fail_first=*/0, /*port=*/0, /*hang_first=*/1);
  ASSERT_TRUE(rx.ok());
  Commit({{"fgj", "一"}});
  WebhookConfig h = Hook("ops", rx.url());
  h.timeout = absl::Milliseconds(200);
  WebhookDispatcher d(outbox_.get(), {h});
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("ops").delivered == 1; }));
  EXPECT_EQ(d.stats("ops").attempts, 2u);
  EXPECT_EQ(d.stats("ops").failures, 1u);
  EXPECT_EQ(rx.accepted(), Seqs(1, 1));
}

TEST_F(WebhookTest, StopIsPromptWhileBackingOff) {
  Receiver rx(/*fail_first=*/1000);
  ASSERT_TRUE(rx.ok());
  Commit({{"fgj", "一"}});
  WebhookConfig h = Hook("ops", rx.url());
  h.backoff_initial = absl::Seconds(30);
  h.backoff_max = absl::Seconds(60);
  WebhookDispatcher d(outbox_.get(), {h});
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("ops").failures == 1; }));
  auto t0 = std::chrono::steady_clock::now();
  d.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  EXPECT_EQ(outbox_->Cursor("ops"), 0u);
}

TEST_F(WebhookTest, StopIsPromptDuringRequestAndWhenIdle) {
  Receiver rx(/*fail_first=*/0, /*port=*/0, /*hang_first=*/1000);
  ASSERT_TRUE(rx.ok());
  Commit({{"fgj", "一"}});
  WebhookConfig h = Hook("ops", rx.url());
  h.timeout = absl::Seconds(30);
  WebhookDispatcher d(outbox_.get(), {h});
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return rx.requests().size() == 1; }));
  auto t0 = std::chrono::steady_clock::now();
  d.Stop();  // the request in flight is aborted
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(d.stats("ops").delivered, 0u);
  EXPECT_EQ(outbox_->Cursor("ops"), 0u);

  WebhookDispatcher idle(outbox_.get(), {Hook("idle", rx.url())});
  idle.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  t0 = std::chrono::steady_clock::now();
  idle.Stop();
  idle.Stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

// ---- ParseWebhooks ------------------------------------------------------------

absl::StatusOr<std::vector<WebhookConfig>> ParseText(const std::string& text) {
  auto doc = yamlx::Parse("duband.yaml", text);
  if (!doc.ok()) return doc.status();
  return ParseWebhooks(*doc, doc->root["webhooks"]);
}

::testing::AssertionResult IsInvalid(const absl::StatusOr<std::vector<WebhookConfig>>& r,
                                     const std::string& prefix) {
  if (r.ok()) return ::testing::AssertionFailure() << "expected INVALID_ARGUMENT '" << prefix << "...', got OK";
  if (r.status().code() != absl::StatusCode::kInvalidArgument || !absl::StartsWith(r.status().message(), prefix)) {
    return ::testing::AssertionFailure() << "expected INVALID_ARGUMENT '" << prefix << "...', got " << r.status();
  }
  return ::testing::AssertionSuccess();
}

TEST(WebhookConfigTest, ParsesAListWithDefaults) {
  auto r = ParseText(
      "listen: 127.0.0.1:7420\n"
      "webhooks:\n"
      "  - name: ops-1\n"
      "    url: http://127.0.0.1:9000/hook\n"
      "    recipients: [fgj, jtj]\n"
      "    timeout: 250ms\n"
      "    backoff_initial: 1s\n"
      "    backoff_max: 1m\n"
      "  - name: im\n"
      "    url: https://im.example/duban\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  const WebhookConfig& a = (*r)[0];
  EXPECT_EQ(a.name, "ops-1");
  EXPECT_EQ(a.url, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(a.recipients, (std::vector<std::string>{"fgj", "jtj"}));
  EXPECT_EQ(a.timeout, absl::Milliseconds(250));
  EXPECT_EQ(a.backoff_initial, absl::Seconds(1));
  EXPECT_EQ(a.backoff_max, absl::Minutes(1));
  const WebhookConfig& b = (*r)[1];
  EXPECT_TRUE(b.recipients.empty());
  EXPECT_EQ(b.timeout, absl::Seconds(5));
  EXPECT_EQ(b.backoff_initial, absl::Milliseconds(200));
  EXPECT_EQ(b.backoff_max, absl::Seconds(30));
}

TEST(WebhookConfigTest, AbsentOrEmptyIsNoWebhooks) {
  auto r = ParseText("listen: 127.0.0.1:7420\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->empty());
  r = ParseText("webhooks:\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->empty());
}

TEST(WebhookConfigTest, Errors) {
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: http://127.0.0.1:1/x\n"
                                  "  - name: b\n"
                                  "    recipients: [fgj]\n"),
                        "duband.yaml:4: webhooks[1].url: required"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - url: http://127.0.0.1:1/x\n"),
                        "duband.yaml:2: webhooks[0].name: required"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: ftp://127.0.0.1/x\n"),
                        "duband.yaml:3: webhooks[0].url: 'ftp://127.0.0.1/x'"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: http:///nohost\n"),
                        "duband.yaml:3: webhooks[0].url:"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: http://127.0.0.1:1/x\n"
                                  "  - name: a\n"
                                  "    url: http://127.0.0.1:2/x\n"),
                        "duband.yaml:4: webhooks[1].name: 'a' is already used by webhooks[0]"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: Ops_1\n"
                                  "    url: http://127.0.0.1:1/x\n"),
                        "duband.yaml:2: webhooks[0].name: 'Ops_1'"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: http://127.0.0.1:1/x\n"
                                  "    timeout: 5 seconds\n"),
                        "duband.yaml:4: webhooks[0].timeout: '5 seconds' is not a duration"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: http://127.0.0.1:1/x\n"
                                  "    backoff_initial: 0s\n"),
                        "duband.yaml:4: webhooks[0].backoff_initial: '0s' must be positive"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: http://127.0.0.1:1/x\n"
                                  "    backoff_max: -1s\n"),
                        "duband.yaml:4: webhooks[0].backoff_max: '-1s' must be positive"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: http://127.0.0.1:1/x\n"
                                  "    backoff_initial: 10s\n"
                                  "    backoff_max: 1s\n"),
                        "duband.yaml:5: webhooks[0].backoff_max:"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  - name: a\n"
                                  "    url: http://127.0.0.1:1/x\n"
                                  "    retries: 3\n"),
                        "duband.yaml:4: webhooks[0].retries: unknown field"));
  EXPECT_TRUE(IsInvalid(ParseText("webhooks:\n"
                                  "  name: a\n"),
                        "duband.yaml:2: webhooks: must be a list"));
}

}  // namespace
}  // namespace duban
