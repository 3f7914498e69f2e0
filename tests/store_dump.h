// Every key and value of a store, to prove that a refused command changed
// nothing.
#ifndef DUBAN_TESTS_STORE_DUMP_H_
#define DUBAN_TESTS_STORE_DUMP_H_

#include <map>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/store.h"
#include "gtest/gtest.h"

namespace duban::testing {

// Every key and value of every column family.
inline std::map<std::string, std::string> DumpStore(Store& store) {
  std::map<std::string, std::string> out;
  for (int cf = static_cast<int>(Cf::kMeta); cf < static_cast<int>(Cf::kCount); ++cf) {
    std::unique_ptr<rocksdb::Iterator> it(
        store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(static_cast<Cf>(cf))));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out[std::string(CfName(static_cast<Cf>(cf))) + "/" + it->key().ToString()] = it->value().ToString();
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  }
  return out;
}

// What changed between two dumps, one line per key ("" when nothing did).
inline std::string DumpDiff(const std::map<std::string, std::string>& before,
                            const std::map<std::string, std::string>& after) {
  std::string out;
  int shown = 0;
  auto note = [&](char what, const std::string& key) {
    if (++shown <= 20) absl::StrAppend(&out, "\n  ", std::string(1, what), " ", absl::CHexEscape(key));
  };
  for (const auto& [k, v] : before) {
    auto it = after.find(k);
    if (it == after.end()) note('-', k);
    else if (it->second != v) note('~', k);
  }
  for (const auto& [k, v] : after) {
    if (!before.count(k)) note('+', k);
  }
  if (shown > 20) absl::StrAppend(&out, "\n  ... ", shown - 20, " more");
  return out;
}

}  // namespace duban::testing

#endif  // DUBAN_TESTS_STORE_DUMP_H_
