#include "net/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace faultline {

namespace {

Error cidrError(std::string_view text, const std::string& why) {
  return Error::invalid("expected a client address block such as 127.0.0.2/32, 10.0.0.0/8 or ::1/128, got '" +
                        std::string(text) + "': " + why);
}

bool prefixMatches(const uint8_t* a, const uint8_t* b, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(a, b, static_cast<std::size_t>(whole)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

}  // namespace

Result<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  Cidr cidr;
  if (inet_pton(AF_INET, address.c_str(), cidr.network_.data()) == 1) {
    cidr.family_ = AF_INET;
  } else if (inet_pton(AF_INET6, address.c_str(), cidr.network_.data()) == 1) {
    cidr.family_ = AF_INET6;
  } else {
    return cidrError(text, "'" + address + "' is not a numeric IPv4 or IPv6 address");
  }
  const int max_bits = cidr.family_ == AF_INET ? 32 : 128;
  cidr.prefix_bits_ = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view bits = text.substr(slash + 1);
    int value = -1;
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
    if (bits.empty() || ec != std::errc{} || end != bits.data() + bits.size() || value < 0 || value > max_bits) {
      return cidrError(text, "the prefix length must be a number from 0 to " + std::to_string(max_bits));
    }
    cidr.prefix_bits_ = value;
  }
  // Clear the host bits so "10.1.2.3/8" and "10.0.0.0/8" are the same block.
  const std::size_t bytes = static_cast<std::size_t>(max_bits / 8);
  for (std::size_t i = 0; i < bytes; ++i) {
    const int bit_start = static_cast<int>(i) * 8;
    if (bit_start >= cidr.prefix_bits_) {
      cidr.network_[i] = 0;
    } else if (bit_start + 8 > cidr.prefix_bits_) {
      cidr.network_[i] &= static_cast<uint8_t>(0xFF << (8 - (cidr.prefix_bits_ - bit_start)));
    }
  }
  return cidr;
}

bool Cidr::matches(const uint8_t* bytes, int family) const {
  if (family == family_) return prefixMatches(bytes, network_.data(), prefix_bits_);
  if (family == AF_INET6 && family_ == AF_INET && std::memcmp(bytes, kMappedPrefix, sizeof kMappedPrefix) == 0) {
    return prefixMatches(bytes + 12, network_.data(), prefix_bits_);
  }
  return false;
}

bool Cidr::contains(const sockaddr* address) const {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return matches(reinterpret_cast<const uint8_t*>(&v4->sin_addr), AF_INET);
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return matches(reinterpret_cast<const uint8_t*>(&v6->sin6_addr), AF_INET6);
  }
  return false;
}

std::string Cidr::toString() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(family_, network_.data(), buffer, sizeof buffer);
  return std::string(buffer) + "/" + std::to_string(prefix_bits_);
}

}  // namespace faultline
