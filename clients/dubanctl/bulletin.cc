// dubanctl: the bulletin command: the monthly bulletin (月通报).
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
  // The bulletin is bounded (at most 500 entries per list): say what it left out.
  for (const auto& [field, n] : b.left_out()) {
    std::cout << "\n" << n << " more " << field << " entries are not in the bulletin (see the paginated lists)\n";
  }
}

}  // namespace

void RegisterBulletinCommands(Registry& r) {
  r.Add("bulletin", "bulletin <YYYY-MM>", {"month"}, {}, false, Bulletin);
}

}  // namespace dubanctl
