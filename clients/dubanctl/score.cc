// dubanctl: the score noun: each unit's reporting score.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "all_pages.h"
#include "client.h"
#include "text_table.h"

namespace dubanctl {
namespace {

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
  AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.reports().ListUnitScores(ctx, r, p); },
           [](auto* m) { return m->mutable_scores(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"UNIT", "DUE", "ON TIME", "%", "MISSED", "LATE", "RETURNED", "URGES"}, {24, 0, 0, 0, 0, 0, 0, 0});
  for (const auto& s : resp.scores()) {
    t.AddRow({c.UnitName(s.unit_id()), std::to_string(s.due()), std::to_string(s.on_time()),
              Percent(s.on_time(), s.due()), std::to_string(s.missed()), std::to_string(s.late_submissions()),
              std::to_string(s.returned()), std::to_string(s.urges())});
  }
  t.Print(std::cout);
}

}  // namespace

void RegisterScoreCommands(Registry& r) {
  r.Add("score get", "score get <unit>", {"unit"}, {}, false, ScoreGet);
  r.Add("score list", "score list", {}, {}, false, ScoreList);
}

}  // namespace dubanctl
