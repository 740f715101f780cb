# Cross-compiling on Debian with its cross compiler (g++-<triplet>) and the target's -dev packages
# installed beside the native ones (multiarch; scripts/install-deps.sh --arch installs both). The
# target is the GNU triplet given at configure time, as scripts/cross-build.sh does:
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/debian-multiarch.cmake \
#     -DIRSA_CROSS_TRIPLET=aarch64-linux-gnu ...     (arm64; x86_64-linux-gnu for amd64)
if(NOT IRSA_CROSS_TRIPLET)
  message(FATAL_ERROR "IRSA_CROSS_TRIPLET is not set (aarch64-linux-gnu or x86_64-linux-gnu)")
endif()
# CMake's compiler checks read this file again in projects of their own: the triplet goes along.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES IRSA_CROSS_TRIPLET)

set(CMAKE_SYSTEM_NAME Linux)
string(REGEX MATCH "^[^-]+" CMAKE_SYSTEM_PROCESSOR "${IRSA_CROSS_TRIPLET}")
set(CMAKE_C_COMPILER ${IRSA_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${IRSA_CROSS_TRIPLET}-g++)
# Multiarch: the target's libraries and their CMake packages live under .../<triplet>.
set(CMAKE_LIBRARY_ARCHITECTURE ${IRSA_CROSS_TRIPLET})
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${IRSA_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
# Programs run on the build machine; headers and libraries come from the target's directories
# (the headers of Debian's -dev packages are shared by all architectures under /usr/include).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
