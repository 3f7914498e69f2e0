// Plain-text tables for terminals that show CJK and fullwidth characters in
// two columns.
#ifndef DUBAN_CLIENTS_DUBANCTL_TEXT_TABLE_H_
#define DUBAN_CLIENTS_DUBANCTL_TEXT_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

namespace dubanctl {

// Columns a code point takes: 2 for CJK / Hangul / fullwidth, 0 for
// combining marks and zero-width characters, else 1.
int CodePointWidth(char32_t c);
// Columns a UTF-8 string takes. Invalid bytes count as one column each.
int DisplayWidth(const std::string& s);
// `s` cut to at most `max` columns, ending in "…" when cut.
std::string Truncate(const std::string& s, int max);
// Newlines, tabs and other control characters become spaces.
std::string OneLine(const std::string& s);
// `s` broken into lines of at most `width` columns (at spaces when possible);
// existing line breaks are kept.
std::vector<std::string> Wrap(const std::string& s, int width);

class Table {
 public:
  // A header; a positive max_width truncates that column's cells.
  explicit Table(std::vector<std::string> headers, std::vector<int> max_widths = {});
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  // Columns are separated by two spaces; the last one is not padded.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<int> max_widths_;
  std::vector<std::vector<std::string>> rows_;
};

// "KEY   value" lines with the values aligned; multi-line values continue
// under the value column.
class KeyValues {
 public:
  void Add(const std::string& key, const std::string& value);
  // Adds only when value is not empty.
  void AddIf(const std::string& key, const std::string& value);
  // Wraps the value at `width` columns; adds nothing when value is empty.
  void AddWrapped(const std::string& key, const std::string& value, int width = 76);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> items_;
};

}  // namespace dubanctl

#endif  // DUBAN_CLIENTS_DUBANCTL_TEXT_TABLE_H_
