#include "engine/briefings/briefings.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/ranking.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/paging.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "engine/time/clock.h"

namespace duban {

namespace {


std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

bool Within(const google::protobuf::Timestamp& ts, absl::Time from, absl::Time to) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return false;
  absl::Time t = FromTs(ts);
  return t >= from && t < to;
}

bool Done(v1::TaskState s) { return s == v1::TASK_STATE_COMPLETED || s == v1::TASK_STATE_ARCHIVED; }

}  // namespace

std::string BriefingKindName(v1::BriefingKind kind) {
  switch (kind) {
    case v1::BRIEFING_KIND_DEKAD: return "旬简报";
    case v1::BRIEFING_KIND_MONTHLY: return "月通报";
    case v1::BRIEFING_KIND_QUARTERLY: return "季讲评";
    case v1::BRIEFING_KIND_ANNUAL: return "年总结";
    default: return "简报";
  }
}

Briefings::Briefings(Engine* engine, const Rankings* rankings, const Accountability* accountability,
                     BriefingRules rules)
    : engine_(engine), rankings_(rankings), accountability_(accountability), rules_(std::move(rules)) {}

absl::Time Briefings::DraftTime(const Period& p) {
  absl::CivilDay day = std::min(p.end + 1, p.due_day);
  return At(day, 8, 30);
}

absl::StatusOr<v1::Briefing> Briefings::Compose(const CadenceRule& rule, v1::BriefingKind kind, const Period& p,
                                                absl::Time drafted_at) const {
  const absl::Time from = absl::FromCivil(p.start, PlanTimeZone());
  const absl::Time to = absl::FromCivil(p.end + 1, PlanTimeZone());
  v1::Briefing b;
  b.set_id(absl::StrCat(rule.id, ":", p.label));
  b.set_kind(kind);
  b.set_rule_id(rule.id);
  b.set_period_label(p.label);
  b.set_period_start(Day(p.start));
  b.set_period_end(Day(p.end));
  b.set_title(absl::StrCat(rule.name, "（", Day(p.start), " 至 ", Day(p.end), "）"));
  b.set_state(v1::BRIEFING_STATE_DRAFT);
  b.set_version(1);
  *b.mutable_drafted_at() = Ts(drafted_at);
  *b.mutable_updated_at() = Ts(drafted_at);

  auto& names = *b.mutable_unit_names();
  for (const v1::Unit& u : engine_->ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED)) names[u.id()] = u.name();
  auto name_of = [&](const std::string& id) {
    auto it = names.find(id);
    return it == names.end() ? id : it->second;
  };
  auto lead_names = [&](const v1::Task& t) {
    std::vector<std::string> out;
    for (const auto& id : t.lead_unit_ids()) out.push_back(name_of(id));
    return absl::StrJoin(out, "、");
  };
  auto line = [&](const v1::Task& t, const std::string& note) {
    v1::TaskLine l;
    l.set_task_id(t.id());
    l.set_code(t.code());
    l.set_title(t.title());
    l.set_lead_units(lead_names(t));
    l.set_due_date(t.due_date());
    l.set_note(note);
    return l;
  };

  // Tasks, campaign by campaign, with their histories.
  ASSIGN_OR_RETURN(std::vector<v1::Campaign> campaigns, engine_->ListCampaigns(""));
  std::map<std::string, int> overdue_by_unit;
  const std::string end_day = Day(p.end);
  for (const v1::Campaign& c : campaigns) {
    v1::CampaignProgress* cp = b.add_campaigns();
    cp->set_campaign_id(c.id());
    cp->set_name(c.name());
    // indicator name -> (value, task code), the latest reported by the end
    // of the period.
    std::map<std::string, std::pair<double, std::string>> latest;
    TaskFilter f;
    f.campaign_id = c.id();
    f.page_size = 500;
    while (true) {
      ASSIGN_OR_RETURN(TaskPage page, engine_->ListTasks(f));
      for (const v1::Task& t : page.tasks) {
        cp->set_tasks_total(cp->tasks_total() + 1);
        ASSIGN_OR_RETURN(std::vector<v1::TaskEvent> events, engine_->History(t.id()));
        bool done_by_end = false;
        bool cancelled_by_end = false;
        for (const v1::TaskEvent& e : events) {
          absl::Time at = FromTs(e.at());
          if (at >= to) break;
          if (Done(e.to_state())) done_by_end = true;
          if (e.to_state() == v1::TASK_STATE_CANCELLED) cancelled_by_end = true;
          if (e.command() == v1::TASK_COMMAND_REPORT_PROGRESS) {
            for (const auto& iv : e.report().indicator_values()) latest[iv.indicator()] = {iv.value(), t.code()};
          }
          if (at < from) continue;
          switch (e.command()) {
            case v1::TASK_COMMAND_REPORT_PROGRESS: {
              cp->set_reports_in_period(cp->reports_in_period() + 1);
              std::string unit = e.actor();
              if (!t.lead_unit_ids().empty()) unit = lead_names(t);
              if (!e.report().highlights().empty()) {
                v1::Quote* q = b.add_highlights();
                q->set_task_code(t.code());
                q->set_unit_name(unit);
                q->set_text(e.report().highlights());
              }
              if (!e.report().difficulties().empty()) {
                v1::Quote* q = b.add_difficulties();
                q->set_task_code(t.code());
                q->set_unit_name(unit);
                q->set_text(e.report().difficulties());
              }
              break;
            }
            case v1::TASK_COMMAND_RETURN_COMPLETION:
              *b.add_returned() = line(t, e.reason());
              break;
            default:
              if (Done(e.to_state()) && !Done(e.from_state())) *b.add_completed() = line(t, "");
              break;
          }
        }
        if (done_by_end) cp->set_tasks_completed(cp->tasks_completed() + 1);
        if (!done_by_end && !cancelled_by_end && !t.due_date().empty() && t.due_date() < Day(p.end + 1) &&
            t.due_date() <= end_day) {
          *b.add_overdue() = line(t, absl::StrCat("应于", t.due_date(), "完成"));
          for (const auto& id : t.lead_unit_ids()) ++overdue_by_unit[id];
        }
      }
      if (page.next_page_token.empty()) break;
      f.page_token = page.next_page_token;
    }
    for (const v1::Target& target : c.targets()) {
      v1::IndicatorProgress* ip = cp->add_indicators();
      ip->set_campaign_id(c.id());
      ip->set_target_code(target.code());
      ip->set_indicator(target.indicator());
      ip->set_unit_of_measure(target.unit_of_measure());
      ip->set_target_value(target.target_value());
      auto it = latest.find(target.indicator());
      if (it != latest.end()) {
        ip->set_reported(true);
        ip->set_reported_value(it->second.first);
        ip->set_reported_by_task(it->second.second);
      }
    }
  }

  // Late units: reports due in the period that were missed or came late,
  // and lead tasks overdue at its end.
  std::map<std::string, v1::LateUnit> late;
  ObligationFilter of;
  of.period_to = end_day;
  of.page_size = 500;
  while (true) {
    ASSIGN_OR_RETURN(ObligationPage page, engine_->ListObligations(of));
    for (const v1::Obligation& o : page.obligations) {
      if (!Within(o.deadline(), from, to)) continue;
      bool missed = o.state() == v1::OBLIGATION_STATE_MISSED ||
                    (o.state() == v1::OBLIGATION_STATE_PENDING && FromTs(o.deadline()) < to &&
                     FromTs(o.deadline()) <= engine_->clock().Now());
      if (!missed && !o.submitted_late()) continue;
      v1::LateUnit& u = late[o.unit_id()];
      if (missed) u.set_obligations_missed(u.obligations_missed() + 1);
      if (o.submitted_late()) u.set_submitted_late(u.submitted_late() + 1);
    }
    if (page.next_page_token.empty()) break;
    of.page_token = page.next_page_token;
  }
  for (const auto& [id, n] : overdue_by_unit) late[id].set_overdue_tasks(n);
  std::vector<v1::LateUnit> lates;
  for (auto& [id, u] : late) {
    u.set_unit_id(id);
    u.set_unit_name(name_of(id));
    lates.push_back(u);
  }
  std::sort(lates.begin(), lates.end(), [](const v1::LateUnit& a, const v1::LateUnit& x) {
    int sa = a.obligations_missed() + a.submitted_late() + a.overdue_tasks();
    int sx = x.obligations_missed() + x.submitted_late() + x.overdue_tasks();
    if (sa != sx) return sa > sx;
    return a.unit_id() < x.unit_id();
  });
  for (auto& u : lates) *b.add_late_units() = std::move(u);

  // Supervision items opened and closed in the period.
  ASSIGN_OR_RETURN(std::vector<v1::SupervisionItem> items, engine_->ListSupervisionItems(SupervisionFilter{}));
  for (const auto& item : items) {
    if (Within(item.created_at(), from, to)) *b.add_supervision_opened() = item;
    if (item.state() == v1::SUPERVISION_STATE_CLOSED) {
      ASSIGN_OR_RETURN(std::vector<v1::SupervisionEvent> events, engine_->SupervisionHistory(item.id()));
      for (const auto& e : events) {
        if (e.kind() == "closed" && Within(e.at(), from, to)) {
          *b.add_supervision_closed() = item;
          break;
        }
      }
    }
  }

  // Rankings published and cases opened in the period.
  if (rankings_ != nullptr) {
    for (const Board& board : rankings_->config().boards) {
      ASSIGN_OR_RETURN(std::vector<v1::Ranking> list, rankings_->ListRankings(board.id));
      for (const auto& r : list) {
        if (Within(r.published_at(), from, to)) *b.add_rankings() = r;
      }
    }
  }
  if (accountability_ != nullptr) {
    ASSIGN_OR_RETURN(std::vector<v1::AccountabilityCase> cases, accountability_->ListCases(CaseFilter{}));
    for (const auto& c : cases) {
      if (Within(c.created_at(), from, to)) *b.add_cases() = c;
    }
  }
  FitDocument(&b, kMaxDocumentEntries, kMaxDocumentBytes, b.mutable_left_out());
  return b;
}

absl::StatusOr<int> Briefings::DraftDue(absl::Time now) {
  const auto& opts = engine_->options();
  // One snapshot for the whole run: `next` points into its rules.
  const std::shared_ptr<const CadenceConfig> cadences = engine_->cadences();
  if (!cadences || !opts.calendar) return 0;
  std::lock_guard<std::mutex> l(mu_);
  // Every period due, over all rules, oldest first.
  struct Due {
    absl::Time at;
    const CadenceRule* rule;
    v1::BriefingKind kind;
    absl::CivilDay start;
  };
  int drafted = 0;
  while (true) {
    std::optional<Due> next;
    for (const CadenceRule& rule : cadences->rules) {
      auto kind = rules_.rules.find(rule.id);
      if (kind == rules_.rules.end()) continue;
      std::optional<absl::CivilDay> start;
      auto stored = engine_->store().Get(Cf::kMeta, keys::NextBriefing(rule.id));
      if (stored.ok()) {
        absl::CivilDay d;
        if (!absl::ParseCivilTime(*stored, &d)) {
          return absl::DataLossError(absl::StrCat("briefings: bad schedule for ", rule.id, ": '", *stored, "'"));
        }
        start = d;
      } else if (absl::IsNotFound(stored.status())) {
        // First run: from the period the cadence itself starts with, the
        // first whose deadline is still ahead.
        start = FirstPeriodStart(rule, now, *opts.calendar);
        if (start) {
          // Remembered at once, so that a clock moved far ahead later still
          // drafts every period on the way.
          rocksdb::WriteBatch first;
          engine_->store().Put(&first, Cf::kMeta, keys::NextBriefing(rule.id), Day(*start));
          std::vector<v1::Notification> none;
          RETURN_IF_ERROR(engine_->pipeline().Commit(&first, &none));
        }
      } else {
        return stored.status();
      }
      if (!start) continue;
      if (rule.active_until && *start > *rule.active_until) continue;
      Period p = PeriodAt(rule, *start, *opts.calendar);
      absl::Time at = DraftTime(p);
      if (at > now) continue;
      if (!next || at < next->at) next = Due{at, &rule, kind->second, *start};
    }
    if (!next) break;
    Period p = PeriodAt(*next->rule, next->start, *opts.calendar);
    rocksdb::WriteBatch batch;
    std::string id = absl::StrCat(next->rule->id, ":", p.label);
    std::string key = keys::Entity(keys::Kind::kBriefing, id);
    ASSIGN_OR_RETURN(bool drafted_before, engine_->store().Exists(Cf::kEntities, key));
    if (!drafted_before) {
      ASSIGN_OR_RETURN(v1::Briefing b, Compose(*next->rule, next->kind, p, next->at));
      engine_->store().Put(&batch, Cf::kEntities, key, b);
      ++drafted;
    }
    auto following = NextPeriodStart(*next->rule, next->start);
    engine_->store().Put(&batch, Cf::kMeta, keys::NextBriefing(next->rule->id),
                         following ? Day(*following) : std::string("9999-12-31"));
    std::vector<v1::Notification> none;
    RETURN_IF_ERROR(engine_->pipeline().Commit(&batch, &none));
  }
  return drafted;
}

std::optional<absl::Time> Briefings::NextDraftTime() const {
  const auto& opts = engine_->options();
  const std::shared_ptr<const CadenceConfig> cadences = engine_->cadences();
  if (!cadences || !opts.calendar) return std::nullopt;
  std::optional<absl::Time> best;
  for (const CadenceRule& rule : cadences->rules) {
    if (!rules_.rules.count(rule.id)) continue;
    auto stored = engine_->store().Get(Cf::kMeta, keys::NextBriefing(rule.id));
    absl::CivilDay d;
    if (!stored.ok() || !absl::ParseCivilTime(*stored, &d) || d.year() >= 9999) continue;
    absl::Time at = DraftTime(PeriodAt(rule, d, *opts.calendar));
    if (!best || at < *best) best = at;
  }
  return best;
}

absl::StatusOr<v1::Briefing> Briefings::Load(absl::string_view id) const {
  if (id.empty()) return absl::InvalidArgumentError("briefing_id: required");
  if (!keys::IsValidComponent(id) || id.size() > 256) {
    return absl::InvalidArgumentError("briefing_id: not a briefing id");
  }
  v1::Briefing b;
  absl::Status s = engine_->store().GetProto(Cf::kEntities, keys::Entity(keys::Kind::kBriefing, id), &b);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("briefing_id: no briefing '", id, "'"));
  RETURN_IF_ERROR(s);
  return b;
}

absl::StatusOr<v1::Briefing> Briefings::Get(absl::string_view id) const { return Load(id); }

namespace {
// The order of a listing: period start, kind, id.
std::tuple<std::string, int, std::string> BriefingOrder(const v1::Briefing& b) {
  return {b.period_start(), static_cast<int>(b.kind()), b.id()};
}
}  // namespace

absl::StatusOr<std::vector<v1::Briefing>> Briefings::List(v1::BriefingKind kind, v1::BriefingState state) const {
  if (!v1::BriefingKind_IsValid(kind)) return absl::InvalidArgumentError("kind: unknown value");
  if (!v1::BriefingState_IsValid(state)) return absl::InvalidArgumentError("state: unknown value");
  std::vector<v1::Briefing> out;
  absl::Status bad;
  absl::Status scanned = engine_->store().Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kBriefing),
                        [&](absl::string_view, absl::string_view v) {
                          v1::Briefing b;
                          if (!b.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
                            bad = absl::DataLossError("briefings: unparsable record");
                            return false;
                          }
                          if (kind != v1::BRIEFING_KIND_UNSPECIFIED && b.kind() != kind) return true;
                          if (state != v1::BRIEFING_STATE_UNSPECIFIED && b.state() != state) return true;
                          out.push_back(std::move(b));
                          return true;
                        });
  RETURN_IF_ERROR(scanned);
  RETURN_IF_ERROR(bad);
  std::sort(out.begin(), out.end(), [](const v1::Briefing& a, const v1::Briefing& x) {
    return BriefingOrder(a) < BriefingOrder(x);
  });
  return out;
}

// A few dozen briefings a year: each page sorts them all and starts after
// the one the token names.
absl::StatusOr<Briefings::Page> Briefings::ListPage(v1::BriefingKind kind, v1::BriefingState state, int page_size,
                                                    absl::string_view page_token) const {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, kDefaultListPageSize, kMaxListPageSize));
  std::string prefix = keys::EntityPrefix(keys::Kind::kBriefing);
  ASSIGN_OR_RETURN(std::string after_key, PageTokenKey(page_token, prefix));
  ASSIGN_OR_RETURN(std::vector<v1::Briefing> all, List(kind, state));
  auto it = all.begin();
  if (!after_key.empty()) {
    auto after = Load(after_key.substr(prefix.size()));
    if (absl::IsNotFound(after.status())) return absl::InvalidArgumentError("page_token: not a token of this listing");
    RETURN_IF_ERROR(after.status());
    it = std::upper_bound(all.begin(), all.end(), *after, [](const v1::Briefing& a, const v1::Briefing& x) {
      return BriefingOrder(a) < BriefingOrder(x);
    });
  }
  Page page;
  size_t bytes = 0;
  for (; it != all.end(); ++it) {
    size_t size = it->ByteSizeLong();
    if (static_cast<int>(page.briefings.size()) == limit || (!page.briefings.empty() && bytes + size > kMaxPageBytes)) {
      page.next_page_token = PageToken(keys::Entity(keys::Kind::kBriefing, page.briefings.back().id()));
      break;
    }
    bytes += size;
    page.briefings.push_back(std::move(*it));
  }
  return page;
}

absl::StatusOr<v1::Briefing> Briefings::Change(const CommandMeta& meta, absl::string_view id,
                                               const std::function<absl::Status(v1::Briefing*)>& fn) {
  RETURN_IF_ERROR(validate::Required("meta.actor", meta.actor, validate::kMaxActor));
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(v1::Briefing b, Load(id));
  if (meta.expected_version != 0 && meta.expected_version != b.version()) {
    return absl::AbortedError(absl::StrCat("expected_version: briefing ", id, " is at version ", b.version(),
                                           ", not ", meta.expected_version));
  }
  if (b.state() == v1::BRIEFING_STATE_PUBLISHED) {
    return absl::FailedPreconditionError(absl::StrCat("briefing ", id, " is published: it can no longer change"));
  }
  RETURN_IF_ERROR(fn(&b));
  b.set_version(b.version() + 1);
  *b.mutable_updated_at() = Ts(engine_->clock().Now());
  rocksdb::WriteBatch batch;
  engine_->store().Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kBriefing, b.id()), b);
  std::vector<v1::Notification> none;
  RETURN_IF_ERROR(engine_->pipeline().Commit(&batch, &none));
  return b;
}

absl::StatusOr<v1::Briefing> Briefings::Edit(const CommandMeta& meta, absl::string_view id, const std::string& title,
                                             const std::string& preface, const std::string& remarks) {
  if (title.empty() && preface.empty() && remarks.empty()) {
    return absl::InvalidArgumentError("title: nothing to change (give title, preface or remarks)");
  }
  RETURN_IF_ERROR(validate::Optional("title", title, 200));
  RETURN_IF_ERROR(validate::Optional("preface", preface, 20000));
  RETURN_IF_ERROR(validate::Optional("remarks", remarks, 20000));
  return Change(meta, id, [&](v1::Briefing* b) {
    if (!title.empty()) b->set_title(title);
    if (!preface.empty()) b->set_preface(preface);
    if (!remarks.empty()) b->set_remarks(remarks);
    b->set_edited_by(meta.actor);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Briefing> Briefings::Publish(const CommandMeta& meta, absl::string_view id) {
  return Change(meta, id, [&](v1::Briefing* b) {
    b->set_state(v1::BRIEFING_STATE_PUBLISHED);
    b->set_published_by(meta.actor);
    *b->mutable_published_at() = Ts(engine_->clock().Now());
    return absl::OkStatus();
  });
}

}  // namespace duban
