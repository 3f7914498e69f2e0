// dubanctl: the command-line client of duband. One command per RPC of
// proto/duban/v1/duban.proto; readable tables by default, --json for the
// response message.
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "audit_cmd.h"
#include "cli_args.h"
#include "duban/v1/auth.grpc.pb.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/office.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/auth/credentials.h"
#include "grpcpp/grpcpp.h"
#include "plan_draft_command.h"
#include "text_table.h"

namespace dubanctl {

namespace v1 = ::duban::v1;

// ---------------------------------------------------------------- usage

constexpr char kUsage[] = R"(usage: dubanctl [--addr=127.0.0.1:7420] [--actor=NAME] [--json] [--timeout=10s] <noun> <verb> [args] [--flags]

organisation
  unit list [--category=department|township|park|platform_company|other]
  unit resolve <name>
  person list
  leading-group get <plan_id>
  task-force list [--plan=ID]
plans
  plan draft <document.txt|.docx> [-o plan.yaml] [--report=report.txt] [--cadences=FILE] [--directory=plan.yaml|daemon] [--plan-id=ID]
  plan import <file.yaml> [--dry-run] [--update]   (system administrator; --dry-run lists redefinitions)
  plan list
  plan get <plan_id>
  campaign list [--plan=ID]
  campaign get <campaign_id>
tasks
  task create --campaign=ID --code=C --title=T --lead=UNIT[,UNIT] --due=YYYY-MM-DD [--responsible=U,..]
              [--text=..] [--list-kind=project|task|policy] [--lead-leader=..] [--responsible-person=..]
              [--milestone=YYYY-MM-DD:TITLE]...
  task assign|accept|request-completion|resume|archive <task_id>
  task send-back|suspend|cancel <task_id> --reason=R
  task transfer <task_id> --lead=UNIT[,UNIT] [--responsible=U,..]
  task report <task_id> --work-done=.. [--progress=..] [--highlights=..] [--difficulties=..] [--requests=..]
              [--indicator=NAME=VALUE[UNIT]]...
  task review <task_id> --approve | --return --reason=R
  task request-extension <task_id> --due=YYYY-MM-DD --reason=R
  task decide-extension <task_id> --approve | --deny --reason=R
  task get <task_id>
  task history <task_id>
  task list [--plan=ID] [--campaign=ID] [--unit=UNIT] [--state=STATE] [--due-before=YYYY-MM-DD]
            [--due-after=YYYY-MM-DD] [--overdue] [--page-size=N] [--page-token=T] [--all]
reports (报送)
  obligation list [--unit=UNIT] [--rule=ID] [--state=pending|submitted|accepted|returned|missed]
                  [--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--page-size=N] [--page-token=T] [--all]
  obligation get|history <obligation_id>
  obligation submit <obligation_id> --text=REPORT
  obligation accept <obligation_id>
  obligation return <obligation_id> --reason=R
  score get <unit>
  score list
supervision (督办)
  supervision list [--subject=ID] [--level=1|2|3] [--state=STATE] [--unit=UNIT] [--overdue]
  supervision get|history <item_id>
  supervision add --kind=hazard|task|obligation [--subject=ID] --title=T --level=1|2|3 [--hazard-list=..]
                  [--unit=UNIT] [--person=..] [--target=..] [--measures=..] [--deadline=YYYY-MM-DD]
                  [--cycle-days=N]
  supervision start|verify|close|lookback-passed <item_id> [--text=..]
  supervision report|return|reopen <item_id> --text=..
  escalate <S…|T…|obligation_id> --reason=R [--deadline=YYYY-MM-DD]
                  (an item up a level; a task or obligation: its open item up, or listed at level 1)
rankings and accountability (排名 / 问责)
  ranking enter <board> <period> <unit>[,<unit>...] [--scores=N,N,..] [--not-ranked=U,..] [--replace]
                  (units best first; the last one named is last)
  ranking compute <period> [--board=scorecard] [--replace]
  ranking get <board> <period>
  ranking list [--board=ID]
  case list [--unit=UNIT] [--period=PERIOD] [--state=scheduled|held|followed_up|closed] [--rule=ID]
  case get|history <case_id>
  case hold <case_id> --minutes=TEXT --commitment=TEXT [--commitment=TEXT]...
  case follow-up <case_id> --text=TEXT
  case close <case_id> [--text=REMARK]
  incident report <unit> --date=YYYY-MM-DD --kind=KIND --deaths=N [--description=..]
  notice problem <unit> <month> <problem>
assessment (考核)
  assessment figures <assessment> <year> <unit> --value=NAME=NUM... [--baseline=NAME=NUM...]
  assessment evaluate <assessment> <year> [<unit>]
notifications
  notification list <recipient> [--after=SEQ] [--limit=N]
  notification ack <recipient> <seq>
  watch <recipient> [--after=SEQ] [--ack] [--count=N] [--for=DURATION]
audit trail (audit administrators; verify runs here and trusts nothing from the server)
  audit list [--account=A] [--unit=U] [--subject=KIND:ID] [--from=DATE] [--to=DATE]
             [--result=accepted|refused] [--page-size=N] [--page-token=T] [--all]
  audit history <KIND:ID>          (who did what to it, when, from where, refusals included)
  audit export [--out=FILE] [filters as for list]      (JSON lines; unfiltered: verifiable)
  audit verify --public-key=FILE|--hmac-key=FILE --checkpoints=FILE [--trail=FILE] [--hash=sha256|sm3]
                                   (without --trail: the running daemon's trail)
  audit prune --before=DATE        (at least the retention period, 180 days or more, ago)
  audit head
admin
  clock advance --by=DURATION | --to=RFC3339      (simulated clock only)
  rules reload                                     (rereads cadences and ladders, as SIGHUP does)
  timers dead                                      (timers set aside because their firing failed)
  server info

Commands that change something (task, obligation, supervision, ranking, case, incident,
notice and assessment figures) also take --comment=TEXT, --request-id=ID (a retry of a task
command with the same id is answered with the first result) and --expected-version=N
(refused unless the record is at version N). Flags may be written --name=value
or --name value. `watch` reconnects by itself; Ctrl-C stops it.

accounts (登录与账号)
  login <account> [--totp=CODE]      password from the terminal or stdin; writes the token file (0600)
  logout | whoami | passwd           passwd reads the old, then the new password
  totp enrol | totp confirm <code>   the account's own second factor
  totp code <secret>                 the current code of a secret (a local authenticator)
  account list | account create <id> --unit=UNIT [--name=..] [--service]   (initial password from stdin)
  account disable <id> | account enable <id> | account reset-password <id>   (system administrator)
  role grant <account> <role>[:scope,..] | role revoke <account> <role>     (security administrator)

global flags
  --addr=HOST:PORT   duband's address (env DUBAN_ADDR; default 127.0.0.1:7420)
  --token-file=PATH  the bearer token (env DUBAN_TOKEN_FILE; default ~/.config/duban/token);
                     env DUBAN_TOKEN gives the token itself
  --ca=PEM           TLS: the CA of duband's certificate (TLS is used when --ca is given)
  --cert=PEM --key=PEM   TLS: a client certificate (mutual TLS)
  --actor=NAME       optional; the logged-in account, or one it acts for (role act_for; env DUBAN_ACTOR)
  --json             print the response message as JSON
  --timeout=10s      deadline of each call (e.g. 500ms, 30s, 2m)

Task states: draft assigned accepted in_progress completion_requested completion_leader_review
completed archived extension_requested extension_leader_review suspended cancelled sent_back

Exit status: 0 ok, 1 the server refused or failed, 2 usage error, 3 server unreachable.
)";

// ---------------------------------------------------------------- errors

// A failed call: "dubanctl: CODE: message", exit 1 (3 for UNAVAILABLE).
struct RpcFailure {
  grpc::Status status;
};

// A local failure that is not a usage error (e.g. an unreadable file): exit 1.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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

// Reconnects at most a second apart (the default back-off grows to two
// minutes, too slow for `watch` to notice a restarted daemon).
std::string ReadFileOrThrow(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(flag + ": cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

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

  // Unit id -> name, from one ListUnits call per run. Unknown ids (or a
  // failed call) show as the id.
  std::string UnitName(const std::string& id) {
    if (!units_) {
      units_.emplace();
      v1::ListUnitsRequest req;
      v1::ListUnitsResponse resp;
      try {
        Call([&](grpc::ClientContext* c) { return org().ListUnits(c, req, &resp); });
        for (const auto& u : resp.units()) (*units_)[u.id()] = u.name();
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

// `one_line`: no whitespace (one object per line, for streams).
void PrintJson(const google::protobuf::Message& m, bool one_line = false) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.add_whitespace = !one_line;
  std::string out;
  auto s = google::protobuf::util::MessageToJsonString(m, &out, o);
  if (!s.ok()) throw Failure(absl::StrCat("cannot print JSON: ", s.ToString()));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::cout << out << '\n';
}

// ---------------------------------------------------------------- commands

using Operands = std::vector<std::string>;
using Handler = std::function<void(Client&, const Args&, const Operands&)>;

struct Command {
  std::string usage;                 // the line shown for usage errors
  std::vector<std::string> operands;  // names of the positional arguments
  std::set<std::string> flags;       // the command's own flags
  bool is_task_command = false;      // takes --comment, --request-id, --expected-version
  Handler run;
};

// ---- organisation

void UnitList(Client& c, const Args& a, const Operands&) {
  v1::ListUnitsRequest req;
  if (auto v = a.Get("category")) {
    req.set_category(static_cast<v1::UnitCategory>(
        ParseEnum(v1::UnitCategory_descriptor(), "UNIT_CATEGORY_", "category", *v)));
  }
  v1::ListUnitsResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.org().ListUnits(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "NAME", "CATEGORY", "ALIASES", "SECTORS"}, {0, 30, 0, 50, 40});
  for (const auto& u : resp.units()) {
    t.AddRow({u.id(), u.name(), CategoryName(u.category()), absl::StrJoin(u.aliases(), "\u3001"),
              absl::StrJoin(u.sectors(), "\u3001")});
  }
  t.Print(std::cout);
}

void UnitResolve(Client& c, const Args&, const Operands& ops) {
  v1::ResolveUnitRequest req;
  req.set_name(ops[0]);
  v1::ResolveUnitResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.org().ResolveUnit(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  if (resp.has_group()) {
    const auto& g = resp.group();
    std::cout << "group " << g.name() << " (" << g.id() << "), " << g.member_unit_ids_size() << " units";
    if (g.aliases_size() > 0) std::cout << "; aliases: " << absl::StrJoin(g.aliases(), "\u3001");
    std::cout << "\n";
  }
  Table t({"ID", "NAME", "CATEGORY", "ALIASES", "SECTORS"}, {0, 30, 0, 50, 40});
  for (const auto& u : resp.units()) {
    t.AddRow({u.id(), u.name(), CategoryName(u.category()), absl::StrJoin(u.aliases(), "\u3001"),
              absl::StrJoin(u.sectors(), "\u3001")});
  }
  t.Print(std::cout);
}

void PersonList(Client& c, const Args&, const Operands&) {
  v1::ListPeopleRequest req;
  v1::ListPeopleResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.org().ListPeople(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "NAME", "POSTS"}, {0, 20, 70});
  for (const auto& p : resp.people()) {
    std::vector<std::string> posts;
    for (const auto& post : p.posts()) {
      // Titles usually name their unit ("市科技局局长"); add it when they do not.
      std::string unit = post.unit_id().empty() ? "" : c.UnitName(post.unit_id());
      posts.push_back(unit.empty() || post.title().find(unit) != std::string::npos ? post.title()
                                                                                  : unit + post.title());
    }
    t.AddRow({p.id(), p.name(), absl::StrJoin(posts, "\uFF1B")});  // ；
  }
  t.Print(std::cout);
}

void LeadingGroupGet(Client& c, const Args&, const Operands& ops) {
  v1::GetLeadingGroupRequest req;
  req.set_plan_id(ops[0]);
  v1::LeadingGroup g;
  c.Call([&](grpc::ClientContext* ctx) { return c.org().GetLeadingGroup(ctx, req, &g); });
  if (c.opts().json) return PrintJson(g);
  auto people = [&](const google::protobuf::RepeatedPtrField<std::string>& ids) {
    std::vector<std::string> names;
    for (const auto& id : ids) names.push_back(c.PersonName(id));
    return absl::StrJoin(names, "\u3001");
  };
  KeyValues kv;
  kv.Add("ID", g.id());
  kv.Add("NAME", g.name());
  kv.AddIf("LEADER", c.PersonName(g.leader_person_id()));
  kv.AddIf("FIRST DEPUTY", c.PersonName(g.first_deputy_leader_person_id()));
  kv.AddWrapped("DEPUTIES", people(g.deputy_leader_person_ids()));
  kv.AddWrapped("MEMBERS", people(g.member_person_ids()));
  kv.AddWrapped("MEMBER UNITS", c.UnitNames(g.member_unit_ids()));
  if (!g.office_unit_id().empty()) kv.Add("OFFICE", c.UnitName(g.office_unit_id()));
  kv.AddIf("OFFICE DIRECTOR", c.PersonName(g.office_director_person_id()));
  kv.AddIf("OFFICE DEPUTY", c.PersonName(g.office_deputy_director_person_id()));
  kv.Print(std::cout);
}

void TaskForceList(Client& c, const Args& a, const Operands&) {
  v1::ListTaskForcesRequest req;
  req.set_plan_id(a.GetOr("plan", ""));
  v1::ListTaskForcesResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.org().ListTaskForces(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "CAMPAIGN", "NAME", "CONVENER", "OFFICE", "MEMBERS"}, {0, 0, 30, 0, 20, 50});
  for (const auto& f : resp.task_forces()) {
    std::vector<std::string> members;
    for (const auto& m : f.members()) members.push_back(c.UnitRefName(m));
    t.AddRow({f.id(), f.campaign_id(), f.name(), c.PersonName(f.convener_person_id()),
              f.office_unit_id().empty() ? "" : c.UnitName(f.office_unit_id()),
              absl::StrJoin(members, "\u3001")});
  }
  t.Print(std::cout);
}

// ---- plans

void PlanImport(Client& c, const Args& a, const Operands& ops) {
  std::ifstream in(ops[0], std::ios::binary);
  if (!in) throw Failure(absl::StrCat(ops[0], ": cannot read the file"));
  std::stringstream buf;
  buf << in.rdbuf();
  v1::ImportPlanRequest req;
  req.set_actor(c.opts().actor);
  req.set_file_name(ops[0]);
  req.set_yaml(buf.str());
  req.set_update(a.Bool("update"));
  req.set_dry_run(a.Bool("dry-run"));
  v1::ImportPlanResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.plans().ImportPlan(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  for (const auto& change : resp.changes()) std::cout << (req.dry_run() ? "would change: " : "changed: ") << change << "\n";
  if (req.dry_run()) {
    std::cout << "dry run: nothing written (" << resp.changes_size() << " change(s) to existing records)\n";
    return;
  }
  std::cout << "imported plan " << resp.plan().id() << " " << resp.plan().title() << ": " << resp.campaigns()
            << " campaigns, " << resp.tasks() << " tasks, " << resp.units() << " units, " << resp.task_forces()
            << " task forces\n";
}

// The directory --directory=daemon drafts against: the daemon's units, and
// ResolveUnit for a name they do not spell (groups, aliases).
void PlanDraftCmd(Client& c, const Args& a, const Operands& ops) {
  namespace pd = duban::plandraft;
  auto entry = [](const v1::Unit& u) {
    pd::DirectoryEntry e;
    e.id = u.id();
    e.name = u.name();
    std::string cat = CategoryName(u.category());
    e.category = cat.empty() ? "other" : cat;
    e.aliases.assign(u.aliases().begin(), u.aliases().end());
    e.sectors.assign(u.sectors().begin(), u.sectors().end());
    return e;
  };
  DaemonDirectory daemon;
  daemon.list_units = [&](std::string* jurisdiction) {
    v1::ListUnitsRequest req;
    v1::ListUnitsResponse resp;
    c.Call([&](grpc::ClientContext* ctx) { return c.org().ListUnits(ctx, req, &resp); });
    std::vector<pd::DirectoryEntry> out;
    for (const auto& u : resp.units()) {
      if (jurisdiction->empty()) *jurisdiction = u.jurisdiction_id();
      out.push_back(entry(u));
    }
    return out;
  };
  daemon.resolve = [&](const std::string& name) -> std::optional<pd::DirectoryEntry> {
    v1::ResolveUnitRequest req;
    req.set_name(name);
    v1::ResolveUnitResponse resp;
    grpc::ClientContext ctx;
    c.AddActor(&ctx);  // the session's token
    if (!c.org().ResolveUnit(&ctx, req, &resp).ok()) return std::nullopt;  // not a unit: the draft proposes one
    if (resp.has_group()) {
      pd::DirectoryEntry e;
      e.id = e.name = resp.group().name();
      e.group = true;
      return e;
    }
    if (resp.units_size() == 1) return entry(resp.units(0));
    return std::nullopt;
  };
  try {
    PlanDraft(a, ops[0], daemon);
  } catch (const UsageError&) {
    throw;
  } catch (const RpcFailure&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw Failure(e.what());
  }
}

void PlanList(Client& c, const Args&, const Operands&) {
  v1::ListPlansRequest req;
  v1::ListPlansResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.plans().ListPlans(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "YEAR", "DOCUMENT", "ISSUED", "CAMPAIGNS", "TITLE"}, {0, 0, 30, 0, 0, 40});
  for (const auto& p : resp.plans()) {
    t.AddRow({p.id(), p.year() ? std::to_string(p.year()) : "", p.document_no(), p.issued_date(),
              std::to_string(p.campaign_ids_size()), p.title()});
  }
  t.Print(std::cout);
}

void PlanGet(Client& c, const Args&, const Operands& ops) {
  v1::GetPlanRequest req;
  req.set_plan_id(ops[0]);
  v1::Plan p;
  c.Call([&](grpc::ClientContext* ctx) { return c.plans().GetPlan(ctx, req, &p); });
  if (c.opts().json) return PrintJson(p);
  KeyValues kv;
  kv.Add("ID", p.id());
  kv.AddWrapped("TITLE", p.title());
  kv.AddIf("DOCUMENT", p.document_no());
  if (p.year()) kv.Add("YEAR", std::to_string(p.year()));
  kv.AddIf("ISSUED", p.issued_date());
  kv.AddIf("JURISDICTION", p.jurisdiction_id());
  kv.AddIf("LEADING GROUP", p.leading_group_id());
  kv.AddWrapped("CAMPAIGNS", absl::StrJoin(p.campaign_ids(), " "));
  kv.Print(std::cout);
}

void CampaignList(Client& c, const Args& a, const Operands&) {
  v1::ListCampaignsRequest req;
  req.set_plan_id(a.GetOr("plan", ""));
  v1::ListCampaignsResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.plans().ListCampaigns(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "PLAN", "CODE", "LEAD", "TASKS", "TARGETS", "NAME"}, {0, 0, 0, 20, 0, 0, 40});
  for (const auto& k : resp.campaigns()) {
    t.AddRow({k.id(), k.plan_id(), k.code(), k.lead_unit_id().empty() ? "" : c.UnitName(k.lead_unit_id()),
              std::to_string(k.task_count()), std::to_string(k.targets_size()), k.name()});
  }
  t.Print(std::cout);
}

std::string Comparison(v1::TargetComparison k) {
  switch (k) {
    case v1::TARGET_COMPARISON_ABOUT: return "~";
    case v1::TARGET_COMPARISON_AT_LEAST: return ">=";
    case v1::TARGET_COMPARISON_AT_MOST: return "<=";
    case v1::TARGET_COMPARISON_EXACTLY: return "=";
    default: return "";
  }
}

void CampaignGet(Client& c, const Args&, const Operands& ops) {
  v1::GetCampaignRequest req;
  req.set_campaign_id(ops[0]);
  v1::Campaign k;
  c.Call([&](grpc::ClientContext* ctx) { return c.plans().GetCampaign(ctx, req, &k); });
  if (c.opts().json) return PrintJson(k);
  std::vector<std::string> resp;
  for (const auto& r : k.responsible()) resp.push_back(c.UnitRefName(r));
  KeyValues kv;
  kv.Add("ID", k.id());
  kv.Add("PLAN", k.plan_id());
  kv.Add("CODE", k.code());
  kv.AddWrapped("NAME", k.name());
  if (!k.lead_unit_id().empty()) kv.Add("LEAD", c.UnitName(k.lead_unit_id()));
  kv.AddWrapped("RESPONSIBLE", absl::StrJoin(resp, "\u3001"));
  kv.AddIf("TASK FORCE", k.task_force_id());
  kv.Add("TASKS", std::to_string(k.task_count()));
  kv.Print(std::cout);
  if (k.targets_size() == 0) return;
  std::cout << "\n";
  Table t({"CODE", "INDICATOR", "TARGET", "BASELINE", "DIRECTION", "NOTE"}, {0, 36, 0, 0, 0, 30});
  for (const auto& g : k.targets()) {
    std::string target = absl::StrCat(Comparison(g.comparison()), Comparison(g.comparison()).empty() ? "" : " ",
                                      Number(g.target_value()), g.unit_of_measure().empty() ? "" : " ",
                                      g.unit_of_measure());
    std::string dir = g.direction() == v1::TARGET_DIRECTION_UP     ? "up"
                      : g.direction() == v1::TARGET_DIRECTION_DOWN ? "down"
                                                                   : "";
    t.AddRow({g.code(), g.indicator(), target, g.has_baseline() ? Number(g.baseline()) : "", dir, g.note()});
  }
  t.Print(std::cout);
}

// ---- tasks

void PrintCommandResponse(Client& c, const v1::CommandResponse& r) {
  if (c.opts().json) return PrintJson(r);
  const v1::Task& t = r.task();
  std::string move = r.events_size() > 0
                         ? Transition(r.events(0).from_state(), r.events(r.events_size() - 1).to_state())
                         : StateName(t.state());
  std::cout << t.id() << "  " << move << "  (version " << t.version() << ")";
  if (r.replayed()) std::cout << "  (replayed)";
  std::cout << "\n";
}

// Runs a task command with the request's meta filled from the flags.
template <typename Req, typename Rpc>
void RunTaskCommand(Client& c, const Args& a, Req& req, Rpc rpc) {
  *req.mutable_meta() = c.Meta(a);
  v1::CommandResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return (c.tasks().*rpc)(ctx, req, &resp); });
  PrintCommandResponse(c, resp);
}

void TaskCreate(Client& c, const Args& a, const Operands&) {
  v1::CreateTaskRequest req;
  req.set_campaign_id(a.Require("campaign"));
  req.set_code(a.Require("code"));
  req.set_title(a.Require("title"));
  std::vector<std::string> lead = a.List("lead");
  if (lead.empty()) throw UsageError("--lead: required");
  for (const auto& u : lead) req.add_lead_units(u);
  for (const auto& u : a.List("responsible")) req.add_responsible_units(u);
  req.set_due_date(a.Require("due"));
  CheckDate("due", req.due_date());
  req.set_text(a.GetOr("text", ""));
  req.set_lead_leader(a.GetOr("lead-leader", ""));
  req.set_responsible_person(a.GetOr("responsible-person", ""));
  if (auto v = a.Get("list-kind")) {
    req.set_list_kind(static_cast<v1::ListKind>(ParseEnum(v1::ListKind_descriptor(), "LIST_KIND_", "list-kind", *v)));
  }
  for (const auto& m : a.All("milestone")) {
    size_t colon = m.find(':');
    if (colon == std::string::npos) throw UsageError("--milestone: '" + m + "' is not YYYY-MM-DD:TITLE");
    v1::Milestone* ms = req.add_milestones();
    ms->set_due_date(m.substr(0, colon));
    ms->set_title(m.substr(colon + 1));
    CheckDate("milestone", ms->due_date());
  }
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::CreateTask);
}

template <auto Rpc>
void TaskRefCommand(Client& c, const Args& a, const Operands& ops) {
  v1::TaskRef req;
  req.set_task_id(ops[0]);
  RunTaskCommand(c, a, req, Rpc);
}

template <auto Rpc>
void ReasonCommand(Client& c, const Args& a, const Operands& ops) {
  v1::ReasonRequest req;
  req.set_task_id(ops[0]);
  req.set_reason(a.Require("reason"));
  RunTaskCommand(c, a, req, Rpc);
}

void TaskTransfer(Client& c, const Args& a, const Operands& ops) {
  v1::TransferTaskRequest req;
  req.set_task_id(ops[0]);
  std::vector<std::string> lead = a.List("lead");
  if (lead.empty()) throw UsageError("--lead: required");
  for (const auto& u : lead) req.add_lead_units(u);
  for (const auto& u : a.List("responsible")) req.add_responsible_units(u);
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::TransferTask);
}

// "产值=12.5亿元" -> {产值, 12.5, 亿元}.
v1::IndicatorValue ParseIndicator(const std::string& s) {
  size_t eq = s.find('=');
  auto bad = [&] { return UsageError("--indicator: '" + s + "' is not NAME=VALUE[UNIT]"); };
  if (eq == std::string::npos || eq == 0) throw bad();
  std::string rest = s.substr(eq + 1);
  size_t i = 0;
  if (i < rest.size() && (rest[i] == '-' || rest[i] == '+')) ++i;
  size_t digits = 0;
  while (i < rest.size() && (absl::ascii_isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.')) {
    if (rest[i] != '.') ++digits;
    ++i;
  }
  if (digits == 0) throw bad();
  std::string num = rest.substr(0, i);
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size()) throw bad();
  v1::IndicatorValue out;
  out.set_indicator(std::string(absl::StripAsciiWhitespace(s.substr(0, eq))));
  out.set_value(v);
  out.set_unit_of_measure(std::string(absl::StripAsciiWhitespace(rest.substr(i))));
  return out;
}

void TaskReport(Client& c, const Args& a, const Operands& ops) {
  v1::ReportProgressRequest req;
  req.set_task_id(ops[0]);
  v1::ProgressReport* r = req.mutable_report();
  r->set_work_done(a.GetOr("work-done", ""));
  r->set_progress(a.GetOr("progress", ""));
  r->set_highlights(a.GetOr("highlights", ""));
  r->set_difficulties(a.GetOr("difficulties", ""));
  r->set_requests(a.GetOr("requests", ""));
  if (r->work_done().empty() && r->progress().empty()) throw UsageError("--work-done: required (or --progress)");
  for (const auto& s : a.All("indicator")) *r->add_indicator_values() = ParseIndicator(s);
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::ReportProgress);
}

// --approve or --<no_flag> --reason=R.
v1::ReviewRequest Decision(const Args& a, const std::string& task_id, const std::string& no_flag) {
  bool yes = a.Bool("approve"), no = a.Bool(no_flag);
  if (yes == no) throw UsageError("give either --approve or --" + no_flag + " --reason=R");
  v1::ReviewRequest req;
  req.set_task_id(task_id);
  req.set_decision(yes ? v1::REVIEW_DECISION_APPROVE : v1::REVIEW_DECISION_RETURN);
  if (no) {
    req.set_reason(a.Require("reason"));
  } else {
    req.set_reason(a.GetOr("reason", ""));
  }
  return req;
}

void TaskReview(Client& c, const Args& a, const Operands& ops) {
  v1::ReviewRequest req = Decision(a, ops[0], "return");
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::ReviewCompletion);
}

void TaskDecideExtension(Client& c, const Args& a, const Operands& ops) {
  v1::ReviewRequest req = Decision(a, ops[0], "deny");
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::DecideExtension);
}

void TaskRequestExtension(Client& c, const Args& a, const Operands& ops) {
  v1::RequestExtensionRequest req;
  req.set_task_id(ops[0]);
  req.set_new_due_date(a.Require("due"));
  CheckDate("due", req.new_due_date());
  req.set_reason(a.Require("reason"));
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::RequestExtension);
}

void TaskGet(Client& c, const Args&, const Operands& ops) {
  v1::GetTaskRequest req;
  req.set_task_id(ops[0]);
  v1::Task t;
  c.Call([&](grpc::ClientContext* ctx) { return c.tasks().GetTask(ctx, req, &t); });
  if (c.opts().json) return PrintJson(t);
  KeyValues kv;
  kv.Add("ID", t.id());
  kv.Add("CODE", t.code());
  kv.AddWrapped("TITLE", t.title());
  std::string state = StateName(t.state());
  if (t.resume_state() != v1::TASK_STATE_UNSPECIFIED) absl::StrAppend(&state, " (resumes to ", StateName(t.resume_state()), ")");
  kv.Add("STATE", state);
  kv.Add("VERSION", std::to_string(t.version()));
  kv.Add("PLAN", t.plan_id());
  kv.Add("CAMPAIGN", t.campaign_id());
  kv.AddIf("LIST KIND", ListKindName(t.list_kind()));
  kv.AddWrapped("LEAD", c.UnitNames(t.lead_unit_ids()) + (t.lead_basis_inferred() ? " (inferred)" : ""));
  if (t.responsible_unit_ids_size() > 0) kv.AddWrapped("RESPONSIBLE", c.UnitNames(t.responsible_unit_ids()));
  kv.AddIf("LEAD LEADER", t.lead_leader());
  kv.AddIf("RESPONSIBLE PERSON", t.responsible_person());
  kv.Add("DUE", t.due_date() + (t.overdue() ? "  ! overdue" : ""));
  kv.AddIf("WARNING", WarningName(t.warning_level()));
  if (t.milestones_size() > 0) {
    std::vector<std::string> ms;
    for (const auto& m : t.milestones()) ms.push_back(absl::StrCat(m.done() ? "[x] " : "[ ] ", m.due_date(), " ", m.title()));
    kv.Add("MILESTONES", absl::StrJoin(ms, "\n"));
  }
  kv.AddIf("CREATED", Minutes(t.created_at()));
  kv.AddIf("UPDATED", Minutes(t.updated_at()));
  if (t.return_count() > 0) kv.Add("RETURNS", std::to_string(t.return_count()));
  kv.AddWrapped("LAST REASON", t.last_reason());
  if (t.report_count() > 0) {
    kv.Add("REPORTS", absl::StrCat(t.report_count(), ", last ", Minutes(t.last_report_at())));
    const auto& r = t.last_report();
    std::vector<std::string> lines;
    auto part = [&](const char* label, const std::string& v) {
      if (v.empty()) return;
      for (const auto& l : Wrap(absl::StrCat(label, ": ", v), 70)) lines.push_back(l);
    };
    part("work done", r.work_done());
    part("progress", r.progress());
    part("highlights", r.highlights());
    part("difficulties", r.difficulties());
    part("requests", r.requests());
    for (const auto& iv : r.indicator_values()) {
      lines.push_back(absl::StrCat("indicator: ", iv.indicator(), " = ", Number(iv.value()),
                                   iv.unit_of_measure().empty() ? "" : " ", iv.unit_of_measure()));
    }
    kv.Add("LAST REPORT", absl::StrJoin(lines, "\n"));
  }
  if (t.has_pending_extension()) {
    const auto& e = t.pending_extension();
    kv.AddWrapped("PENDING EXTENSION",
                  absl::StrCat("to ", e.requested_due_date(), e.requested_by().empty() ? "" : ", asked by ",
                               e.requested_by(), e.reason().empty() ? "" : ": ", e.reason()));
  }
  kv.AddWrapped("TEXT", t.text());
  kv.Print(std::cout);
}

void TaskHistory(Client& c, const Args&, const Operands& ops) {
  v1::HistoryRequest req;
  req.set_task_id(ops[0]);
  v1::HistoryResponse resp;
  // Every page, in order.
  while (true) {
    v1::HistoryResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.tasks().History(ctx, req, &page); });
    for (auto& e : *page.mutable_events()) *resp.add_events() = std::move(e);
    if (page.next_after_version() == 0) break;
    req.set_after_version(page.next_after_version());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"VERSION", "AT", "ACTOR", "COMMAND", "FROM\u2192TO", "REASON/COMMENT"}, {0, 0, 20, 0, 0, 50});
  for (const auto& e : resp.events()) {
    std::string cmd = CommandName(e.command());
    bool review = e.command() == v1::TASK_COMMAND_APPROVE_COMPLETION ||
                  e.command() == v1::TASK_COMMAND_RETURN_COMPLETION ||
                  e.command() == v1::TASK_COMMAND_APPROVE_EXTENSION || e.command() == v1::TASK_COMMAND_DENY_EXTENSION;
    if (review && e.review_step() == 1) cmd += " (office)";
    if (review && e.review_step() == 2) cmd += " (leader)";
    if (e.command() == v1::TASK_COMMAND_WARNING) {
      std::string level = WarningName(e.warning_level());
      cmd += " \u2192 " + (level.empty() ? std::string("none") : level);
    }
    std::vector<std::string> notes;
    if (!e.reason().empty()) notes.push_back(e.reason());
    if (!e.comment().empty()) notes.push_back(e.comment());
    if (e.command() == v1::TASK_COMMAND_TRANSFER && e.unit_ids_size() > 0) {
      notes.push_back("to " + c.UnitNames(e.unit_ids()));
    }
    if (!e.due_date().empty() && e.command() != v1::TASK_COMMAND_CREATE) notes.push_back("due " + e.due_date());
    if (e.has_report()) {
      notes.push_back("report: " + (e.report().work_done().empty() ? e.report().progress() : e.report().work_done()));
    }
    t.AddRow({std::to_string(e.version()), Minutes(e.at()), e.actor(), cmd, Transition(e.from_state(), e.to_state()),
              absl::StrJoin(notes, " / ")});
  }
  t.Print(std::cout);
}

void TaskList(Client& c, const Args& a, const Operands&) {
  v1::ListTasksRequest req;
  req.set_plan_id(a.GetOr("plan", ""));
  req.set_campaign_id(a.GetOr("campaign", ""));
  req.set_unit(a.GetOr("unit", ""));
  if (auto v = a.Get("state")) {
    req.set_state(static_cast<v1::TaskState>(ParseEnum(v1::TaskState_descriptor(), "TASK_STATE_", "state", *v)));
  }
  if (auto v = a.Get("due-before")) {
    CheckDate("due-before", *v);
    req.set_due_before(*v);
  }
  if (auto v = a.Get("due-after")) {
    CheckDate("due-after", *v);
    req.set_due_after(*v);
  }
  req.set_overdue_only(a.Bool("overdue"));
  if (auto v = a.Int("page-size")) req.set_page_size(*v);
  req.set_page_token(a.GetOr("page-token", ""));
  bool all = a.Bool("all");

  v1::ListTasksResponse total;
  while (true) {
    v1::ListTasksResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.tasks().ListTasks(ctx, req, &page); });
    for (auto& t : *page.mutable_tasks()) *total.add_tasks() = std::move(t);
    total.set_next_page_token(page.next_page_token());
    if (!all || page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (c.opts().json) return PrintJson(total);
  Table t({"ID", "CODE", "STATE", "DUE", "OVERDUE", "WARN", "LEAD", "TITLE"}, {0, 0, 0, 0, 0, 0, 24, 40});
  for (const auto& k : total.tasks()) {
    t.AddRow({k.id(), k.code(), StateName(k.state()), k.due_date(), k.overdue() ? "!" : "",
              WarningName(k.warning_level()), c.UnitNames(k.lead_unit_ids()), k.title()});
  }
  t.Print(std::cout);
  if (!total.next_page_token().empty()) {
    std::cout.flush();
    std::cerr << "more tasks: --page-token=" << total.next_page_token() << " (or --all)\n";
  }
}

// ---- reporting cadence

// One page (--page-token continues), or every page with --all.
void ObligationList(Client& c, const Args& a, const Operands&) {
  v1::ListObligationsRequest req;
  req.set_unit(a.GetOr("unit", ""));
  req.set_rule_id(a.GetOr("rule", ""));
  if (auto v = a.Get("state")) {
    req.set_state(static_cast<v1::ObligationState>(
        ParseEnum(v1::ObligationState_descriptor(), "OBLIGATION_STATE_", "state", *v)));
  }
  if (auto v = a.Get("from")) {
    CheckDate("from", *v);
    req.set_period_from(*v);
  }
  if (auto v = a.Get("to")) {
    CheckDate("to", *v);
    req.set_period_to(*v);
  }
  if (auto v = a.Int("page-size")) req.set_page_size(*v);
  req.set_page_token(a.GetOr("page-token", ""));
  bool all = a.Bool("all");

  v1::ListObligationsResponse total;
  while (true) {
    v1::ListObligationsResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.reports().ListObligations(ctx, req, &page); });
    for (auto& o : *page.mutable_obligations()) *total.add_obligations() = std::move(o);
    total.set_next_page_token(page.next_page_token());
    if (!all || page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (c.opts().json) return PrintJson(total);
  Table t({"ID", "RULE", "PERIOD", "UNIT", "DEADLINE", "STATE", "LATE", "URGES"}, {0, 20, 0, 20, 0, 0, 0, 0});
  for (const auto& o : total.obligations()) {
    t.AddRow({o.id(), o.rule_name().empty() ? o.rule_id() : o.rule_name(), o.period_label(), c.UnitName(o.unit_id()),
              Minutes(o.deadline()), ObligationStateName(o.state()), o.submitted_late() ? "late" : "",
              o.urges() > 0 ? std::to_string(o.urges()) : ""});
  }
  t.Print(std::cout);
  if (!total.next_page_token().empty()) {
    std::cout.flush();
    std::cerr << "more obligations: --page-token=" << total.next_page_token() << " (or --all)\n";
  }
}

void ObligationGet(Client& c, const Args&, const Operands& ops) {
  v1::GetObligationRequest req;
  req.set_obligation_id(ops[0]);
  v1::Obligation o;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().GetObligation(ctx, req, &o); });
  if (c.opts().json) return PrintJson(o);
  KeyValues kv;
  kv.Add("ID", o.id());
  kv.Add("RULE", o.rule_name().empty() ? o.rule_id() : absl::StrCat(o.rule_name(), " (", o.rule_id(), ")"));
  kv.AddWrapped("WHAT", o.what());
  kv.Add("UNIT", c.UnitName(o.unit_id()));
  if (!o.subject_id().empty() && o.subject_id() != o.unit_id()) kv.Add("FOR", o.subject_id());
  if (!o.recipient_unit_id().empty()) kv.Add("TO", c.UnitName(o.recipient_unit_id()));
  std::string period = o.period_label();
  if (!o.period_start().empty()) {
    absl::StrAppend(&period, "  (", o.period_start(), o.period_end() == o.period_start() ? "" : " \u2013 ",
                    o.period_end() == o.period_start() ? "" : o.period_end(), ")");
  }
  kv.Add("PERIOD", period);
  kv.Add("DEADLINE", Minutes(o.deadline()));
  kv.AddWrapped("DEADLINE NOTE", o.deadline_note());
  kv.Add("STATE", ObligationStateName(o.state()));
  kv.Add("VERSION", std::to_string(o.version()));
  if (o.urges() > 0) kv.Add("URGES", std::to_string(o.urges()));
  if (IsSet(o.submitted_at())) kv.Add("SUBMITTED", Minutes(o.submitted_at()) + (o.submitted_late() ? "  (late)" : ""));
  kv.AddWrapped("LAST REASON", o.last_reason());
  kv.AddWrapped("REPORT", o.report_text());
  kv.Print(std::cout);
}

void ObligationHistory(Client& c, const Args&, const Operands& ops) {
  v1::ObligationHistoryRequest req;
  req.set_obligation_id(ops[0]);
  v1::ObligationHistoryResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().ObligationHistory(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"VERSION", "AT", "ACTOR", "EVENT", "FROM\u2192TO", "LATE", "TEXT"}, {0, 0, 20, 0, 0, 0, 50});
  for (const auto& e : resp.events()) {
    std::string from = e.from_state() == v1::OBLIGATION_STATE_UNSPECIFIED ? "new" : ObligationStateName(e.from_state());
    t.AddRow({std::to_string(e.version()), Minutes(e.at()), e.actor(), e.kind(),
              absl::StrCat(from, " \u2192 ", ObligationStateName(e.to_state())), e.late() ? "late" : "", e.text()});
  }
  t.Print(std::cout);
}

// "ID  pending → submitted  (version 2)": the from state is read from the
// event the command wrote (its version is the obligation's).
void PrintObligationResult(Client& c, const v1::Obligation& o) {
  if (c.opts().json) return PrintJson(o);
  std::string move = ObligationStateName(o.state());
  v1::ObligationHistoryRequest req;
  req.set_obligation_id(o.id());
  v1::ObligationHistoryResponse h;
  if (c.TryCall([&](grpc::ClientContext* ctx) { return c.reports().ObligationHistory(ctx, req, &h); }).ok()) {
    for (const auto& e : h.events()) {
      if (e.version() == o.version()) {
        move = absl::StrCat(ObligationStateName(e.from_state()), " \u2192 ", ObligationStateName(e.to_state()));
      }
    }
  }
  std::cout << o.id() << "  " << move << "  (version " << o.version() << ")";
  if (o.state() == v1::OBLIGATION_STATE_SUBMITTED && o.submitted_late()) std::cout << "  (late)";
  std::cout << "\n";
}

void ObligationSubmit(Client& c, const Args& a, const Operands& ops) {
  v1::SubmitReportRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_obligation_id(ops[0]);
  req.set_text(a.Require("text"));
  v1::Obligation o;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().SubmitReport(ctx, req, &o); });
  PrintObligationResult(c, o);
}

template <bool kAccept>
void ObligationReview(Client& c, const Args& a, const Operands& ops) {
  v1::ReviewReportRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_obligation_id(ops[0]);
  req.set_decision(kAccept ? v1::REVIEW_DECISION_APPROVE : v1::REVIEW_DECISION_RETURN);
  req.set_reason(kAccept ? a.GetOr("reason", "") : a.Require("reason"));
  v1::Obligation o;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().ReviewReport(ctx, req, &o); });
  PrintObligationResult(c, o);
}

std::string Percent(int part, int whole) {
  if (whole <= 0) return "";
  return absl::StrFormat("%.0f%%", 100.0 * part / whole);
}

void ScoreGet(Client& c, const Args&, const Operands& ops) {
  v1::GetUnitScoreRequest req;
  req.set_unit(ops[0]);
  v1::UnitScore s;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().GetUnitScore(ctx, req, &s); });
  if (c.opts().json) return PrintJson(s);
  KeyValues kv;
  kv.Add("UNIT", absl::StrCat(c.UnitName(s.unit_id()), " (", s.unit_id(), ")"));
  kv.Add("DUE", std::to_string(s.due()));
  kv.Add("ON TIME", absl::StrCat(s.on_time(), s.due() > 0 ? absl::StrCat("  (", Percent(s.on_time(), s.due()), ")") : ""));
  kv.Add("MISSED", std::to_string(s.missed()));
  kv.Add("LATE", std::to_string(s.late_submissions()));
  kv.Add("RETURNED", std::to_string(s.returned()));
  kv.Add("URGES", std::to_string(s.urges()));
  kv.Print(std::cout);
}

void ScoreList(Client& c, const Args&, const Operands&) {
  v1::ListUnitScoresRequest req;
  v1::ListUnitScoresResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().ListUnitScores(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"UNIT", "DUE", "ON TIME", "%", "MISSED", "LATE", "RETURNED", "URGES"}, {24, 0, 0, 0, 0, 0, 0, 0});
  for (const auto& s : resp.scores()) {
    t.AddRow({c.UnitName(s.unit_id()), std::to_string(s.due()), std::to_string(s.on_time()),
              Percent(s.on_time(), s.due()), std::to_string(s.missed()), std::to_string(s.late_submissions()),
              std::to_string(s.returned()), std::to_string(s.urges())});
  }
  t.Print(std::cout);
}

// ---- the monthly bulletin

void Bulletin(Client& c, const Args&, const Operands& ops) {
  v1::MonthlyBulletinRequest req;
  req.set_period(ops[0]);
  v1::Bulletin b;
  c.Call([&](grpc::ClientContext* ctx) { return c.bulletins().MonthlyBulletin(ctx, req, &b); });
  if (c.opts().json) return PrintJson(b);
  std::cout << "月通报 " << b.period() << "\n"
            << "tasks: " << b.tasks_total() << ", completed " << b.tasks_completed() << ", overdue "
            << b.tasks_overdue() << "\n"
            << "reports due: " << b.obligations_due() << ", on time " << b.obligations_on_time() << " ("
            << Percent(b.obligations_on_time(), b.obligations_due()) << ")\n\n";
  Table t({"UNIT", "OVERDUE", "RED", "YELLOW", "MISSED", "LATE", "SUPERVISION", "CASES"}, {24, 0, 0, 0, 0, 0, 0, 0});
  for (const auto& u : b.units()) {
    std::string sup = u.open_supervision() == 0 ? ""
                                                : absl::StrCat(u.open_supervision(), " (L", u.top_supervision_level(), ")");
    t.AddRow({u.unit_name(), std::to_string(u.overdue_tasks()), std::to_string(u.red_tasks()),
              std::to_string(u.yellow_tasks()),
              absl::StrCat(u.obligations_missed(), "/", u.obligations_due()), std::to_string(u.submitted_late()), sup,
              std::to_string(u.accountability_cases())});
  }
  t.Print(std::cout);
  if (b.cases_size() > 0) {
    std::cout << "\n";
    Table ct({"CASE", "UNIT", "ACTION", "BY", "REASON"}, {0, 24, 0, 0, 60});
    for (const auto& k : b.cases()) {
      ct.AddRow({k.id(), c.UnitName(k.unit_id()), k.action_name(), k.by_role(), k.reason()});
    }
    ct.Print(std::cout);
  }
}

// ---- notifications

uint64_t ParseSeq(const std::string& operand, const std::string& v) {
  uint64_t n = 0;
  if (!absl::SimpleAtoi(v, &n) || n == 0) throw UsageError("<" + operand + ">: '" + v + "' is not a positive number");
  return n;
}

void NotificationList(Client& c, const Args& a, const Operands& ops) {
  v1::ListNotificationsRequest req;
  req.set_recipient(ops[0]);
  if (auto v = a.Uint("after")) req.set_after_seq(*v);
  if (auto v = a.Int("limit")) req.set_limit(*v);
  v1::ListNotificationsResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.notifications().ListNotifications(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"SEQ", "AT", "KIND", "LATE", "SUBJECT", "TITLE"}, {0, 0, 0, 0, 0, 60});
  for (const auto& n : resp.notifications()) {
    std::string kind = NotificationKindName(n.kind());
    if (n.warning_level() != v1::WARNING_LEVEL_NONE) absl::StrAppend(&kind, " (", WarningName(n.warning_level()), ")");
    t.AddRow({std::to_string(n.seq()), Minutes(n.created_at()), kind, n.late() ? "late" : "", n.subject_id(),
              n.title()});
  }
  t.Print(std::cout);
}

void NotificationAck(Client& c, const Args&, const Operands& ops) {
  v1::AckRequest req;
  req.set_recipient(ops[0]);
  req.set_seq(ParseSeq("seq", ops[1]));
  v1::AckResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.notifications().Ack(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  std::cout << ops[0] << ": acknowledged up to #" << resp.acked_seq() << "\n";
}

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void OnInterrupt(int) { g_interrupted = 1; }

// Stops and reconnects are decided here: the stream is cancelled from a
// helper thread on Ctrl-C / SIGTERM or when --for runs out.
void Watch(Client& c, const Args& a, const Operands& ops) {
  const std::string recipient = ops[0];
  std::optional<uint64_t> after = a.Uint("after");
  bool ack = a.Bool("ack");
  std::optional<uint64_t> count = a.Uint("count");
  if (count && *count == 0) throw UsageError("--count: must be at least 1");
  std::optional<absl::Time> end;
  if (auto v = a.Get("for")) {
    absl::Duration d;
    if (!absl::ParseDuration(*v, &d) || d <= absl::ZeroDuration()) {
      throw UsageError("--for: '" + *v + "' is not a positive duration (e.g. 30s, 5m)");
    }
    end = absl::Now() + d;
  }

  // One quick call first: an unknown recipient fails (exit 1) and an
  // unreachable daemon exits 3, as for every other command.
  {
    v1::ListNotificationsRequest req;
    req.set_recipient(recipient);
    req.set_after_seq(after.value_or(0));
    req.set_limit(1);
    v1::ListNotificationsResponse resp;
    c.Call([&](grpc::ClientContext* ctx) { return c.notifications().ListNotifications(ctx, req, &resp); });
  }

  struct sigaction sa {}, old_int{}, old_term{};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  std::atomic<bool> done{false};  // --count reached
  auto finished = [&] { return done.load() || g_interrupted != 0 || (end && absl::Now() >= *end); };
  std::mutex mu;
  grpc::ClientContext* current = nullptr;  // the open stream, guarded by mu
  std::atomic<bool> exiting{false};
  std::thread canceller([&] {
    while (!exiting.load()) {
      if (finished()) {
        std::lock_guard<std::mutex> l(mu);
        if (current) current->TryCancel();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  uint64_t last = after.value_or(0);  // resume after this; 0 = the recipient's ack cursor
  uint64_t printed = 0;
  uint64_t unacked = 0;  // the last printed seq whose Ack failed
  bool announced = false;
  std::optional<grpc::Status> failure;
  auto do_ack = [&](uint64_t seq) {
    v1::AckRequest req;
    req.set_recipient(recipient);
    req.set_seq(seq);
    v1::AckResponse resp;
    grpc::Status s = c.TryCall([&](grpc::ClientContext* ctx) { return c.notifications().Ack(ctx, req, &resp); });
    if (s.ok()) {
      unacked = 0;
    } else {
      unacked = seq;
      std::cerr << "dubanctl: watch: ack #" << seq << ": " << CodeName(s.error_code()) << ": " << s.error_message()
                << "\n";
    }
  };

  while (!finished()) {
    grpc::ClientContext ctx;
    c.AddActor(&ctx);
    {
      std::lock_guard<std::mutex> l(mu);
      current = &ctx;
    }
    absl::Time started = absl::Now();
    v1::WatchRequest req;
    req.set_recipient(recipient);
    req.set_after_seq(last);
    auto reader = c.notifications().Watch(&ctx, req);
    v1::Notification n;
    bool got = false;
    while (reader->Read(&n)) {
      got = true;
      if (last != 0 && n.seq() <= last) continue;  // already printed
      if (c.opts().json) {
        PrintJson(n, /*one_line=*/true);
      } else {
        std::string kind = NotificationKindName(n.kind());
        if (n.warning_level() != v1::WARNING_LEVEL_NONE) absl::StrAppend(&kind, " (", WarningName(n.warning_level()), ")");
        std::cout << "#" << n.seq() << "  " << Minutes(n.created_at()) << "  " << kind << "  " << OneLine(n.title())
                  << (n.late() ? " (late)" : "") << "\n";
      }
      std::cout.flush();
      last = n.seq();
      ++printed;
      if (ack) do_ack(n.seq());
      if (count && printed >= *count) {
        done = true;
        ctx.TryCancel();
        break;
      }
    }
    grpc::Status s = reader->Finish();
    {
      std::lock_guard<std::mutex> l(mu);
      current = nullptr;
    }
    if (finished()) break;
    // The stream ended without being asked to: the daemon stopped or the
    // connection dropped. Anything else (a bad recipient) is final.
    switch (s.error_code()) {
      case grpc::StatusCode::OK:
      case grpc::StatusCode::UNAVAILABLE:
      case grpc::StatusCode::CANCELLED:
      case grpc::StatusCode::UNKNOWN:
      case grpc::StatusCode::INTERNAL:
        break;
      default:
        failure = s;
        break;
    }
    if (failure) break;
    if (got || absl::Now() - started > absl::Seconds(2)) announced = false;
    if (!announced) {
      std::cerr << "dubanctl: watch: connection lost ("
                << (s.ok() ? std::string("the daemon ended the stream")
                           : absl::StrCat(CodeName(s.error_code()), ": ", s.error_message()))
                << "); reconnecting every second, resuming after #" << last << "\n";
      announced = true;
    }
    for (int i = 0; i < 20 && !finished(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (ack && unacked != 0) do_ack(unacked);
  exiting = true;
  canceller.join();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (failure) throw RpcFailure{*failure};
}

// ---- supervision (督办)

std::string SupervisionStateName(v1::SupervisionState s) {
  if (s == v1::SUPERVISION_STATE_UNSPECIFIED) return "-";
  return Short(v1::SupervisionState_Name(s), "SUPERVISION_STATE_");
}
std::string SubjectKindName(v1::SupervisionSubjectKind k) {
  if (k == v1::SUPERVISION_SUBJECT_UNSPECIFIED) return "";
  return Short(v1::SupervisionSubjectKind_Name(k), "SUPERVISION_SUBJECT_");
}

std::string ItemSubject(const v1::SupervisionItem& i) {
  if (i.subject_id().empty()) return SubjectKindName(i.subject_kind());
  return absl::StrCat(SubjectKindName(i.subject_kind()), " ", i.subject_id());
}

void SupervisionList(Client& c, const Args& a, const Operands&) {
  v1::ListSupervisionRequest req;
  req.set_subject_id(a.GetOr("subject", ""));
  if (auto v = a.Int("level")) req.set_level(*v);
  if (auto v = a.Get("state")) {
    req.set_state(static_cast<v1::SupervisionState>(
        ParseEnum(v1::SupervisionState_descriptor(), "SUPERVISION_STATE_", "state", *v)));
  }
  req.set_unit(a.GetOr("unit", ""));
  req.set_overdue_only(a.Bool("overdue"));
  v1::ListSupervisionResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().ListSupervision(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "LEVEL", "STATE", "SUBJECT", "UNIT", "DEADLINE", "OVERDUE", "TITLE"}, {0, 0, 0, 0, 20, 0, 0, 40});
  for (const auto& i : resp.items()) {
    t.AddRow({i.id(), std::to_string(i.level()), SupervisionStateName(i.state()), ItemSubject(i),
              i.responsible_unit_id().empty() ? "" : c.UnitName(i.responsible_unit_id()), i.deadline(),
              i.overdue() ? "!" : "", i.title()});
  }
  t.Print(std::cout);
}

void SupervisionGet(Client& c, const Args&, const Operands& ops) {
  v1::GetSupervisionRequest req;
  req.set_item_id(ops[0]);
  v1::SupervisionItem i;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().GetSupervision(ctx, req, &i); });
  if (c.opts().json) return PrintJson(i);
  KeyValues kv;
  kv.Add("ID", i.id());
  kv.AddWrapped("TITLE", i.title());
  kv.Add("SUBJECT", ItemSubject(i));
  kv.Add("LEVEL", std::to_string(i.level()));
  kv.Add("STATE", SupervisionStateName(i.state()));
  kv.Add("VERSION", std::to_string(i.version()));
  if (!i.responsible_unit_id().empty()) kv.Add("UNIT", c.UnitName(i.responsible_unit_id()));
  kv.AddIf("PERSON", i.responsible_person());
  kv.Add("DEADLINE", i.deadline() + (i.overdue() ? "  ! overdue" : ""));
  kv.AddWrapped("HAZARD LIST", i.hazard_list());
  kv.AddWrapped("TARGET", i.rectification_target());
  kv.AddWrapped("MEASURES", i.measures());
  if (i.inspection_cycle_days() > 0) kv.Add("CYCLE", absl::StrCat(i.inspection_cycle_days(), " days"));
  kv.AddIf("LISTED BY", i.listed_by());
  kv.AddIf("RULE", i.rule_id());
  kv.AddWrapped("LAST REPORT", i.last_report());
  if (i.reopen_count() > 0) kv.Add("REOPENED", std::to_string(i.reopen_count()));
  kv.AddIf("LOOK-BACK", i.lookback_date());
  kv.AddIf("CREATED", Minutes(i.created_at()));
  kv.AddIf("UPDATED", Minutes(i.updated_at()));
  kv.Print(std::cout);
}

std::string LevelMove(int from, int to) {
  if (from == to) return "";
  return absl::StrCat("level ", from == 0 ? std::string("new") : std::to_string(from), " \u2192 ", to);
}

void SupervisionHistory(Client& c, const Args&, const Operands& ops) {
  v1::SupervisionHistoryRequest req;
  req.set_item_id(ops[0]);
  v1::SupervisionHistoryResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().History(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"VERSION", "AT", "ACTOR", "EVENT", "FROM\u2192TO", "LEVEL", "TEXT"}, {0, 0, 20, 0, 0, 0, 50});
  for (const auto& e : resp.events()) {
    std::string from = e.from_state() == v1::SUPERVISION_STATE_UNSPECIFIED ? "new" : SupervisionStateName(e.from_state());
    t.AddRow({std::to_string(e.version()), Minutes(e.at()), e.actor(), e.kind(),
              absl::StrCat(from, " \u2192 ", SupervisionStateName(e.to_state())), LevelMove(e.from_level(), e.to_level()),
              e.text()});
  }
  t.Print(std::cout);
}

// "S1  listed → rectifying  (version 2)", read from the event the command wrote.
void PrintSupervisionResult(Client& c, const v1::SupervisionItem& i) {
  if (c.opts().json) return PrintJson(i);
  std::string move = SupervisionStateName(i.state());
  std::string level;
  v1::SupervisionHistoryRequest req;
  req.set_item_id(i.id());
  v1::SupervisionHistoryResponse h;
  if (c.TryCall([&](grpc::ClientContext* ctx) { return c.supervision().History(ctx, req, &h); }).ok()) {
    for (const auto& e : h.events()) {
      if (e.version() != i.version()) continue;
      std::string from =
          e.from_state() == v1::SUPERVISION_STATE_UNSPECIFIED ? "new" : SupervisionStateName(e.from_state());
      move = absl::StrCat(e.kind(), ": ", from, " \u2192 ", SupervisionStateName(e.to_state()));
      level = LevelMove(e.from_level(), e.to_level());
    }
  }
  std::cout << i.id() << "  " << move << "  (version " << i.version() << ")";
  std::cout << "  level " << i.level();
  if (!level.empty()) std::cout << " (" << level << ")";
  if (!i.responsible_unit_id().empty()) std::cout << "  " << c.UnitName(i.responsible_unit_id());
  if (!i.deadline().empty()) std::cout << "  deadline " << i.deadline();
  std::cout << "\n";
}

void SupervisionAdd(Client& c, const Args& a, const Operands&) {
  v1::ListForSupervisionRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_subject_kind(static_cast<v1::SupervisionSubjectKind>(
      ParseEnum(v1::SupervisionSubjectKind_descriptor(), "SUPERVISION_SUBJECT_", "kind", a.Require("kind"))));
  req.set_subject_id(a.GetOr("subject", ""));
  if (req.subject_kind() != v1::SUPERVISION_SUBJECT_HAZARD && req.subject_id().empty()) {
    throw UsageError("--subject: required for --kind=" + a.Require("kind") + " (the task or obligation id)");
  }
  req.set_title(a.Require("title"));
  auto level = a.Int("level");
  if (!level) throw UsageError("--level: required (1, 2 or 3)");
  req.set_level(*level);
  req.set_hazard_list(a.GetOr("hazard-list", ""));
  req.set_responsible_unit(a.GetOr("unit", ""));
  req.set_responsible_person(a.GetOr("person", ""));
  req.set_rectification_target(a.GetOr("target", ""));
  req.set_measures(a.GetOr("measures", ""));
  if (auto v = a.Get("deadline")) {
    CheckDate("deadline", *v);
    req.set_deadline(*v);
  }
  if (auto v = a.Int("cycle-days")) req.set_inspection_cycle_days(*v);
  v1::SupervisionItem i;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().ListForSupervision(ctx, req, &i); });
  PrintSupervisionResult(c, i);
}

template <v1::SupervisionAction kAction, bool kNeedsText>
void SupervisionStep(Client& c, const Args& a, const Operands& ops) {
  v1::SupervisionStepRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_item_id(ops[0]);
  req.set_action(kAction);
  req.set_text(kNeedsText ? a.Require("text") : a.GetOr("text", ""));
  v1::SupervisionItem i;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().Step(ctx, req, &i); });
  PrintSupervisionResult(c, i);
}

// One command for an item ("S…"), a task ("T…") or an obligation (anything else).
void Escalate(Client& c, const Args& a, const Operands& ops) {
  v1::EscalateRequest req;
  *req.mutable_meta() = c.Meta(a);
  const std::string& id = ops[0];
  if (id[0] == 'S') {
    req.set_item_id(id);
  } else if (id[0] == 'T') {
    req.set_task_id(id);
  } else {
    req.set_obligation_id(id);
  }
  req.set_reason(a.Require("reason"));
  if (auto v = a.Get("deadline")) {
    CheckDate("deadline", *v);
    req.set_new_deadline(*v);
  }
  v1::SupervisionItem i;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().Escalate(ctx, req, &i); });
  PrintSupervisionResult(c, i);
}

// ---- rankings (排名)

std::string RankingSourceName(v1::RankingSource s) {
  if (s == v1::RANKING_SOURCE_UNSPECIFIED) return "";
  return Short(v1::RankingSource_Name(s), "RANKING_SOURCE_");
}
std::string CaseStateName(v1::AccountabilityState s) {
  if (s == v1::ACCOUNTABILITY_STATE_UNSPECIFIED) return "-";
  return Short(v1::AccountabilityState_Name(s), "ACCOUNTABILITY_STATE_");
}

// The units of a ranking counted as last, by name.
std::string LastUnits(Client& c, const v1::Ranking& r) {
  std::vector<std::string> names;
  for (const auto& e : r.entries()) {
    if (e.last()) names.push_back(c.UnitName(e.unit_id()));
  }
  return absl::StrJoin(names, "\u3001");
}

bool HasScores(const v1::Ranking& r) {
  for (const auto& e : r.entries()) {
    if (e.score() != 0) return true;
  }
  return false;
}

void PrintRanking(Client& c, const v1::Ranking& r) {
  std::cout << r.id() << "  " << RankingSourceName(r.source()) << ", " << r.entries_size() << " ranked";
  if (r.not_ranked_unit_ids_size() > 0) std::cout << ", " << r.not_ranked_unit_ids_size() << " not ranked";
  if (IsSet(r.published_at())) std::cout << ", published " << Minutes(r.published_at());
  if (!r.published_by().empty()) std::cout << " by " << r.published_by();
  std::cout << "\n";
  bool scores = HasScores(r);
  Table t(scores ? std::vector<std::string>{"RANK", "UNIT", "SCORE", "LAST"}
                 : std::vector<std::string>{"RANK", "UNIT", "LAST"},
          {});
  for (const auto& e : r.entries()) {
    std::vector<std::string> row = {std::to_string(e.rank()), c.UnitName(e.unit_id())};
    if (scores) row.push_back(Number(e.score()));
    row.push_back(e.last() ? "last" : "");
    t.AddRow(std::move(row));
  }
  t.Print(std::cout);
}

// The cases a command opened, one line each.
void PrintOpened(Client& c, const google::protobuf::RepeatedPtrField<v1::AccountabilityCase>& opened) {
  for (const auto& k : opened) {
    std::cout << "opened " << k.id() << "  " << c.UnitName(k.unit_id()) << "  " << k.action_name();
    if (!k.by_role().empty()) std::cout << " by " << k.by_role();
    std::cout << ": " << OneLine(k.reason()) << "\n";
  }
  if (opened.empty()) std::cout << "no case opened\n";
}

void RankingEnter(Client& c, const Args& a, const Operands& ops) {
  v1::EnterRankingRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_board(ops[0]);
  req.set_period(ops[1]);
  std::vector<std::string> units = Args::SplitList(ops[2]);
  if (units.empty()) throw UsageError("<units>: name at least one unit");
  std::vector<std::string> scores = a.List("scores");
  if (!scores.empty() && scores.size() != units.size()) {
    throw UsageError(absl::StrCat("--scores: ", scores.size(), " scores for ", units.size(), " units"));
  }
  for (size_t i = 0; i < units.size(); ++i) {
    v1::RankedUnit* e = req.add_entries();
    e->set_unit(units[i]);
    if (!scores.empty()) {
      double v = 0;
      if (!absl::SimpleAtod(scores[i], &v)) throw UsageError("--scores: '" + scores[i] + "' is not a number");
      e->set_score(v);
    }
  }
  for (const auto& u : a.List("not-ranked")) req.add_not_ranked(u);
  req.set_replace(a.Bool("replace"));
  v1::RankingResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.rankings().EnterRanking(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintRanking(c, resp.ranking());
  PrintOpened(c, resp.opened());
}

void RankingCompute(Client& c, const Args& a, const Operands& ops) {
  v1::ComputeScorecardRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_period(ops[0]);
  req.set_board(a.GetOr("board", ""));
  req.set_replace(a.Bool("replace"));
  v1::RankingResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.rankings().ComputeScorecard(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintRanking(c, resp.ranking());
  PrintOpened(c, resp.opened());
}

void RankingGet(Client& c, const Args&, const Operands& ops) {
  v1::GetRankingRequest req;
  req.set_board(ops[0]);
  req.set_period(ops[1]);
  v1::Ranking r;
  c.Call([&](grpc::ClientContext* ctx) { return c.rankings().GetRanking(ctx, req, &r); });
  if (c.opts().json) return PrintJson(r);
  PrintRanking(c, r);
  if (r.not_ranked_unit_ids_size() > 0) {
    KeyValues kv;
    kv.AddWrapped("NOT RANKED", c.UnitNames(r.not_ranked_unit_ids()));
    kv.Print(std::cout);
  }
}

void RankingList(Client& c, const Args& a, const Operands&) {
  v1::ListRankingsRequest req;
  req.set_board(a.GetOr("board", ""));
  v1::ListRankingsResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.rankings().ListRankings(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "SOURCE", "RANKED", "NOT RANKED", "LAST", "PUBLISHED", "BY"}, {0, 0, 0, 0, 30, 0, 20});
  for (const auto& r : resp.rankings()) {
    t.AddRow({r.id(), RankingSourceName(r.source()), std::to_string(r.entries_size()),
              std::to_string(r.not_ranked_unit_ids_size()), LastUnits(c, r), Minutes(r.published_at()),
              r.published_by()});
  }
  t.Print(std::cout);
}

// ---- accountability (问责)

void CaseList(Client& c, const Args& a, const Operands&) {
  v1::ListCasesRequest req;
  req.set_unit(a.GetOr("unit", ""));
  req.set_period(a.GetOr("period", ""));
  req.set_rule_id(a.GetOr("rule", ""));
  if (auto v = a.Get("state")) {
    req.set_state(static_cast<v1::AccountabilityState>(
        ParseEnum(v1::AccountabilityState_descriptor(), "ACCOUNTABILITY_STATE_", "state", *v)));
  }
  v1::ListCasesResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().ListCases(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "UNIT", "PERIOD", "ACTION", "BY", "RULE", "STEP", "STATE", "REASON"},
          {0, 20, 0, 0, 0, 0, 0, 0, 50});
  for (const auto& k : resp.cases()) {
    t.AddRow({k.id(), c.UnitName(k.unit_id()), k.period(), k.action_name().empty() ? k.action() : k.action_name(),
              k.by_role(), k.ladder_id(), k.step() > 0 ? std::to_string(k.step()) : "", CaseStateName(k.state()),
              k.reason()});
  }
  t.Print(std::cout);
}

void CaseGet(Client& c, const Args&, const Operands& ops) {
  v1::GetCaseRequest req;
  req.set_case_id(ops[0]);
  v1::AccountabilityCase k;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().GetCase(ctx, req, &k); });
  if (c.opts().json) return PrintJson(k);
  KeyValues kv;
  kv.Add("ID", k.id());
  kv.Add("UNIT", c.UnitName(k.unit_id()));
  kv.Add("ACTION", k.action_name().empty() ? k.action() : absl::StrCat(k.action_name(), " (", k.action(), ")"));
  kv.AddIf("BY", k.by_role());
  kv.Add("RULE", k.step() > 0 ? absl::StrCat(k.ladder_id(), ", step ", k.step()) : k.ladder_id());
  kv.AddIf("PERIOD", k.period());
  kv.AddWrapped("REASON", k.reason());
  kv.Add("STATE", CaseStateName(k.state()));
  kv.Add("VERSION", std::to_string(k.version()));
  kv.AddWrapped("MINUTES", k.minutes());
  if (k.commitments_size() > 0) {
    std::vector<std::string> lines;
    for (const auto& m : k.commitments()) lines.push_back("- " + m);
    kv.Add("COMMITMENTS", absl::StrJoin(lines, "\n"));
  }
  kv.AddWrapped("FOLLOW-UP", k.follow_up());
  kv.AddIf("CREATED", Minutes(k.created_at()));
  kv.AddIf("UPDATED", Minutes(k.updated_at()));
  kv.Print(std::cout);
}

void CaseHistory(Client& c, const Args&, const Operands& ops) {
  v1::CaseHistoryRequest req;
  req.set_case_id(ops[0]);
  v1::CaseHistoryResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().CaseHistory(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"VERSION", "AT", "ACTOR", "EVENT", "FROM\u2192TO", "TEXT"}, {0, 0, 20, 0, 0, 60});
  for (const auto& e : resp.events()) {
    std::string from = e.from_state() == v1::ACCOUNTABILITY_STATE_UNSPECIFIED ? "new" : CaseStateName(e.from_state());
    t.AddRow({std::to_string(e.version()), Minutes(e.at()), e.actor(), e.kind(),
              absl::StrCat(from, " \u2192 ", CaseStateName(e.to_state())), e.text()});
  }
  t.Print(std::cout);
}

// "A1  scheduled → held  (version 2)", read from the event the command wrote.
void PrintCaseResult(Client& c, const v1::AccountabilityCase& k) {
  if (c.opts().json) return PrintJson(k);
  std::string move = CaseStateName(k.state());
  v1::CaseHistoryRequest req;
  req.set_case_id(k.id());
  v1::CaseHistoryResponse h;
  if (c.TryCall([&](grpc::ClientContext* ctx) { return c.accountability().CaseHistory(ctx, req, &h); }).ok()) {
    for (const auto& e : h.events()) {
      if (e.version() == k.version()) {
        move = absl::StrCat(CaseStateName(e.from_state()), " \u2192 ", CaseStateName(e.to_state()));
      }
    }
  }
  std::cout << k.id() << "  " << move << "  (version " << k.version() << ")  " << c.UnitName(k.unit_id()) << "  "
            << k.action_name() << "\n";
}

void CaseHold(Client& c, const Args& a, const Operands& ops) {
  v1::HoldCaseRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_case_id(ops[0]);
  req.set_minutes(a.Require("minutes"));
  std::vector<std::string> commitments = a.All("commitment");
  if (commitments.empty()) throw UsageError("--commitment: at least one is required");
  for (const auto& m : commitments) req.add_commitments(m);
  v1::AccountabilityCase k;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().Hold(ctx, req, &k); });
  PrintCaseResult(c, k);
}

void CaseFollowUp(Client& c, const Args& a, const Operands& ops) {
  v1::FollowUpCaseRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_case_id(ops[0]);
  req.set_follow_up(a.Require("text"));
  v1::AccountabilityCase k;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().FollowUp(ctx, req, &k); });
  PrintCaseResult(c, k);
}

void CaseClose(Client& c, const Args& a, const Operands& ops) {
  v1::CloseCaseRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_case_id(ops[0]);
  req.set_text(a.GetOr("text", ""));
  v1::AccountabilityCase k;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().Close(ctx, req, &k); });
  PrintCaseResult(c, k);
}

void IncidentReport(Client& c, const Args& a, const Operands& ops) {
  v1::ReportIncidentRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_unit(ops[0]);
  req.set_date(a.Require("date"));
  CheckDate("date", req.date());
  req.set_kind(a.Require("kind"));
  auto deaths = a.Int("deaths");
  if (!deaths) throw UsageError("--deaths: required");
  req.set_deaths(*deaths);
  req.set_description(a.GetOr("description", ""));
  v1::ReportIncidentResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().ReportIncident(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  const auto& i = resp.incident();
  std::cout << "incident " << i.id() << "  " << c.UnitName(i.unit_id()) << "  " << i.date() << "  " << i.kind()
            << ", " << i.deaths() << (i.deaths() == 1 ? " death" : " deaths") << "\n";
  PrintOpened(c, resp.opened());
}

void NoticeRecordProblem(Client& c, const Args& a, const Operands& ops) {
  v1::RecordNoticeProblemRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_unit(ops[0]);
  req.set_month(ops[1]);
  req.set_problem(ops[2]);
  v1::RecordNoticeProblemResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().RecordNoticeProblem(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  const auto& p = resp.problem();
  std::cout << c.UnitName(p.unit_id()) << "  " << p.month() << "  " << p.problem() << ": named in " << resp.times()
            << (resp.times() == 1 ? " monthly notice" : " monthly notices") << "\n";
  PrintOpened(c, resp.opened());
}

// ---- assessment (考核)

int32_t ParseYear(const std::string& v) {
  int32_t y = 0;
  if (!absl::SimpleAtoi(v, &y) || y < 1900 || y > 9999) throw UsageError("<year>: '" + v + "' is not a year");
  return y;
}

// --value=accidents=2 (or accidents=2,deaths=0) into a figure map.
void ParseFigures(const Args& a, const std::string& flag, google::protobuf::Map<std::string, double>* out) {
  for (const auto& s : a.List(flag)) {
    size_t eq = s.find('=');
    double v = 0;
    if (eq == std::string::npos || eq == 0 || !absl::SimpleAtod(s.substr(eq + 1), &v)) {
      throw UsageError("--" + flag + ": '" + s + "' is not NAME=NUMBER");
    }
    std::string name(absl::StripAsciiWhitespace(s.substr(0, eq)));
    if (out->count(name)) throw UsageError("--" + flag + ": " + name + " given twice");
    (*out)[name] = v;
  }
}

std::string OutcomeName(v1::AssessmentOutcome o) {
  if (o == v1::ASSESSMENT_OUTCOME_UNSPECIFIED) return "-";
  return Short(v1::AssessmentOutcome_Name(o), "ASSESSMENT_OUTCOME_");
}

void AssessmentReportFigures(Client& c, const Args& a, const Operands& ops) {
  v1::ReportFiguresRequest req;
  *req.mutable_meta() = c.Meta(a);
  v1::AssessmentFigures* f = req.mutable_figures();
  f->set_assessment_id(ops[0]);
  f->set_year(ParseYear(ops[1]));
  f->set_unit(ops[2]);
  ParseFigures(a, "value", f->mutable_values());
  ParseFigures(a, "baseline", f->mutable_baseline());
  v1::ReportFiguresResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.assessment().ReportFigures(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  const auto& s = resp.figures();
  std::cout << s.assessment_id() << " " << s.year() << "  " << s.unit() << ": figures stored\n";
  std::set<std::string> names;
  for (const auto& [k, v] : s.values()) names.insert(k);
  for (const auto& [k, v] : s.baseline()) names.insert(k);
  Table t({"FIGURE", "VALUE", "BASELINE"});
  for (const auto& n : names) {
    auto v = s.values().find(n);
    auto b = s.baseline().find(n);
    t.AddRow({n, v == s.values().end() ? "" : Number(v->second), b == s.baseline().end() ? "" : Number(b->second)});
  }
  t.Print(std::cout);
}

void PrintAssessmentResult(const v1::AssessmentResult& r) {
  KeyValues kv;
  kv.Add("UNIT", r.unit());
  kv.Add("ASSESSMENT", absl::StrCat(r.assessment_id(), " ", r.year()));
  kv.Add("OUTCOME", OutcomeName(r.outcome()));
  if (r.reasons_size() > 0) {
    std::vector<std::string> lines;
    for (const auto& s : r.reasons()) {
      for (const auto& l : Wrap("- " + s, 76)) lines.push_back(l);
    }
    kv.Add("REASONS", absl::StrJoin(lines, "\n"));
  }
  kv.AddWrapped("REWARDS", absl::StrJoin(r.rewards(), " "));
  kv.Print(std::cout);
  std::cout << "\n";
  Table t({"INDICATOR", "RULE", "VALUE", "BASELINE", "LIMIT", "MET"}, {0, 30, 0, 0, 0, 0});
  for (const auto& i : r.results()) {
    t.AddRow({i.indicator(), i.rule(), Number(i.value()), Number(i.baseline()), Number(i.limit()),
              i.met() ? "yes" : "NO"});
  }
  t.Print(std::cout);
}

void AssessmentEvaluate(Client& c, const Args&, const Operands& ops) {
  int32_t year = ParseYear(ops[1]);
  if (ops.size() > 2) {
    v1::EvaluateRequest req;
    req.set_assessment_id(ops[0]);
    req.set_year(year);
    req.set_unit(ops[2]);
    v1::AssessmentResult r;
    c.Call([&](grpc::ClientContext* ctx) { return c.assessment().Evaluate(ctx, req, &r); });
    if (c.opts().json) return PrintJson(r);
    return PrintAssessmentResult(r);
  }
  v1::EvaluateAllRequest req;
  req.set_assessment_id(ops[0]);
  req.set_year(year);
  v1::EvaluateAllResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.assessment().EvaluateAll(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"UNIT", "OUTCOME", "NOT MET", "REWARDS", "REASONS"}, {24, 0, 40, 20, 60});
  for (const auto& r : resp.results()) {
    std::vector<std::string> missed;
    for (const auto& i : r.results()) {
      if (!i.met()) missed.push_back(i.indicator());
    }
    t.AddRow({r.unit(), OutcomeName(r.outcome()), absl::StrJoin(missed, " "), absl::StrJoin(r.rewards(), " "),
              absl::StrJoin(r.reasons(), "; ")});
  }
  t.Print(std::cout);
}

// ---- admin

std::string BeijingSeconds(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S +08:00", ToTime(ts), Beijing());
}

void ServerInfo(Client& c, const Args&, const Operands&) {
  v1::ServerInfoRequest req;
  v1::ServerInfoResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.admin().ServerInfo(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  KeyValues kv;
  kv.Add("ADDRESS", c.opts().addr);
  kv.Add("VERSION", resp.version());
  kv.Add("DATA DIR", resp.data_dir());
  kv.Add("CLOCK", resp.simulated_clock() ? "simulated" : "real");
  if (IsSet(resp.now())) kv.Add("NOW", BeijingSeconds(resp.now()));
  if (IsSet(resp.next_timer_due())) {
    kv.Add("NEXT TIMER", BeijingSeconds(resp.next_timer_due()));
  } else {
    kv.Add("NEXT TIMER", "none");
  }
  kv.Print(std::cout);
}

// --to: RFC 3339 ("2023-04-01T09:00:00+08:00"); without an offset, or as a
// plain date, Beijing time.
absl::Time ParseClockTarget(const std::string& v) {
  absl::Time t;
  std::string err;
  for (const char* f : {absl::RFC3339_full, "%Y-%m-%d%ET%H:%M%Ez"}) {
    if (absl::ParseTime(f, v, &t, &err)) return t;
  }
  for (const char* f : {"%Y-%m-%d%ET%H:%M:%S", "%Y-%m-%d%ET%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(f, v, Beijing(), &t, &err)) return t;
  }
  throw UsageError("--to: '" + v + "' is not an RFC 3339 time (e.g. 2023-04-01T09:00:00+08:00)");
}

void ClockAdvance(Client& c, const Args& a, const Operands&) {
  v1::AdvanceClockRequest req;
  auto by = a.Get("by");
  auto to = a.Get("to");
  if (by.has_value() == to.has_value()) throw UsageError("give either --by=DURATION or --to=TIME");
  if (by) {
    absl::Duration d;
    if (!absl::ParseDuration(*by, &d) || d < absl::ZeroDuration()) {
      throw UsageError("--by: '" + *by + "' is not a duration (e.g. 90m, 24h, 168h)");
    }
    req.set_by(*by);
  } else {
    absl::Time t = ParseClockTarget(*to);
    req.mutable_to()->set_seconds(absl::ToUnixSeconds(t));
    req.mutable_to()->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(absl::ToUnixSeconds(t))) /
                                                     absl::Nanoseconds(1)));
  }
  v1::AdvanceClockResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.admin().AdvanceClock(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  std::cout << "now " << Minutes(resp.now()) << " (Beijing), " << resp.timers_fired()
            << (resp.timers_fired() == 1 ? " timer" : " timers") << " fired (" << resp.late() << " late)\n";
}

void TimersDead(Client& c, const Args&, const Operands&) {
  v1::ListDeadTimersRequest req;
  v1::ListDeadTimersResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.admin().ListDeadTimers(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"TIMER", "DUE", "FAILED AT", "ERROR"}, {0, 0, 0, 60});
  for (const auto& d : resp.timers()) {
    t.AddRow({d.timer().id(), Minutes(d.timer().due()), Minutes(d.failed_at()), d.error()});
  }
  t.Print(std::cout);
}

void RulesReload(Client& c, const Args&, const Operands&) {
  v1::ReloadRulesRequest req;
  v1::ReloadRulesResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.admin().ReloadRules(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  auto list = [](const google::protobuf::RepeatedPtrField<std::string>& ids) {
    return ids.empty() ? std::string("-") : absl::StrJoin(ids, ", ");
  };
  KeyValues kv;
  kv.Add("CADENCES", resp.cadences_file().empty() ? "none" : resp.cadences_file());
  kv.Add("ADDED", list(resp.cadences_added()));
  kv.Add("REMOVED", list(resp.cadences_removed()));
  kv.Add("CHANGED", list(resp.cadences_changed()));
  kv.Add("DEADLINES MOVED", std::to_string(resp.deadlines_moved()));
  kv.Add("ACCOUNTABILITY", resp.accountability_file().empty() ? "none" : resp.accountability_file());
  kv.Add("LADDERS", std::to_string(resp.ladders()));
  kv.Print(std::cout);
}

// ---------------------------------------------------------------- audit

template <const char* kVerb>
void Audit(Client& c, const Args& a, const Operands& o) {
  AuditCallOptions ao{c.opts().addr, c.channel(), c.opts().token, c.opts().json, c.opts().timeout};
  int rc = RunAuditCommand(kVerb, ao, a, o);
  if (rc != 0) {
    std::cout.flush();
    std::exit(rc);
  }
}
constexpr char kAuditList[] = "list";
constexpr char kAuditHistory[] = "history";
constexpr char kAuditExport[] = "export";
constexpr char kAuditVerify[] = "verify";
constexpr char kAuditPrune[] = "prune";
constexpr char kAuditHead[] = "head";
// ---------------------------------------------------------------- ledgers and briefings

// Shows how much of a download has arrived: a line redrawn in place on a
// terminal, one final line otherwise.
class Progress {
 public:
  explicit Progress(std::string what) : what_(std::move(what)), tty_(::isatty(2) == 1) {}
  void Update(uint64_t done, uint64_t total) {
    if (!tty_) return;
    std::cerr << "\r" << what_ << ": " << Size(done) << " / " << Size(total) << " ("
              << (total == 0 ? 100 : done * 100 / total) << "%)" << std::flush;
  }
  void Done() {
    if (tty_) std::cerr << "\r\033[K" << std::flush;
  }
  static std::string Size(uint64_t n) {
    if (n < 1024) return absl::StrCat(n, " B");
    return absl::StrFormat("%.1f KiB", static_cast<double>(n) / 1024);
  }

 private:
  std::string what_;
  bool tty_;
};

void Export(Client& c, const Args& a, const Operands& ops) {
  v1::ExportLedgerRequest req;
  const std::string& kind = ops[0];
  if (kind == "tasks") {
    req.set_kind(v1::LEDGER_KIND_TASKS);
  } else if (kind == "obligations") {
    req.set_kind(v1::LEDGER_KIND_OBLIGATIONS);
  } else if (kind == "rankings") {
    req.set_kind(v1::LEDGER_KIND_RANKINGS);
  } else {
    throw UsageError(absl::StrCat("ledger: '", kind, "' is not tasks, obligations or rankings"));
  }
  std::string format = a.GetOr("format", "xlsx");
  if (format == "xlsx") {
    req.set_format(v1::FILE_FORMAT_XLSX);
  } else if (format == "csv") {
    req.set_format(v1::FILE_FORMAT_CSV);
  } else {
    throw UsageError(absl::StrCat("--format: '", format, "' is not xlsx or csv"));
  }
  req.set_campaign_id(a.GetOr("campaign", ""));
  req.set_unit(a.GetOr("unit", ""));
  req.set_rule_id(a.GetOr("rule", ""));
  req.set_period_from(a.GetOr("from", ""));
  req.set_period_to(a.GetOr("to", ""));
  req.set_board(a.GetOr("board", ""));
  req.set_period(a.GetOr("period", ""));
  std::string data;
  v1::FileChunk first;
  std::optional<Progress> progress;
  grpc::Status st = c.TryCall([&](grpc::ClientContext* ctx) {
    v1::ExportService::Stub stub(c.channel());
    auto reader = stub.ExportLedger(ctx, req);
    v1::FileChunk chunk;
    while (reader->Read(&chunk)) {
      if (chunk.offset() == 0) {
        first = chunk;
        first.clear_data();
        progress.emplace(absl::StrCat("export ", chunk.file_name()));
      }
      if (chunk.offset() != data.size()) {
        ctx->TryCancel();
        return grpc::Status(grpc::StatusCode::DATA_LOSS, "export: a chunk arrived out of order");
      }
      data += chunk.data();
      if (progress) progress->Update(data.size(), first.total_size());
    }
    return reader->Finish();
  });
  if (!st.ok()) throw RpcFailure{st};
  if (data.size() != first.total_size()) {
    throw RpcFailure{grpc::Status(grpc::StatusCode::DATA_LOSS, "export: the file arrived incomplete")};
  }
  std::string out = a.GetOr("out", first.file_name());
  if (out == "-") {
    std::cout << data;
    return;
  }
  std::ofstream f(out, std::ios::binary);
  f << data;
  f.close();
  if (!f) throw std::runtime_error(absl::StrCat("--out: cannot write ", out));
  if (progress) progress->Done();
  if (c.opts().json) return PrintJson(first);
  std::cout << "wrote " << out << " (" << first.rows() << " rows, " << Progress::Size(data.size()) << ")\n";
}

v1::BriefingKind BriefingKindFlag(const Args& a) {
  std::string k = a.GetOr("kind", "");
  if (k.empty()) return v1::BRIEFING_KIND_UNSPECIFIED;
  if (k == "dekad") return v1::BRIEFING_KIND_DEKAD;
  if (k == "monthly") return v1::BRIEFING_KIND_MONTHLY;
  if (k == "quarterly") return v1::BRIEFING_KIND_QUARTERLY;
  if (k == "annual") return v1::BRIEFING_KIND_ANNUAL;
  throw UsageError(absl::StrCat("--kind: '", k, "' is not dekad, monthly, quarterly or annual"));
}

std::string BriefingStateWord(v1::BriefingState s) {
  return s == v1::BRIEFING_STATE_PUBLISHED ? "published" : s == v1::BRIEFING_STATE_DRAFT ? "draft" : "?";
}

std::string Beijing(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(ts.seconds()), absl::FixedTimeZone(8 * 3600));
}

void BriefingList(Client& c, const Args& a, const Operands&) {
  v1::ListBriefingsRequest req;
  req.set_kind(BriefingKindFlag(a));
  std::string state = a.GetOr("state", "");
  if (state == "draft") {
    req.set_state(v1::BRIEFING_STATE_DRAFT);
  } else if (state == "published") {
    req.set_state(v1::BRIEFING_STATE_PUBLISHED);
  } else if (!state.empty()) {
    throw UsageError(absl::StrCat("--state: '", state, "' is not draft or published"));
  }
  v1::ListBriefingsResponse resp;
  v1::BriefingService::Stub stub(c.channel());
  c.Call([&](grpc::ClientContext* ctx) { return stub.ListBriefings(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "STATE", "DRAFTED", "VERSION", "TITLE"}, {0, 0, 0, 0, 60});
  for (const auto& b : resp.briefings()) {
    t.AddRow({b.id(), BriefingStateWord(b.state()), Beijing(b.drafted_at()), std::to_string(b.version()), b.title()});
  }
  t.Print(std::cout);
}

void BriefingGet(Client& c, const Args& a, const Operands& ops) {
  v1::GetBriefingRequest req;
  req.set_briefing_id(ops[0]);
  std::string format = a.GetOr("format", "markdown");
  if (format == "markdown") {
    req.set_format(v1::FILE_FORMAT_MARKDOWN);
  } else if (format == "html") {
    req.set_format(v1::FILE_FORMAT_HTML);
  } else {
    throw UsageError(absl::StrCat("--format: '", format, "' is not markdown or html"));
  }
  v1::BriefingResponse resp;
  v1::BriefingService::Stub stub(c.channel());
  c.Call([&](grpc::ClientContext* ctx) { return stub.GetBriefing(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp.briefing());
  if (auto out = a.Get("out")) {
    std::ofstream f(*out, std::ios::binary);
    f << resp.rendered();
    f.close();
    if (!f) throw std::runtime_error(absl::StrCat("--out: cannot write ", *out));
    std::cout << "wrote " << *out << "\n";
    return;
  }
  std::cout << resp.rendered();
}

void PrintBriefingResult(Client& c, const v1::Briefing& b) {
  if (c.opts().json) return PrintJson(b);
  std::cout << b.id() << "  " << BriefingStateWord(b.state()) << "  (version " << b.version() << ")\n";
}

void BriefingEdit(Client& c, const Args& a, const Operands& ops) {
  v1::EditBriefingRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_briefing_id(ops[0]);
  req.set_title(a.GetOr("title", ""));
  req.set_preface(a.GetOr("preface", ""));
  req.set_remarks(a.GetOr("remarks", ""));
  v1::Briefing b;
  v1::BriefingService::Stub stub(c.channel());
  c.Call([&](grpc::ClientContext* ctx) { return stub.EditBriefing(ctx, req, &b); });
  PrintBriefingResult(c, b);
}

void BriefingPublish(Client& c, const Args& a, const Operands& ops) {
  v1::PublishBriefingRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_briefing_id(ops[0]);
  v1::Briefing b;
  v1::BriefingService::Stub stub(c.channel());
  c.Call([&](grpc::ClientContext* ctx) { return stub.PublishBriefing(ctx, req, &b); });
  PrintBriefingResult(c, b);
}

// ---------------------------------------------------------------- dispatch

// ---- accounts and sessions

// A secret read from the terminal without echo, or a line of stdin.
std::string ReadSecret(const std::string& prompt) {
  bool tty = ::isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void WipeString(std::string* s) {
  volatile char* p = s->data();
  for (size_t i = 0; i < s->size(); ++i) p[i] = 0;
  s->clear();
}

// Writes the token file with mode 0600 (its folder 0700 when created).
void WriteTokenFile(const std::string& path, const std::string& token) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string dir = path.substr(0, slash);
    std::string partial;
    for (size_t i = 0; i <= dir.size(); ++i) {
      if (i == dir.size() || dir[i] == '/') {
        if (!partial.empty()) ::mkdir(partial.c_str(), 0700);
      }
      if (i < dir.size()) partial.push_back(dir[i]);
    }
  }
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  FILE* f = nullptr;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) f = ::fdopen(fd, "w");
  if (f == nullptr || std::fprintf(f, "%s\n", token.c_str()) < 0 || std::fclose(f) != 0 ||
      std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw Failure("token file: cannot write " + path);
  }
}

void Login(Client& c, const Args& a, const Operands& ops) {
  v1::LoginRequest req;
  req.set_account_id(ops[0]);
  std::string pw = ReadSecret("password for " + ops[0] + ": ");
  req.set_password(pw);
  WipeString(&pw);
  req.set_totp_code(a.GetOr("totp", ""));
  v1::LoginResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().Login(ctx, req, &resp); });
  WriteTokenFile(c.opts().token_file, resp.token());
  if (c.opts().json) {
    resp.clear_token();
    return PrintJson(resp);
  }
  std::cout << "logged in as " << resp.account().id() << " (" << absl::StrJoin(resp.account().roles(), ", ")
            << "), until " << resp.expires_at() << "; token in " << c.opts().token_file << "\n";
  if (resp.must_change_password()) {
    std::cout << "this session may only change the password (dubanctl passwd) or enrol TOTP (dubanctl totp enrol)\n";
  }
}

void Logout(Client& c, const Args&, const Operands&) {
  v1::LogoutRequest req;
  v1::LogoutResponse resp;
  grpc::Status s = c.TryCall([&](grpc::ClientContext* ctx) { return c.auth().Logout(ctx, req, &resp); });
  ::unlink(c.opts().token_file.c_str());
  if (!s.ok() && s.error_code() != grpc::StatusCode::UNAUTHENTICATED) throw RpcFailure{s};
  std::cout << "logged out\n";
}

void PrintAccount(const v1::Account& a) {
  KeyValues kv;
  kv.Add("ACCOUNT", a.id());
  kv.Add("NAME", a.display_name());
  kv.Add("UNIT", a.unit_id().empty() ? "-" : a.unit_id());
  kv.Add("ROLES", absl::StrJoin(a.roles(), " "));
  kv.Add("KIND", a.kind() == v1::ACCOUNT_KIND_SERVICE ? "service" : "person");
  kv.Add("TOTP", a.totp_enabled() ? "yes" : "no");
  kv.Add("STATE", a.disabled() ? "disabled" : a.locked() ? "locked" : "active");
  kv.Print(std::cout);
}

void WhoAmI(Client& c, const Args&, const Operands&) {
  v1::WhoAmIRequest req;
  v1::WhoAmIResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().WhoAmI(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

void Passwd(Client& c, const Args&, const Operands&) {
  v1::ChangePasswordRequest req;
  std::string old_pw = ReadSecret("old password: ");
  std::string new_pw = ReadSecret("new password: ");
  req.set_old_password(old_pw);
  req.set_new_password(new_pw);
  WipeString(&old_pw);
  WipeString(&new_pw);
  v1::ChangePasswordResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().ChangePassword(ctx, req, &resp); });
  ::unlink(c.opts().token_file.c_str());
  std::cout << "password changed; every session of the account has ended: log in again\n";
}

void TotpEnrol(Client& c, const Args&, const Operands&) {
  v1::EnrolTotpRequest req;
  v1::EnrolTotpResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().EnrolTotp(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  std::cout << "secret: " << resp.secret_base32() << "\nuri:    " << resp.otpauth_uri()
            << "\nthen: dubanctl totp confirm <code>\n";
}

void TotpConfirm(Client& c, const Args&, const Operands& ops) {
  v1::ConfirmTotpRequest req;
  req.set_code(ops[0]);
  v1::ConfirmTotpResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().ConfirmTotp(ctx, req, &resp); });
  ::unlink(c.opts().token_file.c_str());
  std::cout << "TOTP enabled; log in again with --totp=CODE\n";
}

// An authenticator on the command line: the current code of a base32
// secret (for the local development mode's administrators and scripts).
void TotpCode(Client&, const Args&, const Operands& ops) {
  auto code = duban::auth::TotpCode(ops[0], absl::Now());
  if (!code.ok()) throw UsageError(std::string(code.status().message()));
  std::cout << *code << "\n";
}

void AccountList(Client& c, const Args&, const Operands&) {
  v1::ListAccountsRequest req;
  v1::ListAccountsResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().ListAccounts(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ACCOUNT", "UNIT", "ROLES", "KIND", "STATE"});
  for (const auto& a : resp.accounts()) {
    t.AddRow({a.id(), a.unit_id().empty() ? "-" : a.unit_id(), absl::StrJoin(a.roles(), " "),
              a.kind() == v1::ACCOUNT_KIND_SERVICE ? "service" : "person",
              a.disabled() ? "disabled" : a.locked() ? "locked" : "active"});
  }
  t.Print(std::cout);
}

void AccountCreate(Client& c, const Args& a, const Operands& ops) {
  v1::CreateAccountRequest req;
  req.set_id(ops[0]);
  req.set_unit(a.GetOr("unit", ""));
  req.set_display_name(a.GetOr("name", ""));
  req.set_kind(a.Bool("service") ? v1::ACCOUNT_KIND_SERVICE : v1::ACCOUNT_KIND_PERSON);
  std::string pw = ReadSecret("initial password: ");
  req.set_initial_password(pw);
  WipeString(&pw);
  v1::CreateAccountResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().CreateAccount(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

template <bool kDisable>
void AccountSetDisabled(Client& c, const Args&, const Operands& ops) {
  v1::SetAccountDisabledRequest req;
  req.set_account_id(ops[0]);
  req.set_disabled(kDisable);
  v1::SetAccountDisabledResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().SetAccountDisabled(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

void AccountResetPassword(Client& c, const Args&, const Operands& ops) {
  v1::ResetPasswordRequest req;
  req.set_account_id(ops[0]);
  std::string pw = ReadSecret("temporary password: ");
  req.set_new_password(pw);
  WipeString(&pw);
  v1::ResetPasswordResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().ResetPassword(ctx, req, &resp); });
  std::cout << "password reset; " << ops[0] << " changes it at the next login\n";
}

void RoleGrant(Client& c, const Args&, const Operands& ops) {
  v1::GrantRoleRequest req;
  req.set_account_id(ops[0]);
  std::string role = ops[1];
  auto colon = role.find(':');
  req.mutable_grant()->set_role(role.substr(0, colon));
  if (colon != std::string::npos) {
    for (const auto& sc : Args::SplitList(role.substr(colon + 1))) req.mutable_grant()->add_scope(sc);
  }
  v1::RoleChangeResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().GrantRole(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

void RoleRevoke(Client& c, const Args&, const Operands& ops) {
  v1::RevokeRoleRequest req;
  req.set_account_id(ops[0]);
  req.set_role(ops[1]);
  v1::RoleChangeResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().RevokeRole(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

const std::map<std::string, Command>& Commands() {
  using S = v1::TaskService::Stub;
  static const std::map<std::string, Command> table = [] {
    std::map<std::string, Command> m;
    auto add = [&](const std::string& name, std::string usage, std::vector<std::string> ops, std::set<std::string> flags,
                   bool task_cmd, Handler h) {
      m[name] = Command{std::move(usage), std::move(ops), std::move(flags), task_cmd, std::move(h)};
    };
    add("unit list", "unit list [--category=department|township|park|platform_company|other]", {}, {"category"},
        false, UnitList);
    add("unit resolve", "unit resolve <name>", {"name"}, {}, false, UnitResolve);
    add("person list", "person list", {}, {}, false, PersonList);
    add("leading-group get", "leading-group get <plan_id>", {"plan_id"}, {}, false, LeadingGroupGet);
    add("task-force list", "task-force list [--plan=ID]", {}, {"plan"}, false, TaskForceList);

    add("plan draft",
        "plan draft <document> [-o plan.yaml] [--report=FILE] [--cadences=FILE] [--directory=plan.yaml|daemon] "
        "[--plan-id=ID]",
        {"document"}, {"output", "report", "cadences", "directory", "plan-id"}, false, PlanDraftCmd);
    add("plan import", "plan import <file.yaml> [--dry-run] [--update]", {"file.yaml"}, {"dry-run", "update"}, false,
        PlanImport);
    add("plan list", "plan list", {}, {}, false, PlanList);
    add("plan get", "plan get <plan_id>", {"plan_id"}, {}, false, PlanGet);
    add("campaign list", "campaign list [--plan=ID]", {}, {"plan"}, false, CampaignList);
    add("campaign get", "campaign get <campaign_id>", {"campaign_id"}, {}, false, CampaignGet);

    add("task create",
        "task create --campaign=ID --code=C --title=T --lead=UNIT[,UNIT] --due=YYYY-MM-DD [--responsible=U,..] "
        "[--text=..] [--list-kind=project|task|policy] [--lead-leader=..] [--responsible-person=..] "
        "[--milestone=YYYY-MM-DD:TITLE]...",
        {},
        {"campaign", "code", "title", "lead", "responsible", "due", "text", "list-kind", "lead-leader",
         "responsible-person", "milestone"},
        true, TaskCreate);
    add("task assign", "task assign <task_id>", {"task_id"}, {}, true, TaskRefCommand<&S::AssignTask>);
    add("task accept", "task accept <task_id>", {"task_id"}, {}, true, TaskRefCommand<&S::AcceptTask>);
    add("task request-completion", "task request-completion <task_id>", {"task_id"}, {}, true,
        TaskRefCommand<&S::RequestCompletion>);
    add("task resume", "task resume <task_id>", {"task_id"}, {}, true, TaskRefCommand<&S::ResumeTask>);
    add("task archive", "task archive <task_id>", {"task_id"}, {}, true, TaskRefCommand<&S::ArchiveTask>);
    add("task send-back", "task send-back <task_id> --reason=R", {"task_id"}, {"reason"}, true,
        ReasonCommand<&S::SendBackTask>);
    add("task suspend", "task suspend <task_id> --reason=R", {"task_id"}, {"reason"}, true,
        ReasonCommand<&S::SuspendTask>);
    add("task cancel", "task cancel <task_id> --reason=R", {"task_id"}, {"reason"}, true,
        ReasonCommand<&S::CancelTask>);
    add("task transfer", "task transfer <task_id> --lead=UNIT[,UNIT] [--responsible=U,..]", {"task_id"},
        {"lead", "responsible"}, true, TaskTransfer);
    add("task report",
        "task report <task_id> --work-done=.. [--progress=..] [--highlights=..] [--difficulties=..] "
        "[--requests=..] [--indicator=NAME=VALUE[UNIT]]...",
        {"task_id"}, {"work-done", "progress", "highlights", "difficulties", "requests", "indicator"}, true,
        TaskReport);
    add("task review", "task review <task_id> --approve | --return --reason=R", {"task_id"},
        {"approve", "return", "reason"}, true, TaskReview);
    add("task request-extension", "task request-extension <task_id> --due=YYYY-MM-DD --reason=R", {"task_id"},
        {"due", "reason"}, true, TaskRequestExtension);
    add("task decide-extension", "task decide-extension <task_id> --approve | --deny --reason=R", {"task_id"},
        {"approve", "deny", "reason"}, true, TaskDecideExtension);
    add("task get", "task get <task_id>", {"task_id"}, {}, false, TaskGet);
    add("task history", "task history <task_id>", {"task_id"}, {}, false, TaskHistory);
    add("task list",
        "task list [--plan=ID] [--campaign=ID] [--unit=UNIT] [--state=STATE] [--due-before=YYYY-MM-DD] "
        "[--due-after=YYYY-MM-DD] [--overdue] [--page-size=N] [--page-token=T] [--all]",
        {},
        {"plan", "campaign", "unit", "state", "due-before", "due-after", "overdue", "page-size", "page-token",
         "all"},
        false, TaskList);

    add("obligation list",
        "obligation list [--unit=UNIT] [--rule=ID] [--state=pending|submitted|accepted|returned|missed] "
        "[--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--page-size=N] [--page-token=T] [--all]",
        {}, {"unit", "rule", "state", "from", "to", "page-size", "page-token", "all"}, false, ObligationList);
    add("obligation get", "obligation get <obligation_id>", {"obligation_id"}, {}, false, ObligationGet);
    add("obligation history", "obligation history <obligation_id>", {"obligation_id"}, {}, false,
        ObligationHistory);
    add("obligation submit", "obligation submit <obligation_id> --text=REPORT", {"obligation_id"}, {"text"}, true,
        ObligationSubmit);
    add("obligation accept", "obligation accept <obligation_id>", {"obligation_id"}, {}, true,
        ObligationReview<true>);
    add("obligation return", "obligation return <obligation_id> --reason=R", {"obligation_id"}, {"reason"}, true,
        ObligationReview<false>);
    add("score get", "score get <unit>", {"unit"}, {}, false, ScoreGet);
    add("score list", "score list", {}, {}, false, ScoreList);
    add("bulletin", "bulletin <YYYY-MM>", {"month"}, {}, false, Bulletin);

    add("notification list", "notification list <recipient> [--after=SEQ] [--limit=N]", {"recipient"},
        {"after", "limit"}, false, NotificationList);
    add("notification ack", "notification ack <recipient> <seq>", {"recipient", "seq"}, {}, false, NotificationAck);

    add("watch", "watch <recipient> [--after=SEQ] [--ack] [--count=N] [--for=DURATION]", {"recipient"},
        {"after", "ack", "count", "for"}, false, Watch);
    using SA = v1::SupervisionAction;
    add("supervision list",
        "supervision list [--subject=ID] [--level=1|2|3] [--state=listed|rectifying|rectification_reported|verified|"
        "closed] [--unit=UNIT] [--overdue]",
        {}, {"subject", "level", "state", "unit", "overdue"}, false, SupervisionList);
    add("supervision get", "supervision get <item_id>", {"item_id"}, {}, false, SupervisionGet);
    add("supervision history", "supervision history <item_id>", {"item_id"}, {}, false, SupervisionHistory);
    add("supervision add",
        "supervision add --kind=hazard|task|obligation [--subject=ID] --title=T --level=1|2|3 [--hazard-list=..] "
        "[--unit=UNIT] [--person=..] [--target=..] [--measures=..] [--deadline=YYYY-MM-DD] [--cycle-days=N]",
        {},
        {"kind", "subject", "title", "level", "hazard-list", "unit", "person", "target", "measures", "deadline",
         "cycle-days"},
        true, SupervisionAdd);
    add("supervision start", "supervision start <item_id> [--text=..]", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_START_RECTIFICATION, false>);
    add("supervision report", "supervision report <item_id> --text=REPORT", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_REPORT_RECTIFICATION, true>);
    add("supervision verify", "supervision verify <item_id> [--text=..]", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_VERIFY, false>);
    add("supervision return", "supervision return <item_id> --text=REASON", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_RETURN, true>);
    add("supervision close", "supervision close <item_id> [--text=..]", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_CLOSE, false>);
    add("supervision lookback-passed", "supervision lookback-passed <item_id> [--text=..]", {"item_id"}, {"text"},
        true, SupervisionStep<SA::SUPERVISION_ACTION_LOOKBACK_PASSED, false>);
    add("supervision reopen", "supervision reopen <item_id> --text=WHAT_RECURRED", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_REOPEN, true>);
    add("escalate", "escalate <item_id|task_id|obligation_id> --reason=R [--deadline=YYYY-MM-DD]", {"id"},
        {"reason", "deadline"}, true, Escalate);

    add("ranking enter",
        "ranking enter <board> <period> <unit>[,<unit>...] [--scores=N,N,...] [--not-ranked=UNIT,..] [--replace]",
        {"board", "period", "units"}, {"scores", "not-ranked", "replace"}, true, RankingEnter);
    add("ranking compute", "ranking compute <period> [--board=scorecard] [--replace]", {"period"},
        {"board", "replace"}, true, RankingCompute);
    add("ranking get", "ranking get <board> <period>", {"board", "period"}, {}, false, RankingGet);
    add("ranking list", "ranking list [--board=ID]", {}, {"board"}, false, RankingList);

    add("case list",
        "case list [--unit=UNIT] [--period=PERIOD] [--state=scheduled|held|followed_up|closed] [--rule=ID]", {},
        {"unit", "period", "state", "rule"}, false, CaseList);
    add("case get", "case get <case_id>", {"case_id"}, {}, false, CaseGet);
    add("case history", "case history <case_id>", {"case_id"}, {}, false, CaseHistory);
    add("case hold", "case hold <case_id> --minutes=TEXT --commitment=TEXT [--commitment=TEXT]...", {"case_id"},
        {"minutes", "commitment"}, true, CaseHold);
    add("case follow-up", "case follow-up <case_id> --text=TEXT", {"case_id"}, {"text"}, true, CaseFollowUp);
    add("case close", "case close <case_id> [--text=REMARK]", {"case_id"}, {"text"}, true, CaseClose);
    add("incident report",
        "incident report <unit> --date=YYYY-MM-DD --kind=KIND --deaths=N [--description=..]", {"unit"},
        {"date", "kind", "deaths", "description"}, true, IncidentReport);
    add("notice problem", "notice problem <unit> <month> <problem>", {"unit", "month", "problem"}, {}, true,
        NoticeRecordProblem);

    add("assessment figures",
        "assessment figures <assessment> <year> <unit> --value=NAME=NUM... [--baseline=NAME=NUM...]",
        {"assessment", "year", "unit"}, {"value", "baseline"}, true, AssessmentReportFigures);
    add("assessment evaluate", "assessment evaluate <assessment> <year> [<unit>]", {"assessment", "year", "[unit]"},
        {}, false, AssessmentEvaluate);

    add("clock advance", "clock advance --by=DURATION | --to=RFC3339", {}, {"by", "to"}, false, ClockAdvance);
    add("server info", "server info", {}, {}, false, ServerInfo);
    add("rules reload", "rules reload", {}, {}, false, RulesReload);
    add("timers dead", "timers dead", {}, {}, false, TimersDead);
    const std::set<std::string> audit_filters = {"account", "unit", "subject", "from", "to", "result"};
    std::set<std::string> list_flags = audit_filters;
    list_flags.insert({"page-size", "page-token", "all"});
    std::set<std::string> export_flags = audit_filters;
    export_flags.insert("out");
    add("audit list", "audit list [--account=A] [--unit=U] [--subject=KIND:ID] [--from=DATE] [--to=DATE] "
        "[--result=accepted|refused] [--page-size=N] [--page-token=T] [--all]", {}, list_flags, false,
        Audit<kAuditList>);
    add("audit history", "audit history <KIND:ID> [--all]", {"subject"}, {"all", "page-size", "page-token"}, false,
        Audit<kAuditHistory>);
    add("audit export", "audit export [--out=FILE] [--account=A] [--unit=U] [--subject=S] [--from=DATE] [--to=DATE] "
        "[--result=accepted|refused]", {}, export_flags, false, Audit<kAuditExport>);
    add("audit verify", "audit verify --public-key=FILE|--hmac-key=FILE --checkpoints=FILE [--trail=FILE] "
        "[--hash=sha256|sm3]", {}, {"public-key", "hmac-key", "checkpoints", "trail", "hash"}, false,
        Audit<kAuditVerify>);
    add("audit prune", "audit prune --before=DATE", {}, {"before"}, false, Audit<kAuditPrune>);
    add("audit head", "audit head", {}, {}, false, Audit<kAuditHead>);

    add("login", "login <account> [--totp=CODE]", {"account"}, {"totp"}, false, Login);
    add("logout", "logout", {}, {}, false, Logout);
    add("whoami", "whoami", {}, {}, false, WhoAmI);
    add("passwd", "passwd   (old, then new password: terminal or two lines of stdin)", {}, {}, false, Passwd);
    add("totp enrol", "totp enrol", {}, {}, false, TotpEnrol);
    add("totp confirm", "totp confirm <code>", {"code"}, {}, false, TotpConfirm);
    add("totp code", "totp code <secret_base32>   (prints the current code; no server call)", {"secret"}, {}, false,
        TotpCode);
    add("account list", "account list", {}, {}, false, AccountList);
    add("account create", "account create <id> [--unit=UNIT] [--name=NAME] [--service]", {"id"},
        {"unit", "name", "service"}, false, AccountCreate);
    add("account disable", "account disable <id>", {"id"}, {}, false, AccountSetDisabled<true>);
    add("account enable", "account enable <id>", {"id"}, {}, false, AccountSetDisabled<false>);
    add("account reset-password", "account reset-password <id>", {"id"}, {}, false, AccountResetPassword);
    add("role grant", "role grant <account> <role>[:<scope>,...]", {"account", "role"}, {}, false, RoleGrant);
    add("role revoke", "role revoke <account> <role>", {"account", "role"}, {}, false, RoleRevoke);
    add("export",
        "export tasks|obligations|rankings [--format=xlsx|csv] [--out=FILE|-] [--campaign=ID] [--unit=U] "
        "[--rule=ID] [--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--board=ID] [--period=P]",
        {"ledger"}, {"format", "out", "campaign", "unit", "rule", "from", "to", "board", "period"}, false, Export);
    add("briefing list", "briefing list [--kind=dekad|monthly|quarterly|annual] [--state=draft|published]", {},
        {"kind", "state"}, false, BriefingList);
    add("briefing get", "briefing get <briefing_id> [--format=markdown|html] [--out=FILE]", {"briefing_id"},
        {"format", "out"}, false, BriefingGet);
    add("briefing edit", "briefing edit <briefing_id> [--title=..] [--preface=..] [--remarks=..]", {"briefing_id"},
        {"title", "preface", "remarks"}, true, BriefingEdit);
    add("briefing publish", "briefing publish <briefing_id>", {"briefing_id"}, {}, true, BriefingPublish);
    return m;
  }();
  return table;
}

const std::set<std::string> kBooleanFlags = {"json", "help", "overdue", "all", "approve", "return", "deny", "ack",
                                             "replace", "service", "update", "dry-run"};

// Usage error for one command: the message, then its usage line; exit 2.
int CommandUsageError(const std::string& msg, const Command& cmd) {
  std::cerr << "dubanctl: " << msg << "\nusage: dubanctl " << cmd.usage;
  if (cmd.is_task_command) std::cerr << " [--comment=..] [--request-id=..] [--expected-version=N]";
  std::cerr << "\n";
  return 2;
}

int Main(int argc, char** argv) {
  Args args = Args::Parse(argc, argv, kBooleanFlags);
  const auto& pos = args.positional();
  bool help = args.Bool("help") || (!pos.empty() && pos[0] == "help");

  Options opts;
  if (const char* env = std::getenv("DUBAN_ADDR"); env && *env) opts.addr = env;
  if (const char* env = std::getenv("DUBAN_ACTOR"); env && *env) opts.actor = env;
  opts.addr = args.GetOr("addr", opts.addr);
  opts.actor = args.GetOr("actor", opts.actor);
  // The token: $DUBAN_TOKEN, else the token file (--token-file,
  // $DUBAN_TOKEN_FILE, ~/.config/duban/token).
  if (const char* env = std::getenv("DUBAN_TOKEN_FILE"); env && *env) opts.token_file = env;
  if (opts.token_file.empty()) {
    const char* home = std::getenv("HOME");
    opts.token_file = std::string(home && *home ? home : ".") + "/.config/duban/token";
  }
  opts.token_file = args.GetOr("token-file", opts.token_file);
  if (const char* env = std::getenv("DUBAN_TOKEN"); env && *env) {
    opts.token = env;
  } else if (std::ifstream in(opts.token_file); in) {
    std::getline(in, opts.token);
  }
  opts.ca = args.GetOr("ca", "");
  opts.cert = args.GetOr("cert", "");
  opts.key = args.GetOr("key", "");
  opts.json = args.Bool("json");
  if (auto v = args.Get("timeout")) {
    std::string t = *v;
    if (!t.empty() && absl::ascii_isdigit(static_cast<unsigned char>(t.back()))) t += "s";
    if (!absl::ParseDuration(t, &opts.timeout) || opts.timeout <= absl::ZeroDuration()) {
      throw UsageError("--timeout: '" + *v + "' is not a positive duration (e.g. 10s, 500ms)");
    }
  }
  if (opts.addr.empty()) throw UsageError("--addr: required");
  for (const char* g : {"addr", "actor", "json", "timeout", "help", "token-file", "ca", "cert", "key"}) args.Erase(g);

  if (help) {
    // "help", "--help", "task --help", "task get --help".
    std::vector<std::string> words(pos.begin() + (!pos.empty() && pos[0] == "help" ? 1 : 0), pos.end());
    if (!words.empty()) {
      // A one-word command ("watch") or a noun and its verb.
      auto it = Commands().find(words[0]);
      if (it == Commands().end() && words.size() >= 2) it = Commands().find(words[0] + " " + words[1]);
      if (it != Commands().end()) {
        std::cout << "usage: dubanctl " << it->second.usage << "\n";
        if (it->second.is_task_command) std::cout << "       [--comment=TEXT] [--request-id=ID] [--expected-version=N]\n";
        return 0;
      }
    }
    std::cout << kUsage;
    return 0;
  }
  if (pos.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  size_t words = 1;  // "watch", "escalate", "login", "logout", "whoami", "passwd" are one word; the others two
  auto it = Commands().find(pos[0]);
  if (it == Commands().end()) {
    if (pos.size() < 2) {
      std::cerr << "dubanctl: '" << pos[0] << "' needs a verb\n" << kUsage;
      return 2;
    }
    words = 2;
    it = Commands().find(pos[0] + " " + pos[1]);
    if (it == Commands().end()) {
      std::cerr << "dubanctl: unknown command '" << pos[0] << " " << pos[1] << "'\n" << kUsage;
      return 2;
    }
  }
  const Command& cmd = it->second;
  Operands ops(pos.begin() + words, pos.end());
  try {
    // Operands written "[name]" are optional (and come last).
    size_t required = 0;
    while (required < cmd.operands.size() && cmd.operands[required][0] != '[') ++required;
    if (ops.size() < required) throw UsageError("missing <" + cmd.operands[ops.size()] + ">");
    if (ops.size() > cmd.operands.size()) throw UsageError("unexpected argument '" + ops[cmd.operands.size()] + "'");
    std::set<std::string> allowed = cmd.flags;
    if (cmd.is_task_command) allowed.insert({"comment", "request-id", "expected-version"});
    args.CheckAllowed(allowed);
    for (const auto& op : ops) {
      if (op.empty()) throw UsageError("empty argument");
    }
    Client client(opts);
    cmd.run(client, args, ops);
  } catch (const UsageError& e) {
    return CommandUsageError(e.what(), cmd);
  }
  return 0;
}

}  // namespace dubanctl

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  try {
    return dubanctl::Main(argc, argv);
  } catch (const dubanctl::UsageError& e) {
    std::cerr << "dubanctl: " << e.what() << "\nrun 'dubanctl help' for usage\n";
    return 2;
  } catch (const dubanctl::RpcFailure& f) {
    std::cout.flush();
    std::cerr << "dubanctl: " << dubanctl::CodeName(f.status.error_code()) << ": " << f.status.error_message() << "\n";
    return f.status.error_code() == grpc::StatusCode::UNAVAILABLE ? 3 : 1;
  } catch (const dubanctl::Failure& e) {
    std::cerr << "dubanctl: " << e.what() << "\n";
    return 1;
  }
}
