# Warnings for the project's own targets, treated as errors. Third-party headers come from
# /usr/include and are system headers, so they do not trip these.
function(irsa_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2
    -Werror)
endfunction()
