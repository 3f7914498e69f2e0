// dubanctl: the ranking noun (排名): entered and computed rankings.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client.h"
#include "text_table.h"

namespace dubanctl {

std::string RankingSourceName(v1::RankingSource s);

namespace {

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
  // Every page, in order.
  while (true) {
    v1::ListRankingsResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.rankings().ListRankings(ctx, req, &page); });
    for (auto& r : *page.mutable_rankings()) *resp.add_rankings() = std::move(r);
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "SOURCE", "RANKED", "NOT RANKED", "LAST", "PUBLISHED", "BY"}, {0, 0, 0, 0, 30, 0, 20});
  for (const auto& r : resp.rankings()) {
    t.AddRow({r.id(), RankingSourceName(r.source()), std::to_string(r.entries_size()),
              std::to_string(r.not_ranked_unit_ids_size()), LastUnits(c, r), Minutes(r.published_at()),
              r.published_by()});
  }
  t.Print(std::cout);
}

}  // namespace

std::string RankingSourceName(v1::RankingSource s) {
  if (s == v1::RANKING_SOURCE_UNSPECIFIED) return "";
  return Short(v1::RankingSource_Name(s), "RANKING_SOURCE_");
}
std::string CaseStateName(v1::AccountabilityState s) {
  if (s == v1::ACCOUNTABILITY_STATE_UNSPECIFIED) return "-";
  return Short(v1::AccountabilityState_Name(s), "ACCOUNTABILITY_STATE_");
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

void RegisterRankingCommands(Registry& r) {
  r.Add("ranking enter",
        "ranking enter <board> <period> <unit>[,<unit>...] [--scores=N,N,...] [--not-ranked=UNIT,..] [--replace]",
        {"board", "period", "units"}, {"scores", "not-ranked", "replace"}, true, RankingEnter);
  r.Add("ranking compute", "ranking compute <period> [--board=scorecard] [--replace]", {"period"},
        {"board", "replace"}, true, RankingCompute);
  r.Add("ranking get", "ranking get <board> <period>", {"board", "period"}, {}, false, RankingGet);
  r.Add("ranking list", "ranking list [--board=ID]", {}, {"board"}, false, RankingList);
}

}  // namespace dubanctl
