#pragma once
// faultline/testing/http_toxics.hpp -- the http_* toxics as values for Proxy::withToxic:
//
//   auto down = partner.withToxic(ft::httpAbort(503).path("/data*").percentage(30));
//   auto slow = partner.withToxic(ft::httpDelay(500).method("POST").phase("response"));
//   auto cut  = partner.withToxic(ft::httpReset("body").bytes(100).mode("close"));
//   auto flip = partner.withToxic(ft::httpStatus(502).header("X-Tenant: blue"));
//
// Matchers (all optional, all must hold): method ("GET" or "GET,POST"), path (a glob with '*',
// matched without the query), header ("Name: value" or "Name"); percentage is rolled per request.

#include <cstdint>
#include <string>
#include <utility>

#include "faultline/testing/toxics.hpp"

namespace faultline::testing {

struct HttpToxic : Toxic {
  HttpToxic method(std::string m) const { return text("method", std::move(m)); }
  HttpToxic path(std::string glob) const { return text("path", std::move(glob)); }
  HttpToxic header(std::string matcher) const { return text("header", std::move(matcher)); }
  HttpToxic percentage(int64_t p) const { return integer("percentage", p); }
  HttpToxic body(std::string b) const { return text("body", std::move(b)); }
  HttpToxic retryAfter(int64_t seconds) const { return integer("retry_after", seconds); }
  HttpToxic jitter(int64_t ms) const { return integer("jitter", ms); }
  HttpToxic phase(std::string p) const { return text("phase", std::move(p)); }
  HttpToxic bytes(int64_t n) const { return integer("bytes", n); }
  HttpToxic mode(std::string m) const { return text("mode", std::move(m)); }
  HttpToxic named(std::string n) const { HttpToxic t = *this; t.name = std::move(n); return t; }
  HttpToxic withToxicity(double p) const { HttpToxic t = *this; t.toxicity = p; return t; }

  HttpToxic text(const std::string& key, std::string value) const {
    HttpToxic t = *this;
    t.text_attributes[key] = std::move(value);
    return t;
  }
  HttpToxic integer(const std::string& key, int64_t value) const {
    HttpToxic t = *this;
    t.attributes[key] = value;
    return t;
  }
};

inline HttpToxic httpToxic(std::string type) {
  HttpToxic t;
  t.type = std::move(type);
  return t;
}
// Answers matching requests itself with `status`; the upstream never sees them.
inline HttpToxic httpAbort(int64_t status = 503) { return httpToxic("http_abort").integer("status", status); }
// Holds matching requests (or, with phase("response"), their answers) for latency_ms.
inline HttpToxic httpDelay(int64_t latency_ms) { return httpToxic("http_delay").integer("latency", latency_ms); }
// Cuts matching exchanges at `when`: "request", "headers" or "body" (after bytes()).
inline HttpToxic httpReset(std::string when = "request") { return httpToxic("http_reset").text("when", std::move(when)); }
// Forwards matching requests and replaces the answer's status (and body, with body()).
inline HttpToxic httpStatus(int64_t status) { return httpToxic("http_status").integer("status", status); }

}  // namespace faultline::testing
