#include "proxy/proxy_spec.h"

#include "net/original_destination.h"

#include <cctype>
#include <cstdio>
#include <set>

namespace faultline {

namespace {

// Quoted back in messages: long or hostile input is cut and escaped, not echoed whole.
std::string quoted(const std::string& text) {
  constexpr std::size_t kMaxShown = 64;
  std::string shown = escapeForDisplay(text.size() > kMaxShown ? text.substr(0, kMaxShown) : text);
  if (text.size() > kMaxShown) shown += "... (" + std::to_string(text.size()) + " bytes)";
  return "'" + shown + "'";
}

}  // namespace

std::string escapeForDisplay(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\\') {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

Status checkProxyName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    ok = ok && (std::isalnum(u) || c == '_' || c == '-' || c == '.');
  }
  if (ok) return {};
  return Error::invalid("expected 1-128 characters of letters, digits, '_', '-' or '.', got " + quoted(name));
}

Result<HostPort> parseListenAddress(const std::string& text) {
  auto parsed = parseHostPort(text);
  if (!parsed) return parsed.error();
  if (!isListenableHost(parsed->host)) {
    return Error::invalid("cannot listen on " + quoted(text) +
                          "; expected a numeric IP address or localhost, e.g. 127.0.0.1:22220");
  }
  return parsed;
}

Result<HostPort> parseUpstreamAddress(const std::string& text) {
  if (text == kOriginalDestination) return originalDestinationUpstream();  // transparent mode
  auto parsed = parseHostPort(text);
  if (!parsed) return parsed.error();
  if (parsed->port == 0 || parsed->host.empty()) {
    return Error::invalid("expected a host and a port from 1 to 65535, got " + quoted(text));
  }
  if (!isValidHost(parsed->host)) {
    return Error::invalid("bad host " + quoted(parsed->host) +
                          "; expected a host name (letters, digits, '-', '.') or an IP address");
  }
  return parsed;
}

Result<bool> parseUpstreamErrorMode(const std::string& text) {
  if (text == "close") return false;
  if (text == "reset") return true;
  return Error::invalid("invalid on_upstream_error: expected close (accept, then EOF, as Toxiproxy does) or reset "
                        "(the client sees a reset), got '" + escapeForDisplay(text) + "'");
}

Result<ProxySpec> buildProxySpec(const ProxyConfig& config, const std::string& where) {
  const std::string suffix = where.empty() ? "" : " at " + where;
  if (config.name.empty()) return Error::invalid("missing required field: name" + suffix);
  if (auto s = checkProxyName(config.name); !s) return Error::invalid("name: " + s.error().message + suffix);
  if (config.upstream.empty()) return Error::invalid("missing required field: upstream" + suffix);
  auto listen = parseListenAddress(config.listen.empty() ? "127.0.0.1:0" : config.listen);
  if (!listen) return Error::invalid("invalid listen address: " + listen.error().message + suffix);
  auto upstream = parseUpstreamAddress(config.upstream);
  if (!upstream) return Error::invalid("invalid upstream address: " + upstream.error().message + suffix);
  std::set<std::string> names;
  for (const auto& toxic : config.toxics) {
    if (!names.insert(toxic.name).second) return Error::conflict("toxic already exists: " + toxic.name + suffix);
  }
  auto reset_on_error = parseUpstreamErrorMode(config.on_upstream_error);
  if (!reset_on_error) return Error::invalid(reset_on_error.error().message + suffix);
  ProxySpec spec;
  spec.reset_on_upstream_error = *reset_on_error;
  spec.name = config.name;
  spec.listen = *listen;
  spec.upstream = *upstream;
  spec.enabled = config.enabled;
  spec.http_request_faults = config.http_request_faults;
  spec.toxics = config.toxics;
  spec.toxics_given = config.toxics_given;
  return spec;
}

}  // namespace faultline
