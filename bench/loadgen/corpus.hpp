// The request bodies a load run sends: every *.json file of a folder, each an AdmissionReview
// whose uid the answer must echo. Bodies are sent in file-name order (round robin) or drawn at
// random in proportion to weights, from the folder's weights.txt ("<file> <weight>" per line)
// or from the command line.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace irsa::loadgen {

struct CorpusError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CorpusEntry {
  std::string name;  // the file name, e.g. review-03.json
  std::string body;
  std::string uid;  // request.uid, which the response must carry back
  unsigned weight = 1;
};

struct Corpus {
  std::vector<CorpusEntry> entries;
};

// Reads a folder of reviews, or one review file. Throws CorpusError naming the file and the
// problem: a missing folder, no *.json file, a body that is not an AdmissionReview with a uid,
// a weights line that is malformed or names no file of the corpus.
Corpus load_corpus(const std::string& path);

// Applies "name=weight" overrides on top of what weights.txt said.
void apply_weights(Corpus& corpus, const std::map<std::string, unsigned>& weights);

enum class Order { round_robin, weighted };

// Hands out corpus entries. Each connection owns one, so no state is shared between threads.
class BodyPicker {
 public:
  BodyPicker(const Corpus& corpus, Order order, std::uint64_t seed, std::size_t start);
  const CorpusEntry& next();

 private:
  const Corpus* corpus_;
  Order order_;
  std::size_t position_;
  std::mt19937_64 random_;
  std::discrete_distribution<std::size_t> by_weight_;
};

}  // namespace irsa::loadgen
