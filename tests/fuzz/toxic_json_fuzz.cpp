// Toxic JSON -> validated toxic, as POST /proxies/{p}/toxics does it: nothing crashes, and a
// toxic that validates serialises to JSON that validates to the same toxic (a fixed point:
// what GET returns can be POSTed back unchanged).
#include <cstddef>
#include <cstdint>
#include <string>

#include "control/json_mapping.h"
#include "fuzz_check.h"
#include "toxics/toxic_spec.h"

using namespace faultline;

namespace {

Result<ToxicSpec> validate(std::string_view text) {
  auto body = parseJsonBody(text);
  if (!body.ok()) return body.error();
  auto input = toxicInputFromJson(body.value());
  if (!input.ok()) return input.error();
  return buildToxicSpec(input.value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The update path reads the same bodies; it must not crash either.
  if (auto body = parseJsonBody(text); body.ok()) (void)toxicPatchFromJson(body.value());

  auto spec = validate(text);
  if (!spec.ok()) {
    FUZZ_CHECK(!spec.error().message.empty(), "a rejection without a message");
    return 0;
  }
  const std::string first = toxicToJson(spec.value()).dump();
  auto again = validate(first);
  FUZZ_CHECK(again.ok(), "accepted toxic serialises to rejected JSON %s: %s", first.c_str(),
             again.error().message.c_str());
  FUZZ_CHECK(again.value() == spec.value(), "round trip changed the toxic: %s -> %s", first.c_str(),
             toxicToJson(again.value()).dump().c_str());
  const std::string second = toxicToJson(again.value()).dump();
  FUZZ_CHECK(second == first, "serialisation is not a fixed point: %s then %s", first.c_str(), second.c_str());
  return 0;
}
