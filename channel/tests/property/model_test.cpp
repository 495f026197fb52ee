// Sequential model-based test: random command sequences run against a channel and against a
// std::deque reference; every command checks the channel's status against the reference's.

#include <chan/channel.hpp>

#include <rapidcheck/catch.h>
#include <rapidcheck/state.h>

#include <cstddef>
#include <deque>
#include <ostream>

using chan::status;

namespace {

struct channel_model {
  std::deque<int> items;
  bool closed = false;
  std::size_t capacity = 1;

  status expected_send() const {
    if (closed) return status::closed;
    return items.size() == capacity ? status::full : status::ok;
  }
};

using channel_under_test = chan::channel<int>;
using command = rc::state::Command<channel_model, channel_under_test>;

struct try_send_command : command {
  int value = *rc::gen::arbitrary<int>();

  void apply(channel_model& model) const override {
    if (model.expected_send() == status::ok) model.items.push_back(value);
  }
  void run(const channel_model& model, channel_under_test& channel) const override {
    RC_ASSERT(channel.try_send(int(value)) == model.expected_send());
  }
  void show(std::ostream& os) const override { os << "TrySend(" << value << ")"; }
};

struct try_emplace_command : command {
  int value = *rc::gen::arbitrary<int>();

  void apply(channel_model& model) const override {
    if (model.expected_send() == status::ok) model.items.push_back(value);
  }
  void run(const channel_model& model, channel_under_test& channel) const override {
    RC_ASSERT(channel.try_emplace(value) == model.expected_send());
  }
  void show(std::ostream& os) const override { os << "TryEmplace(" << value << ")"; }
};

struct try_recv_command : command {
  void apply(channel_model& model) const override {
    if (!model.items.empty()) model.items.pop_front();
  }
  void run(const channel_model& model, channel_under_test& channel) const override {
    int out = 0;
    const status result = channel.try_recv(out);
    if (!model.items.empty()) {
      RC_ASSERT(result == status::ok);
      RC_ASSERT(out == model.items.front());
    } else {
      RC_ASSERT(result == (model.closed ? status::closed : status::empty));
    }
  }
  void show(std::ostream& os) const override { os << "TryRecv"; }
};

struct close_command : command {
  void apply(channel_model& model) const override { model.closed = true; }
  void run(const channel_model& model, channel_under_test& channel) const override {
    RC_ASSERT(channel.close() == !model.closed);
    RC_ASSERT(channel.is_closed());
  }
  void show(std::ostream& os) const override { os << "Close"; }
};

struct size_command : command {
  void run(const channel_model& model, channel_under_test& channel) const override {
    RC_ASSERT(channel.size() == model.items.size());
    RC_ASSERT(channel.empty() == model.items.empty());
    RC_ASSERT(channel.is_closed() == model.closed);
    RC_ASSERT(channel.capacity() == model.capacity);
  }
  void show(std::ostream& os) const override { os << "Size"; }
};

}  // namespace

TEST_CASE("channel_matches_deque_model", "[property][model]") {
  rc::prop("random command sequences agree with the deque model", [] {
    channel_model initial;
    initial.capacity = *rc::gen::inRange<std::size_t>(1, 71);
    channel_under_test channel(initial.capacity);
    // Sends outnumber receives and closes so that full channels and many laps actually happen.
    rc::state::check(initial, channel,
                     rc::state::gen::execOneOfWithArgs<try_send_command, try_send_command, try_emplace_command,
                                                       try_recv_command, close_command, size_command>());
  });
}
