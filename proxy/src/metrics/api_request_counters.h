#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

namespace faultline {

// Control API requests by method, route template ("/proxies/{proxy}", never the raw path, so
// label cardinality stays bounded) and status. Loop thread only.
class ApiRequestCounters {
 public:
  struct Key {
    std::string method;
    std::string route;
    int status = 0;
    bool operator<(const Key& other) const {
      return std::tie(method, route, status) < std::tie(other.method, other.route, other.status);
    }
  };

  void count(const std::string& method, const std::string& route, int status) {
    ++counts_[Key{method, route, status}];
  }
  const std::map<Key, uint64_t>& counts() const { return counts_; }

 private:
  std::map<Key, uint64_t> counts_;
};

}  // namespace faultline
