// Runs duband as a child process on a loopback port, for end-to-end tests.
#ifndef DUBAN_TESTS_DAEMON_HARNESS_H_
#define DUBAN_TESTS_DAEMON_HARNESS_H_

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "tests/test_util.h"

namespace duban::testing {

class Daemon {
 public:
  // data_dir persists across Start/Kill cycles; extra flags go to duband.
  Daemon(std::string data_dir, std::vector<std::string> extra = {})
      : data_dir_(std::move(data_dir)), extra_(std::move(extra)) {}
  ~Daemon() {
    if (pid_ > 0) Kill(SIGKILL);
  }

  // Starts duband and waits until it answers; false on failure.
  bool Start() {
    port_file_ = data_dir_ + ".port";
    ::unlink(port_file_.c_str());
    std::vector<std::string> args = {BinaryPath("services/duband"),
                                     "--config=" + SourcePath("config/duband.yaml"),
                                     "--data_dir=" + data_dir_,
                                     "--listen=127.0.0.1:0",
                                     "--port_file=" + port_file_,
                                     "--http_listen=127.0.0.1:0",
                                     "--demo_plan=" + SourcePath("config/demo/plan.yaml"),
                                     "--calendar=" + SourcePath("config/calendar/cn-workdays.yaml"),
                                     "--cadences=" + SourcePath("config/cadences.yaml"),
                                     "--supervision=" + SourcePath("config/supervision.yaml"),
                                     "--accountability=" + SourcePath("config/accountability.yaml"),
                                     "--assessment=" + SourcePath("config/demo/safety-assessment.yaml"),
                                     // A simulated clock just after the plan was issued, so that
                                     // no warning or reminder fires unless a test moves time.
                                     "--clock=simulated",
                                     "--clock_start=2023-03-20T08:00:00+08:00"};
    for (const auto& e : extra_) args.push_back(e);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string log = data_dir_ + ".log";
      FILE* f = std::freopen(log.c_str(), "a", stdout);
      (void)f;
      ::dup2(STDOUT_FILENO, STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file_);
      int port = 0;
      if (in >> port && port > 0) {
        address_ = "127.0.0.1:" + std::to_string(port);
        channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
        return channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Sends sig and waits for the process; returns its wait status.
  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    channel_.reset();
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    channel_.reset();
    return status;
  }

  // Sends sig without waiting (e.g. SIGHUP); false when not running.
  bool Signal(int sig) { return pid_ > 0 && ::kill(pid_, sig) == 0; }

  // Runs duband to completion with the given extra flags (no port file
  // wait); returns its exit status and fills *output with what it printed.
  static int RunToExit(const std::vector<std::string>& flags, std::string* output) {
    std::string cmd = BinaryPath("services/duband");
    for (const auto& f : flags) cmd += " '" + f + "'";
    cmd += " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return -1;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
    int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  const std::string& address() const { return address_; }
  std::string log_path() const { return data_dir_ + ".log"; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_;
  std::string port_file_;
  std::string address_;
  pid_t pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace duban::testing

#endif  // DUBAN_TESTS_DAEMON_HARNESS_H_
