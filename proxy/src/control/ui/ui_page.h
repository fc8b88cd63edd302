#pragma once

#include <string_view>

namespace faultline {

// The web UI (GET /ui): one self-contained page, hand-written HTML/CSS/JS with SVG charts, no
// network access beyond this API. It reads its token from the URL fragment (#token=...), which
// browsers never send to the server, and sends it as `Authorization: Bearer` on every call.
std::string_view uiPage();

}  // namespace faultline
