#pragma once

#include <cstddef>
#include <string>

#include "core/result.h"
#include "rules/rules_parser.h"

namespace faultline {

// The raw bytes of a rules file. Refuses a file over max_bytes without reading it, so a wrong
// path (a log, a disk image) cannot stall the loop. kNotFound when the file does not exist.
Result<std::string> readRulesFile(const std::string& path, std::size_t max_bytes);

// Reads, parses and validates one rules file; errors are labelled with `path`.
RulesParseResult loadRulesFile(const std::string& path, const RulesLimits& limits = {});

}  // namespace faultline
