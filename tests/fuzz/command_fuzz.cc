// libFuzzer target: command validation. The bytes are a wire-format
// CreateTaskRequest or ReportProgressRequest; every field goes through the
// validators the engine applies to commands, and the state machines take
// arbitrary states and commands.
#include <cstddef>
#include <cstdint>
#include <string>

#include "duban/v1/duban.pb.h"
#include "engine/accountability/accountability.h"
#include "engine/storage/validate.h"
#include "engine/supervision/supervision.h"

namespace v = duban::validate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  duban::v1::CreateTaskRequest c;
  if (c.ParseFromArray(data, static_cast<int>(size))) {
    (void)v::Required("meta.actor", c.meta().actor(), v::kMaxActor);
    (void)v::Optional("meta.comment", c.meta().comment(), v::kMaxComment);
    (void)v::Id("campaign_id", c.campaign_id());
    (void)v::Required("title", c.title(), v::kMaxTitle);
    (void)v::Optional("text", c.text(), v::kMaxText);
    (void)v::Date("due_date", c.due_date());
    for (const auto& u : c.lead_units()) (void)v::Required("lead_units", u, v::kMaxName);
    for (const auto& m : c.milestones()) (void)v::Date("milestones.due_date", m.due_date());
  }
  duban::v1::ReportProgressRequest r;
  if (r.ParseFromArray(data, static_cast<int>(size))) {
    (void)v::Id("task_id", r.task_id());
    (void)v::Optional("report.work_done", r.report().work_done(), v::kMaxText);
    (void)v::Utf8Length(r.report().progress());
  }
  if (size >= 2) {
    (void)duban::NextSupervisionState(static_cast<duban::v1::SupervisionState>(data[0] % 12),
                                      static_cast<duban::SupervisionCommand>(data[1] % 10));
    (void)duban::NextCaseState(static_cast<duban::v1::AccountabilityState>(data[0] % 8),
                               static_cast<duban::CaseCommand>(data[1] % 6));
  }
  return 0;
}
