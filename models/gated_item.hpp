#pragma once

// A model's item whose peer can be held mid-way, for the models of calls parked behind such a peer.
// Include after relacy_backend.hpp.

#include <chan/channel.hpp>

#include <memory>

// An item whose sender can be held between its claim and its commit (constructed from a gate), or
// whose receiver between its claim and its commit (made with hold_move: moving it out on the model's
// thread 0 waits for the gate). A held peer yields until the gate opens.
struct gated_item {
  struct hold_move_t {};
  int value;
  rl::atomic<int>* move_gate = nullptr;
  explicit gated_item(int v) noexcept : value(v) {}
  gated_item(int v, rl::atomic<int>& gate) noexcept : value(v) { wait(gate); }
  gated_item(int v, hold_move_t, rl::atomic<int>& gate) noexcept : value(v), move_gate(&gate) {}
  gated_item(gated_item&& other) noexcept : value(other.value) {
    if (other.move_gate && rl::ctx().threadx_->index_ == 0) wait(*other.move_gate);
  }
  gated_item& operator=(gated_item&& other) noexcept {
    value = other.value;
    return *this;
  }
  static void wait(rl::atomic<int>& gate) {
    while (gate.load(rl::mo_acquire, RL_INFO) == 0) rl::yield(1, RL_INFO);
  }
};

using gated_channel = chan::channel<gated_item, std::allocator<gated_item>, relacy_backend>;
