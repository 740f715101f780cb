# Cross-compiling for amd64 on an arm64 Debian machine (an arm64 laptop or CI runner building the
# amd64 image), with Debian's cross compiler (g++-x86-64-linux-gnu) and the :amd64 -dev packages
# installed beside the native ones (multiarch). scripts/cross-build.sh amd64 uses it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER x86_64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE x86_64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
