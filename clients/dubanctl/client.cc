#include "client.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "google/protobuf/util/json_util.h"

namespace dubanctl {

// ---------------------------------------------------------------- errors

const char* CodeName(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

// ---------------------------------------------------------------- enum names

// "TASK_STATE_IN_PROGRESS" -> "in_progress".
std::string Short(const std::string& full, const std::string& prefix) {
  std::string s = full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
  return absl::AsciiStrToLower(s);
}

std::string StateName(v1::TaskState s) {
  if (s == v1::TASK_STATE_UNSPECIFIED) return "-";
  return Short(v1::TaskState_Name(s), "TASK_STATE_");
}
std::string CommandName(v1::TaskCommand c) { return Short(v1::TaskCommand_Name(c), "TASK_COMMAND_"); }
std::string CategoryName(v1::UnitCategory c) {
  if (c == v1::UNIT_CATEGORY_UNSPECIFIED) return "";
  return Short(v1::UnitCategory_Name(c), "UNIT_CATEGORY_");
}
std::string ListKindName(v1::ListKind k) {
  if (k == v1::LIST_KIND_UNSPECIFIED) return "";
  return Short(v1::ListKind_Name(k), "LIST_KIND_");
}
// "yellow", "red"; "" for none.
std::string WarningName(v1::WarningLevel w) {
  if (w == v1::WARNING_LEVEL_NONE) return "";
  return Short(v1::WarningLevel_Name(w), "WARNING_LEVEL_");
}
std::string ObligationStateName(v1::ObligationState s) {
  if (s == v1::OBLIGATION_STATE_UNSPECIFIED) return "-";
  return Short(v1::ObligationState_Name(s), "OBLIGATION_STATE_");
}
std::string NotificationKindName(v1::NotificationKind k) {
  if (k == v1::NOTIFICATION_KIND_UNSPECIFIED) return "-";
  return Short(v1::NotificationKind_Name(k), "NOTIFICATION_KIND_");
}

// Parses the short name of a value of `desc` (e.g. "in_progress" or
// "in-progress"); UsageError naming `flag` and the accepted names otherwise.
int ParseEnum(const google::protobuf::EnumDescriptor* desc, const std::string& prefix, const std::string& flag,
              const std::string& value) {
  std::string want = absl::AsciiStrToLower(value);
  for (char& c : want) {
    if (c == '-') c = '_';
  }
  std::vector<std::string> names;
  for (int i = 0; i < desc->value_count(); ++i) {
    const auto* v = desc->value(i);
    if (v->number() == 0) continue;
    std::string s = Short(v->name(), prefix);
    if (s == want) return v->number();
    names.push_back(s);
  }
  throw UsageError(absl::StrCat("--", flag, ": unknown value '", value, "' (one of: ", absl::StrJoin(names, ", "),
                                ")"));
}

void CheckDate(const std::string& flag, const std::string& v) {
  bool ok = v.size() == 10 && v[4] == '-' && v[7] == '-';
  for (size_t i = 0; ok && i < v.size(); ++i) {
    if (i != 4 && i != 7 && !absl::ascii_isdigit(static_cast<unsigned char>(v[i]))) ok = false;
  }
  if (!ok) throw UsageError(absl::StrCat("--", flag, ": '", v, "' is not a date (YYYY-MM-DD)"));
}

// ---------------------------------------------------------------- formatting

absl::TimeZone Beijing() { return absl::FixedTimeZone(8 * 60 * 60); }

bool IsSet(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// "2023-04-01 09:30" in Beijing time; "" when unset.
std::string Minutes(const google::protobuf::Timestamp& ts) {
  if (!IsSet(ts)) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M", ToTime(ts), Beijing());
}

std::string Number(double v) { return absl::StrFormat("%.10g", v); }

std::string Transition(v1::TaskState from, v1::TaskState to) {
  return absl::StrCat(from == v1::TASK_STATE_UNSPECIFIED ? "new" : StateName(from), " \u2192 ", StateName(to));
}

std::string ReadFileOrThrow(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(flag + ": cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Reconnects at most a second apart (the default back-off grows to two
// minutes, too slow for `watch` to notice a restarted daemon).
std::shared_ptr<grpc::Channel> MakeChannel(const Options& o) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  if (o.ca.empty()) {
    if (!o.cert.empty() || !o.key.empty()) throw UsageError("--cert, --key: need --ca");
    return grpc::CreateCustomChannel(o.addr, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFileOrThrow("--ca", o.ca);
  if (o.cert.empty() != o.key.empty()) throw UsageError("--cert, --key: give both or neither");
  if (!o.cert.empty()) {
    tls.pem_cert_chain = ReadFileOrThrow("--cert", o.cert);
    tls.pem_private_key = ReadFileOrThrow("--key", o.key);
  }
  return grpc::CreateCustomChannel(o.addr, grpc::SslCredentials(tls), args);
}

void PrintJson(const google::protobuf::Message& m, bool one_line) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.add_whitespace = !one_line;
  std::string out;
  auto s = google::protobuf::util::MessageToJsonString(m, &out, o);
  if (!s.ok()) throw Failure(absl::StrCat("cannot print JSON: ", s.ToString()));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::cout << out << '\n';
}


std::string Percent(int part, int whole) {
  if (whole <= 0) return "";
  return absl::StrFormat("%.0f%%", 100.0 * part / whole);
}

// ---------------------------------------------------------------- registry

const std::set<std::string> kBooleanFlags = {"json", "help", "overdue", "all", "approve", "return", "deny", "ack",
                                             "replace", "service", "update", "dry-run", "progress"};

void Registry::Add(const std::string& name, std::string usage, std::vector<std::string> operands,
                   std::set<std::string> flags, bool is_task_command, Handler run) {
  CLI::App* parent = root_;
  std::string verb = name;
  if (size_t sp = name.find(' '); sp != std::string::npos) {
    std::string noun = name.substr(0, sp);
    verb = name.substr(sp + 1);
    auto it = nouns_.find(noun);
    if (it == nouns_.end()) {
      CLI::App* n = root_->add_subcommand(noun);
      n->set_help_flag();
      n->fallthrough();
      it = nouns_.emplace(noun, n).first;
    }
    parent = it->second;
  }
  Command c;
  c.name = name;
  c.usage = std::move(usage);
  c.operands = std::move(operands);
  c.flags = std::move(flags);
  c.is_task_command = is_task_command;
  c.run = std::move(run);
  c.app = parent->add_subcommand(verb);
  c.app->set_help_flag();
  c.app->fallthrough();
  // Required operands are declared required so that a word naming a noun or
  // verb ("role grant a plan") is taken as the operand it stands for.
  for (size_t i = 0; i < c.operands.size(); ++i) {
    CLI::Option* o = c.app->add_option(absl::StrCat("operand", i));
    o->expected(1);
    if (c.operands[i][0] != '[') o->required();
    c.operand_options.push_back(o);
  }
  c.surplus = c.app->add_option("surplus");
  c.surplus->expected(0, CLI::detail::expected_max_vector_size);
  c.surplus->allow_extra_args();
  std::set<std::string> all = c.flags;
  if (c.is_task_command) all.insert({"comment", "request-id", "expected-version"});
  for (const std::string& f : all) {
    std::string names = f == "output" ? "-o,--output" : "--" + f;
    CLI::Option* o = kBooleanFlags.count(f) ? c.app->add_flag(names) : c.app->add_option(names)->expected(1);
    o->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    c.flag_options[f] = o;
  }
  commands_[name] = std::move(c);
}

Args Command::GivenFlags() const {
  std::map<std::string, std::vector<std::string>> given;
  for (const auto& [name, opt] : flag_options) {
    if (opt->count() > 0) given[name] = opt->results();
  }
  return Args(std::move(given));
}

Operands Command::GivenOperands() const {
  Operands ops;
  for (CLI::Option* o : operand_options) {
    for (const std::string& v : o->results()) ops.push_back(v);
  }
  for (const std::string& v : surplus->results()) ops.push_back(v);
  return ops;
}

}  // namespace dubanctl
