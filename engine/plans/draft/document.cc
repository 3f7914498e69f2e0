// Reading a plan document: plain text as it is; .docx (and .odt) through
// pandoc, Debian's maintained converter, as plain text without wrapping.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/plans/draft/plan_draft.h"

namespace duban::plandraft {
namespace {

// Runs argv, returns its standard output; its standard error goes into the error.
absl::StatusOr<std::string> Run(const std::vector<std::string>& argv, const std::string& what) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) return absl::InternalError(absl::StrCat(what, ": pipe: ", strerror(errno)));
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat(what, ": fork: ", strerror(errno)));
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  std::string stdout_text, stderr_text;
  // Read both pipes; pandoc writes little to stderr, so read stdout first.
  char buf[65536];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) stdout_text.append(buf, n);
  for (ssize_t n; (n = read(err[0], buf, sizeof buf)) > 0;) stderr_text.append(buf, n);
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": pandoc is not installed (apt-get install pandoc) — needed to read .docx"));
    }
    return absl::FailedPreconditionError(absl::StrCat(what, ": pandoc failed: ", stderr_text));
  }
  return stdout_text;
}

}  // namespace

absl::StatusOr<std::string> ReadDocument(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the file"));
  std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".docx") || absl::EndsWith(lower, ".odt")) {
    return Run({"pandoc", "--from", absl::EndsWith(lower, ".odt") ? "odt" : "docx", "--to", "plain", "--wrap=none",
                path},
               path);
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace duban::plandraft
