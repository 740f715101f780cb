// How a load run is shown: a summary for people, JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "load_run.hpp"

namespace irsa::loadgen {

// The run's settings and figures; latencies in microseconds.
nlohmann::json to_json(const LoadOptions& options, const std::string& corpus_path,
                       const LoadResult& result);

std::string summary(const LoadOptions& options, const LoadResult& result);

std::string progress_line(const Progress& now, const Progress& before);

}  // namespace irsa::loadgen
