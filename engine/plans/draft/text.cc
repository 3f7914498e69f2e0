// Text clean-up: UTF-8, normalised punctuation, and the document as
// paragraphs (page numbers, running headers and broken wraps handled).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "engine/plans/draft/internal.h"
#include "engine/plans/draft/rules.h"

namespace duban::plandraft::internal {
namespace {

// Decodes one code point at s[i]; returns its length, or 0 when invalid.
int DecodeOne(absl::string_view s, size_t i, char32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  int n;
  char32_t v;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (int k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    v = (v << 6) | (d & 0x3F);
  }
  if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
      (v >= 0xD800 && v <= 0xDFFF)) {
    return 0;
  }
  *cp = v;
  return n;
}

void Append(std::string* out, char32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsBlank(char32_t c) { return c == ' ' || c == '\t' || c == 0x3000 || c == 0xA0 || c == '\r' || c == 0xFEFF; }

std::u32string Decode(absl::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    int n = DecodeOne(s, i, &cp);
    if (n == 0) {
      cp = 0xFFFD;
      n = 1;
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string Encode(const std::u32string& s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) Append(&out, c);
  return out;
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string SanitizeUtf8(absl::string_view in, int* bad) {
  std::string out;
  out.reserve(in.size());
  *bad = 0;
  for (size_t i = 0; i < in.size();) {
    char32_t cp;
    int n = DecodeOne(in, i, &cp);
    if (n == 0 || cp == 0) {
      if (n == 0) ++*bad;
      Append(&out, 0xFFFD);
      i += n == 0 ? 1 : n;
      continue;
    }
    out.append(in.data() + i, n);
    i += n;
  }
  return out;
}

std::string NormalizeText(absl::string_view in) {
  std::u32string s = Decode(in);
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char32_t c = s[i];
    if (c >= 0xFF10 && c <= 0xFF19) c = '0' + (c - 0xFF10);  // full-width digits
    switch (c) {
      case 0xFEFF: continue;
      case '(': c = 0xFF08; break;                  // （
      case ')': c = 0xFF09; break;                  // ）
      case '[': case 0x3010: c = 0x3014; break;     // 〔
      case ']': case 0x3011: c = 0x3015; break;     // 〕
      case 0xFF3B: c = 0x3014; break;
      case 0xFF3D: c = 0x3015; break;
      case ';': c = 0xFF1B; break;                  // ；
      case 0xFF05: c = '%'; break;                  // ％
      case ':':
        // 17:30 stays; a colon after words becomes ：
        if (!(i > 0 && IsDigit(s[i - 1]) && i + 1 < s.size() && IsDigit(s[i + 1]))) c = 0xFF1A;
        break;
      case ',':
        if (!(i > 0 && IsDigit(s[i - 1]) && i + 1 < s.size() && IsDigit(s[i + 1]))) c = 0xFF0C;
        break;
      default: break;
    }
    out.push_back(c);
  }
  return Encode(out);
}

int CharCount(absl::string_view s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string TrimBlanks(absl::string_view s) {
  std::u32string u = Decode(s);
  size_t b = 0, e = u.size();
  while (b < e && IsBlank(u[b])) ++b;
  while (e > b && IsBlank(u[e - 1])) --e;
  return Encode(u.substr(b, e - b));
}

std::string RemoveBlanks(absl::string_view s) {
  std::u32string u = Decode(s), out;
  for (char32_t c : u) {
    if (!IsBlank(c)) out.push_back(c);
  }
  return Encode(out);
}

bool StartsWithAny(absl::string_view s, const std::vector<std::string>& words, std::string* which) {
  for (const auto& w : words) {
    if (absl::StartsWith(s, w)) {
      if (which) *which = w;
      return true;
    }
  }
  return false;
}

bool EndsWithAny(absl::string_view s, const std::vector<std::string>& words, std::string* which) {
  for (const auto& w : words) {
    if (absl::EndsWith(s, w)) {
      if (which) *which = w;
      return true;
    }
  }
  return false;
}

bool ContainsAny(absl::string_view s, const std::vector<std::string>& words) {
  for (const auto& w : words) {
    if (absl::StrContains(s, w)) return true;
  }
  return false;
}

std::vector<std::string> SplitTopLevel(absl::string_view s, const std::vector<std::string>& seps) {
  static const std::vector<std::string> kOpen = {"（", "〔", "“", "《"};
  static const std::vector<std::string> kClose = {"）", "〕", "”", "》"};
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  size_t i = 0;
  while (i < s.size()) {
    absl::string_view rest = s.substr(i);
    std::string w;
    if (StartsWithAny(rest, kOpen, &w)) {
      ++depth;
      cur += w;
      i += w.size();
      continue;
    }
    if (StartsWithAny(rest, kClose, &w)) {
      if (depth > 0) --depth;
      cur += w;
      i += w.size();
      continue;
    }
    if (depth == 0 && StartsWithAny(rest, seps, &w)) {
      out.push_back(cur);
      cur.clear();
      i += w.size();
      continue;
    }
    cur.push_back(s[i]);
    ++i;
  }
  out.push_back(cur);
  return out;
}

int ParseNumeral(absl::string_view s) {
  if (s.empty()) return 0;
  bool ascii = true;
  for (char c : s) ascii = ascii && c >= '0' && c <= '9';
  if (ascii) return s.size() <= 4 ? std::stoi(std::string(s)) : 0;
  static const std::map<char32_t, int> kDigits = {{U'一', 1}, {U'二', 2}, {U'三', 3}, {U'四', 4}, {U'五', 5},
                                                  {U'六', 6}, {U'七', 7}, {U'八', 8}, {U'九', 9}};
  std::u32string u = Decode(s);
  int value = 0, digit = 0;
  for (char32_t c : u) {
    if (c == U'十') {
      value += (digit == 0 ? 1 : digit) * 10;
      digit = 0;
    } else if (c == U'百') {
      value += (digit == 0 ? 1 : digit) * 100;
      digit = 0;
    } else if (auto it = kDigits.find(c); it != kDigits.end()) {
      digit = it->second;
    } else {
      return 0;
    }
  }
  return value + digit;
}

std::vector<Paragraph> Paragraphs(const std::string& normalized, int* lines) {
  const Rules& r = GetRules();
  struct Line {
    int no;
    std::string text;
  };
  std::vector<Line> raw;
  int no = 0;
  for (absl::string_view l : absl::StrSplit(normalized, '\n')) {
    ++no;
    std::string t = TrimBlanks(l);
    std::string bullet;
    if (RE2::PartialMatch(t, *r.bullet)) RE2::Replace(&t, *r.bullet, "");
    raw.push_back({no, t});
  }
  *lines = no;
  // Running headers and footers: short lines repeated on many pages.
  std::map<std::string, int> repeats;
  for (const auto& l : raw) {
    if (!l.text.empty() && CharCount(l.text) <= r.max_running_header_chars) ++repeats[l.text];
  }
  auto is_heading = [&](const std::string& t) {
    return RE2::PartialMatch(t, *r.annex) || RE2::PartialMatch(t, *r.level1) || RE2::PartialMatch(t, *r.level2) ||
           RE2::PartialMatch(t, *r.level3) || RE2::PartialMatch(t, *r.level4) || RE2::PartialMatch(t, *r.article);
  };
  std::vector<Paragraph> out;
  std::set<std::string> first_seen;
  std::string last_line;  // the last physical line of the open paragraph
  for (const auto& l : raw) {
    const std::string& t = l.text;
    if (t.empty()) continue;
    if (RE2::FullMatch(t, *r.page_number)) continue;
    // The first time, a repeated line is kept: a header that repeats the title is the title there.
    if (repeats[t] >= r.min_running_header_repeats && !is_heading(t) && !EndsWithAny(t, {"。", "；", "："}) &&
        !RE2::PartialMatch(t, *r.list_entry) && !first_seen.insert(t).second) {
      continue;
    }
    bool join = false;
    if (!out.empty()) {
      const std::string& prev = out.back().text;
      bool prev_open = !EndsWithAny(prev, r.paragraph_end) && CharCount(last_line) >= r.min_wrapped_line_chars;
      // A unit clause alone on a line belongs to the paragraph before it:
      // "…压制疫情高峰。" + "（市卫健局）".
      bool clause_line = (absl::StartsWith(t, "（") || absl::StartsWith(t, "〔")) &&
                         (absl::EndsWith(t, "）") || absl::EndsWith(t, "〕")) && !RE2::PartialMatch(t, *r.level2) &&
                         !RE2::PartialMatch(t, *r.level4) && CharCount(t) <= 200 &&
                         !absl::EndsWith(prev, "：") &&
                         !(is_heading(prev) && CharCount(prev) < r.min_wrapped_line_chars);
      join = (prev_open && !is_heading(t) && !RE2::PartialMatch(t, *r.list_entry)) || clause_line;
    }
    if (join) {
      out.back().text += t;
    } else {
      out.push_back({l.no, t});
    }
    last_line = t;
  }
  return out;
}

}  // namespace duban::plandraft::internal
