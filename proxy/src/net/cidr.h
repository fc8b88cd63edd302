#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace faultline {

// An address block, "127.0.0.2/32", "10.0.0.0/8", "::1/128", "fd00::/8"; a bare address means
// that one address. An IPv4 block also matches the IPv4-mapped IPv6 form (::ffff:a.b.c.d), the
// way a dual-stack listener reports IPv4 clients.
class Cidr {
 public:
  // Errors say what is wrong and show the accepted forms.
  static Result<Cidr> parse(std::string_view text);

  bool contains(const sockaddr* address) const;
  // The canonical form: network address (host bits cleared) and prefix length.
  std::string toString() const;
  bool operator==(const Cidr& other) const = default;

 private:
  bool matches(const uint8_t* bytes, int family) const;

  int family_ = AF_INET;
  std::array<uint8_t, 16> network_{};
  int prefix_bits_ = 32;
};

}  // namespace faultline
