#include "services/webhook.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <cstdlib>
#include <random>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

// How long a thread waits for new notifications before looking at the stop
// flag again. Outbox::WakeAll() cannot end Outbox::WaitFor() early (its
// predicate is only "a newer seq exists"), so this bounds Stop()'s latency
// for an idle webhook.
constexpr absl::Duration kIdlePoll = absl::Milliseconds(100);
constexpr size_t kReadBatch = 64;

bool ValidName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool ValidUrl(const std::string& url) {
  std::string rest;
  if (absl::StartsWithIgnoreCase(url, "http://")) {
    rest = url.substr(7);
  } else if (absl::StartsWithIgnoreCase(url, "https://")) {
    rest = url.substr(8);
  } else {
    return false;
  }
  if (rest.empty() || rest[0] == '/' || rest[0] == ':' || rest[0] == '?' || rest[0] == '#') return false;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ') return false;  // no spaces or control characters
  }
  return true;
}

absl::StatusOr<absl::Duration> DurationField(const yamlx::Doc& doc, const YAML::Node& item, const std::string& key,
                                             const std::string& path, absl::Duration fallback) {
  const YAML::Node n = item[key];
  std::string field = absl::StrCat(path, ".", key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  if (!n.IsScalar()) {
    return yamlx::Error(doc, n, absl::StrCat(field, ": must be a duration such as 250ms, 5s or 1m"));
  }
  absl::Duration d;
  if (!absl::ParseDuration(n.Scalar(), &d)) {
    return yamlx::Error(doc, n,
                        absl::StrCat(field, ": '", n.Scalar(), "' is not a duration such as 250ms, 5s or 1m"));
  }
  if (d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return yamlx::Error(doc, n, absl::StrCat(field, ": '", n.Scalar(), "' must be positive and finite"));
  }
  return d;
}

std::once_flag curl_once;

void CurlGlobalInit() {
  std::call_once(curl_once, [] {
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) spdlog::error("webhook: curl_global_init failed: {}", curl_easy_strerror(rc));
  });
}

// Loopback addresses never go through a proxy; other hosts follow the usual
// no_proxy / NO_PROXY environment variables.
std::string NoProxyList() {
  const char* env = std::getenv("no_proxy");
  if (env == nullptr || *env == '\0') env = std::getenv("NO_PROXY");
  std::string list = env ? env : "";
  if (list == "*") return list;
  if (!list.empty()) list += ",";
  list += "localhost,127.0.0.1,::1";
  return list;
}

size_t DiscardBody(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

size_t KeepBody(char* data, size_t size, size_t nmemb, void* out) {
  std::string* s = static_cast<std::string*>(out);
  if (s->size() < 64 * 1024) s->append(data, size * nmemb);
  return size * nmemb;
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadUpload(char* buf, size_t size, size_t nmemb, void* p) {
  Upload* u = static_cast<Upload*>(p);
  size_t n = std::min(size * nmemb, u->data->size() - u->pos);
  std::memcpy(buf, u->data->data() + u->pos, n);
  u->pos += n;
  return n;
}

enum class PostResult { kOk, kFailed, kAborted };

}  // namespace

absl::StatusOr<std::vector<WebhookConfig>> ParseWebhooks(const yamlx::Doc& doc, const YAML::Node& node) {
  std::vector<WebhookConfig> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) return yamlx::Error(doc, node, "webhooks: must be a list");
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    std::string path = absl::StrCat("webhooks[", i, "]");
    if (!item.IsMap()) return yamlx::Error(doc, item, absl::StrCat(path, ": must be a mapping"));
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, item, path,
                                    {"name", "url", "recipients", "timeout", "backoff_initial", "backoff_max"}));
    WebhookConfig h;
    ASSIGN_OR_RETURN(h.name, yamlx::String(doc, item, "name", path, true));
    if (!ValidName(h.name)) {
      return yamlx::Error(doc, item["name"],
                          absl::StrCat(path, ".name: '", h.name, "' must be lowercase letters, digits and '-'"));
    }
    auto [it, inserted] = names.emplace(h.name, i);
    if (!inserted) {
      return yamlx::Error(doc, item["name"],
                          absl::StrCat(path, ".name: '", h.name, "' is already used by webhooks[", it->second, "]"));
    }
    ASSIGN_OR_RETURN(h.url, yamlx::String(doc, item, "url", path, true));
    if (!ValidUrl(h.url)) {
      return yamlx::Error(doc, item["url"],
                          absl::StrCat(path, ".url: '", h.url, "' must be an http:// or https:// URL with a host"));
    }
    ASSIGN_OR_RETURN(h.recipients, yamlx::StringList(doc, item, "recipients", path));
    ASSIGN_OR_RETURN(h.timeout, DurationField(doc, item, "timeout", path, h.timeout));
    ASSIGN_OR_RETURN(h.backoff_initial, DurationField(doc, item, "backoff_initial", path, h.backoff_initial));
    ASSIGN_OR_RETURN(h.backoff_max, DurationField(doc, item, "backoff_max", path, h.backoff_max));
    if (h.backoff_max < h.backoff_initial) {
      const YAML::Node at = item["backoff_max"].IsDefined() ? item["backoff_max"] : item["backoff_initial"];
      return yamlx::Error(doc, at,
                          absl::StrCat(path, ".backoff_max: ", absl::FormatDuration(h.backoff_max),
                                       " is less than backoff_initial ", absl::FormatDuration(h.backoff_initial)));
    }
    out.push_back(std::move(h));
  }
  return out;
}

WebhookDispatcher::WebhookDispatcher(Outbox* outbox, std::vector<WebhookConfig> hooks)
    : outbox_(outbox), hooks_(std::move(hooks)) {
  for (const auto& h : hooks_) stats_[h.name];
}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::Start() {
  std::lock_guard<std::mutex> run(run_mu_);
  if (!threads_.empty()) return;
  CurlGlobalInit();
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = false;
  }
  for (const auto& h : hooks_) threads_.emplace_back([this, &h] { Run(h); });
}

void WebhookDispatcher::Stop() {
  std::lock_guard<std::mutex> run(run_mu_);
  if (threads_.empty()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  outbox_->WakeAll();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::vector<std::string> WebhookDispatcher::names() const {
  std::vector<std::string> out;
  for (const auto& h : hooks_) out.push_back(h.name);
  return out;
}

WebhookDispatcher::Stats WebhookDispatcher::stats(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = stats_.find(name);
  return it == stats_.end() ? Stats{} : it->second;
}

bool WebhookDispatcher::stopping() const {
  std::lock_guard<std::mutex> l(mu_);
  return stopping_;
}

bool WebhookDispatcher::SleepFor(absl::Duration d) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, absl::ToChronoMicroseconds(d), [&] { return stopping_; });
  return !stopping_;
}

void WebhookDispatcher::Count(const std::string& name, uint64_t Stats::*field) {
  std::lock_guard<std::mutex> l(mu_);
  ++(stats_[name].*field);
}

void WebhookDispatcher::Run(const WebhookConfig& hook) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    spdlog::error("webhook {}: curl_easy_init failed; not delivering", hook.name);
    return;
  }
  const std::set<std::string> only(hook.recipients.begin(), hook.recipients.end());
  const std::string no_proxy = NoProxyList();
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 0.2);
  char errbuf[CURL_ERROR_SIZE];

  // Runs the transfer set up on `curl` (abortable by Stop()) and checks its
  // outcome: the transport, then the reply code (HTTP status or SMTP reply,
  // `reply` names which); err describes a failure.
  auto perform = [&](const char* reply, std::string* err) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION,
                     +[](void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                       return static_cast<WebhookDispatcher*>(self)->stopping() ? 1 : 0;
                     });
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_ABORTED_BY_CALLBACK) return PostResult::kAborted;
    if (rc != CURLE_OK) {
      *err = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
      return PostResult::kFailed;
    }
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (code < 200 || code > 299) {
      *err = absl::StrCat(reply, " ", code);
      return PostResult::kFailed;
    }
    return PostResult::kOk;
  };

  // One POST; err describes a failure.
  auto post = [&](const std::string& body, uint64_t seq, std::string* err) {
    curl_easy_reset(curl);  // keeps the connection cache
    errbuf[0] = '\0';
    struct curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, absl::StrCat("X-Duban-Seq: ", seq).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    const long timeout_ms = static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(hook.timeout)));
    curl_easy_setopt(curl, CURLOPT_URL, hook.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, no_proxy.c_str());
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "duband-webhook/1");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &DiscardBody);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    PostResult r = perform("HTTP status", err);
    curl_slist_free_all(headers);
    return r;
  };

  // One channel message: an HTTP POST checked by m.accept, or a mail.
  auto send = [&](const ChannelMessage& m, std::string* err) {
    curl_easy_reset(curl);
    errbuf[0] = '\0';
    const bool smtp = absl::StartsWithIgnoreCase(m.url, "smtp://") || absl::StartsWithIgnoreCase(m.url, "smtps://");
    const long timeout_ms = static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(hook.timeout)));
    struct curl_slist* headers = nullptr;
    struct curl_slist* rcpt = nullptr;
    std::string answer;
    Upload upload{&m.body};
    curl_easy_setopt(curl, CURLOPT_URL, m.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, no_proxy.c_str());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    if (!m.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, m.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, m.password.c_str());
    }
    if (smtp) {
      curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
      curl_easy_setopt(curl, CURLOPT_MAIL_FROM, m.mail_from.c_str());
      for (const auto& to : m.mail_to) rcpt = curl_slist_append(rcpt, to.c_str());
      curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
      curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m.body.size()));
    } else {
      headers = curl_slist_append(headers, absl::StrCat("Content-Type: ", m.content_type).c_str());
      headers = curl_slist_append(headers, "Expect:");
      curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
      curl_easy_setopt(curl, CURLOPT_USERAGENT, "duband-channel/1");
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, m.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(m.body.size()));
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &KeepBody);
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    }
    PostResult r = perform(smtp ? "SMTP reply" : "HTTP status", err);
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);
    if (r != PostResult::kOk) return r;
    if (!smtp && m.accept && !m.accept(answer, err)) return PostResult::kFailed;
    return PostResult::kOk;
  };

  // Sends one notification until it is accepted; false when stopped first
  // (or, with max_attempts, when it was given up as a dead letter: *dead).
  auto deliver = [&](const v1::Notification& n, const std::string& body, bool* dead) {
    absl::Duration backoff = hook.backoff_initial;
    int attempts = 0;
    std::optional<ChannelMessage> message;
    if (hook.render) {
      auto m = hook.render(n);
      if (!m.ok()) {
        spdlog::error("channel {}: seq {}: {}; given up", hook.name, n.seq(), m.status().ToString());
        Count(hook.name, &Stats::dead_letters);
        *dead = true;
        return false;
      }
      message = std::move(*m);
    }
    while (!stopping()) {
      Count(hook.name, &Stats::attempts);
      std::string err;
      PostResult r = message ? send(*message, &err) : post(body, n.seq(), &err);
      if (r == PostResult::kOk) return true;
      if (r == PostResult::kAborted) return false;
      Count(hook.name, &Stats::failures);
      if (hook.max_attempts > 0 && ++attempts >= hook.max_attempts) {
        spdlog::error("channel {}: seq {}: {}; given up after {} attempts", hook.name, n.seq(), err, attempts);
        Count(hook.name, &Stats::dead_letters);
        *dead = true;
        return false;
      }
      absl::Duration wait = std::min(backoff + backoff * jitter(rng), hook.backoff_max);
      spdlog::warn("webhook {}: seq {}: {} (retrying in {})", hook.name, n.seq(), err,
                   absl::FormatDuration(absl::Trunc(wait, absl::Milliseconds(1))));
      if (!SleepFor(wait)) return false;
      backoff = std::min(backoff * 2, hook.backoff_max);
    }
    return false;
  };

  uint64_t cursor = outbox_->Cursor(hook.name);
  uint64_t persisted = cursor;
  auto persist = [&] {
    if (cursor == persisted) return;
    absl::Status st = outbox_->SetCursor(hook.name, cursor);
    if (st.ok()) {
      persisted = cursor;
    } else {
      spdlog::warn("webhook {}: seq {}: cannot save the cursor: {}", hook.name, cursor, st.ToString());
    }
  };

  google::protobuf::util::JsonPrintOptions json_opts;
  json_opts.preserve_proto_field_names = true;

  while (!stopping()) {
    absl::StatusOr<std::vector<v1::Notification>> read = outbox_->ReadAll(cursor, kReadBatch);
    if (!read.ok()) {
      // The cursor stays; the same notifications are read again later.
      spdlog::error("webhook {}: reading notifications after {}: {}", hook.name, cursor,
                    std::string(read.status().message()));
      outbox_->WaitFor(~uint64_t{0}, absl::Now() + kIdlePoll);
      continue;
    }
    std::vector<v1::Notification> notes = std::move(*read);
    if (notes.empty()) {
      persist();  // skipped notifications
      outbox_->WaitFor(cursor, absl::Now() + kIdlePoll);
      continue;
    }
    for (const auto& n : notes) {
      if ((!only.empty() && only.count(n.recipient()) == 0) ||
          (!hook.kinds.empty() && std::find(hook.kinds.begin(), hook.kinds.end(), n.kind()) == hook.kinds.end())) {
        cursor = n.seq();
        continue;
      }
      std::string body;
      auto st = google::protobuf::util::MessageToJsonString(n, &body, json_opts);
      if (!st.ok()) {  // should not happen; do not block the queue on it
        spdlog::error("webhook {}: seq {}: cannot encode as JSON, skipped: {}", hook.name, n.seq(),
                      st.ToString());
        cursor = n.seq();
        continue;
      }
      bool dead = false;
      if (!deliver(n, body, &dead)) {
        if (!dead) break;  // stopped
        cursor = n.seq();
        persist();
        continue;
      }
      cursor = n.seq();
      persist();
      Count(hook.name, &Stats::delivered);
    }
    persist();
  }
  persist();
  curl_easy_cleanup(curl);
}

}  // namespace duban
