#pragma once

namespace faultline {

// `faultline serve [flags]`: argv[0] is "serve". Also accepts toxiproxy-server's spellings
// (-host=0.0.0.0, -config FILE), which Testcontainers uses.
int runServe(int argc, char** argv);

}  // namespace faultline
