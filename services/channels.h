// The offices' channels: reminders, urges and warnings of a unit sent to its
// DingTalk (钉钉) or WeCom (企业微信) group robot, or by e-mail through SMTP.
//
// Each channel becomes one webhook of the WebhookDispatcher (its own thread,
// persisted cursor, retries with back-off): only the message format differs.
//
//   DingTalk: POST {"msgtype":"text","text":{"content":...}} to the robot's
//     webhook URL with &timestamp=<ms>&sign=<s> appended, where
//     s = urlencode(base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret))).
//     The robot answers 200 with {"errcode":0,...}; any other errcode fails.
//   WeCom: POST the same text message to .../webhook/send?key=<key>; the
//     answer is also checked for errcode 0.
//   E-mail: one UTF-8 mail per notification (Subject RFC 2047 encoded).
#ifndef DUBAN_SERVICES_CHANNELS_H_
#define DUBAN_SERVICES_CHANNELS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/yaml_util.h"
#include "services/webhook.h"

namespace duban {

class Engine;

struct DingTalkSettings {
  std::string webhook;  // https://oapi.dingtalk.com/robot/send?access_token=...
  std::string secret;   // "SEC..." (加签); empty: unsigned
};

struct WeComSettings {
  std::string webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send";
  std::string key;
};

struct EmailSettings {
  std::string smtp;  // smtp://host:port or smtps://host:port
  std::string from;
  std::vector<std::string> to;
  std::string username, password;
};

// The `channels:` list of duband.yaml: one entry per unit.
struct ChannelSettings {
  std::string unit;  // name, alias or id; resolved when the daemon starts
  std::vector<v1::NotificationKind> kinds = {v1::NOTIFICATION_KIND_REMINDER, v1::NOTIFICATION_KIND_URGE,
                                             v1::NOTIFICATION_KIND_WARNING};
  std::optional<DingTalkSettings> dingtalk;
  std::optional<WeComSettings> wecom;
  std::optional<EmailSettings> email;
  absl::Duration timeout = absl::Seconds(5);
  absl::Duration backoff_initial = absl::Milliseconds(500);
  absl::Duration backoff_max = absl::Minutes(5);
  int max_attempts = 20;  // then a dead letter
  int line = 0;
};

// Parses `channels:` (undefined or null: none). Errors: INVALID_ARGUMENT
// "<file>:<line>: channels[i].<field>: <reason>".
absl::StatusOr<std::vector<ChannelSettings>> ParseChannels(const yamlx::Doc& doc, const YAML::Node& node);

// The webhooks that deliver the channels, their units resolved through the
// engine (NOT_FOUND "channels[i].unit: ..." for an unknown unit). Names are
// "dingtalk-<unit id>", "wecom-<unit id>", "email-<unit id>".
absl::StatusOr<std::vector<WebhookConfig>> ChannelWebhooks(const std::vector<ChannelSettings>& channels,
                                                           const Engine& engine);

// The signed robot URL: webhook + "&timestamp=<ms>&sign=<...>" (or "?...").
std::string DingTalkSignedUrl(const std::string& webhook, const std::string& secret, int64_t timestamp_ms);
// base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), not URL-encoded.
std::string DingTalkSign(const std::string& secret, int64_t timestamp_ms);
// The plain text a robot or a mail carries for a notification.
std::string ChannelText(const v1::Notification& n, const std::string& unit_name);

}  // namespace duban

#endif  // DUBAN_SERVICES_CHANNELS_H_
