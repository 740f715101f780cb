// The initial sync of a large cluster's ServiceAccounts, without the network: LIST pages of 500
// as the API server writes them are parsed, turned into (shared) identity entries and published
// to the index. Reports the time for all pages and how much resident memory the filled index
// keeps (the pages themselves are freed as in the real client).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "irsa/kube/watch_events.hpp"
#include "irsa/store/account_index.hpp"

namespace {

constexpr int kPageSize = 500;

// Every 20th account has a role, as in a cluster where a few workloads use IRSA.
std::vector<std::string> make_pages(int accounts) {
  std::vector<std::string> pages;
  for (int first = 0; first < accounts; first += kPageSize) {
    std::string page =
        R"({"kind":"ServiceAccountList","apiVersion":"v1","metadata":{"resourceVersion":"900001")";
    if (first + kPageSize < accounts)
      page += R"(,"continue":"token-)" + std::to_string(first) + "\"";
    page += R"(},"items":[)";
    for (int i = first; i < std::min(accounts, first + kPageSize); ++i) {
      if (i != first) page += ',';
      const std::string ns = "team-" + std::to_string(i / 50);
      const std::string name = "workload-" + std::to_string(i);
      page += R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
              R"(","uid":"6f1c2a1e-0000-4000-8000-)" + std::to_string(100000000000 + i) +
              R"(","resourceVersion":")" + std::to_string(1000 + i) +
              R"(","creationTimestamp":"2026-01-01T00:00:00Z")";
      if (i % 20 == 0) {
        page += R"(,"annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::111122223333:role/)" +
                name + R"("})";
      }
      page += R"(},"secrets":[{"name":")" + name + R"(-token"}]})";
    }
    page += "]}";
    pages.push_back(std::move(page));
  }
  return pages;
}

double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  double size = 0;
  double resident = 0;
  statm >> size >> resident;
  return resident * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

void sync_accounts(benchmark::State& state) {
  const int accounts = static_cast<int>(state.range(0));
  const auto pages = make_pages(accounts);
  irsa::core::Settings settings;
  double kept = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const double before = resident_bytes();
    auto index = std::make_unique<irsa::store::AccountIndex>();
    irsa::store::EntryInterner interner(settings);
    state.ResumeTiming();
    std::vector<irsa::store::AccountIndex::Account> all;
    all.reserve(static_cast<std::size_t>(accounts));
    for (const auto& page : pages) {
      auto parsed = irsa::kube::parse_service_account_list(page, "eks.amazonaws.com");
      if (!parsed.error.empty()) state.SkipWithError(parsed.error.c_str());
      for (auto& item : parsed.items) {
        all.push_back(
            {std::move(item.ns), std::move(item.name), interner.entry_for(item.annotations)});
      }
    }
    index->replace_all(std::move(all));
    state.PauseTiming();
    // The first round is the one that grows the heap; later ones reuse what it left behind.
    kept = std::max(kept, resident_bytes() - before);
    benchmark::DoNotOptimize(index->find("team-0", "workload-0"));
    index.reset();
    state.ResumeTiming();
  }
  state.counters["accounts"] = accounts;
  state.counters["index_MiB"] = kept / (1024.0 * 1024.0);
}

}  // namespace

BENCHMARK(sync_accounts)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_MAIN();
