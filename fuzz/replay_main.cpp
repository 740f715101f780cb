// A stand-in for libFuzzer's driver in builds without it (g++, release/asan presets): feeds
// every file named on the command line, or found under a directory named there, to
// LLVMFuzzerTestOneInput once. This turns the seed corpus (and any saved crash reproducer) into
// a regression test that runs with the ordinary toolchain; a check violation aborts the process
// just as it would under libFuzzer.
//
// Usage: review_fuzz_replay <file-or-directory>...
// Exits 0 after running at least one input, 1 when nothing ran (an empty or mistyped corpus
// path must not look like a pass), 2 when a path cannot be read.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  // Collect first, then sort, so that the order (and any output) does not depend on the
  // directory order of the filesystem.
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code error;
    if (fs::is_directory(arg, error)) {
      for (fs::recursive_directory_iterator it(arg, error), end; !error && it != end;
           it.increment(error)) {
        if (it->is_regular_file(error)) inputs.push_back(it->path());
      }
      if (error) {
        std::fprintf(stderr, "review_fuzz_replay: cannot list %s: %s\n", argv[i],
                     error.message().c_str());
        return 2;
      }
    } else if (fs::is_regular_file(arg, error)) {
      inputs.push_back(arg);
    } else {
      std::fprintf(stderr, "review_fuzz_replay: %s is neither a file nor a directory\n", argv[i]);
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());

  std::size_t ran = 0;
  std::string bytes;
  for (const auto& path : inputs) {
    if (!read_file(path, bytes)) {
      std::fprintf(stderr, "review_fuzz_replay: cannot read %s\n", path.c_str());
      return 2;
    }
    // Name the input first: if a check aborts, the last line printed says which file it was.
    std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), bytes.size());
    // libFuzzer never passes a null pointer, even for empty inputs; neither do we.
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++ran;
  }

  std::printf("review_fuzz_replay: ran %zu input(s)\n", ran);
  return ran > 0 ? 0 : 1;
}
