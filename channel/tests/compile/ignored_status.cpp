// Must NOT compile with -Werror: an ignored chan::status (a `full` or `closed` nobody looked at is a
// lost item). ctest checks that the compiler names the [[nodiscard]] attribute.
#include <chan/channel.hpp>

int main() {
  chan::channel<int> ch(1);
  ch.try_send(1);
  return 0;
}
