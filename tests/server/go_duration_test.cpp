// The expected values come from Go's own time package behaviour (ParseDuration and
// Duration.String), so a flag value copied from an upstream manifest means the same here.
#include "irsa/server/go_duration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace irsa::server {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

struct ValidCase {
  std::string text;
  nanoseconds expected;
};

TEST(ParseGoDuration, AcceptsWhatGoAccepts) {
  const std::vector<ValidCase> cases = {
      // Zero without a unit, signed or not.
      {"0", nanoseconds{0}},
      {"-0", nanoseconds{0}},
      {"+0", nanoseconds{0}},
      {"0s", nanoseconds{0}},
      // Plain values and signs.
      {"5s", seconds{5}},
      {"30s", seconds{30}},
      {"1478s", seconds{1478}},
      {"-5s", seconds{-5}},
      {"+5s", seconds{5}},
      {"-0s", nanoseconds{0}},
      // Fractions, including a missing whole part or missing fraction digits.
      {"5.0s", seconds{5}},
      {"5.6s", milliseconds{5600}},
      {"5.s", seconds{5}},
      {".5s", milliseconds{500}},
      {"1.004s", milliseconds{1004}},
      {"1.0040s", milliseconds{1004}},
      {"100.00100s", milliseconds{100001}},
      {"-1.5h", minutes{-90}},
      {"1.5h", minutes{90}},
      // Every unit, both micro spellings.
      {"10ns", nanoseconds{10}},
      {"11us", microseconds{11}},
      {"12\u00b5s", microseconds{12}},
      {"12\u03bcs", microseconds{12}},
      {"13ms", milliseconds{13}},
      {"14s", seconds{14}},
      {"15m", minutes{15}},
      {"16h", hours{16}},
      // Sequences, in any order.
      {"300ms", milliseconds{300}},
      {"2h45m", minutes{165}},
      {"1m30s", seconds{90}},
      {"3h30m", minutes{210}},
      {"10.5s4m", minutes{4} + milliseconds{10500}},
      {"-2m3.4s", -(minutes{2} + milliseconds{3400})},
      {"1h2m3s4ms5us6ns",
       hours{1} + minutes{2} + seconds{3} + milliseconds{4} + microseconds{5} + nanoseconds{6}},
      {"39h9m14.425s", hours{39} + minutes{9} + milliseconds{14425}},
      {"52763797000ns", nanoseconds{52763797000}},
      // Fractions of hours computed in double precision, as Go does.
      {"0.3333333333333333333h", minutes{20}},
      {"0.100000000000000000000h", minutes{6}},
      {"0.830103483285477580700h", minutes{49} + seconds{48} + nanoseconds{372539827}},
      {"9007199254740993ns", nanoseconds{(std::int64_t{1} << 53) + 1}},
      // The extremes of int64 nanoseconds.
      {"9223372036854775807ns", nanoseconds{kMax}},
      {"9223372036854775.807us", nanoseconds{kMax}},
      {"9223372036s854ms775us807ns", nanoseconds{kMax}},
      {"2562047h47m16.854775807s", nanoseconds{kMax}},
      {"-9223372036854775808ns", nanoseconds{kMin}},
      {"-9223372036854775.808us", nanoseconds{kMin}},
      {"-9223372036s854ms775us808ns", nanoseconds{kMin}},
      {"-2562047h47m16.854775808s", nanoseconds{kMin}},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_go_duration(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed->count(), c.expected.count()) << c.text;
  }
}

TEST(ParseGoDuration, RejectsWhatGoRejects) {
  const std::vector<std::string> cases = {
      "",
      "3",   // a number without unit is only allowed for zero
      "00",  // ... and only as a lone "0"
      "0.0",
      "-3",
      "-",
      "+",
      "s",
      ".",
      "-.",
      ".s",
      "+.s",
      "1d",  // days are not a Go unit
      "1S",  // units are case-sensitive
      "1sec",
      "1sm",  // the unit is everything up to the next digit
      "1 s",
      " 1s",
      "1s ",
      "1s-1s",  // the sign is only allowed at the front
      "--1s",
      "+-1s",
      "1h30",  // trailing number without unit
      "5m.",
      "\xb5s",      // half of a UTF-8 micro sign
      "1\xce",      // truncated Greek mu
      "1\xc2\xb5",  // micro without the s
      "\x85\x85",
      std::string("\xff") + "ff",  // an invalid UTF-8 byte, then letters
      std::string("hello \xff") + "ff world",
      // Overflow beyond int64 nanoseconds, positive and negative.
      "9223372036854775808ns",
      "9223372036854775810ns",
      "-9223372036854775809ns",
      "9223372036854775.808us",
      "9223372036854ms775us808ns",
      "2562048h",
      "3000000h",
      "18446744073709551616ns",
      "99999999999999999999999s",
      "2562047h47m16.854775808s",
  };
  for (const auto& text : cases) {
    EXPECT_FALSE(parse_go_duration(text).has_value()) << '"' << text << '"';
  }
}

TEST(ParseGoDuration, LongFractionsStopGainingPrecisionInsteadOfFailing) {
  // Go ignores fraction digits that no longer fit; they cannot affect a nanosecond count.
  const auto parsed = parse_go_duration("1.0000000000000000000000000000001s");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->count(), nanoseconds{seconds{1}}.count());
  const auto tiny = parse_go_duration("0.000000000999999999999s");
  ASSERT_TRUE(tiny.has_value());
  EXPECT_EQ(tiny->count(), 0);  // truncated toward zero, never rounded up
}

struct FormatCase {
  nanoseconds value;
  std::string expected;
};

TEST(FormatGoDuration, MatchesGoDurationString) {
  const std::vector<FormatCase> cases = {
      {nanoseconds{0}, "0s"},
      {nanoseconds{1}, "1ns"},
      {nanoseconds{999}, "999ns"},
      {nanoseconds{1000}, "1\u00b5s"},
      {nanoseconds{1100}, "1.1\u00b5s"},
      {nanoseconds{2200000}, "2.2ms"},
      {milliseconds{100}, "100ms"},
      {milliseconds{3300}, "3.3s"},
      {seconds{1}, "1s"},
      {seconds{10}, "10s"},
      {seconds{60}, "1m0s"},
      {seconds{90}, "1m30s"},
      {minutes{4} + seconds{5}, "4m5s"},
      {minutes{4} + milliseconds{5001}, "4m5.001s"},
      {hours{5} + minutes{6} + milliseconds{7001}, "5h6m7.001s"},
      {minutes{8} + nanoseconds{1}, "8m0.000000001s"},
      {hours{1}, "1h0m0s"},
      {minutes{-90}, "-1h30m0s"},
      {milliseconds{-100}, "-100ms"},
      {nanoseconds{-1}, "-1ns"},
      {nanoseconds{kMax}, "2562047h47m16.854775807s"},
      {nanoseconds{kMin}, "-2562047h47m16.854775808s"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_go_duration(c.value), c.expected) << c.value.count();
  }
}

TEST(FormatGoDuration, ParsesBackToTheSameValue) {
  const std::vector<std::int64_t> values = {
      0,         1,          -1,          999,         1000,          1001,
      123456789, 1000000000, -1500000000, 60000000000, 3600000000000, 3723004005006,
      kMax,      kMin,       kMax - 1,    kMin + 1};
  for (const auto value : values) {
    const std::string text = format_go_duration(nanoseconds{value});
    const auto parsed = parse_go_duration(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(parsed->count(), value) << text;
  }
}

}  // namespace
}  // namespace irsa::server
