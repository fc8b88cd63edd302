# Per-target flags (spdlog's recipe): our own code gets the warnings, third-party code does not.
function(faultline_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # GCC 12 at -O2 reports -Wrestrict on plain `"literal" + std::string` inside libstdc++
  # (GCC bug 105329, fixed in 13); it is noise, not a finding in our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(FAULTLINE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  faultline_enable_sanitizers(${target})
endfunction()

# Sanitizers must be applied to every object that is linked together, including llhttp and the
# test binaries, so this is called for each of our targets.
function(faultline_enable_sanitizers target)
  if(FAULTLINE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                                             -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  elseif(FAULTLINE_TSAN)
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  endif()
endfunction()
