// A tiny HTTP/1.1 receiver on 127.0.0.1 for webhook tests, and helpers.
#ifndef DUBAN_TESTS_HTTP_RECEIVER_H_
#define DUBAN_TESTS_HTTP_RECEIVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace duban::testing {

// Polls pred every 5 ms for up to `limit`; true when it became true.
inline bool WaitUntil(const std::function<bool()>& pred, absl::Duration limit = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + limit;
  while (!pred()) {
    if (absl::Now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// A port on 127.0.0.1 that nothing listens on (just freed by us).
inline uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

inline std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1. It answers 500 to
// the first `fail_first` requests, does not answer at all to the first
// `hang_first` (holds the connection until the client gives up), and 200 to
// the rest; every request is recorded.
class Receiver {
 public:
  struct Request {
    std::string seq;   // the X-Duban-Seq header
    std::string body;
    std::string content_type;
    int code = 0;      // what we answered (0 = no answer)
  };

  explicit Receiver(int fail_first = 0, uint16_t port = 0, int hang_first = 0)
      : fail_first_(fail_first), hang_first_(hang_first) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    socklen_t len = sizeof(a);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }

  bool ok() const { return fd_ >= 0; }
  uint16_t port() const { return port_; }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/hook"); }

  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  // The seqs of the requests answered 2xx, in arrival order.
  std::vector<std::string> accepted() const {
    std::vector<std::string> out;
    for (const auto& r : requests()) {
      if (r.code == 200) out.push_back(r.seq);
    }
    return out;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Handle(c);
      ::close(c);
    }
  }

  // Appends what arrives next to buf; false on EOF, error, stop or 3 s of silence.
  bool ReadMore(int c, std::string* buf) {
    for (int waited = 0; waited < 3000 && !stop_; waited += 20) {
      pollfd p{c, POLLIN, 0};
      int r = ::poll(&p, 1, 20);
      if (r < 0) return false;
      if (r == 0) continue;
      char tmp[4096];
      ssize_t n = ::recv(c, tmp, sizeof(tmp), 0);
      if (n <= 0) return false;
      buf->append(tmp, static_cast<size_t>(n));
      return true;
    }
    return false;
  }

  void Handle(int c) {
    std::string buf;
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(c, &buf)) return;
    }
    Request req;
    size_t content_length = 0;
    size_t pos = buf.find("\r\n") + 2;  // past the request line
    while (pos < end) {
      size_t eol = buf.find("\r\n", pos);
      std::string line = buf.substr(pos, eol - pos);
      pos = eol + 2;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = Lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") (void)absl::SimpleAtoi(value, &content_length);
      if (name == "x-duban-seq") req.seq = value;
      if (name == "content-type") req.content_type = value;
    }
    std::string body = buf.substr(end + 4);
    while (body.size() < content_length) {
      if (!ReadMore(c, &body)) return;
    }
    req.body = body.substr(0, content_length);
    int n;
    {
      std::lock_guard<std::mutex> l(mu_);
      n = static_cast<int>(requests_.size());
    }
    if (n < hang_first_) {
      {
        std::lock_guard<std::mutex> l(mu_);
        requests_.push_back(req);
      }
      std::string ignored;
      while (ReadMore(c, &ignored)) {
      }  // until the client hangs up (or 3 s, or stop)
      return;
    }
    req.code = n < hang_first_ + fail_first_ ? 500 : 200;
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(req);
    }
    std::string reply = absl::StrCat("HTTP/1.1 ", req.code, req.code == 200 ? " OK" : " Internal Server Error",
                                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  const int fail_first_;
  const int hang_first_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Request> requests_;
};

inline std::vector<std::string> Seqs(uint64_t from, uint64_t to) {
  std::vector<std::string> out;
  for (uint64_t s = from; s <= to; ++s) out.push_back(std::to_string(s));
  return out;
}

}  // namespace duban::testing

#endif  // DUBAN_TESTS_HTTP_RECEIVER_H_
