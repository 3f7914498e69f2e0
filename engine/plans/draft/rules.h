// Every textual form the plan-draft parser reads, in one place. Each rule is
// commented in rules.cc with an example of the form it reads; to teach the
// parser a new convention, add a pattern or a word here.
#ifndef DUBAN_ENGINE_PLANS_DRAFT_RULES_H_
#define DUBAN_ENGINE_PLANS_DRAFT_RULES_H_

#include <memory>
#include <string>
#include <vector>

#include "re2/re2.h"

namespace duban::plandraft {

// A reporting-date form and the schedule it proposes.
struct CadenceRule {
  std::unique_ptr<RE2> re;
  std::string kind;   // monthly_days | monthly | weekly | yearly | dekad | month_end | quarter_end
  std::string name;   // a name for the proposed rule when the text gives none
};

struct Rules {
  // ---- document structure
  std::unique_ptr<RE2> annex;            // 附件1 / 附件一 / 附件2：标题
  std::unique_ptr<RE2> level1;           // 一、工作目标 / 第一部分 总体要求 / 第一章 …
  std::unique_ptr<RE2> level2;           // （一）激活消费市场潜力。
  std::unique_ptr<RE2> level3;           // 1.开展系列消费促进活动。 / 1、 / 1．
  std::unique_ptr<RE2> level4;           // （1）… / ①…
  std::unique_ptr<RE2> article;          // 第十一条 …
  std::unique_ptr<RE2> page_number;      // - 12 - / 第3页 / 3/20
  std::unique_ptr<RE2> bullet;           // "- " or "• " left by a converter
  std::unique_ptr<RE2> doc_no;           // 宁政办发〔2023〕5号
  std::unique_ptr<RE2> issued;           // 2023年3月17日印发
  std::unique_ptr<RE2> year;             // 2023年
  std::unique_ptr<RE2> jurisdiction_name;// 宁乡市人民政府办公室文件 -> 宁乡市
  std::unique_ptr<RE2> title;            // 宁乡市打好发展“六仗”总体方案 / …工作要点 / …方案（2024年）
  std::unique_ptr<RE2> campaign_suffix;  // 打好X仗工作方案 -> 打好X仗
  std::vector<std::string> task_section_words;    // a level-1 section holding tasks
  std::vector<std::string> target_section_words;  // a level-1 section holding targets
  std::vector<std::string> paragraph_end;         // characters that end a paragraph
  int min_wrapped_line_chars = 0;                 // a shorter line without an end is not a broken wrap
  int max_running_header_chars = 0;
  int min_running_header_repeats = 0;

  // ---- units
  std::vector<std::string> lead_role_suffixes;       // 市商务局牵头
  std::vector<std::string> responsible_role_suffixes;// 宁乡经开区、市工信局等负责
  std::vector<std::string> lead_role_prefixes;       // 牵头单位：市应急管理局
  std::vector<std::string> responsible_role_prefixes;// 责任单位：…
  std::vector<std::string> list_separators;          // 、 以及 ，
  std::vector<std::string> collective_tails;         // 等 / 等相关单位 / 相关成员单位
  std::vector<std::string> unit_suffixes;            // 局 办 中心 … (a name that looks like a unit)
  std::vector<std::string> short_name_prefixes;      // 市 (市发改局 / 发改局)
  std::unique_ptr<RE2> lead_in_text;                 // 由市安委办牵头
  std::unique_ptr<RE2> unit_title;                   // 宁乡经开区：确保…
  std::vector<std::string> actor_openers;            // 由 / 并由 before a unit acting at a clause's head
  std::vector<std::string> actor_verbs;              // 市安委办将… / 由市安委办对… / 市发改局负责…
  std::string collective_prefix;                     // 各园区、乡镇（街道）: the later items take 各 too
  std::vector<std::pair<std::string, std::string>> category_suffixes;  // 镇 -> township
  std::vector<std::pair<std::string, std::string>> list_kind_words;    // 项目 -> project
  std::unique_ptr<RE2> sector_heading;               // 建筑施工领域（含自建房）：… / 城镇燃气行业

  // ---- targets
  std::unique_ptr<RE2> quantity;      // 7% / 530亿元 / 34微克/立方米 / 1.8万户 / 50-100亿元
  std::vector<std::string> verbs;      // 增长 突破 达到 不高于 … (longest first)
  std::vector<std::string> verbs_in_indicator;  // verbs kept in the indicator: 增长7% -> "…增长"
  std::vector<std::string> at_least_words, at_most_words, about_words;  // before or after the number
  std::vector<std::string> indicator_fillers;  // 力争 确保 实现 … dropped from an indicator's start
  std::vector<std::string> measure_words;      // 总量 总数: "总量突破1300亿元" takes the previous subject
  std::unique_ptr<RE2> respectively;           // A、B分别增长12%和15%以上
  std::unique_ptr<RE2> both;                   // A和B同比均下降20%以上

  // ---- working mechanism
  std::vector<CadenceRule> cadences;
  std::vector<std::string> report_words;       // a sentence about reporting
  std::unique_ptr<RE2> recipient;              // 向领导小组办公室报送 / 报送市安委办
  std::unique_ptr<RE2> leading_group_name;     // 成立市打好发展“六仗”工作领导小组
  std::unique_ptr<RE2> person_line;            // 组 长：张作林 市委书记
  std::unique_ptr<RE2> group_member_units;     // 宁乡经开区、…等单位为成员单位
  std::unique_ptr<RE2> list_entry;             // a line of a list of people; never a broken wrap
  std::unique_ptr<RE2> member_units;           // 成员单位包括A、B等 / 成员单位：A、B
  std::unique_ptr<RE2> office_at;              // 办公室设在市发改局
  std::unique_ptr<RE2> task_force_heading;     // （一）“打好经济增长主动仗”工作专班
  std::unique_ptr<RE2> task_force_inline;      // 成立打好经济增长主动仗工作专班，
};

const Rules& GetRules();

}  // namespace duban::plandraft

#endif  // DUBAN_ENGINE_PLANS_DRAFT_RULES_H_
