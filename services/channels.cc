#include "services/channels.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "engine/storage/status_macros.h"
#include "engine/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace duban {

namespace {

const std::map<std::string, v1::NotificationKind>& KindNames() {
  static const auto* m = new std::map<std::string, v1::NotificationKind>{
      {"reminder", v1::NOTIFICATION_KIND_REMINDER},
      {"urge", v1::NOTIFICATION_KIND_URGE},
      {"warning", v1::NOTIFICATION_KIND_WARNING},
      {"returned", v1::NOTIFICATION_KIND_RETURNED},
      {"supervision", v1::NOTIFICATION_KIND_SUPERVISION},
      {"accountability", v1::NOTIFICATION_KIND_ACCOUNTABILITY},
  };
  return *m;
}

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string Append(const std::string& url, const std::string& query) {
  return absl::StrCat(url, url.find('?') == std::string::npos ? "?" : "&", query);
}

absl::StatusOr<absl::Duration> Duration(const yamlx::Doc& doc, const YAML::Node& item, const std::string& key,
                                        const std::string& path, absl::Duration fallback) {
  ASSIGN_OR_RETURN(std::string s, yamlx::String(doc, item, key, path, false));
  if (s.empty()) return fallback;
  absl::Duration d;
  if (!absl::ParseDuration(s, &d) || d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return yamlx::Error(doc, item[key], absl::StrCat(path, ".", key, ": '", s, "' is not a positive duration such as 5s"));
  }
  return d;
}

bool HttpUrl(const std::string& u) {
  return absl::StartsWithIgnoreCase(u, "http://") || absl::StartsWithIgnoreCase(u, "https://");
}

// The robots answer {"errcode":0,"errmsg":"ok"}; anything else is a failure.
bool RobotAccepted(const std::string& body, std::string* err) {
  google::protobuf::Struct s;
  if (!google::protobuf::util::JsonStringToMessage(body, &s).ok()) {
    *err = absl::StrCat("robot answer is not JSON: ", body.substr(0, 200));
    return false;
  }
  auto it = s.fields().find("errcode");
  if (it == s.fields().end() || it->second.number_value() != 0) {
    *err = absl::StrCat("robot refused: ", body.substr(0, 200));
    return false;
  }
  return true;
}

std::string TextMessage(const std::string& text) {
  google::protobuf::Struct msg;
  (*msg.mutable_fields())["msgtype"].set_string_value("text");
  google::protobuf::Struct inner;
  (*inner.mutable_fields())["content"].set_string_value(text);
  *(*msg.mutable_fields())["text"].mutable_struct_value() = inner;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(msg, &out);
  return out;
}

std::string Rfc2047(const std::string& s) { return absl::StrCat("=?UTF-8?B?", absl::Base64Escape(s), "?="); }

}  // namespace

std::string DingTalkSign(const std::string& secret, int64_t timestamp_ms) {
  std::string to_sign = absl::StrCat(timestamp_ms, "\n", secret);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac, &len);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string DingTalkSignedUrl(const std::string& webhook, const std::string& secret, int64_t timestamp_ms) {
  if (secret.empty()) return webhook;
  return Append(webhook, absl::StrCat("timestamp=", timestamp_ms, "&sign=", UrlEncode(DingTalkSign(secret, timestamp_ms))));
}

std::string ChannelText(const v1::Notification& n, const std::string& unit_name) {
  std::string text = absl::StrCat("【督办】", n.title());
  if (!n.body().empty()) absl::StrAppend(&text, "\n", n.body());
  if (n.has_due()) absl::StrAppend(&text, "\n时间：", FormatBeijing(FromTs(n.due())));
  absl::StrAppend(&text, "\n单位：", unit_name);
  return text;
}

absl::StatusOr<std::vector<ChannelSettings>> ParseChannels(const yamlx::Doc& doc, const YAML::Node& node) {
  std::vector<ChannelSettings> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) return yamlx::Error(doc, node, "channels: must be a list");
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    std::string path = absl::StrCat("channels[", i, "]");
    if (!item.IsMap()) return yamlx::Error(doc, item, absl::StrCat(path, ": must be a mapping"));
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, item, path,
                                    {"unit", "kinds", "dingtalk", "wecom", "email", "timeout", "backoff_initial",
                                     "backoff_max", "max_attempts"}));
    ChannelSettings c;
    c.line = item.Mark().line + 1;
    ASSIGN_OR_RETURN(c.unit, yamlx::String(doc, item, "unit", path, true));
    if (item["kinds"].IsDefined()) {
      ASSIGN_OR_RETURN(std::vector<std::string> kinds, yamlx::StringList(doc, item, "kinds", path));
      c.kinds.clear();
      for (const auto& k : kinds) {
        auto it = KindNames().find(k);
        if (it == KindNames().end()) {
          return yamlx::Error(doc, item["kinds"],
                              absl::StrCat(path, ".kinds: '", k,
                                           "' is not reminder, urge, warning, returned, supervision or accountability"));
        }
        c.kinds.push_back(it->second);
      }
    }
    if (item["dingtalk"].IsDefined()) {
      std::string p = path + ".dingtalk";
      ASSIGN_OR_RETURN(YAML::Node d, yamlx::Map(doc, item, "dingtalk", path, true));
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc, d, p, {"webhook", "secret"}));
      DingTalkSettings s;
      ASSIGN_OR_RETURN(s.webhook, yamlx::String(doc, d, "webhook", p, true));
      if (!HttpUrl(s.webhook)) {
        return yamlx::Error(doc, d["webhook"], absl::StrCat(p, ".webhook: '", s.webhook, "' must be an http(s) URL"));
      }
      ASSIGN_OR_RETURN(s.secret, yamlx::String(doc, d, "secret", p, false));
      c.dingtalk = s;
    }
    if (item["wecom"].IsDefined()) {
      std::string p = path + ".wecom";
      ASSIGN_OR_RETURN(YAML::Node d, yamlx::Map(doc, item, "wecom", path, true));
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc, d, p, {"webhook", "key"}));
      WeComSettings s;
      ASSIGN_OR_RETURN(std::string url, yamlx::String(doc, d, "webhook", p, false));
      if (!url.empty()) s.webhook = url;
      if (!HttpUrl(s.webhook)) {
        return yamlx::Error(doc, d["webhook"], absl::StrCat(p, ".webhook: '", s.webhook, "' must be an http(s) URL"));
      }
      ASSIGN_OR_RETURN(s.key, yamlx::String(doc, d, "key", p, true));
      c.wecom = s;
    }
    if (item["email"].IsDefined()) {
      std::string p = path + ".email";
      ASSIGN_OR_RETURN(YAML::Node d, yamlx::Map(doc, item, "email", path, true));
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc, d, p, {"smtp", "from", "to", "username", "password"}));
      EmailSettings s;
      ASSIGN_OR_RETURN(s.smtp, yamlx::String(doc, d, "smtp", p, true));
      if (!absl::StartsWithIgnoreCase(s.smtp, "smtp://") && !absl::StartsWithIgnoreCase(s.smtp, "smtps://")) {
        return yamlx::Error(doc, d["smtp"], absl::StrCat(p, ".smtp: '", s.smtp, "' must be smtp://host:port or smtps://"));
      }
      ASSIGN_OR_RETURN(s.from, yamlx::String(doc, d, "from", p, true));
      ASSIGN_OR_RETURN(s.to, yamlx::StringList(doc, d, "to", p));
      if (s.to.empty()) return yamlx::Error(doc, d, absl::StrCat(p, ".to: at least one address"));
      for (const auto& a : s.to) {
        if (a.find('@') == std::string::npos || a.find_first_of("\r\n<>") != std::string::npos) {
          return yamlx::Error(doc, d["to"], absl::StrCat(p, ".to: '", a, "' is not an e-mail address"));
        }
      }
      ASSIGN_OR_RETURN(s.username, yamlx::String(doc, d, "username", p, false));
      ASSIGN_OR_RETURN(s.password, yamlx::String(doc, d, "password", p, false));
      c.email = s;
    }
    if (!c.dingtalk && !c.wecom && !c.email) {
      return yamlx::Error(doc, item, absl::StrCat(path, ": give dingtalk, wecom or email"));
    }
    ASSIGN_OR_RETURN(c.timeout, Duration(doc, item, "timeout", path, c.timeout));
    ASSIGN_OR_RETURN(c.backoff_initial, Duration(doc, item, "backoff_initial", path, c.backoff_initial));
    ASSIGN_OR_RETURN(c.backoff_max, Duration(doc, item, "backoff_max", path, c.backoff_max));
    ASSIGN_OR_RETURN(c.max_attempts, yamlx::Int(doc, item, "max_attempts", path, false, c.max_attempts));
    if (c.max_attempts < 0) {
      return yamlx::Error(doc, item["max_attempts"], absl::StrCat(path, ".max_attempts: must be 0 (forever) or more"));
    }
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<WebhookConfig>> ChannelWebhooks(const std::vector<ChannelSettings>& channels,
                                                           const Engine& engine) {
  std::vector<WebhookConfig> out;
  for (size_t i = 0; i < channels.size(); ++i) {
    const ChannelSettings& c = channels[i];
    auto r = engine.Resolve(c.unit);
    if (!r.ok() || r->units.size() != 1 || r->group) {
      return absl::NotFoundError(absl::StrCat("channels[", i, "].unit: '", c.unit, "' is not one unit"));
    }
    const std::string unit_id = r->units[0].id();
    const std::string unit_name = r->units[0].name();
    std::string cursor_id;
    for (char ch : unit_id) {
      cursor_id.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(ch)) : '-');
    }
    auto base = [&](const std::string& prefix) {
      WebhookConfig h;
      h.name = absl::StrCat(prefix, "-", cursor_id);
      h.recipients = {unit_id};
      h.kinds = c.kinds;
      h.timeout = c.timeout;
      h.backoff_initial = c.backoff_initial;
      h.backoff_max = c.backoff_max;
      h.max_attempts = c.max_attempts;
      return h;
    };
    if (c.dingtalk) {
      WebhookConfig h = base("dingtalk");
      DingTalkSettings s = *c.dingtalk;
      h.url = s.webhook;
      h.render = [s, unit_name](const v1::Notification& n) -> absl::StatusOr<ChannelMessage> {
        ChannelMessage m;
        // Signed at send time: the robot refuses a timestamp more than an
        // hour old, and a retry is a new request.
        m.url = DingTalkSignedUrl(s.webhook, s.secret, absl::ToUnixMillis(absl::Now()));
        m.body = TextMessage(ChannelText(n, unit_name));
        m.content_type = "application/json; charset=utf-8";
        m.accept = &RobotAccepted;
        return m;
      };
      out.push_back(std::move(h));
    }
    if (c.wecom) {
      WebhookConfig h = base("wecom");
      WeComSettings s = *c.wecom;
      h.url = Append(s.webhook, absl::StrCat("key=", UrlEncode(s.key)));
      std::string url = h.url;
      h.render = [url, unit_name](const v1::Notification& n) -> absl::StatusOr<ChannelMessage> {
        ChannelMessage m;
        m.url = url;
        m.body = TextMessage(ChannelText(n, unit_name));
        m.content_type = "application/json; charset=utf-8";
        m.accept = &RobotAccepted;
        return m;
      };
      out.push_back(std::move(h));
    }
    if (c.email) {
      WebhookConfig h = base("email");
      EmailSettings s = *c.email;
      h.url = s.smtp;
      h.render = [s, unit_name](const v1::Notification& n) -> absl::StatusOr<ChannelMessage> {
        ChannelMessage m;
        m.url = s.smtp;
        m.mail_from = absl::StrCat("<", s.from, ">");
        for (const auto& a : s.to) m.mail_to.push_back(absl::StrCat("<", a, ">"));
        m.username = s.username;
        m.password = s.password;
        std::string text = ChannelText(n, unit_name);
        std::string body = absl::StrCat(
            "From: ", s.from, "\r\nTo: ", absl::StrJoin(s.to, ", "), "\r\nSubject: ", Rfc2047(absl::StrCat("【督办】", n.title())),
            "\r\nMessage-ID: <duban-", n.seq(), "-", absl::ToUnixMillis(absl::Now()), "@duban>",
            "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        std::string encoded = absl::Base64Escape(text);
        for (size_t i = 0; i < encoded.size(); i += 76) absl::StrAppend(&body, encoded.substr(i, 76), "\r\n");
        m.body = std::move(body);
        return m;
      };
      out.push_back(std::move(h));
    }
  }
  return out;
}

}  // namespace duban
