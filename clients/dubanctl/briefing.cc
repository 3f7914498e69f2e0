// dubanctl: the briefing noun: drafted briefings, edited and published.
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
namespace {

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
  // Every page, in order.
  while (true) {
    v1::ListBriefingsResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return stub.ListBriefings(ctx, req, &page); });
    for (auto& b : *page.mutable_briefings()) *resp.add_briefings() = std::move(b);
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
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

}  // namespace

void RegisterBriefingCommands(Registry& r) {
  r.Add("briefing list", "briefing list [--kind=dekad|monthly|quarterly|annual] [--state=draft|published]", {},
        {"kind", "state"}, false, BriefingList);
  r.Add("briefing get", "briefing get <briefing_id> [--format=markdown|html] [--out=FILE]", {"briefing_id"},
        {"format", "out"}, false, BriefingGet);
  r.Add("briefing edit", "briefing edit <briefing_id> [--title=..] [--preface=..] [--remarks=..]", {"briefing_id"},
        {"title", "preface", "remarks"}, true, BriefingEdit);
  r.Add("briefing publish", "briefing publish <briefing_id>", {"briefing_id"}, {}, true, BriefingPublish);
}

}  // namespace dubanctl
