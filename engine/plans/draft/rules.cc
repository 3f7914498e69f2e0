// The forms a plan document is written in. Patterns run on normalised text
// (text.cc): brackets （） and 〔〕, the colon ：, the semicolon ； and the
// comma ， are full width; digits are ASCII.
#include "engine/plans/draft/rules.h"

namespace duban::plandraft {
namespace {

std::unique_ptr<RE2> Re(const char* p) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(p, o);
  return re;
}

CadenceRule Cad(const char* p, const char* kind, const char* name) {
  return CadenceRule{Re(p), kind, name};
}

Rules Build() {
  Rules r;
  // ---------------------------------------------------------------- structure
  // "附件1" on its own line, "附件一", or "附件2：打好科技创新攻坚战工作方案".
  // Not "附件：1.…" (the list of annexes in the main text).
  r.annex = Re(R"(^附件\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*(?:：\s*(.*))?$)");
  // "一、工作目标", "第二部分 重点任务", "第三章 保障措施".
  r.level1 = Re(R"(^(?:第)?([一二三四五六七八九十]{1,3})(?:、|\s*部分|\s*章)\s*(.*)$)");
  // "（一）激活消费市场潜力。…"
  r.level2 = Re(R"(^（([一二三四五六七八九十]{1,3})）\s*(.*)$)");
  // "1.开展系列消费促进活动。", "1. 激发…", "1、…", "1．…", "10.2023年…" — not "1.8万户".
  r.level3 = Re(R"(^([0-9]{1,3})\s*[.．、]\s*((?:[^0-9]|[0-9]{4}年).*)$)");
  // "（1）…", "①…"
  r.level4 = Re(R"(^(?:（([0-9]{1,3})）|([①-⑳]))\s*(.*)$)");
  // "第十一条 建立信息互通反馈机制…" (articles of a working mechanism)
  r.article = Re(R"(^第([一二三四五六七八九十百]{1,4})条\s*(.*)$)");
  // Page numbers left by a converter: "- 12 -", "—3—", "第3页", "3/20".
  r.page_number = Re(R"(^[-—–－\s]*(?:第\s*)?[0-9]{1,4}\s*(?:页)?(?:\s*[/／]\s*[0-9]{1,4})?(?:\s*页)?[-—–－\s]*$)");
  // A list bullet a converter puts before a paragraph: "- 附件：…", "• …".
  r.bullet = Re(R"(^[-•·●▪]\s+)");
  // "宁政办发〔2023〕5号"
  r.doc_no = Re(R"(([^\s，。：]{1,12}〔([0-9]{4})〕[0-9]{1,4}号))");
  // "2023年3月17日印发"
  r.issued = Re(R"(([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日\s*印发)");
  r.year = Re(R"((20[0-9]{2})年)");
  // "宁乡市人民政府办公室文件": the issuer names the jurisdiction (when the directory does not).
  r.jurisdiction_name = Re(R"(^([^\s，。、“”]{2,10}?[省市县区旗])人民政府)");
  // The plan's title: "宁乡市打好发展“六仗”总体方案", "…2024年安全生产工作要点",
  // "…实施方案（2024年）" — not "关于印发…的通知".
  r.title = Re(R"(^[^，。；：]{2,60}(?:方案|计划|要点)(?:（[^）]{1,12}）)?$)");
  // An annex title "打好经济增长主动仗工作方案" names the campaign "打好经济增长主动仗".
  r.campaign_suffix = Re(R"(^(.+?)(?:工作实施方案|实施方案|工作方案|方案)$)");
  // "二、工作任务", "二、重点任务", "三、工作举措", "二、主要任务", "二、重点工作".
  r.task_section_words = {"任务", "举措", "重点工作"};
  // "一、工作目标", "一、总体目标", "二、主要目标".
  r.target_section_words = {"目标"};
  // A paragraph ends with one of these; a line ending otherwise was broken by
  // the page or the converter ("提质消费平" + "台载体…").
  r.paragraph_end = {"。", "；", "！", "？", "：", "）", "〕", "”"};
  // Broken wraps are long lines: a short line without an end is a heading.
  r.min_wrapped_line_chars = 24;
  // A short line repeated on many pages is a running header or footer.
  r.max_running_header_chars = 40;
  r.min_running_header_repeats = 3;

  // ---------------------------------------------------------------- units
  // "（市商务局牵头）", "（市发改局、市市监局、市商务局牵头）", "（市文旅广体局牵头，…等负责）"
  r.lead_role_suffixes = {"共同牵头", "牵头负责", "牵头"};
  // "（…，宁乡经开区、市工信局等负责）", "（市人社局牵头，市税务局参与）", "…配合"
  r.responsible_role_suffixes = {"负责落实", "配合落实", "负责", "配合", "参与", "协办", "协助"};
  // "[牵头单位：市应急管理局；责任单位：…]", "【牵头部门：…】"
  r.lead_role_prefixes = {"牵头单位：", "牵头部门：", "牵头：", "主办单位：", "责任领导单位："};
  r.responsible_role_prefixes = {"责任单位：", "责任部门：", "配合单位：", "配合部门：", "协办单位：",
                                 "参与单位：", "责任：", "配合："};
  // "市发改局、市工信局", "市工信局以及安委会其他成员单位"
  r.list_separators = {"、", "以及", "，", ","};
  // "市税务局等", "市消防大队等相关单位", "市应急委、市减灾委相关成员单位",
  // "市减灾委等协调议事机构相关成员单位": the tail is dropped, the unit kept.
  r.collective_tails = {"等协调议事机构相关成员单位", "等相关成员单位", "相关成员单位", "等相关单位", "等相关部门",
                        "等单位", "等部门", "等"};
  // A name ending so looks like a unit: an unknown one is proposed as a new unit.
  r.unit_suffixes = {"局", "办", "委", "部", "中心", "院", "会", "队", "集团", "公司", "区", "镇", "乡", "街道",
                     "联", "站", "所", "室", "厅", "处", "馆", "支行", "银行", "社", "团", "指挥部", "专班",
                     "单位", "管会", "分局", "政府", "法院", "检察院", "机构", "组", "科协"};
  // "发改局" is "市发改局"; "宁乡市发改局" too (the jurisdiction's name is added in directory.cc).
  r.short_name_prefixes = {"市"};
  // "…并于每季度由市安委办牵头，…": a lead written in the text.
  r.lead_in_text = Re(R"(由([^，。；、由]{2,20}?)牵头)");
  // "宁乡经开区：确保不发生…", "29个乡镇（街道）：…": a paragraph that opens with a unit.
  r.unit_title = Re(R"(^([^：，。；]{2,24})：)");
  // A task with no lead written in any of the forms above, whose text names a
  // unit acting at the head of a clause: "…。由市安委办对专项整治三年行动…进行
  // “回头看”", "…，市安委办将根据…建立“月排名、月通报”", "市发改局负责总调度".
  // The first clause that opens so with a known unit decides (the earliest verb
  // of the clause must follow the unit). One unit, or the first of several,
  // leads; unit groups so named are exhorted rather than assigned ("各园区、
  // 乡镇（街道）、行业部门要加大…帮扶指导力度") and become responsible units.
  // Failing that, the document's own rule applies: "由每个方案的牵头部门负总责"
  // (the campaign's lead unit leads).
  r.actor_openers = {"并由", "再由", "由", "并"};
  r.actor_verbs = {"将", "要", "负责", "对", "建立", "组织"};
  // "各园区、乡镇（街道）" is "各园区、各乡镇（街道）": a list whose first item
  // opens with 各 distributes it over the items after.
  r.collective_prefix = "各";
  r.category_suffixes = {{"街道", "township"}, {"镇", "township"}, {"乡", "township"},
                         {"经开区", "park"},    {"高新区", "park"}, {"园区", "park"},
                         {"集团", "platform_company"}, {"公司", "platform_company"},
                         {"局", "department"},  {"办", "department"}, {"部", "department"},
                         {"中心", "department"}, {"委", "department"}};
  // A task (or its section) about projects or policies sits in that list.
  r.list_kind_words = {{"项目", "project"}, {"工程", "project"}, {"政策", "policy"}};
  // A task or a heading that names a sector rather than a unit: "1.建筑施工领域
  // （含自建房）：重点做好…", "7.农业水利领域：…", "（三）城镇燃气行业",
  // "强化危险化学品领域安全整治". Read on the title (the text before the first
  // 。 / ： / ；); the group captures the words before a 领域 / 行业, from the
  // start of the title or the last bracket or comma before it (a bracket
  // after it, "（不含厂房仓储消防火灾）", is not read); the first such words
  // that hold a declared sector count ("强化行业监管，整治道路交通领域隐患"
  // is read at "整治道路交通"). When no lead is
  // written in any form above and no unit is named acting, the units whose
  // declared sectors (units[].sectors of the plan file, "管行业必须管安全") those
  // words contain take the task: the longest sector wins ("道路交通" over
  // "交通"); several sectors, in the order written, give the lead and then
  // responsible units ("农业水利" -> 农业 leads, 水利 is responsible); one
  // sector declared by two units is ambiguous, reported with the candidates,
  // and none is chosen. A task's own title goes before its group's heading.
  // Such leads are marked lead_basis: inferred and reported as "lead from the
  // directory's sectors".
  r.sector_heading = Re(R"(([^，。；：（）〔〕]{1,20}?)(?:领域|行业))");

  // ---------------------------------------------------------------- targets
  // "7%", "530亿元", "34微克/立方米", "1.8万户", "50-100亿元", "13000人"
  r.quantity = Re(
      R"(([0-9]+(?:\.[0-9]+)?)(?:\s*[-–—~～至]\s*([0-9]+(?:\.[0-9]+)?))?\s*(个百分点|微克/立方米|万立方米|立方米|万平方米|平方米|万亿元|亿元|万元|元|万户|户|万家|家|万个|个|万件|件|万人次|人次|万人|人|公里|千米|万亩|亩|万吨|吨|天|起|所|座|台|条|场|项|张|套|万|亿|%|倍|兆瓦|千瓦|名|批)?)");
  // Longest first: "提高到" before "提高".
  r.verbs = {"不高于", "不低于", "不超过", "不少于", "控制在", "稳定在", "提高到", "提升到", "增加到", "增至", "达到", "约",
             "突破", "超过", "增长", "下降", "减少", "降低", "提高", "提升", "保持", "达", "超"};
  // "地区生产总值增长7%" -> indicator "地区生产总值增长"; "总数达到500家" -> "…总数".
  r.verbs_in_indicator = {"增长", "下降", "减少", "降低", "提高", "提升"};
  // "7%以上", "突破530亿元", "不低于…" -> at least; "不高于34…", "3天以内" -> at most; "7%左右" -> about.
  // "达55亿元" / "达到500家": reaching a figure is at least that figure.
  r.at_least_words = {"以上", "突破", "超过", "不低于", "不少于", "稳定在", "超", "达到", "达"};
  r.at_most_words = {"以内", "以下", "不高于", "不超过", "控制在"};
  r.about_words = {"左右", "约"};
  // "力争研发经费投入增长13%" -> "研发经费投入增长".
  r.indicator_fillers = {"力争", "确保", "实现", "全年", "推动", "其中", "争取", "努力", "全力", "年内", "同时",
                         "并", "且", "和", "、", "以上", "左右"};
  // "地区生产总值增长7%左右，总量突破1300亿元" -> "地区生产总值总量".
  r.measure_words = {"总量", "总数", "总额", "规模"};
  // "园区规工产值、产业税收分别增长12%和15%以上"
  r.respectively = Re(R"(^(.+?)分别(.*)$)");
  // "全市安全生产事故起数和死亡人数同比均下降20%以上"
  r.both = Re(R"(^(.+?)均(.*)$)");

  // ---------------------------------------------------------------- working mechanism
  r.cadences.push_back(  // "各专班于每月7日、17日、27日前，向领导小组办公室报送…"
      Cad(R"(每月([0-9]{1,2})日、([0-9]{1,2})日(?:、([0-9]{1,2})日)?(?:、([0-9]{1,2})日)?前)", "monthly_days", "信息反馈"));
  r.cadences.push_back(Cad(R"(每月([0-9]{1,2})日前)", "monthly", "月报送"));        // "每月20日前报送…小结"
  r.cadences.push_back(Cad(R"(每周([一二三四五六日天]))", "weekly", "周报送"));        // "每周四报送工作动态"
  r.cadences.push_back(Cad(R"((?:([0-9]{4})年)?([0-9]{1,2})月([0-9]{1,2})日前)", "yearly", "年度报送"));  // "于2023年12月5日前…报送"
  r.cadences.push_back(Cad(R"(旬简报|每旬|每一旬)", "dekad", "旬简报"));              // "旬简报" (三期每月)
  r.cadences.push_back(Cad(R"(月通报|每月印发一期)", "month_end", "月通报"));         // "月通报"
  r.cadences.push_back(Cad(R"(季讲评|每季度)", "quarter_end", "季讲评"));             // "季讲评", "每季度…总结"
  r.cadences.push_back(Cad(R"(年总结|年底印发)", "year_end", "年总结"));              // "年总结"
  // Only sentences about reporting propose a cadence ("结对走访慰问至少每季度一次" does not).
  r.report_words = {"报送", "简报", "通报", "讲评", "总结", "报告", "汇报", "反馈"};
  // "向领导小组办公室报送", "报送市安全生产稳固仗工作专班（市安委办）"
  r.recipient = Re(R"((?:向([^，。；向]{2,30}?)(?:报送|报告|汇报)|报送([^，。；]{2,40}?)(?:。|，|；|$)))");
  // "成立市打好发展“六仗”工作领导小组"
  r.leading_group_name = Re(R"(成立([^，。；]{2,40}?领导小组))");
  // "组 长：张作林 市委书记", "副 组 长：张 毅 宁乡经开区…", "召集人：李磊 …"
  r.person_line = Re(R"(^([^：]{1,14})：\s*(.+)$)");
  // "成员单位包括市委组织部、市发改局…等，" / "成员单位：市科技局、…等。"
  // "…、市人社局等单位为成员单位" (the leading group's member units)
  r.group_member_units = Re(R"(([^，。；]+?)(?:等)?(?:单位)?为成员单位)");
  // "张 毅 宁乡经开区党工委副书记、管委会主任": a name and a post on one line.
  r.list_entry = Re(R"(^(?:[^\s：]{1,4}\s+\S|[^：，。\s]{1,8}(?:\s[^：，。\s]{1,8}){0,3}：))");
  r.member_units = Re(R"(成员单位(?:包括|为|有)?：?\s*([^。；]+?)(?:等)?(?:。|；|，专班|，负责|$))");
  // "专班办公室设在市发改局（市优化办），" / "办公室设市财政局，"
  r.office_at = Re(R"(办公室设(?:在)?([^，。；（]{2,20}))");
  // "（一）“打好经济增长主动仗”工作专班"
  r.task_force_heading = Re(R"(^（[一二三四五六七八九十]{1,3}）\s*(.*工作专班)$)");
  // "成立打好经济增长主动仗工作专班，由分管市领导担任召集人，…"
  r.task_force_inline = Re(R"(成立([^，。；]{2,40}?(?:工作)?专班))");
  return r;
}

}  // namespace

const Rules& GetRules() {
  static const Rules* rules = new Rules(Build());
  return *rules;
}

}  // namespace duban::plandraft
