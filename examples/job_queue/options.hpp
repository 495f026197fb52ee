#pragma once

// Command line of the job_queue example. Every bad input becomes a usage_error with a one-line
// message; main() prints it and exits with status 2, before any thread starts.

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace job_queue {

enum class shutdown_mode { close, poison_pill };
enum class full_policy { wait, drop, reject };

struct options {
  unsigned producers = 3;
  unsigned consumers = 4;
  std::uint64_t jobs_per_producer = 100;
  std::size_t capacity = 32;
  double work_scale = 1.0;
  shutdown_mode shutdown = shutdown_mode::close;
  full_policy on_full = full_policy::wait;
  bool priority = false;
  bool request_reply = false;
  bool async = false;  // producers and consumers as coroutines on a thread pool
  bool stats = false;
  double fail_rate = 0.0;
  unsigned retries = 0;
  std::uint64_t seed = 1;
  bool help = false;
};

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr const char* usage_text =
    "usage: job_queue [options]\n"
    "  --producers N        producer threads (default 3)\n"
    "  --consumers N        consumer threads, started before the producers (default 4)\n"
    "  --jobs N             jobs per producer (default 100)\n"
    "  --capacity N         capacity of the job channel(s) (default 32)\n"
    "  --work-scale X       multiplies the simulated 5/10/20 ms of work per job (default 1)\n"
    "  --shutdown close|poison-pill      close the channel, or send one sentinel job per consumer\n"
    "  --full-policy wait|drop|reject    on a full channel: block, drop the job, or hand it back\n"
    "  --priority           report_generate jobs go to a high-priority channel; prints latencies\n"
    "                       and repeats the workload on a single channel for comparison\n"
    "  --request-reply      every job carries a oneshot sender; producers wait for every reply\n"
    "  --async              producers and consumers as coroutines on a 2-thread pool (close shutdown,\n"
    "                       wait policy, one channel)\n"
    "  --stats              per-consumer job counts and average processing time\n"
    "  --fail-rate P        probability in [0, 1] that one processing attempt fails (default 0)\n"
    "  --retries N          retries of a failed job before it goes to the dead-letter channel\n"
    "  --seed S             seed of the failure draws (default 1)\n";

template <class Unsigned>
Unsigned parse_whole(std::string_view flag, std::string_view text, Unsigned min, Unsigned max) {
  Unsigned value{};
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end || value < min || value > max) {
    throw usage_error(std::string(flag) + " wants a whole number in [" + std::to_string(min) + ", " +
                      std::to_string(max) + "], got '" + std::string(text) + "'");
  }
  return value;
}

inline double parse_real(std::string_view flag, std::string_view text, double min, double max) {
  const std::string copy(text);
  char* stop = nullptr;
  errno = 0;
  const double value = std::strtod(copy.c_str(), &stop);
  if (copy.empty() || stop != copy.c_str() + copy.size() || errno == ERANGE || !std::isfinite(value) || value < min ||
      value > max) {
    throw usage_error(std::string(flag) + " wants a number in [" + std::to_string(min) + ", " + std::to_string(max) +
                      "], got '" + copy + "'");
  }
  return value;
}

inline options parse_options(int argc, char** argv) {
  options parsed;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (!arg.starts_with("--")) throw usage_error("unexpected argument '" + std::string(arg) + "'");
    std::string_view flag = arg;
    std::string_view inline_value;
    bool has_inline_value = false;
    if (const auto equals = arg.find('='); equals != std::string_view::npos) {
      flag = arg.substr(0, equals);
      inline_value = arg.substr(equals + 1);
      has_inline_value = true;
    }
    auto switch_flag = [&](bool& target) {
      if (has_inline_value) throw usage_error(std::string(flag) + " takes no value");
      target = true;
    };
    auto value = [&]() -> std::string_view {
      if (has_inline_value) return inline_value;
      if (i + 1 >= argc) throw usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--priority") {
      switch_flag(parsed.priority);
    } else if (flag == "--async") {
      switch_flag(parsed.async);
    } else if (flag == "--request-reply") {
      switch_flag(parsed.request_reply);
    } else if (flag == "--stats") {
      switch_flag(parsed.stats);
    } else if (flag == "--producers") {
      parsed.producers = parse_whole<unsigned>(flag, value(), 1, 256);
    } else if (flag == "--consumers") {
      parsed.consumers = parse_whole<unsigned>(flag, value(), 1, 256);
    } else if (flag == "--jobs") {
      parsed.jobs_per_producer = parse_whole<std::uint64_t>(flag, value(), 0, 10'000'000);
    } else if (flag == "--capacity") {
      parsed.capacity = parse_whole<std::size_t>(flag, value(), 1, std::size_t{1} << 20);
    } else if (flag == "--work-scale") {
      parsed.work_scale = parse_real(flag, value(), 0.0, 100.0);
    } else if (flag == "--fail-rate") {
      parsed.fail_rate = parse_real(flag, value(), 0.0, 1.0);
    } else if (flag == "--retries") {
      parsed.retries = parse_whole<unsigned>(flag, value(), 0, 100);
    } else if (flag == "--seed") {
      parsed.seed = parse_whole<std::uint64_t>(flag, value(), 0, UINT64_MAX);
    } else if (flag == "--shutdown") {
      const std::string_view mode = value();
      if (mode == "close") {
        parsed.shutdown = shutdown_mode::close;
      } else if (mode == "poison-pill") {
        parsed.shutdown = shutdown_mode::poison_pill;
      } else {
        throw usage_error("--shutdown wants close or poison-pill, got '" + std::string(mode) + "'");
      }
    } else if (flag == "--full-policy") {
      const std::string_view policy = value();
      if (policy == "wait") {
        parsed.on_full = full_policy::wait;
      } else if (policy == "drop") {
        parsed.on_full = full_policy::drop;
      } else if (policy == "reject") {
        parsed.on_full = full_policy::reject;
      } else {
        throw usage_error("--full-policy wants wait, drop or reject, got '" + std::string(policy) + "'");
      }
    } else {
      throw usage_error("unknown option '" + std::string(flag) + "'");
    }
  }
  // A pill could overtake a high-priority job that arrived after a consumer last looked at the
  // high channel, and the consumers would leave it behind.
  if (parsed.priority && parsed.shutdown == shutdown_mode::poison_pill) {
    throw usage_error("--priority needs --shutdown close (a poison pill cannot order two channels)");
  }
  if (parsed.async && (parsed.priority || parsed.request_reply || parsed.shutdown != shutdown_mode::close ||
                       parsed.on_full != full_policy::wait)) {
    throw usage_error("--async runs the close-shutdown, wait-policy, single-channel workload only");
  }
  return parsed;
}

}  // namespace job_queue
