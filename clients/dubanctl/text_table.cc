#include "text_table.h"

#include <algorithm>

namespace dubanctl {

namespace {

// Decodes the code point at s[i]; advances i. Invalid bytes decode as
// themselves (one byte, one column).
char32_t Next(const std::string& s, size_t& i, bool* valid = nullptr) {
  unsigned char b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    if (valid) *valid = false;
    return b;
  }
  char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cb = static_cast<unsigned char>(s[i + k]);
    if ((cb & 0xC0) != 0x80) {
      ++i;
      if (valid) *valid = false;
      return b;
    }
    c = (c << 6) | (cb & 0x3F);
  }
  i += len;
  if (valid) *valid = true;
  return c;
}

}  // namespace

int CodePointWidth(char32_t c) {
  if (c == 0) return 0;
  if ((c >= 0x0300 && c <= 0x036F) || c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF ||
      (c >= 0xFE00 && c <= 0xFE0F)) {
    return 0;
  }
  if ((c >= 0x1100 && c <= 0x115F) ||   // Hangul Jamo
      (c >= 0x2E80 && c <= 0xA4CF) ||   // CJK radicals .. Yi, incl. CJK punctuation 3000–303F
      (c >= 0xAC00 && c <= 0xD7A3) ||   // Hangul syllables
      (c >= 0xF900 && c <= 0xFAFF) ||   // CJK compatibility ideographs
      (c >= 0xFE30 && c <= 0xFE4F) ||   // CJK compatibility forms
      (c >= 0xFF00 && c <= 0xFF60) ||   // fullwidth forms
      (c >= 0xFFE0 && c <= 0xFFE6) ||   // fullwidth signs
      (c >= 0x1F300 && c <= 0x1F64F) || (c >= 0x1F900 && c <= 0x1F9FF) ||  // emoji
      (c >= 0x20000 && c <= 0x3FFFD)) {  // CJK extension B and later
    return 2;
  }
  return 1;
}

int DisplayWidth(const std::string& s) {
  int w = 0;
  for (size_t i = 0; i < s.size();) w += CodePointWidth(Next(s, i));
  return w;
}

std::string Truncate(const std::string& s, int max) {
  if (max <= 0 || DisplayWidth(s) <= max) return s;
  std::string out;
  int w = 0;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    int cw = CodePointWidth(Next(s, i));
    if (w + cw > max - 1) break;  // keep one column for the ellipsis
    w += cw;
    out.append(s, start, i - start);
  }
  return out + "\xE2\x80\xA6";  // …
}

std::string OneLine(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out;
}

std::vector<std::string> Wrap(const std::string& text, int width) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t nl = text.find('\n', pos);
    std::string para = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!para.empty() && para.back() == '\r') para.pop_back();
    // Break one paragraph.
    std::string line;
    int w = 0;
    size_t last_space = std::string::npos;  // byte offset in `line` just after a space
    for (size_t i = 0; i < para.size();) {
      size_t start = i;
      char32_t c = Next(para, i);
      int cw = CodePointWidth(c);
      if (w + cw > width && !line.empty()) {
        if (c == ' ') {  // break at this space and drop it
          out.push_back(line);
          line.clear();
          w = 0;
          last_space = std::string::npos;
          continue;
        }
        if (last_space != std::string::npos && last_space > line.size() / 2) {
          std::string rest = line.substr(last_space);
          line.resize(last_space - 1);
          out.push_back(line);
          line = rest;
          w = DisplayWidth(line);
        } else {
          out.push_back(line);
          line.clear();
          w = 0;
        }
        last_space = std::string::npos;
      }
      line.append(para, start, i - start);
      w += cw;
      if (c == ' ') last_space = line.size();
    }
    out.push_back(line);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  while (out.size() > 1 && out.back().empty()) out.pop_back();
  return out;
}

Table::Table(std::vector<std::string> headers, std::vector<int> max_widths)
    : headers_(std::move(headers)), max_widths_(std::move(max_widths)) {
  max_widths_.resize(headers_.size(), 0);
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (size_t i = 0; i < cells.size(); ++i) cells[i] = Truncate(OneLine(cells[i]), max_widths_[i]);
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<int> widths(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) widths[i] = DisplayWidth(headers_[i]);
  for (const auto& r : rows_) {
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(r[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      s += cells[i];
      if (i + 1 < cells.size()) s.append(widths[i] - DisplayWidth(cells[i]) + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << '\n';
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
}

void KeyValues::Add(const std::string& key, const std::string& value) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (true) {
    size_t nl = value.find('\n', pos);
    lines.push_back(value.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  items_.emplace_back(key, std::move(lines));
}

void KeyValues::AddIf(const std::string& key, const std::string& value) {
  if (!value.empty()) Add(key, value);
}

void KeyValues::AddWrapped(const std::string& key, const std::string& value, int width) {
  if (value.empty()) return;
  items_.emplace_back(key, Wrap(value, width));
}

void KeyValues::Print(std::ostream& out) const {
  int kw = 0;
  for (const auto& [k, v] : items_) kw = std::max(kw, DisplayWidth(k));
  for (const auto& [k, lines] : items_) {
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string key = i == 0 ? k : "";
      std::string s = key + std::string(kw - DisplayWidth(key) + 2, ' ') + lines[i];
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out << s << '\n';
    }
  }
}

}  // namespace dubanctl
