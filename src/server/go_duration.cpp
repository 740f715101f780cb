#include "irsa/server/go_duration.hpp"

#include <array>
#include <cstdint>

namespace irsa::server {

namespace {

// Magnitudes are accumulated unsigned, as Go does, so that the most negative duration
// (-9223372036854775808ns, whose magnitude is one more than the largest positive one) parses.
constexpr std::uint64_t kMagnitudeLimit = std::uint64_t{1} << 63;

constexpr std::uint64_t kNanosecond = 1;
constexpr std::uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr std::uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr std::uint64_t kSecond = 1000 * kMillisecond;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::uint64_t digit_value(char c) {
  return static_cast<std::uint64_t>(c - '0');
}

std::optional<std::uint64_t> unit_nanoseconds(std::string_view unit) {
  // Both micro spellings are accepted because Go accepts both: the micro sign that
  // Duration.String prints and the Greek mu that people type on some keyboards.
  if (unit == "ns") return kNanosecond;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return kMicrosecond;
  if (unit == "ms") return kMillisecond;
  if (unit == "s") return kSecond;
  if (unit == "m") return kMinute;
  if (unit == "h") return kHour;
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  // Zero is the one value Go lets through without a unit; "00" or "0.0" still need one.
  if (rest == "0") return std::chrono::nanoseconds{0};
  if (rest.empty()) return std::nullopt;

  std::uint64_t total = 0;
  while (!rest.empty()) {
    if (!(rest.front() == '.' || is_digit(rest.front()))) return std::nullopt;

    // Whole part. Overflow here is an error, not a saturation.
    std::uint64_t whole = 0;
    std::size_t whole_digits = 0;
    while (whole_digits < rest.size() && is_digit(rest[whole_digits])) {
      if (whole > kMagnitudeLimit / 10) return std::nullopt;
      whole = whole * 10 + digit_value(rest[whole_digits]);
      if (whole > kMagnitudeLimit) return std::nullopt;
      ++whole_digits;
    }
    rest.remove_prefix(whole_digits);

    // Fraction. Digits beyond what fits are skipped rather than rejected: they cannot change
    // the nanosecond result, and Go accepts them.
    std::uint64_t fraction = 0;
    double scale = 1;
    std::size_t fraction_digits = 0;
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      bool saturated = false;
      while (fraction_digits < rest.size() && is_digit(rest[fraction_digits])) {
        if (!saturated) {
          if (fraction > (kMagnitudeLimit - 1) / 10) {
            saturated = true;
          } else {
            const std::uint64_t next = fraction * 10 + digit_value(rest[fraction_digits]);
            if (next > kMagnitudeLimit) {
              saturated = true;
            } else {
              fraction = next;
              scale *= 10;
            }
          }
        }
        ++fraction_digits;
      }
      rest.remove_prefix(fraction_digits);
    }
    // A lone "." (as in ".s") is not a number.
    if (whole_digits == 0 && fraction_digits == 0) return std::nullopt;

    // The unit runs up to the next digit or dot, so "1sm" is the unknown unit "sm" rather than
    // seconds followed by garbage.
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && rest[unit_length] != '.' && !is_digit(rest[unit_length])) {
      ++unit_length;
    }
    if (unit_length == 0) return std::nullopt;
    const auto unit = unit_nanoseconds(rest.substr(0, unit_length));
    if (!unit) return std::nullopt;
    rest.remove_prefix(unit_length);

    if (whole > kMagnitudeLimit / *unit) return std::nullopt;
    std::uint64_t piece = whole * *unit;
    if (fraction > 0) {
      // Go computes the fractional part in double precision; doing the same keeps results
      // identical to the nanosecond (e.g. for fractions of hours).
      piece += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                          (static_cast<double>(*unit) / scale));
      if (piece > kMagnitudeLimit) return std::nullopt;
    }
    total += piece;
    if (total > kMagnitudeLimit) return std::nullopt;
  }

  if (negative) {
    // Unsigned negation then a two's-complement reinterpretation gives -2^63 for 2^63 without
    // signed overflow.
    return std::chrono::nanoseconds{static_cast<std::int64_t>(~total + 1)};
  }
  if (total > kMagnitudeLimit - 1) return std::nullopt;
  return std::chrono::nanoseconds{static_cast<std::int64_t>(total)};
}

namespace {

// Writes into the tail of a buffer, right to left, the way Go's formatter does; this keeps the
// digit arithmetic simple (least significant first).
class ReverseWriter {
 public:
  void put(char c) { buffer_[--start_] = c; }
  void put(std::string_view text) {
    for (auto it = text.rbegin(); it != text.rend(); ++it) put(*it);
  }
  void put_integer(std::uint64_t value) {
    do {
      put(static_cast<char>('0' + value % 10));
      value /= 10;
    } while (value > 0);
  }
  // Writes value's lowest `precision` decimal digits as a fraction without trailing zeros (and
  // without the dot when they are all zero); returns what is left above them.
  std::uint64_t put_fraction(std::uint64_t value, int precision) {
    bool significant = false;
    for (int i = 0; i < precision; ++i) {
      const auto digit = value % 10;
      significant = significant || digit != 0;
      if (significant) put(static_cast<char>('0' + digit));
      value /= 10;
    }
    if (significant) put('.');
    return value;
  }
  [[nodiscard]] std::string str() const {
    return std::string(buffer_.data() + start_, buffer_.size() - start_);
  }

 private:
  // The longest output, "-2562047h47m16.854775808s", is 25 bytes.
  std::array<char, 32> buffer_{};
  std::size_t start_ = buffer_.size();
};

}  // namespace

std::string format_go_duration(std::chrono::nanoseconds duration) {
  const std::int64_t count = duration.count();
  const bool negative = count < 0;
  // Magnitude through unsigned arithmetic so the most negative value does not overflow.
  std::uint64_t magnitude = static_cast<std::uint64_t>(count);
  if (negative) magnitude = ~magnitude + 1;

  ReverseWriter out;
  out.put('s');
  if (magnitude < kSecond) {
    // Under a second the largest fitting sub-second unit is used, e.g. "1.5µs" or "100ms".
    int precision = 0;
    if (magnitude == 0) {
      return "0s";
    } else if (magnitude < kMicrosecond) {
      out.put('n');
    } else if (magnitude < kMillisecond) {
      precision = 3;
      out.put("\u00b5");
    } else {
      precision = 6;
      out.put('m');
    }
    out.put_integer(out.put_fraction(magnitude, precision));
  } else {
    std::uint64_t seconds = out.put_fraction(magnitude, 9);
    out.put_integer(seconds % 60);
    const std::uint64_t minutes = seconds / 60;
    // Larger units appear only when needed, but once they do every smaller one is spelled out
    // ("1h0m0s"); hours are the largest unit because days vary in length.
    if (minutes > 0) {
      out.put('m');
      out.put_integer(minutes % 60);
      const std::uint64_t hours = minutes / 60;
      if (hours > 0) {
        out.put('h');
        out.put_integer(hours);
      }
    }
  }
  if (negative) out.put('-');
  return out.str();
}

}  // namespace irsa::server
