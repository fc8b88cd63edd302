// Address parsing: parseHostPort never crashes, and what it accepts prints back in a form it
// parses to the same host and port; numeric addresses survive the trip through a sockaddr.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "net/address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = faultline::parseHostPort(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.error().message.empty(), "an error without a message for '%s'", text.c_str());
    return 0;
  }
  const faultline::HostPort& first = parsed.value();
  const std::string printed = first.toString();
  auto again = faultline::parseHostPort(printed);
  FUZZ_CHECK(again.ok(), "'%s' parsed, but its printed form '%s' does not: %s", text.c_str(),
             printed.c_str(), again.error().message.c_str());
  // An empty host means every interface and prints as 0.0.0.0.
  const std::string expected_host = first.host.empty() ? "0.0.0.0" : first.host;
  FUZZ_CHECK(again->host == expected_host && again->port == first.port,
             "'%s' -> '%s' -> host '%s' port %u", text.c_str(), printed.c_str(), again->host.c_str(),
             static_cast<unsigned>(again->port));

  if (auto storage = faultline::numericSockaddr(first)) {
    const std::string formatted = faultline::formatSockaddr(reinterpret_cast<const sockaddr*>(&*storage));
    auto reparsed = faultline::parseHostPort(formatted);
    FUZZ_CHECK(reparsed.ok(), "sockaddr of '%s' formats as unparsable '%s'", text.c_str(), formatted.c_str());
    FUZZ_CHECK(reparsed->port == first.port, "'%s' -> '%s' changed the port", text.c_str(), formatted.c_str());
    auto round = faultline::numericSockaddr(reparsed.value());
    FUZZ_CHECK(round.has_value(), "'%s' is numeric but '%s' is not", text.c_str(), formatted.c_str());
  }
  return 0;
}
