// Progress of a long dubanctl operation (plan import, export, audit export),
// written to stderr so stdout stays the command's result.
//
// Shown when stderr is a terminal (one line redrawn in place, erased at the
// end) or when asked with --progress (one line per step, for logs and pipes);
// silent otherwise, so scripts and golden outputs are unaffected. A unary call
// shows its phases (reading, sending, waiting, writing) rather than invented
// percentages; a stream shows the bytes received against the total.
#ifndef DUBAN_CLIENTS_DUBANCTL_PROGRESS_H_
#define DUBAN_CLIENTS_DUBANCTL_PROGRESS_H_

#include <cstdint>
#include <ostream>
#include <string>

namespace dubanctl {

class Progress {
 public:
  // `forced`: --progress was given. `out` is where lines go (std::cerr).
  Progress(bool forced, std::ostream& out);

  bool enabled() const { return enabled_; }

  // A phase of the operation, e.g. "读取 plan.yaml (12.3 KiB)".
  void Phase(const std::string& text);
  // `what` so far: "导出 tasks.xlsx: 64.0 KiB / 130.2 KiB (49%)".
  void Bytes(const std::string& what, uint64_t done, uint64_t total);
  // The last line; on a terminal the redrawn line is erased first.
  void Done(const std::string& text);

  // "812 B", "12.3 KiB".
  static std::string Size(uint64_t n);

 private:
  void Show(const std::string& line);

  bool enabled_;
  bool tty_;
  std::ostream& out_;
  bool drawn_ = false;  // a line is drawn in place (terminal only)
};

}  // namespace dubanctl

#endif  // DUBAN_CLIENTS_DUBANCTL_PROGRESS_H_
