#include "services/request_bounds.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace duban {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Bytes the entries of a repeated field take (strings and messages by their
// size, scalars by their width; enough to bound them, not a wire size).
size_t RepeatedBytes(const Message& m, const Reflection& r, const FieldDescriptor* f, int n) {
  size_t total = 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      for (int i = 0; i < n; ++i) total += r.GetRepeatedStringReference(m, f, i, &scratch).size();
      return total;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      for (int i = 0; i < n; ++i) total += r.GetRepeatedMessage(m, f, i).ByteSizeLong();
      return total;
    default:
      return static_cast<size_t>(n) * 8;
  }
}

absl::Status Check(const Message& m, const std::string& path) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    std::string name = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->is_repeated()) {
      int n = r->FieldSize(m, f);
      if (n > kMaxRepeatedEntries) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": at most ", kMaxRepeatedEntries, " entries (got ", n, ")"));
      }
      size_t bytes = RepeatedBytes(m, *r, f, n);
      if (bytes > kMaxRepeatedBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": at most ", kMaxRepeatedBytes, " bytes in all (got ", bytes, ")"));
      }
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_map()) {
        for (int i = 0; i < n; ++i) {
          absl::Status s = Check(r->GetRepeatedMessage(m, f, i), absl::StrCat(name, "[", i, "]"));
          if (!s.ok()) return s;
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      absl::Status s = Check(r->GetMessage(m, f), name);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestBounds(const Message& request) { return Check(request, ""); }

}  // namespace duban
