// dubanctl: the command-line client of duband. One command per RPC of
// proto/duban/v1/duban.proto; readable tables by default, --json for the
// response message. This file holds the usage text and the dispatch: CLI11
// parses the line against the commands each noun file registers (see
// client.h), and Main turns what it found into the usage errors, help and
// exit codes dubanctl has always given.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client.h"
#include "flags.h"

namespace dubanctl {
namespace {

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
  plan import <file.yaml> [--dry-run] [--update] [--progress]
                                   (system administrator; --dry-run lists redefinitions)
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
              [--indicator=NAME=VALUE[UNIT]]... [--evidence=SHA,..]
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
  obligation submit <obligation_id> --text=REPORT [--evidence=SHA,..]
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
  supervision report|return|reopen <item_id> --text=.. [--evidence=SHA,..] (report only)
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
  case follow-up <case_id> --text=TEXT [--evidence=SHA,..]
  case close <case_id> [--text=REMARK]
  incident report <unit> --date=YYYY-MM-DD --kind=KIND --deaths=N [--description=..]
  notice problem <unit> <month> <problem>
assessment (考核)
  assessment figures <assessment> <year> <unit> --value=NAME=NUM... [--baseline=NAME=NUM...]
  assessment evaluate <assessment> <year> [<unit>]
evidence (佐证材料; give the printed sha256 as --evidence=SHA,.. to task report, obligation submit,
          supervision report or case follow-up)
  evidence upload <file> [--name=FILE_NAME]
  evidence download <sha256> [-o FILE|-]
  evidence list [--task=ID] [--unit=UNIT] [--period=YYYY-MM]
notifications
  notification list <recipient> [--after=SEQ] [--limit=N]
  notification ack <recipient> <seq>
  watch <recipient> [--after=SEQ] [--ack] [--count=N] [--for=DURATION]
audit trail (audit administrators; verify runs here and trusts nothing from the server)
  audit list [--account=A] [--unit=U] [--subject=KIND:ID] [--from=DATE] [--to=DATE]
             [--result=accepted|refused] [--page-size=N] [--page-token=T] [--all]
  audit history <KIND:ID>          (who did what to it, when, from where, refusals included)
  audit export [--out=FILE] [--progress] [filters as for list]   (JSON lines; unfiltered: verifiable)
  audit verify --public-key=FILE|--hmac-key=FILE --checkpoints=FILE [--trail=FILE] [--hash=sha256|sm3]
                                   (without --trail: the running daemon's trail)
  audit prune --before=DATE        (at least the retention period, 180 days or more, ago)
  audit head
ledgers and briefings
  export tasks|obligations|rankings [--format=xlsx|csv] [--out=FILE|-] [--campaign=ID] [--unit=U] [--rule=ID]
         [--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--board=ID] [--period=P] [--progress]
  bulletin <YYYY-MM>                                 (the monthly bulletin, 月通报)
  briefing list [--kind=dekad|monthly|quarterly|annual] [--state=draft|published]
  briefing get <briefing_id> [--format=markdown|html] [--out=FILE]
  briefing edit <briefing_id> [--title=..] [--preface=..] [--remarks=..]
  briefing publish <briefing_id>
  (--progress: the steps of a long operation on stderr; shown anyway when stderr is a terminal)
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

// ---------------------------------------------------------------- dispatch

// Usage error for one command: the message, then its usage line; exit 2.
int CommandUsageError(const std::string& msg, const Command& cmd) {
  std::cerr << "dubanctl: " << msg << "\nusage: dubanctl " << cmd.usage;
  if (cmd.is_task_command) std::cerr << " [--comment=..] [--request-id=..] [--expected-version=N]";
  std::cerr << "\n";
  return 2;
}

// CLI11's "--reason: 1 required TEXT missing" said as dubanctl says it.
std::string ParseErrorMessage(const std::string& what) {
  size_t colon = what.find(": ");
  if (colon != std::string::npos && absl::EndsWith(what, " missing") && absl::StartsWith(what, "-")) {
    return what.substr(0, colon) + ": needs a value";
  }
  return what;
}

bool IsFlagWord(const std::string& w) { return w.size() >= 2 && w[0] == '-'; }

// "--name=value" -> "--name".
std::string FlagName(const std::string& w) { return w.substr(0, w.find('=')); }

// The global flags: declared on the root command, so they may stand before
// the noun or anywhere after it.
constexpr const char* kGlobalValueFlags[] = {"addr", "actor", "timeout", "token-file", "ca", "cert", "key"};

Options ReadGlobalFlags(const Args& args) {
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
  return opts;
}

void PrintCommandHelp(const Command& cmd) {
  std::cout << "usage: dubanctl " << cmd.usage << "\n";
  if (cmd.is_task_command) std::cout << "       [--comment=TEXT] [--request-id=ID] [--expected-version=N]\n";
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app("dubanctl", "dubanctl");
  app.set_help_flag();
  app.allow_extras();  // unknown words and flags: reported below, with the command's usage
  std::map<std::string, CLI::Option*> global;
  for (const char* g : kGlobalValueFlags) {
    global[g] = app.add_option(std::string("--") + g)->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  }
  global["json"] = app.add_flag("--json")->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  global["help"] = app.add_flag("-h,--help")->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  // "help [noun [verb]]": the words that are commands select them; others stay here.
  CLI::App* help_cmd = app.add_subcommand("help");
  help_cmd->set_help_flag();
  help_cmd->fallthrough();
  help_cmd->add_option("words")->expected(0, CLI::detail::expected_max_vector_size)->allow_extra_args();

  Registry reg(&app);
  RegisterUnitCommands(reg);
  RegisterPlanCommands(reg);
  RegisterTaskCommands(reg);
  RegisterObligationCommands(reg);
  RegisterScoreCommands(reg);
  RegisterBulletinCommands(reg);
  RegisterNotificationCommands(reg);
  RegisterSupervisionCommands(reg);
  RegisterRankingCommands(reg);
  RegisterCaseCommands(reg);
  RegisterAssessmentCommands(reg);
  RegisterAdminCommands(reg);
  RegisterAuditCommands(reg);
  RegisterExportCommands(reg);
  RegisterBriefingCommands(reg);
  RegisterAccountCommands(reg);
  RegisterEvidenceCommands(reg);

  // A missing operand (RequiredError) is found again below from what was
  // parsed; an error that stopped the parse (a flag without its value) is
  // reported as it is.
  std::string stopped;
  try {
    app.parse(argc, argv);
  } catch (const CLI::RequiredError&) {
  } catch (const CLI::ParseError& e) {
    stopped = ParseErrorMessage(e.what());
  }

  std::map<std::string, std::vector<std::string>> given;
  for (const auto& [name, opt] : global) {
    if (opt->count() > 0) given[name] = opt->results();
  }
  Args globals(std::move(given));
  // "help" is the help command only as the first word; later it is a stray word.
  std::vector<CLI::App*> parsed = app.get_subcommands();
  bool help_first = !parsed.empty() && parsed.front() == help_cmd;
  bool help = globals.Bool("help") || help_first;

  // What was chosen: commands (one, unless a stray word named another), or a noun without a verb.
  // In the order the line named them: a noun's verbs, or one-word commands.
  std::map<const CLI::App*, const Command*> by_app;
  for (const auto& [name, cmd] : reg.commands()) by_app[cmd.app] = &cmd;
  std::vector<const Command*> chosen;
  for (CLI::App* sub : app.get_subcommands()) {
    if (auto it = by_app.find(sub); it != by_app.end()) chosen.push_back(it->second);
    for (CLI::App* verb : sub->get_subcommands()) {
      if (auto it = by_app.find(verb); it != by_app.end()) chosen.push_back(it->second);
    }
  }
  std::string noun;
  for (CLI::App* sub : parsed) {
    if (sub != help_cmd && noun.empty()) noun = sub->get_name();
  }
  std::vector<std::string> stray_words, stray_flags;
  if (help_cmd->parsed() && !help_first) stray_words.push_back("help");
  for (const std::string& w : app.remaining()) (IsFlagWord(w) ? stray_flags : stray_words).push_back(w);

  if (!stopped.empty() && chosen.empty()) throw UsageError(stopped);
  Options opts = ReadGlobalFlags(globals);

  if (help) {
    // "help", "--help", "task --help", "task get --help", "help task get".
    if (chosen.size() == 1) {
      PrintCommandHelp(*chosen[0]);
    } else {
      std::cout << kUsage;
    }
    return 0;
  }
  if (chosen.empty()) {
    if (!noun.empty()) {
      if (!stray_words.empty()) {
        std::cerr << "dubanctl: unknown command '" << noun << " " << stray_words[0] << "'\n" << kUsage;
      } else {
        std::cerr << "dubanctl: '" << noun << "' needs a verb\n" << kUsage;
      }
      return 2;
    }
    if (stray_words.empty()) {
      std::cerr << kUsage;
      return 2;
    }
    if (stray_words.size() == 1) {
      std::cerr << "dubanctl: '" << stray_words[0] << "' needs a verb\n" << kUsage;
    } else {
      std::cerr << "dubanctl: unknown command '" << stray_words[0] << " " << stray_words[1] << "'\n" << kUsage;
    }
    return 2;
  }
  const Command& cmd = *chosen[0];
  try {
    if (!stopped.empty()) throw UsageError(stopped);
    Operands ops = cmd.GivenOperands();
    for (size_t i = 0; i < cmd.operand_options.size(); ++i) {
      if (cmd.operand_options[i]->count() == 0 && cmd.operands[i][0] != '[') {
        throw UsageError("missing <" + cmd.operands[i] + ">");
      }
    }
    for (const std::string& f : stray_flags) {
      if (f.rfind("--", 0) != 0) throw UsageError("unknown option '" + f + "' (flags are written --name=value)");
      throw UsageError(FlagName(f) + ": unknown flag for this command");
    }
    if (!cmd.surplus->results().empty()) {
      throw UsageError("unexpected argument '" + cmd.surplus->results().front() + "'");
    }
    if (chosen.size() > 1) throw UsageError("unexpected argument '" + chosen[1]->app->get_name() + "'");
    if (!stray_words.empty()) throw UsageError("unexpected argument '" + stray_words[0] + "'");
    for (const auto& op : ops) {
      if (op.empty()) throw UsageError("empty argument");
    }
    Args args = cmd.GivenFlags();
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
