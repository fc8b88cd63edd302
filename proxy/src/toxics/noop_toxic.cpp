#include "toxics/noop_toxic.h"

namespace faultline {

std::unique_ptr<Toxic> NoopToxic::create(const ToxicSpec&) { return std::make_unique<NoopToxic>(); }

}  // namespace faultline
