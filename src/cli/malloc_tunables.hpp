// glibc's malloc settings that only its tunables can change, applied to the server process.
#pragma once

namespace irsa::cli {

// Each thread's malloc cache (tcache) keeps up to 7 freed blocks of every small size, which the
// heap counts as in use. After a flood of thousands of connections those blocks lie scattered
// over pages that then cannot go back to the kernel: 4,096 idle connections left resident
// memory 15% above its idle figure with the default, 6% with 2 blocks, 2% with none (the heap's
// lock then taken for every small block). glibc reads GLIBC_TUNABLES once, at start, so the
// server sets glibc.malloc.tcache_count=2 and executes itself again, unless the variable already
// names a tcache count (the user's choice wins) or the executable cannot be run again (the
// process then goes on as it is). Call before any thread starts.
void apply_malloc_tunables(char** argv);

}  // namespace irsa::cli
