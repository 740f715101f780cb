#include "corpus.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace irsa::loadgen {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CorpusError(path.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

// The uid is all the load generator needs from a review; anything less than a request with a
// string uid would make every answer count as an error, so it is refused up front.
std::string uid_of(const fs::path& path, const std::string& body) {
  const auto review = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (review.is_discarded()) throw CorpusError(path.string() + ": not valid JSON");
  if (!review.is_object() || !review.contains("request") || !review["request"].is_object() ||
      !review["request"].contains("uid") || !review["request"]["uid"].is_string()) {
    throw CorpusError(path.string() + ": not an AdmissionReview with request.uid");
  }
  return review["request"]["uid"].get<std::string>();
}

CorpusEntry& entry_named(Corpus& corpus, const std::string& name, const std::string& where) {
  const auto found = std::find_if(corpus.entries.begin(), corpus.entries.end(),
                                  [&](const CorpusEntry& entry) { return entry.name == name; });
  if (found == corpus.entries.end()) throw CorpusError(where + ": no review named " + name);
  return *found;
}

void read_weights_file(Corpus& corpus, const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto where = path.string() + ":" + std::to_string(number);
    std::istringstream fields(line);
    std::string name;
    if (!(fields >> name) || name.starts_with('#')) continue;
    long long weight = -1;
    std::string rest;
    if (!(fields >> weight) || (fields >> rest) || weight < 0 || weight > 1'000'000) {
      throw CorpusError(where + ": expected \"<file> <weight>\" with a weight from 0 to 1000000");
    }
    entry_named(corpus, name, where).weight = static_cast<unsigned>(weight);
  }
}

void require_some_weight(const Corpus& corpus) {
  const bool any = std::any_of(corpus.entries.begin(), corpus.entries.end(),
                               [](const CorpusEntry& entry) { return entry.weight > 0; });
  if (!any) throw CorpusError("every review has weight 0: nothing would be sent");
}

std::discrete_distribution<std::size_t> weight_distribution(const Corpus& corpus) {
  std::vector<double> weights;
  weights.reserve(corpus.entries.size());
  for (const auto& entry : corpus.entries) weights.push_back(entry.weight);
  return {weights.begin(), weights.end()};
}

}  // namespace

Corpus load_corpus(const std::string& path) {
  std::error_code error;
  const fs::path root(path);
  std::vector<fs::path> files;
  if (fs::is_regular_file(root, error)) {
    files.push_back(root);
  } else if (fs::is_directory(root, error)) {
    for (const auto& item : fs::directory_iterator(root, error)) {
      if (item.is_regular_file(error) && item.path().extension() == ".json") {
        files.push_back(item.path());
      }
    }
    if (error) throw CorpusError(path + ": " + error.message());
  } else {
    throw CorpusError(path + ": no such file or folder");
  }
  if (files.empty()) throw CorpusError(path + ": holds no *.json review");
  std::sort(files.begin(), files.end());

  Corpus corpus;
  for (const auto& file : files) {
    auto body = read_file(file);
    auto uid = uid_of(file, body);
    corpus.entries.push_back({file.filename().string(), std::move(body), std::move(uid), 1});
  }
  const auto weights = root / "weights.txt";
  if (fs::is_directory(root, error) && fs::exists(weights, error)) {
    read_weights_file(corpus, weights);
  }
  require_some_weight(corpus);
  return corpus;
}

void apply_weights(Corpus& corpus, const std::map<std::string, unsigned>& weights) {
  for (const auto& [name, weight] : weights) entry_named(corpus, name, "--weight").weight = weight;
  require_some_weight(corpus);
}

BodyPicker::BodyPicker(const Corpus& corpus, Order order, std::uint64_t seed, std::size_t start)
    : corpus_(&corpus),
      order_(order),
      position_(start % corpus.entries.size()),
      random_(seed),
      by_weight_(weight_distribution(corpus)) {}

const CorpusEntry& BodyPicker::next() {
  if (order_ == Order::weighted) return corpus_->entries[by_weight_(random_)];
  // Round robin skips entries weighted 0, so a weights file can switch reviews off either way.
  for (;;) {
    const auto& entry = corpus_->entries[position_];
    position_ = (position_ + 1) % corpus_->entries.size();
    if (entry.weight > 0) return entry;
  }
}

}  // namespace irsa::loadgen
