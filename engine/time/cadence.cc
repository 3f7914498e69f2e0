#include "engine/time/cadence.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/time/clock.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"

namespace duban {

namespace {

using yamlx::Doc;

absl::StatusOr<std::pair<int, int>> ParseHhMm(const Doc& doc, const YAML::Node& at, const std::string& value,
                                              const std::string& field) {
  int h = -1, m = -1;
  char extra = 0;
  if (value.size() != 5 || std::sscanf(value.c_str(), "%2d:%2d%c", &h, &m, &extra) != 2 || value[2] != ':' || h < 0 ||
      h > 23 || m < 0 || m > 59) {
    return yamlx::Error(doc, at, absl::StrCat(field, ": '", value, "' is not a time of day (HH:MM)"));
  }
  return std::make_pair(h, m);
}

absl::StatusOr<std::vector<Reminder>> ParseReminders(const Doc& doc, const YAML::Node& seq, const std::string& path) {
  std::vector<Reminder> out;
  if (!seq.IsSequence()) return yamlx::Error(doc, seq, path + ": must be a list");
  for (size_t i = 0; i < seq.size(); ++i) {
    std::string p = absl::StrCat(path, "[", i, "]");
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, seq[i], p, {"working_days_before", "at"}));
    ASSIGN_OR_RETURN(int n, yamlx::Int(doc, seq[i], "working_days_before", p, true));
    if (n < 0 || n > 30) return yamlx::Error(doc, seq[i], p + ".working_days_before: must be 0 to 30");
    ASSIGN_OR_RETURN(std::string at, yamlx::String(doc, seq[i], "at", p, true));
    ASSIGN_OR_RETURN(auto hm, ParseHhMm(doc, seq[i]["at"], at, p + ".at"));
    Reminder r;
    r.working_days_before = n;
    r.at_time = absl::CivilMinute(2000, 1, 1, hm.first, hm.second);
    out.push_back(r);
  }
  return out;
}

const std::map<std::string, int>& Weekdays() {
  static const auto* m = new std::map<std::string, int>{{"monday", 1},   {"tuesday", 2}, {"wednesday", 3},
                                                        {"thursday", 4}, {"friday", 5},  {"saturday", 6},
                                                        {"sunday", 7}};
  return *m;
}

int IsoWeekday(absl::CivilDay d) {
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday: return 1;
    case absl::Weekday::tuesday: return 2;
    case absl::Weekday::wednesday: return 3;
    case absl::Weekday::thursday: return 4;
    case absl::Weekday::friday: return 5;
    case absl::Weekday::saturday: return 6;
    case absl::Weekday::sunday: return 7;
  }
  return 1;
}

absl::CivilDay LastOfMonth(absl::CivilDay d) {
  return absl::CivilDay(absl::CivilMonth(d) + 1) - 1;
}


// The key (see PeriodAt) of the period that contains `day`.
absl::CivilDay KeyContaining(const CadenceRule& r, absl::CivilDay day) {
  switch (r.kind) {
    case ScheduleKind::kMonthlyDays: {
      for (int step = 0; step < 3; ++step) {
        absl::CivilMonth m = absl::CivilMonth(day) + step;
        for (int dd : r.days) {
          absl::CivilDay c(m.year(), m.month(), std::min(dd, LastOfMonth(absl::CivilDay(m)).day()));
          if (c >= day) return c;
        }
      }
      return day;
    }
    case ScheduleKind::kWeekly:
      return day - (IsoWeekday(day) - 1);
    case ScheduleKind::kDekad:
      return absl::CivilDay(day.year(), day.month(), day.day() <= 10 ? 1 : day.day() <= 20 ? 11 : 21);
    case ScheduleKind::kMonthly:
    case ScheduleKind::kMonthEnd:
      return absl::CivilDay(absl::CivilMonth(day));
    case ScheduleKind::kQuarterEnd:
      return absl::CivilDay(day.year(), ((day.month() - 1) / 3) * 3 + 1, 1);
    case ScheduleKind::kYearly:
      return absl::CivilDay(day.year(), 1, 1);
  }
  return day;
}

}  // namespace

Period PeriodAt(const CadenceRule& r, absl::CivilDay key, const WorkCalendar& cal) {
  Period p;
  switch (r.kind) {
    case ScheduleKind::kMonthlyDays: {
      // The period runs from the day after the previous deadline day.
      absl::CivilDay prev = key;
      for (int dd : r.days) {
        absl::CivilDay c(key.year(), key.month(), std::min(dd, LastOfMonth(key).day()));
        if (c < key) prev = c;
      }
      if (prev == key) {
        absl::CivilDay last_month = absl::CivilDay(absl::CivilMonth(key) - 1);
        prev = absl::CivilDay(last_month.year(), last_month.month(),
                              std::min(r.days.back(), LastOfMonth(last_month).day()));
      }
      p.start = prev + 1;
      p.end = key;
      p.nominal_due = key;
      p.label = validate::FormatDate(key);
      break;
    }
    case ScheduleKind::kWeekly: {
      p.start = key;
      p.end = key + 6;
      p.nominal_due = key + (r.weekday - 1);
      absl::CivilDay thursday = key + 3;  // ISO weeks belong to their Thursday's year
      int week = (static_cast<int>(absl::GetYearDay(thursday)) - 1) / 7 + 1;
      p.label = absl::StrFormat("%04d-W%02d", thursday.year(), week);
      break;
    }
    case ScheduleKind::kDekad: {
      p.start = key;
      p.end = key.day() == 21 ? LastOfMonth(key) : key + 9;
      p.nominal_due = cal.AddWorkingDays(p.end, r.offset_working_days);
      p.label = absl::StrFormat("%04d-%02d-d%d", key.year(), key.month(), key.day() / 10 + 1);
      break;
    }
    case ScheduleKind::kMonthly:
      p.start = key;
      p.end = LastOfMonth(key);
      p.nominal_due = absl::CivilDay(key.year(), key.month(), std::min(r.day, p.end.day()));
      p.label = absl::StrFormat("%04d-%02d", key.year(), key.month());
      break;
    case ScheduleKind::kMonthEnd:
      p.start = key;
      p.end = LastOfMonth(key);
      p.nominal_due = cal.AddWorkingDays(p.end, r.offset_working_days);
      p.label = absl::StrFormat("%04d-%02d", key.year(), key.month());
      break;
    case ScheduleKind::kQuarterEnd:
      p.start = key;
      p.end = LastOfMonth(absl::CivilDay(key.year(), key.month() + 2, 1));
      p.nominal_due = cal.AddWorkingDays(p.end, r.offset_working_days);
      p.label = absl::StrFormat("%04d-Q%d", key.year(), (key.month() - 1) / 3 + 1);
      break;
    case ScheduleKind::kYearly:
      p.start = key;
      p.end = absl::CivilDay(key.year(), 12, 31);
      p.nominal_due = absl::CivilDay(key.year(), r.month, r.day);
      p.label = absl::StrFormat("%04d", key.year());
      break;
  }
  p.due_day = cal.Adjust(p.nominal_due, r.policy);
  p.deadline = At(p.due_day, r.due_hour, r.due_minute);
  for (const Reminder& rem : r.reminders) {
    absl::CivilDay d = cal.AddWorkingDays(p.due_day, -rem.working_days_before);
    absl::Time t = At(d, rem.at_time.hour(), rem.at_time.minute());
    if (t <= p.deadline) p.reminders.push_back(t);
  }
  std::sort(p.reminders.begin(), p.reminders.end());
  p.reminders.erase(std::unique(p.reminders.begin(), p.reminders.end()), p.reminders.end());
  p.generate_at = At(p.start, 0, 0);
  if (!p.reminders.empty()) p.generate_at = std::min(p.generate_at, p.reminders.front());
  return p;
}

std::optional<absl::CivilDay> NextPeriodStart(const CadenceRule& r, absl::CivilDay key) {
  absl::CivilDay next;
  switch (r.kind) {
    case ScheduleKind::kMonthlyDays:
      next = KeyContaining(r, key + 1);
      break;
    case ScheduleKind::kWeekly:
      next = key + 7;
      break;
    case ScheduleKind::kDekad:
      next = key.day() == 21 ? absl::CivilDay(absl::CivilMonth(key) + 1) : key + 10;
      break;
    case ScheduleKind::kMonthly:
    case ScheduleKind::kMonthEnd:
      next = absl::CivilDay(absl::CivilMonth(key) + 1);
      break;
    case ScheduleKind::kQuarterEnd:
      next = absl::CivilDay(absl::CivilMonth(key) + 3);
      break;
    case ScheduleKind::kYearly:
      next = absl::CivilDay(key.year() + 1, 1, 1);
      break;
  }
  if (r.active_until) {
    // Stop once the period's nominal deadline would be past the range. A
    // period that starts after active_until cannot have one inside it.
    if (next > *r.active_until) return std::nullopt;
  }
  return next;
}

std::optional<absl::CivilDay> FirstPeriodStart(const CadenceRule& r, absl::Time now, const WorkCalendar& cal) {
  absl::CivilDay today = absl::ToCivilDay(now, PlanTimeZone());
  absl::CivilDay from = today - 400;
  if (r.active_from && *r.active_from - 400 > from) from = *r.active_from - 400;
  absl::CivilDay key = KeyContaining(r, from);
  for (int i = 0; i < 2000; ++i) {
    Period p = PeriodAt(r, key, cal);
    bool in_range = (!r.active_from || p.nominal_due >= *r.active_from) &&
                    (!r.active_until || p.nominal_due <= *r.active_until);
    if (r.active_until && p.start > *r.active_until) return std::nullopt;
    if (in_range && p.deadline > now) return key;
    auto next = NextPeriodStart(r, key);
    if (!next) return std::nullopt;
    key = *next;
  }
  return std::nullopt;
}

absl::StatusOr<CadenceConfig> LoadCadencesFile(const std::string& path) {
  ASSIGN_OR_RETURN(yamlx::Doc doc, yamlx::ParseFile(path));
  return LoadCadences(doc);
}

absl::StatusOr<CadenceConfig> LoadCadences(const Doc& doc) {
  CadenceConfig cfg;
  cfg.file = doc.file;
  const YAML::Node& root = doc.root;
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, root, "", {"defaults", "warnings", "late_after", "rules"}));

  // Defaults every rule starts from.
  CadenceRule base;
  base.reminders = {{2, absl::CivilMinute(2000, 1, 1, 9, 0)}, {0, absl::CivilMinute(2000, 1, 1, 9, 0)}};
  ASSIGN_OR_RETURN(YAML::Node defaults, yamlx::Map(doc, root, "defaults", "", false));
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, defaults, "defaults", {"due_time", "non_working_day", "reminders"}));
  ASSIGN_OR_RETURN(std::string due_time, yamlx::String(doc, defaults, "due_time", "defaults", false));
  if (!due_time.empty()) {
    ASSIGN_OR_RETURN(auto hm, ParseHhMm(doc, defaults["due_time"], due_time, "defaults.due_time"));
    base.due_hour = hm.first;
    base.due_minute = hm.second;
  }
  ASSIGN_OR_RETURN(std::string policy, yamlx::String(doc, defaults, "non_working_day", "defaults", false));
  if (!policy.empty()) {
    auto p = ParseNonWorkingDayPolicy(policy);
    if (!p.ok()) return yamlx::Error(doc, defaults["non_working_day"], absl::StrCat("defaults.non_working_day: ", p.status().message()));
    base.policy = *p;
  }
  if (defaults["reminders"].IsDefined()) {
    ASSIGN_OR_RETURN(base.reminders, ParseReminders(doc, defaults["reminders"], "defaults.reminders"));
  }

  ASSIGN_OR_RETURN(std::string late, yamlx::String(doc, root, "late_after", "", false));
  if (!late.empty() && (!absl::ParseDuration(late, &cfg.late_after) || cfg.late_after <= absl::ZeroDuration())) {
    return yamlx::Error(doc, root["late_after"], absl::StrCat("late_after: '", late, "' is not a positive duration"));
  }

  ASSIGN_OR_RETURN(YAML::Node w, yamlx::Map(doc, root, "warnings", "", false));
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, w, "warnings",
                                  {"yellow_working_days_before_due", "red_working_days_after_due", "check_at"}));
  ASSIGN_OR_RETURN(cfg.warnings.yellow_working_days_before_due,
                   yamlx::Int(doc, w, "yellow_working_days_before_due", "warnings", false, 3));
  ASSIGN_OR_RETURN(cfg.warnings.red_working_days_after_due,
                   yamlx::Int(doc, w, "red_working_days_after_due", "warnings", false, 5));
  if (cfg.warnings.yellow_working_days_before_due < 0 || cfg.warnings.red_working_days_after_due < 1) {
    return yamlx::Error(doc, w, "warnings: yellow must be >= 0 and red >= 1 working days");
  }
  ASSIGN_OR_RETURN(std::string check_at, yamlx::String(doc, w, "check_at", "warnings", false));
  if (!check_at.empty()) {
    ASSIGN_OR_RETURN(auto hm, ParseHhMm(doc, w["check_at"], check_at, "warnings.check_at"));
    cfg.warnings.check_hour = hm.first;
    cfg.warnings.check_minute = hm.second;
  }

  ASSIGN_OR_RETURN(YAML::Node rules, yamlx::Seq(doc, root, "rules", "", true));
  std::set<std::string> ids;
  for (size_t i = 0; i < rules.size(); ++i) {
    const YAML::Node& n = rules[i];
    std::string path = absl::StrCat("rules[", i, "]");
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, n, path,
                                    {"id", "name", "what", "reporters", "recipient", "schedule", "due_time",
                                     "non_working_day", "reminders", "active_from", "active_until", "note", "source",
                                     "choices"}));
    CadenceRule r = base;
    r.line = n.Mark().line + 1;
    ASSIGN_OR_RETURN(r.id, yamlx::String(doc, n, "id", path, true));
    if (auto s = validate::Id(path + ".id", r.id); !s.ok()) return yamlx::Error(doc, n["id"], s.message());
    if (!ids.insert(r.id).second) return yamlx::Error(doc, n["id"], absl::StrCat(path, ".id: duplicate rule id '", r.id, "'"));
    ASSIGN_OR_RETURN(r.name, yamlx::String(doc, n, "name", path, true));
    ASSIGN_OR_RETURN(r.what, yamlx::String(doc, n, "what", path, false));
    ASSIGN_OR_RETURN(r.recipient, yamlx::String(doc, n, "recipient", path, true));

    ASSIGN_OR_RETURN(YAML::Node rep, yamlx::Map(doc, n, "reporters", path, true));
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, rep, path + ".reporters", {"task_forces", "task_force_members", "units"}));
    ASSIGN_OR_RETURN(std::string tfs, yamlx::String(doc, rep, "task_forces", path + ".reporters", false));
    if (!tfs.empty() && tfs != "all") {
      return yamlx::Error(doc, rep["task_forces"], path + ".reporters.task_forces: only 'all' is allowed");
    }
    r.reporters.all_task_forces = tfs == "all";
    ASSIGN_OR_RETURN(r.reporters.task_force_members, yamlx::String(doc, rep, "task_force_members", path + ".reporters", false));
    ASSIGN_OR_RETURN(r.reporters.units, yamlx::StringList(doc, rep, "units", path + ".reporters"));
    // task_force_members and units add up (a task force plus units it
    // lacks); task_forces: all stands alone.
    bool members_or_units = !r.reporters.task_force_members.empty() || !r.reporters.units.empty();
    if (r.reporters.all_task_forces == members_or_units) {
      return yamlx::Error(doc, rep, path + ".reporters: give task_forces, or task_force_members and/or units");
    }

    ASSIGN_OR_RETURN(YAML::Node sch, yamlx::Map(doc, n, "schedule", path, true));
    std::string sp = path + ".schedule";
    ASSIGN_OR_RETURN(std::string kind, yamlx::String(doc, sch, "kind", sp, true));
    static const std::map<std::string, ScheduleKind> kKinds = {
        {"monthly_days", ScheduleKind::kMonthlyDays}, {"monthly", ScheduleKind::kMonthly},
        {"weekly", ScheduleKind::kWeekly},           {"dekad", ScheduleKind::kDekad},
        {"month_end", ScheduleKind::kMonthEnd},      {"quarter_end", ScheduleKind::kQuarterEnd},
        {"yearly", ScheduleKind::kYearly}};
    auto k = kKinds.find(kind);
    if (k == kKinds.end()) {
      return yamlx::Error(doc, sch["kind"], absl::StrCat(sp, ".kind: unknown schedule '", kind,
                                                         "' (monthly_days, monthly, weekly, dekad, month_end, quarter_end, yearly)"));
    }
    r.kind = k->second;
    switch (r.kind) {
      case ScheduleKind::kMonthlyDays: {
        RETURN_IF_ERROR(yamlx::OnlyKeys(doc, sch, sp, {"kind", "days"}));
        if (!sch["days"].IsSequence() || sch["days"].size() == 0) {
          return yamlx::Error(doc, sch, sp + ".days: a list of days of the month is required");
        }
        for (size_t d = 0; d < sch["days"].size(); ++d) {
          int v = 0;
          try {
            v = sch["days"][d].as<int>();
          } catch (const YAML::Exception&) {
            v = 0;
          }
          if (v < 1 || v > 31 || (!r.days.empty() && v <= r.days.back())) {
            return yamlx::Error(doc, sch["days"][d], absl::StrCat(sp, ".days[", d, "]: must be 1 to 31, increasing"));
          }
          r.days.push_back(v);
        }
        break;
      }
      case ScheduleKind::kMonthly: {
        RETURN_IF_ERROR(yamlx::OnlyKeys(doc, sch, sp, {"kind", "day"}));
        ASSIGN_OR_RETURN(r.day, yamlx::Int(doc, sch, "day", sp, true));
        if (r.day < 1 || r.day > 31) return yamlx::Error(doc, sch["day"], sp + ".day: must be 1 to 31");
        break;
      }
      case ScheduleKind::kWeekly: {
        RETURN_IF_ERROR(yamlx::OnlyKeys(doc, sch, sp, {"kind", "weekday"}));
        ASSIGN_OR_RETURN(std::string wd, yamlx::String(doc, sch, "weekday", sp, true));
        auto it = Weekdays().find(wd);
        if (it == Weekdays().end()) return yamlx::Error(doc, sch["weekday"], absl::StrCat(sp, ".weekday: '", wd, "' is not a weekday (monday … sunday)"));
        r.weekday = it->second;
        break;
      }
      case ScheduleKind::kDekad:
      case ScheduleKind::kMonthEnd:
      case ScheduleKind::kQuarterEnd: {
        RETURN_IF_ERROR(yamlx::OnlyKeys(doc, sch, sp, {"kind", "offset_working_days"}));
        ASSIGN_OR_RETURN(r.offset_working_days, yamlx::Int(doc, sch, "offset_working_days", sp, false, 0));
        if (r.offset_working_days < 0 || r.offset_working_days > 30) {
          return yamlx::Error(doc, sch["offset_working_days"], sp + ".offset_working_days: must be 0 to 30");
        }
        break;
      }
      case ScheduleKind::kYearly: {
        RETURN_IF_ERROR(yamlx::OnlyKeys(doc, sch, sp, {"kind", "month", "day"}));
        ASSIGN_OR_RETURN(r.month, yamlx::Int(doc, sch, "month", sp, true));
        ASSIGN_OR_RETURN(r.day, yamlx::Int(doc, sch, "day", sp, true));
        absl::CivilDay probe(2023, r.month, r.day);
        if (r.month < 1 || r.month > 12 || r.day < 1 || probe.month() != r.month || probe.day() != r.day) {
          return yamlx::Error(doc, sch, sp + ": month and day do not make a date");
        }
        break;
      }
    }
    ASSIGN_OR_RETURN(std::string due, yamlx::String(doc, n, "due_time", path, false));
    if (!due.empty()) {
      ASSIGN_OR_RETURN(auto hm, ParseHhMm(doc, n["due_time"], due, path + ".due_time"));
      r.due_hour = hm.first;
      r.due_minute = hm.second;
    }
    ASSIGN_OR_RETURN(std::string pol, yamlx::String(doc, n, "non_working_day", path, false));
    if (!pol.empty()) {
      auto p = ParseNonWorkingDayPolicy(pol);
      if (!p.ok()) return yamlx::Error(doc, n["non_working_day"], absl::StrCat(path, ".non_working_day: ", p.status().message()));
      r.policy = *p;
    }
    if (n["reminders"].IsDefined()) {
      ASSIGN_OR_RETURN(r.reminders, ParseReminders(doc, n["reminders"], path + ".reminders"));
    }
    for (const char* key : {"active_from", "active_until"}) {
      ASSIGN_OR_RETURN(std::string v, yamlx::String(doc, n, key, path, false));
      if (v.empty()) continue;
      auto d = validate::Date(absl::StrCat(path, ".", key), v);
      if (!d.ok()) return yamlx::Error(doc, n[key], d.status().message());
      (std::string_view(key) == "active_from" ? r.active_from : r.active_until) = *d;
    }
    if (r.active_from && r.active_until && *r.active_until < *r.active_from) {
      return yamlx::Error(doc, n, path + ".active_until: before active_from");
    }
    ASSIGN_OR_RETURN(r.source, yamlx::String(doc, n, "source", path, false));
    ASSIGN_OR_RETURN(YAML::Node choices, yamlx::Map(doc, n, "choices", path, false));
    for (auto it = choices.begin(); it != choices.end(); ++it) {
      const std::string key = it->first.Scalar();
      std::string cp = absl::StrCat(path, ".choices.", key);
      const auto& known = CadenceChoiceKeys();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return yamlx::Error(doc, it->first, absl::StrCat(cp, ": not a value of the rule (", absl::StrJoin(known, ", "), ")"));
      }
      if (!it->second.IsScalar() || it->second.Scalar().empty()) {
        return yamlx::Error(doc, it->first, cp + ": give the reason for the choice");
      }
      r.choices[key] = it->second.Scalar();
    }
    cfg.rules.push_back(std::move(r));
  }
  return cfg;
}

const std::vector<std::string>& CadenceChoiceKeys() {
  static const auto* v = new std::vector<std::string>{
      "schedule", "days", "day", "weekday", "month", "offset_working_days", "due_time", "reminders",
      "non_working_day", "active_from", "active_until", "reporters", "recipient"};
  return *v;
}

std::string RuleFingerprint(const CadenceRule& r) {
  std::string f = absl::StrCat(r.id, "|", r.name, "|", r.what, "|", r.recipient, "|", static_cast<int>(r.kind), "|",
                               absl::StrJoin(r.days, ","), "|", r.day, "|", r.weekday, "|", r.month, "|",
                               r.offset_working_days, "|", r.due_hour, ":", r.due_minute, "|",
                               static_cast<int>(r.policy), "|");
  for (const auto& m : r.reminders) {
    absl::StrAppend(&f, m.working_days_before, "@", m.at_time.hour(), ":", m.at_time.minute(), ";");
  }
  absl::StrAppend(&f, "|", r.active_from ? absl::FormatCivilTime(*r.active_from) : "", "|",
                  r.active_until ? absl::FormatCivilTime(*r.active_until) : "", "|", r.reporters.all_task_forces, "|",
                  r.reporters.task_force_members, "|", absl::StrJoin(r.reporters.units, ","));
  return f;
}

WarningTimes WarningTimesFor(absl::CivilDay due, const WarningThresholds& w, const WorkCalendar& cal) {
  return {At(cal.AddWorkingDays(due, -w.yellow_working_days_before_due), w.check_hour, w.check_minute),
          At(cal.AddWorkingDays(due, w.red_working_days_after_due), w.check_hour, w.check_minute)};
}

bool SameWarningTimes(const WarningThresholds& a, const WarningThresholds& b) {
  return a.yellow_working_days_before_due == b.yellow_working_days_before_due &&
         a.red_working_days_after_due == b.red_working_days_after_due && a.check_hour == b.check_hour &&
         a.check_minute == b.check_minute;
}

std::vector<int> UncoveredYears(const Period& p, const WorkCalendar& cal) {
  std::vector<int> out;
  if (!cal.CoversAnyYear()) return out;
  absl::CivilDay from = std::min({p.end, p.due_day, p.nominal_due});
  absl::CivilDay to = std::max({p.end, p.due_day, p.nominal_due});
  for (int y = static_cast<int>(from.year()); y <= static_cast<int>(to.year()); ++y) {
    if (!cal.Covers(y)) out.push_back(y);
  }
  return out;
}

std::string DeadlineNote(const Period& p, const WorkCalendar& cal) {
  std::string note;
  if (p.due_day != p.nominal_due) {
    note = absl::StrCat(validate::FormatDate(p.nominal_due), " is not a working day; due ",
                        validate::FormatDate(p.due_day));
  }
  std::vector<int> missing = UncoveredYears(p, cal);
  if (!missing.empty()) {
    absl::StrAppend(&note, note.empty() ? "" : "; ", "no work calendar for ", absl::StrJoin(missing, ", "),
                    ": working days counted Monday to Friday (", absl::StrJoin(missing, "、"),
                    "年工作日历未配置，按周一至周五计算工作日)");
  }
  return note;
}

std::vector<int> MissingCalendarYears(const WorkCalendar& cal, absl::CivilDay today) {
  std::vector<int> out;
  if (!cal.CoversAnyYear()) return out;
  const int year = static_cast<int>(today.year());
  if (!cal.Covers(year)) out.push_back(year);
  if (today.month() >= 11 && !cal.Covers(year + 1)) out.push_back(year + 1);
  return out;
}

}  // namespace duban
