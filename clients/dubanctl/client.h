// Shared by every noun of dubanctl: the connection to duband (Client), the
// global options, errors and their exit codes, names of enum values, time
// formatting, --json printing, and the Registry through which each noun file
// declares its commands as CLI11 subcommands.
#ifndef DUBAN_CLIENTS_DUBANCTL_CLIENT_H_
#define DUBAN_CLIENTS_DUBANCTL_CLIENT_H_

#include <cstdint>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "duban/v1/auth.grpc.pb.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/office.grpc.pb.h"
#include "flags.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "text_table.h"

namespace dubanctl {

namespace v1 = ::duban::v1;

// ---------------------------------------------------------------- errors

// A failed call: "dubanctl: CODE: message", exit 1 (3 for UNAVAILABLE).
struct RpcFailure {
  grpc::Status status;
};

// A local failure that is not a usage error (e.g. an unreadable file): exit 1.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "INVALID_ARGUMENT" for grpc::StatusCode::INVALID_ARGUMENT.
const char* CodeName(grpc::StatusCode c);

// ---------------------------------------------------------------- enum names

// "TASK_STATE_IN_PROGRESS" -> "in_progress".
std::string Short(const std::string& full, const std::string& prefix);
// Short names of enum values; "-" or "" for the unspecified value.
std::string StateName(v1::TaskState s);
std::string CommandName(v1::TaskCommand c);
std::string CategoryName(v1::UnitCategory c);
std::string ListKindName(v1::ListKind k);
// "yellow", "red"; "" for none.
std::string WarningName(v1::WarningLevel w);
std::string ObligationStateName(v1::ObligationState s);
std::string NotificationKindName(v1::NotificationKind k);

// Parses the short name of a value of `desc` (e.g. "in_progress" or
// "in-progress"); UsageError naming `flag` and the accepted names otherwise.
int ParseEnum(const google::protobuf::EnumDescriptor* desc, const std::string& prefix, const std::string& flag,
              const std::string& value);
// UsageError naming --flag unless `v` is written YYYY-MM-DD.
void CheckDate(const std::string& flag, const std::string& v);

// ---------------------------------------------------------------- formatting

absl::TimeZone Beijing();
bool IsSet(const google::protobuf::Timestamp& ts);
absl::Time ToTime(const google::protobuf::Timestamp& ts);
// "2023-04-01 09:30" in Beijing time; "" when unset.
std::string Minutes(const google::protobuf::Timestamp& ts);
// A number without trailing zeros ("%.10g").
std::string Number(double v);
// "25%" of part in whole; "" when whole is not positive.
std::string Percent(int part, int whole);
// "accepted → in_progress"; "new → …" from the unspecified state.
std::string Transition(v1::TaskState from, v1::TaskState to);

// Shared by the ranking and case nouns (ranking.cc): a case state's short
// name, and the cases a command opened ("no case opened" when none).
std::string CaseStateName(v1::AccountabilityState s);
class Client;
void PrintOpened(Client& c, const google::protobuf::RepeatedPtrField<v1::AccountabilityCase>& opened);

// ---------------------------------------------------------------- client

// Shared by the ranking and case nouns (ranking.cc): a case state's short
// name, and the cases a command opened ("no case opened" when none).
std::string CaseStateName(v1::AccountabilityState s);
class Client;
void PrintOpened(Client& c, const google::protobuf::RepeatedPtrField<v1::AccountabilityCase>& opened);

// ---------------------------------------------------------------- client

struct Options {
  std::string addr = "127.0.0.1:7420";
  std::string actor;
  std::string token;       // from DUBAN_TOKEN or the token file
  std::string token_file;  // where login writes the token
  std::string ca, cert, key;
  bool json = false;
  absl::Duration timeout = absl::Seconds(10);
};

// The whole file at `path`; UsageError naming `flag` when it cannot be read.
std::string ReadFileOrThrow(const std::string& flag, const std::string& path);
// The channel to o.addr: TLS when o.ca is set (mutual with o.cert and o.key),
// reconnecting at most a second apart.
std::shared_ptr<grpc::Channel> MakeChannel(const Options& o);

class Client {
 public:
  explicit Client(Options o)
      : opts_(std::move(o)),
        channel_(MakeChannel(opts_)),
        auth_(v1::AuthService::NewStub(channel_)),
        org_(v1::OrgService::NewStub(channel_)),
        plans_(v1::PlanService::NewStub(channel_)),
        tasks_(v1::TaskService::NewStub(channel_)),
        reports_(v1::ReportService::NewStub(channel_)),
        notifications_(v1::NotificationService::NewStub(channel_)),
        supervision_(v1::SupervisionService::NewStub(channel_)),
        rankings_(v1::RankingService::NewStub(channel_)),
        accountability_(v1::AccountabilityService::NewStub(channel_)),
        assessment_(v1::AssessmentService::NewStub(channel_)),
        bulletins_(v1::BulletinService::NewStub(channel_)),
        admin_(v1::AdminService::NewStub(channel_)) {}

  const Options& opts() const { return opts_; }
  v1::OrgService::Stub& org() { return *org_; }
  v1::PlanService::Stub& plans() { return *plans_; }
  v1::TaskService::Stub& tasks() { return *tasks_; }
  v1::ReportService::Stub& reports() { return *reports_; }
  v1::NotificationService::Stub& notifications() { return *notifications_; }
  v1::SupervisionService::Stub& supervision() { return *supervision_; }
  v1::RankingService::Stub& rankings() { return *rankings_; }
  v1::AccountabilityService::Stub& accountability() { return *accountability_; }
  v1::AssessmentService::Stub& assessment() { return *assessment_; }
  v1::BulletinService::Stub& bulletins() { return *bulletins_; }
  v1::AdminService::Stub& admin() { return *admin_; }
  v1::AuthService::Stub& auth() { return *auth_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // The credential: "authorization: Bearer <token>" when there is a token.
  void AddActor(grpc::ClientContext* ctx) const {
    if (!opts_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + opts_.token);
  }

  // Runs one call with the deadline and the actor metadata; throws
  // RpcFailure when it fails.
  void Call(const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
    grpc::Status s = TryCall(rpc);
    if (!s.ok()) throw RpcFailure{s};
  }
  grpc::Status TryCall(const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::microseconds(absl::ToInt64Microseconds(opts_.timeout)));
    AddActor(&ctx);
    return rpc(&ctx);
  }

  v1::CommandMeta Meta(const Args& a) const {
    v1::CommandMeta m;
    m.set_actor(opts_.actor);
    m.set_comment(a.GetOr("comment", ""));
    m.set_request_id(a.GetOr("request-id", ""));
    if (auto v = a.Uint("expected-version")) m.set_expected_version(*v);
    return m;
  }

  // Unit id -> name, from one ListUnits listing (every page) per run.
  // Unknown ids (or a failed call) show as the id.
  std::string UnitName(const std::string& id) {
    if (!units_) {
      units_.emplace();
      v1::ListUnitsRequest req;
      v1::ListUnitsResponse resp;
      try {
        while (true) {
          Call([&](grpc::ClientContext* c) { return org().ListUnits(c, req, &resp); });
          for (const auto& u : resp.units()) (*units_)[u.id()] = u.name();
          if (resp.next_page_token().empty()) break;
          req.set_page_token(resp.next_page_token());
        }
      } catch (const RpcFailure&) {
      }
    }
    auto it = units_->find(id);
    return it == units_->end() ? id : it->second;
  }
  std::string UnitNames(const google::protobuf::RepeatedPtrField<std::string>& ids) {
    std::vector<std::string> names;
    for (const auto& id : ids) names.push_back(UnitName(id));
    return absl::StrJoin(names, "\u3001");  // 、
  }
  // A unit's name, or a group's name (one ResolveUnit call per group).
  std::string UnitRefName(const v1::UnitRef& r) {
    if (r.has_unit_id()) return UnitName(r.unit_id());
    if (!r.has_group_id()) return "";
    auto it = groups_.find(r.group_id());
    if (it == groups_.end()) {
      std::string name = r.group_id();
      v1::ResolveUnitRequest req;
      req.set_name(r.group_id());
      v1::ResolveUnitResponse resp;
      try {
        Call([&](grpc::ClientContext* c) { return org().ResolveUnit(c, req, &resp); });
        if (resp.has_group() && !resp.group().name().empty()) name = resp.group().name();
      } catch (const RpcFailure&) {
      }
      it = groups_.emplace(r.group_id(), name).first;
    }
    return it->second;
  }

  // Person id -> name, from one ListPeople call per run.
  std::string PersonName(const std::string& id) {
    if (id.empty()) return "";
    if (!people_) {
      people_.emplace();
      v1::ListPeopleRequest req;
      v1::ListPeopleResponse resp;
      try {
        Call([&](grpc::ClientContext* c) { return org().ListPeople(c, req, &resp); });
        for (const auto& p : resp.people()) (*people_)[p.id()] = p.name();
      } catch (const RpcFailure&) {
      }
    }
    auto it = people_->find(id);
    return it == people_->end() ? id : it->second;
  }

 private:
  Options opts_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<v1::OrgService::Stub> org_;
  std::unique_ptr<v1::PlanService::Stub> plans_;
  std::unique_ptr<v1::TaskService::Stub> tasks_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::NotificationService::Stub> notifications_;
  std::unique_ptr<v1::SupervisionService::Stub> supervision_;
  std::unique_ptr<v1::RankingService::Stub> rankings_;
  std::unique_ptr<v1::AccountabilityService::Stub> accountability_;
  std::unique_ptr<v1::AssessmentService::Stub> assessment_;
  std::unique_ptr<v1::BulletinService::Stub> bulletins_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::optional<std::map<std::string, std::string>> units_;
  std::optional<std::map<std::string, std::string>> people_;
  std::map<std::string, std::string> groups_;
};

// Prints `m` as JSON on stdout (proto field names); `one_line`: no
// whitespace (one object per line, for streams).
void PrintJson(const google::protobuf::Message& m, bool one_line = false);

// ---------------------------------------------------------------- commands

using Operands = std::vector<std::string>;
using Handler = std::function<void(Client&, const Args&, const Operands&)>;

// --evidence=SHA[,SHA...]: files uploaded first (EvidenceService.Upload, or
// the web desk), carried by the command's event.
inline void AddEvidenceFlag(const Args& a, google::protobuf::RepeatedPtrField<v1::EvidenceRef>* out) {
  for (absl::string_view sha : absl::StrSplit(a.GetOr("evidence", ""), ',', absl::SkipEmpty())) {
    out->Add()->set_sha256(std::string(sha));
  }
}

struct Command {
  std::string name;                   // "task get", "watch"
  std::string usage;                  // the line shown for usage errors
  std::vector<std::string> operands;  // names of the positional arguments; "[name]" optional (last)
  std::set<std::string> flags;        // the command's own flags
  bool is_task_command = false;       // takes --comment, --request-id, --expected-version
  Handler run;

  // The CLI11 subcommand and its options, set by Registry::Add.
  CLI::App* app = nullptr;
  std::vector<CLI::Option*> operand_options;  // one per operand, in order
  CLI::Option* surplus = nullptr;             // positional words beyond the operands
  std::map<std::string, CLI::Option*> flag_options;

  // After parsing: the flags given to this command (by name, every value in
  // order) and its operands.
  Args GivenFlags() const;
  Operands GivenOperands() const;
};

// The table of commands, each a CLI11 subcommand of the root (one-word
// commands such as "watch") or of a noun's subcommand ("task" -> "get"). The
// noun and verb subcommands fall through to the root, so global flags may
// follow them; flags they do not know are left to the root's extras for
// Main to report.
class Registry {
 public:
  explicit Registry(CLI::App* root) : root_(root) {}

  // Declares `name` ("noun verb" or one word). Operands are required unless
  // written "[name]"; flags in kBooleanFlags take no value, the others one
  // ("--name=value" or "--name value"), and may be repeated (Args decides
  // whether that is allowed).
  void Add(const std::string& name, std::string usage, std::vector<std::string> operands, std::set<std::string> flags,
           bool is_task_command, Handler run);

  const std::map<std::string, Command>& commands() const { return commands_; }

 private:
  CLI::App* root_;
  std::map<std::string, CLI::App*> nouns_;
  std::map<std::string, Command> commands_;
};

// Flags that take no value.
extern const std::set<std::string> kBooleanFlags;

// Each noun file registers its commands.
void RegisterUnitCommands(Registry& r);
void RegisterPlanCommands(Registry& r);
void RegisterTaskCommands(Registry& r);
void RegisterObligationCommands(Registry& r);
void RegisterScoreCommands(Registry& r);
void RegisterBulletinCommands(Registry& r);
void RegisterNotificationCommands(Registry& r);
void RegisterSupervisionCommands(Registry& r);
void RegisterRankingCommands(Registry& r);
void RegisterCaseCommands(Registry& r);
void RegisterAssessmentCommands(Registry& r);
void RegisterAdminCommands(Registry& r);
void RegisterAuditCommands(Registry& r);
void RegisterExportCommands(Registry& r);
void RegisterBriefingCommands(Registry& r);
void RegisterAccountCommands(Registry& r);
void RegisterEvidenceCommands(Registry& r);

}  // namespace dubanctl

#endif  // DUBAN_CLIENTS_DUBANCTL_CLIENT_H_
