// Ladders driven by signals from duban's own data (missed report deadlines,
// red tasks, supervision items past their deadline): the occurrences are read
// from the store and every day with occurrences is evaluated like a ranking
// period. Cases are keyed by unit, ladder and day, so an evaluation repeated
// over the same data opens nothing new.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/ladder_rules.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "engine/supervision/supervision.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

absl::CivilDay DayOf(const google::protobuf::Timestamp& ts) { return absl::ToCivilDay(FromTs(ts), PlanTimeZone()); }

}  // namespace

bool Accountability::HasSignalLadders() const {
  const std::shared_ptr<const AccountabilityConfig> cfg = current();
  for (const Ladder& l : cfg->ladders) {
    if (l.signal != LadderSignal::kRanking) return true;
  }
  return false;
}

absl::StatusOr<std::map<std::string, std::vector<absl::CivilDay>>> Accountability::SignalOccurrences(
    LadderSignal signal, absl::CivilDay today) const {
  std::map<std::string, std::vector<absl::CivilDay>> out;
  Store& store = *ctx_->store;
  absl::Status bad;
  absl::Status scan;
  switch (signal) {
    case LadderSignal::kMissedReport:
      // A deadline passed without a report: still missed, or reported late.
      scan = store.Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kObligation), [&](absl::string_view, absl::string_view v) {
        v1::Obligation o;
        if (!o.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
          bad = absl::DataLossError("obligations: unparsable record");
          return false;
        }
        if (o.state() == v1::OBLIGATION_STATE_MISSED || o.submitted_late()) out[o.unit_id()].push_back(DayOf(o.deadline()));
        return true;
      });
      break;
    case LadderSignal::kRedTask: {
      // The day a task turned red: red_working_days_after_due working days
      // after its due date (the day after it without a calendar).
      const std::shared_ptr<const WorkCalendar>& calendar = ctx_->calendar;
      const std::shared_ptr<const CadenceConfig> cadences = ctx_->cadences();
      scan = store.Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kTask), [&](absl::string_view, absl::string_view v) {
        v1::Task t;
        if (!t.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
          bad = absl::DataLossError("tasks: unparsable record");
          return false;
        }
        if (t.warning_level() != v1::WARNING_LEVEL_RED) return true;
        auto due = validate::Date("due_date", t.due_date());
        if (!due.ok()) return true;
        absl::CivilDay red = *due + 1;
        if (calendar && cadences) {
          red = calendar->AddWorkingDays(*due, cadences->warnings.red_working_days_after_due);
        }
        for (const auto& u : t.lead_unit_ids()) out[u].push_back(red);
        return true;
      });
      break;
    }
    case LadderSignal::kSupervisionOverdue: {
      SupervisionFilter f;
      f.overdue_only = true;
      ASSIGN_OR_RETURN(auto items, supervision_->List(f));
      for (const auto& item : items) {
        auto d = validate::Date("deadline", item.deadline());
        if (d.ok() && !item.responsible_unit_id().empty()) out[item.responsible_unit_id()].push_back(*d + 1);
      }
      break;
    }
    case LadderSignal::kRanking:
      break;
  }
  RETURN_IF_ERROR(scan);
  RETURN_IF_ERROR(bad);
  for (auto& [unit, days] : out) {
    days.erase(std::remove_if(days.begin(), days.end(), [&](absl::CivilDay d) { return d > today; }), days.end());
    std::sort(days.begin(), days.end());
  }
  return out;
}

absl::StatusOr<std::vector<v1::AccountabilityCase>> Accountability::EvaluateSignals(const CommandMeta& meta) {
  std::vector<v1::AccountabilityCase> opened;
  if (!HasSignalLadders()) return opened;
  const absl::CivilDay today = absl::ToCivilDay(ctx_->clock->Now(), PlanTimeZone());
  // Cases may open for any unit: lock every unit's accountability subject.
  std::vector<std::string> subjects;
  for (const auto& u : ctx_->directory->ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED)) subjects.push_back(AccountabilitySubject(u.id()));
  KeyLocks::Guard lock = ctx_->pipeline->locks().Lock(subjects);
  rocksdb::WriteBatch batch;
  std::vector<v1::Notification> notes;
  Pending p;
  p.batch = &batch;
  p.notes = &notes;
  p.opened = &opened;
  p.actor = meta.actor;
  p.cfg = current();
  const AccountabilityConfig& cfg = *p.cfg;
  std::map<LadderSignal, std::map<std::string, std::vector<absl::CivilDay>>> by_signal;
  for (const Ladder& ladder : cfg.ladders) {
    if (ladder.signal == LadderSignal::kRanking) continue;
    if (!by_signal.count(ladder.signal)) {
      ASSIGN_OR_RETURN(by_signal[ladder.signal], SignalOccurrences(ladder.signal, today));
    }
    for (const auto& [unit, days] : by_signal[ladder.signal]) {
      auto u = ctx_->directory->GetUnit(unit);
      v1::UnitCategory cat = u.ok() ? u->category() : v1::UNIT_CATEGORY_UNSPECIFIED;
      // Each day with occurrences, in order, is evaluated with the
      // occurrences of that day and before.
      for (size_t i = 0; i < days.size(); ++i) {
        if (i + 1 < days.size() && days[i + 1] == days[i]) continue;  // the day's last occurrence
        const absl::CivilDay day = days[i];
        const std::string label = validate::FormatDate(day);
        std::optional<absl::CivilDay> cutoff;
        if (ladder.restart_after_case) cutoff = LastCaseEnd(&p, ladder.id, unit, label, day);
        std::vector<Occurrence> occurrences;
        for (size_t j = 0; j <= i; ++j) {
          if (!cutoff || days[j] > *cutoff) occurrences.push_back({days[j], days[j]});
        }
        if (occurrences.empty()) continue;
        LadderCounts counts = CountWindows(occurrences, Occurrence{day, day});
        std::optional<StepChoice> choice = ChooseStep(ladder, cfg, cat, counts);
        if (!choice) continue;
        std::string reason = absl::StrCat(label, "：", u.ok() ? u->name() : unit, LadderEventWords(ladder, cfg),
                                          "（", CountFacts(ladder, counts, day.year(), cutoff.has_value()),
                                          "）。依据“", ladder.name.empty() ? ladder.id : ladder.name, "”：",
                                          choice->rule, "。");
        RETURN_IF_ERROR(OpenCase(&p, unit, ladder.id, choice->action, choice->step, label, reason));
      }
    }
  }
  RETURN_IF_ERROR(p.read_error);
  if (opened.empty()) return opened;
  RETURN_IF_ERROR(ctx_->pipeline->Audit({"accountability", "signals", "evaluate_signals", meta},
                                            opened.front(), &batch));
  RETURN_IF_ERROR(ctx_->pipeline->Commit(&batch, &notes));
  spdlog::info("signal ladders: {} cases opened as of {}", opened.size(), validate::FormatDate(today));
  return opened;
}

}  // namespace duban
