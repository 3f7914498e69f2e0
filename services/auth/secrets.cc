#include "services/auth/secrets.h"

#include <string>
#include <vector>

#include "services/auth/credentials.h"

namespace duban::auth {

bool IsSecretField(const google::protobuf::FieldDescriptor& f) {
  if (f.type() != google::protobuf::FieldDescriptor::TYPE_STRING &&
      f.type() != google::protobuf::FieldDescriptor::TYPE_BYTES) {
    return false;
  }
  for (const char* name : {"password", "old_password", "new_password", "initial_password", "totp_code", "code",
                           "token", "secret_base32", "totp_secret", "pending_totp_secret", "password_hash"}) {
    if (f.name() == name) return true;
  }
  return false;
}

int WipeSecrets(google::protobuf::Message* m) {
  if (m == nullptr) return 0;
  int wiped = 0;
  const auto* r = m->GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(*m, &fields);
  for (const auto* f : fields) {
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*m, f); ++i) wiped += WipeSecrets(r->MutableRepeatedMessage(m, f, i));
      } else {
        wiped += WipeSecrets(r->MutableMessage(m, f));
      }
      continue;
    }
    if (!IsSecretField(*f) || f->is_repeated()) continue;
    // Overwrite in place (the field's own buffer), then clear.
    std::string scratch;
    const std::string& held = r->GetStringReference(*m, f, &scratch);
    Wipe(const_cast<std::string*>(&held));
    Wipe(&scratch);
    r->ClearField(m, f);
    ++wiped;
  }
  return wiped;
}

}  // namespace duban::auth
