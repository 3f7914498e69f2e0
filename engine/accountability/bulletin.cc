// The monthly bulletin (月通报): who is late, in one page.
#include "engine/accountability/bulletin.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/paging.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"

namespace duban {

absl::StatusOr<v1::Bulletin> MonthlyBulletin(const BulletinSources& from, absl::string_view month,
                                             const std::vector<v1::AccountabilityCase>& cases) {
  int y = 0, m = 0;
  char extra = 0;
  std::string ms(month);
  if (ms.size() != 7 || std::sscanf(ms.c_str(), "%4d-%2d%c", &y, &m, &extra) != 2 || ms[4] != '-' || m < 1 || m > 12 ||
      y < 2000 || y > 2100) {
    return absl::InvalidArgumentError(absl::StrCat("period: '", month, "' is not a month (YYYY-MM)"));
  }
  absl::CivilDay first(y, m, 1);
  absl::CivilDay last = absl::CivilDay(absl::CivilMonth(first) + 1) - 1;
  absl::Time end_of_month = absl::FromCivil(last + 1, PlanTimeZone());
  absl::Time now = from.clock->Now();
  v1::Bulletin b;
  b.set_period(ms);
  *b.mutable_generated_at() = Ts(now);
  std::map<std::string, v1::UnitLateness> units;
  auto unit = [&](const std::string& id) -> v1::UnitLateness& {
    auto& u = units[id];
    u.set_unit_id(id);
    return u;
  };

  // Tasks, as they stand now.
  TaskFilter tf;
  tf.page_size = 500;
  while (true) {
    ASSIGN_OR_RETURN(TaskPage page, from.tasks->List(tf));
    for (const auto& t : page.tasks) {
      b.set_tasks_total(b.tasks_total() + 1);
      if (t.state() == v1::TASK_STATE_COMPLETED || t.state() == v1::TASK_STATE_ARCHIVED) {
        b.set_tasks_completed(b.tasks_completed() + 1);
      }
      if (t.overdue()) b.set_tasks_overdue(b.tasks_overdue() + 1);
      for (const auto& lead : t.lead_unit_ids()) {
        auto& u = unit(lead);
        if (t.overdue()) u.set_overdue_tasks(u.overdue_tasks() + 1);
        if (t.warning_level() == v1::WARNING_LEVEL_RED) u.set_red_tasks(u.red_tasks() + 1);
        if (t.warning_level() == v1::WARNING_LEVEL_YELLOW) u.set_yellow_tasks(u.yellow_tasks() + 1);
      }
    }
    if (page.next_page_token.empty()) break;
    tf.page_token = page.next_page_token;
  }

  // Reports whose deadline fell in the month.
  // A record that does not parse stops the bulletin (DATA_LOSS naming it):
  // a bulletin without it would understate who is late.
  absl::Status unparsed;
  RETURN_IF_ERROR(from.store->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kObligation),
                                   [&](absl::string_view k, absl::string_view v) {
    v1::Obligation o;
    if (!o.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      unparsed = absl::DataLossError(absl::StrCat("obligation record '", validate::Quote(k), "' cannot be parsed"));
      return false;
    }
    absl::Time deadline = FromTs(o.deadline());
    absl::CivilDay day = absl::ToCivilDay(deadline, PlanTimeZone());
    if (day < first || day > last || deadline > now) return true;
    auto& u = unit(o.unit_id());
    u.set_obligations_due(u.obligations_due() + 1);
    b.set_obligations_due(b.obligations_due() + 1);
    if (o.state() == v1::OBLIGATION_STATE_MISSED) u.set_obligations_missed(u.obligations_missed() + 1);
    if (o.submitted_late()) u.set_submitted_late(u.submitted_late() + 1);
    bool on_time = o.submitted_at().seconds() != 0 && !o.submitted_late();
    if (on_time) b.set_obligations_on_time(b.obligations_on_time() + 1);
    return true;
  }));
  RETURN_IF_ERROR(unparsed);

  // Open supervision items.
  SupervisionFilter sf;
  ASSIGN_OR_RETURN(std::vector<v1::SupervisionItem> items, from.supervision->List(sf));
  for (auto& item : items) {
    if (item.state() == v1::SUPERVISION_STATE_CLOSED || item.state() == v1::SUPERVISION_STATE_VERIFIED) continue;
    auto& u = unit(item.responsible_unit_id());
    u.set_open_supervision(u.open_supervision() + 1);
    u.set_top_supervision_level(std::max(u.top_supervision_level(), item.level()));
    *b.add_supervision() = std::move(item);
  }

  // Accountability cases opened in the month.
  for (const auto& c : cases) {
    absl::Time created = FromTs(c.created_at());
    if (created < absl::FromCivil(first, PlanTimeZone()) || created >= end_of_month) {
      if (c.period() != ms) continue;
    }
    auto& u = unit(c.unit_id());
    u.set_accountability_cases(u.accountability_cases() + 1);
    *b.add_cases() = c;
  }

  std::vector<v1::UnitLateness> late;
  for (auto& [id, u] : units) {
    if (u.overdue_tasks() + u.red_tasks() + u.yellow_tasks() + u.obligations_missed() + u.submitted_late() +
            u.open_supervision() + u.accountability_cases() == 0) {
      continue;
    }
    auto known = from.directory->GetUnit(id);
    u.set_unit_name(known.ok() ? known->name() : id);
    late.push_back(u);
  }
  auto weight = [](const v1::UnitLateness& u) {
    return u.accountability_cases() * 100 + u.top_supervision_level() * 50 + u.red_tasks() * 10 +
           u.obligations_missed() * 5 + u.overdue_tasks() * 3 + u.submitted_late() * 2 + u.yellow_tasks();
  };
  std::stable_sort(late.begin(), late.end(), [&](const auto& a, const auto& c) { return weight(a) > weight(c); });
  for (auto& u : late) *b.add_units() = std::move(u);
  FitDocument(&b, kMaxDocumentEntries, kMaxDocumentBytes, b.mutable_left_out());
  return b;
}

}  // namespace duban
