#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace faultline {

// `faultline validate FILE...`: checks each rules file without touching any proxy. Prints
// "FILE: ok (N proxies, M toxics)" on stdout, or every error ("FILE:LINE:COL: PATH: MESSAGE")
// on stderr. Returns 0 when every file is valid, 1 otherwise (2 when no file is given).
int runValidate(const std::vector<std::string>& files);
int runValidate(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

}  // namespace faultline
