#include "corpus.hpp"

#include <gtest/gtest.h>

#include "support/scratch_dir.hpp"

namespace irsa::loadgen {
namespace {

using irsa::testing::ScratchDir;

std::string review(const std::string& uid) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":")" +
         uid + R"(","object":{}}})";
}

std::string load_error(const std::string& path) {
  try {
    (void)load_corpus(path);
  } catch (const CorpusError& error) {
    return error.what();
  }
  return "";
}

TEST(CorpusTest, ReadsEveryJsonFileInNameOrderWithItsUid) {
  const ScratchDir dir("corpus");
  dir.write("b.json", review("uid-b"));
  dir.write("a.json", review("uid-a"));
  dir.write("notes.txt", "not a review");
  const auto corpus = load_corpus(dir.path(""));
  ASSERT_EQ(corpus.entries.size(), 2U);
  EXPECT_EQ(corpus.entries[0].name, "a.json");
  EXPECT_EQ(corpus.entries[0].uid, "uid-a");
  EXPECT_EQ(corpus.entries[1].body, review("uid-b"));
}

TEST(CorpusTest, OneFileIsACorpusOfOne) {
  const ScratchDir dir("corpus");
  const auto corpus = load_corpus(dir.write("one.json", review("u1")));
  ASSERT_EQ(corpus.entries.size(), 1U);
  EXPECT_EQ(corpus.entries[0].uid, "u1");
}

TEST(CorpusTest, RefusesWhatCannotBeSent) {
  const ScratchDir dir("corpus");
  EXPECT_NE(load_error(dir.path("missing")).find("no such file or folder"), std::string::npos);
  EXPECT_NE(load_error(dir.path("")).find("holds no *.json review"), std::string::npos);
  dir.write("broken.json", "{");
  EXPECT_NE(load_error(dir.path("broken.json")).find("not valid JSON"), std::string::npos);
  dir.write("pod.json", R"({"kind":"Pod","request":{"uid":7}})");
  EXPECT_NE(load_error(dir.path("pod.json")).find("request.uid"), std::string::npos);
}

TEST(CorpusTest, WeightsFileSetsWeightsAndRejectsBadLines) {
  const ScratchDir dir("corpus");
  dir.write("a.json", review("a"));
  dir.write("b.json", review("b"));
  dir.write("weights.txt", "# tiny reviews dominate\na.json 9\n\nb.json 1\n");
  const auto corpus = load_corpus(dir.path(""));
  EXPECT_EQ(corpus.entries[0].weight, 9U);
  EXPECT_EQ(corpus.entries[1].weight, 1U);

  dir.write("weights.txt", "a.json many\n");
  EXPECT_NE(load_error(dir.path("")).find("weights.txt:1"), std::string::npos);
  dir.write("weights.txt", "c.json 2\n");
  EXPECT_NE(load_error(dir.path("")).find("no review named c.json"), std::string::npos);
  dir.write("weights.txt", "a.json 0\nb.json 0\n");
  EXPECT_NE(load_error(dir.path("")).find("weight 0"), std::string::npos);
}

TEST(CorpusTest, CommandLineWeightsOverrideAndAreChecked) {
  const ScratchDir dir("corpus");
  dir.write("a.json", review("a"));
  auto corpus = load_corpus(dir.path(""));
  apply_weights(corpus, {{"a.json", 5}});
  EXPECT_EQ(corpus.entries[0].weight, 5U);
  EXPECT_THROW(apply_weights(corpus, {{"z.json", 1}}), CorpusError);
  EXPECT_THROW(apply_weights(corpus, {{"a.json", 0}}), CorpusError);
}

TEST(BodyPickerTest, RoundRobinCyclesFromItsStartAndSkipsWeightZero) {
  Corpus corpus;
  for (const char* name : {"a", "b", "c", "d"}) corpus.entries.push_back({name, "", name, 1});
  corpus.entries[2].weight = 0;
  BodyPicker picker(corpus, Order::round_robin, 1, 1);
  std::string order;
  for (int i = 0; i < 6; ++i) order += picker.next().name;
  EXPECT_EQ(order, "bdabda");
}

TEST(BodyPickerTest, WeightedDrawsInProportionAndRepeatsForASeed) {
  Corpus corpus;
  corpus.entries.push_back({"heavy", "", "h", 8});
  corpus.entries.push_back({"light", "", "l", 2});
  corpus.entries.push_back({"off", "", "o", 0});
  BodyPicker picker(corpus, Order::weighted, 42, 0);
  BodyPicker again(corpus, Order::weighted, 42, 0);
  int heavy = 0;
  bool same = true;
  for (int i = 0; i < 10'000; ++i) {
    const auto& entry = picker.next();
    same = same && &entry == &again.next();
    ASSERT_NE(entry.name, "off");
    heavy += entry.name == "heavy" ? 1 : 0;
  }
  EXPECT_TRUE(same);
  EXPECT_NEAR(heavy, 8'000, 250);
}

}  // namespace
}  // namespace irsa::loadgen
