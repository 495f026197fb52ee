// The run-time hook of orderings.hpp (CHAN_ORDER_RUN_TIME_HOOK), for ci/mutate's model builds only:
// the environment variable CHAN_WEAKEN=<site>=<order> (for instance CHAN_WEAKEN=send_publish=relaxed)
// gives that one site the named order, and every other site keeps its declared one. ci/mutate builds
// each model binary once this way and runs it once per weakening, which gives the same program as
// recompiling with -DCHAN_ORDER_<site>=std::memory_order_<order>, without the compile.
//
// This file includes no Relacy header: the hook runs during static initialisation, before any model.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

struct weakening {
  std::string site;
  std::memory_order order = std::memory_order_seq_cst;
  bool given = false;
  bool applied = false;
};

bool parse_order(const char* name, std::memory_order& order) {
  static const struct {
    const char* name;
    std::memory_order order;
  } names[] = {{"relaxed", std::memory_order_relaxed}, {"consume", std::memory_order_consume},
               {"acquire", std::memory_order_acquire}, {"release", std::memory_order_release},
               {"acq_rel", std::memory_order_acq_rel}, {"seq_cst", std::memory_order_seq_cst}};
  for (const auto& n : names) {
    if (std::strcmp(n.name, name) == 0) {
      order = n.order;
      return true;
    }
  }
  return false;
}

weakening& requested() {
  static weakening w = [] {
    weakening parsed;
    const char* text = std::getenv("CHAN_WEAKEN");
    if (!text || !*text) return parsed;
    const char* equals = std::strchr(text, '=');
    if (!equals || !parse_order(equals + 1, parsed.order)) {
      std::fprintf(stderr, "CHAN_WEAKEN=%s: expected <site>=<relaxed|acquire|release|acq_rel|seq_cst>\n", text);
      std::exit(2);
    }
    parsed.site.assign(text, equals);
    parsed.given = true;
    return parsed;
  }();
  return w;
}

}  // namespace

std::memory_order chan_order_at_run_time(const char* site, std::memory_order declared) noexcept {
  weakening& w = requested();
  if (!w.given || w.site != site) return declared;
  w.applied = true;
  return w.order;
}

// Called by the model driver before it runs anything: a CHAN_WEAKEN that names no site of this
// binary is a typo, and running the models unchanged would report a false kill or survivor.
bool chan_orders_weakening_is_valid() noexcept {
  const weakening& w = requested();
  if (w.given && !w.applied) {
    std::fprintf(stderr, "CHAN_WEAKEN: no site named %s in orderings.hpp\n", w.site.c_str());
    return false;
  }
  return true;
}
