# Cross-compiling for arm64 (Graviton) on an amd64 Debian machine, with Debian's cross compiler
# (g++-aarch64-linux-gnu) and the :arm64 -dev packages installed beside the native ones
# (multiarch). scripts/cross-build.sh arm64 uses it; scripts/install-deps.sh --arch arm64 installs
# both.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: the arm64 libraries and their CMake packages live under .../aarch64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
# Programs run on the build machine; headers and libraries come from the target's directories
# (the headers of Debian's -dev packages are shared by both architectures under /usr/include).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
