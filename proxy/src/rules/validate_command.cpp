#include "rules/validate_command.h"

#include <iostream>

#include "rules/rules_loader.h"

namespace faultline {

int runValidate(const std::vector<std::string>& files) { return runValidate(files, std::cout, std::cerr); }

int runValidate(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  if (files.empty()) {
    err << "validate: no rules file given; expected one or more YAML or JSON rules files\n";
    return 2;
  }
  int status = 0;
  for (const auto& file : files) {
    auto result = loadRulesFile(file);
    if (result.ok()) {
      const auto& config = result.config;
      // Always plural: scripts match "ok (N proxies, M toxics)".
      out << file << ": ok (" << config.proxies.size() << " proxies, " << config.toxicCount() << " toxics)\n";
      continue;
    }
    status = 1;
    for (const auto& e : result.errors) err << e.toString() << '\n';
  }
  return status;
}

}  // namespace faultline
