#include "support/fake_chain_sink.h"

namespace faultline {

void FakeChainSink::writeChunk(Chunk chunk) {
  ++writes_;
  if (!chunk.empty()) written_.append(chunk.data(), chunk.size());
  if (on_write_) on_write_(chunk);
}

}  // namespace faultline
