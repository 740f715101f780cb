// Compiled only to produce the shared precompiled headers (cmake/PrecompiledHeaders.cmake); it has
// nothing of its own.
