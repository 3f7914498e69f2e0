#include "progress.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dubanctl {

Progress::Progress(bool forced, std::ostream& out)
    : enabled_(forced || ::isatty(2) == 1), tty_(!forced && ::isatty(2) == 1), out_(out) {}

void Progress::Show(const std::string& line) {
  if (!enabled_) return;
  if (tty_) {
    out_ << "\r\033[K" << line << std::flush;
    drawn_ = true;
  } else {
    out_ << line << '\n' << std::flush;
  }
}

void Progress::Phase(const std::string& text) { Show(text); }

void Progress::Bytes(const std::string& what, uint64_t done, uint64_t total) {
  uint64_t percent = total == 0 ? 100 : done * 100 / total;
  Show(absl::StrCat(what, ": ", Size(done), " / ", Size(total), " (", percent, "%)"));
}

void Progress::Done(const std::string& text) {
  if (!enabled_) return;
  if (tty_ && drawn_) out_ << "\r\033[K" << std::flush;
  drawn_ = false;
  if (!tty_ && !text.empty()) out_ << text << '\n' << std::flush;
}

std::string Progress::Size(uint64_t n) {
  if (n < 1024) return absl::StrCat(n, " B");
  return absl::StrFormat("%.1f KiB", static_cast<double>(n) / 1024);
}

}  // namespace dubanctl
