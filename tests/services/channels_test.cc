// The offices' channels: a DingTalk robot stand-in that checks the signature
// (HMAC-SHA256 of timestamp + "\n" + secret, in the URL), a WeCom stand-in
// that checks the key, and a tiny SMTP server; all on 127.0.0.1.
#include "services/channels.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "engine/storage/yaml_util.h"
#include "engine/time/clock.h"
#include "gtest/gtest.h"
#include "services/webhook.h"
#include "tests/http_receiver.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::SourcePath;
using testing::TempDir;
using testing::WaitUntil;

// A loopback TCP server, one connection at a time, each handled by `talk`.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<void(int)> talk) : talk_(std::move(talk)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot listen";
      return;
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        talk_(c);
        ::close(c);
      }
    });
  }
  ~LoopbackServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

  // Reads up to and including `delim`; false on EOF or 3 s of silence.
  static bool ReadUntil(int c, const std::string& delim, std::string* buf) {
    for (int waited = 0; buf->find(delim) == std::string::npos; ) {
      pollfd p{c, POLLIN, 0};
      int r = ::poll(&p, 1, 20);
      if (r < 0) return false;
      if (r == 0) {
        if ((waited += 20) > 3000) return false;
        continue;
      }
      char tmp[4096];
      ssize_t n = ::recv(c, tmp, sizeof(tmp), 0);
      if (n <= 0) return false;
      buf->append(tmp, static_cast<size_t>(n));
    }
    return true;
  }
  // Appends what arrives next; false on EOF or 3 s of silence.
  static bool ReadSome(int c, std::string* buf) {
    for (int waited = 0; waited <= 3000; waited += 20) {
      pollfd p{c, POLLIN, 0};
      int r = ::poll(&p, 1, 20);
      if (r < 0) return false;
      if (r == 0) continue;
      char tmp[4096];
      ssize_t n = ::recv(c, tmp, sizeof(tmp), 0);
      if (n <= 0) return false;
      buf->append(tmp, static_cast<size_t>(n));
      return true;
    }
    return false;
  }
  static void Send(int c, const std::string& s) { (void)::send(c, s.data(), s.size(), MSG_NOSIGNAL); }

 private:
  std::function<void(int)> talk_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      (void)absl::SimpleHexAtoi(s.substr(i + 1, 2), &v);
      out.push_back(static_cast<char>(v));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A group robot: POST /robot/send?...; answers {"errcode":0} when `check`
// accepts the query, else {"errcode":310000}.
class Robot {
 public:
  struct Request {
    std::map<std::string, std::string> query;
    std::string body;
    bool accepted = false;
  };
  explicit Robot(std::function<bool(const std::map<std::string, std::string>&)> check)
      : check_(std::move(check)), server_([this](int c) { Handle(c); }) {}
  std::string url(const std::string& query) const {
    return absl::StrCat("http://127.0.0.1:", server_.port(), "/robot/send?", query);
  }
  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  void Handle(int c) {
    std::string buf;
    if (!LoopbackServer::ReadUntil(c, "\r\n\r\n", &buf)) return;
    size_t end = buf.find("\r\n\r\n");
    std::string head = buf.substr(0, end);
    std::string target = head.substr(head.find(' ') + 1);
    target = target.substr(0, target.find(' '));
    size_t length = 0;
    for (absl::string_view line : absl::StrSplit(head, "\r\n")) {
      std::string l = testing::Lower(std::string(line));
      if (absl::StartsWith(l, "content-length:")) (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(l.substr(15)), &length);
    }
    std::string body = buf.substr(end + 4);
    while (body.size() < length) {
      if (!LoopbackServer::ReadSome(c, &body)) break;
    }
    Request r;
    r.body = body;
    if (size_t q = target.find('?'); q != std::string::npos) {
      for (absl::string_view kv : absl::StrSplit(target.substr(q + 1), '&')) {
        size_t eq = kv.find('=');
        if (eq == absl::string_view::npos) continue;
        r.query[std::string(kv.substr(0, eq))] = UrlDecode(std::string(kv.substr(eq + 1)));
      }
    }
    r.accepted = check_(r.query);
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(r);
    }
    std::string answer = r.accepted ? R"({"errcode":0,"errmsg":"ok"})" : R"({"errcode":310000,"errmsg":"sign not match"})";
    LoopbackServer::Send(c, absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ",
                                         answer.size(), "\r\nConnection: close\r\n\r\n", answer));
  }

  std::function<bool(const std::map<std::string, std::string>&)> check_;
  mutable std::mutex mu_;
  std::vector<Request> requests_;
  LoopbackServer server_;
};

// The robot's side of the signature, written from DingTalk's description.
bool DingTalkSignatureValid(const std::map<std::string, std::string>& q, const std::string& secret) {
  auto ts = q.find("timestamp");
  auto sign = q.find("sign");
  if (ts == q.end() || sign == q.end()) return false;
  int64_t ms = 0;
  if (!absl::SimpleAtoi(ts->second, &ms)) return false;
  if (std::abs(absl::ToUnixMillis(absl::Now()) - ms) > 3600 * 1000) return false;  // an hour, as the robot allows
  std::string data = absl::StrCat(ts->second, "\n", secret);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  return sign->second == absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(mac), len));
}

// A minimal SMTP server: greets, accepts one or more mails, keeps them.
class SmtpServer {
 public:
  struct Mail {
    std::string from;
    std::vector<std::string> to;
    std::string data;
  };
  SmtpServer() : server_([this](int c) { Talk(c); }) {}
  std::string url() const { return absl::StrCat("smtp://127.0.0.1:", server_.port()); }
  std::vector<Mail> mails() const {
    std::lock_guard<std::mutex> l(mu_);
    return mails_;
  }

 private:
  void Talk(int c) {
    LoopbackServer::Send(c, "220 localhost ESMTP test\r\n");
    std::string buf;
    Mail mail;
    while (true) {
      if (!LoopbackServer::ReadUntil(c, "\r\n", &buf)) return;
      size_t eol = buf.find("\r\n");
      std::string line = buf.substr(0, eol);
      buf.erase(0, eol + 2);
      std::string verb = testing::Lower(line.substr(0, 4));
      if (verb == "ehlo" || verb == "helo") {
        LoopbackServer::Send(c, "250 localhost\r\n");
      } else if (verb == "mail") {
        mail = Mail{};
        mail.from = line.substr(line.find(':') + 1);
        LoopbackServer::Send(c, "250 OK\r\n");
      } else if (verb == "rcpt") {
        mail.to.push_back(line.substr(line.find(':') + 1));
        LoopbackServer::Send(c, "250 OK\r\n");
      } else if (verb == "data") {
        LoopbackServer::Send(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
        if (!LoopbackServer::ReadUntil(c, "\r\n.\r\n", &buf)) return;
        size_t end = buf.find("\r\n.\r\n");
        mail.data = buf.substr(0, end + 2);
        buf.erase(0, end + 5);
        {
          std::lock_guard<std::mutex> l(mu_);
          mails_.push_back(mail);
        }
        LoopbackServer::Send(c, "250 OK queued\r\n");
      } else if (verb == "quit") {
        LoopbackServer::Send(c, "221 Bye\r\n");
        return;
      } else {
        LoopbackServer::Send(c, "250 OK\r\n");
      }
    }
  }

  mutable std::mutex mu_;
  std::vector<Mail> mails_;
  LoopbackServer server_;
};

class ChannelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = Engine::Open(dir_.sub("db"), &clock_);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok());
    ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", true).ok());
  }

  std::vector<ChannelSettings> Parse(const std::string& yaml) {
    auto doc = yamlx::Parse("duband.yaml", yaml);
    EXPECT_TRUE(doc.ok()) << doc.status();
    auto c = ParseChannels(*doc, doc->root["channels"]);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : std::vector<ChannelSettings>{};
  }

  void Notify(const std::string& recipient, v1::NotificationKind kind, const std::string& title) {
    v1::Notification n;
    n.set_recipient(recipient);
    n.set_kind(kind);
    n.set_title(title);
    n.set_body("请于截止时间前报送");
    *n.mutable_created_at() = Ts(clock_.Now());
    std::vector<v1::Notification> notes{n};
    rocksdb::WriteBatch b;
    ASSERT_TRUE(engine_->outbox().Commit(&b, &notes).ok());
  }

  TempDir dir_;
  SimulatedClock clock_{absl::FromCivil(absl::CivilMinute(2023, 3, 1, 9, 0), PlanTimeZone())};
  std::unique_ptr<Engine> engine_;
};

TEST(DingTalkSignTest, MatchesTheDocumentedScheme) {
  // base64(HMAC-SHA256("SECtest-secret-0123", "1700000000000\nSECtest-secret-0123")), computed independently.
  EXPECT_EQ(DingTalkSign("SECtest-secret-0123", 1700000000000), "ZoxuMI81gjiygETIOy2/ox3O5s5xPLOU3JAX2t9WCfI=");
  EXPECT_EQ(DingTalkSignedUrl("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECtest-secret-0123",
                              1700000000000),
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000"
            "&sign=ZoxuMI81gjiygETIOy2%2Fox3O5s5xPLOU3JAX2t9WCfI%3D");
}

TEST_F(ChannelsTest, DingTalkRobotGetsSignedRemindersOfItsUnitOnly) {
  const std::string secret = "SECc0ffee";
  Robot robot([&](const auto& q) { return q.count("access_token") && q.at("access_token") == "tok" &&
                                          DingTalkSignatureValid(q, secret); });
  auto settings = Parse(absl::StrCat("channels:\n  - unit: 市商务局\n    dingtalk:\n      webhook: ", robot.url("access_token=tok"),
                                     "\n      secret: ", secret, "\n    backoff_initial: 10ms\n"));
  ASSERT_EQ(settings.size(), 1u);
  auto hooks = ChannelWebhooks(settings, *engine_);
  ASSERT_TRUE(hooks.ok()) << hooks.status();
  ASSERT_EQ(hooks->size(), 1u);
  EXPECT_EQ((*hooks)[0].name, "dingtalk-swj");

  Notify("swj", v1::NOTIFICATION_KIND_REMINDER, "请报送1月上旬工作动态");
  Notify("fgj", v1::NOTIFICATION_KIND_REMINDER, "别的单位");                 // another unit
  Notify("swj", v1::NOTIFICATION_KIND_SUPERVISION, "督办事项");              // a kind not asked for
  Notify("swj", v1::NOTIFICATION_KIND_URGE, "催办：1月上旬工作动态逾期未报");
  WebhookDispatcher d(&engine_->outbox(), *hooks);
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("dingtalk-swj").delivered == 2; }));
  d.Stop();
  auto reqs = robot.requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& r : reqs) EXPECT_TRUE(r.accepted);
  EXPECT_NE(reqs[0].body.find("\"msgtype\":\"text\""), std::string::npos);
  EXPECT_NE(reqs[0].body.find("请报送1月上旬工作动态"), std::string::npos);
  EXPECT_NE(reqs[0].body.find("市商务局"), std::string::npos);
  EXPECT_NE(reqs[1].body.find("催办：1月上旬工作动态逾期未报"), std::string::npos);
}

TEST_F(ChannelsTest, AWrongSecretIsRefusedByTheRobotRetriedAndGivenUp) {
  Robot robot([&](const auto& q) { return DingTalkSignatureValid(q, "SECright"); });
  auto settings = Parse(absl::StrCat("channels:\n  - unit: swj\n    dingtalk: {webhook: '", robot.url("access_token=t"),
                                     "', secret: SECwrong}\n    backoff_initial: 5ms\n    backoff_max: 10ms\n"
                                     "    max_attempts: 3\n"));
  auto hooks = ChannelWebhooks(settings, *engine_);
  ASSERT_TRUE(hooks.ok()) << hooks.status();
  Notify("swj", v1::NOTIFICATION_KIND_WARNING, "T1 红灯预警");
  WebhookDispatcher d(&engine_->outbox(), *hooks);
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("dingtalk-swj").dead_letters == 1; }));
  d.Stop();
  EXPECT_EQ(robot.requests().size(), 3u);  // three signed attempts, each refused
  for (const auto& r : robot.requests()) EXPECT_FALSE(r.accepted);
  EXPECT_EQ(d.stats("dingtalk-swj").delivered, 0u);
  EXPECT_EQ(engine_->outbox().Cursor("dingtalk-swj"), engine_->outbox().last_seq());  // not stuck on it
}

TEST_F(ChannelsTest, WeComRobotGetsItsKeyInTheUrl) {
  Robot robot([](const auto& q) { return q.count("key") && q.at("key") == "693a91f6-7xxx"; });
  auto settings = Parse(absl::StrCat("channels:\n  - unit: 市商务局\n    wecom: {webhook: '",
                                     robot.url("").substr(0, robot.url("").size() - 1), "', key: 693a91f6-7xxx}\n"));
  auto hooks = ChannelWebhooks(settings, *engine_);
  ASSERT_TRUE(hooks.ok()) << hooks.status();
  Notify("swj", v1::NOTIFICATION_KIND_URGE, "催办");
  WebhookDispatcher d(&engine_->outbox(), *hooks);
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("wecom-swj").delivered == 1; }));
  d.Stop();
  ASSERT_EQ(robot.requests().size(), 1u);
  EXPECT_TRUE(robot.requests()[0].accepted);
  EXPECT_NE(robot.requests()[0].body.find("催办"), std::string::npos);
}

TEST_F(ChannelsTest, EmailGoesThroughSmtpWithChineseSubjectAndBody) {
  SmtpServer smtp;
  auto settings = Parse(absl::StrCat("channels:\n  - unit: 市商务局\n    email:\n      smtp: ", smtp.url(),
                                     "\n      from: duban@gov.example\n      to: [swj@gov.example, office@gov.example]\n"));
  auto hooks = ChannelWebhooks(settings, *engine_);
  ASSERT_TRUE(hooks.ok()) << hooks.status();
  Notify("swj", v1::NOTIFICATION_KIND_REMINDER, "请报送2月工作动态");
  WebhookDispatcher d(&engine_->outbox(), *hooks);
  d.Start();
  ASSERT_TRUE(WaitUntil([&] { return d.stats("email-swj").delivered == 1; }));
  d.Stop();
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].from, "<duban@gov.example>");
  EXPECT_EQ(mails[0].to, (std::vector<std::string>{"<swj@gov.example>", "<office@gov.example>"}));
  const std::string& data = mails[0].data;
  EXPECT_NE(data.find("Subject: =?UTF-8?B?" + absl::Base64Escape("【督办】请报送2月工作动态") + "?="), std::string::npos);
  std::string body64 = data.substr(data.find("\r\n\r\n") + 4);
  body64.erase(std::remove_if(body64.begin(), body64.end(), [](char c) { return c == '\r' || c == '\n'; }), body64.end());
  std::string body;
  ASSERT_TRUE(absl::Base64Unescape(body64, &body));
  EXPECT_NE(body.find("请报送2月工作动态"), std::string::npos);
  EXPECT_NE(body.find("单位：市商务局"), std::string::npos);
}

TEST_F(ChannelsTest, BadSettingsNameTheField) {
  auto check = [](const std::string& yaml, const std::string& want) {
    auto doc = yamlx::Parse("duband.yaml", yaml);
    ASSERT_TRUE(doc.ok());
    auto c = ParseChannels(*doc, doc->root["channels"]);
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(want), std::string::npos) << c.status();
  };
  check("channels:\n  - unit: swj\n", "channels[0]: give dingtalk, wecom or email");
  check("channels:\n  - unit: swj\n    kinds: [reminder, gossip]\n    wecom: {key: k}\n", "channels[0].kinds: 'gossip'");
  check("channels:\n  - unit: swj\n    email: {smtp: 'http://x', from: a@b, to: [c@d]}\n", "channels[0].email.smtp");
  check("channels:\n  - unit: swj\n    email: {smtp: 'smtp://x', from: a@b, to: [nobody]}\n", "channels[0].email.to");
  auto settings = std::vector<ChannelSettings>(1);
  settings[0].unit = "没有这个单位";
  settings[0].wecom = WeComSettings{};
  auto hooks = ChannelWebhooks(settings, *engine_);
  EXPECT_EQ(hooks.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(hooks.status().message().find("channels[0].unit"), std::string::npos);
}

}  // namespace
}  // namespace duban
