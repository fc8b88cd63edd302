#pragma once

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "toxics/toxic_spec.h"

namespace faultline::testing_http {

// A validated spec from string attributes, as the API would build it from JSON strings.
inline ToxicSpecPtr spec(const std::string& type, const std::string& name,
                         const std::map<std::string, std::string>& text = {},
                         const std::map<std::string, int64_t>& ints = {}, double toxicity = 1.0) {
  ToxicInput input;
  input.type = type;
  input.name = name;
  input.toxicity = toxicity;
  input.text_attributes = text;
  input.attributes = ints;
  auto built = buildToxicSpec(input);
  EXPECT_TRUE(built.ok()) << (built.ok() ? "" : built.error().message);
  if (!built.ok()) return nullptr;
  return std::make_shared<const ToxicSpec>(std::move(*built));
}

}  // namespace faultline::testing_http
