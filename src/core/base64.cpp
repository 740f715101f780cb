#include "patch_base64_encoder.hpp"

#include "irsa/core/base64.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace irsa::core::detail {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Every 12-bit value mapped to its two output characters (little-endian in the uint16), so one
// lookup writes two bytes. 8 KiB: stays in L1 while a patch is encoded.
constexpr std::array<std::uint16_t, 4096> make_pair_table() {
  std::array<std::uint16_t, 4096> table{};
  for (unsigned v = 0; v < table.size(); ++v) {
    table[v] = static_cast<std::uint16_t>(static_cast<unsigned char>(kAlphabet[v >> 6]) |
                                          (static_cast<unsigned char>(kAlphabet[v & 63]) << 8));
  }
  return table;
}
constexpr auto kPairs = make_pair_table();

std::uint64_t load_big_endian_64(const unsigned char* bytes) {
  std::uint64_t word = 0;
  for (int i = 0; i < 8; ++i) word = (word << 8) | bytes[i];
  return word;
}

#if defined(__x86_64__)
// AVX2: 24 input bytes become 32 characters per step (Muła and Lemire's vector method). Each
// 128-bit lane takes 12 input bytes; a byte shuffle gives every 32-bit word the bytes of one
// 3-byte group as [b, a, c, b], so that its low 16 bits read "ab" and its high 16 bits "bc".
// Then the four 6-bit values are, with x = "ab" and y = "bc":
//   s0 = x >> 10, s1 = (x >> 4) & 63, s2 = (y >> 6) & 63, s3 = y & 63,
// and must land in bytes 0..3. Multiplying by a power of two shifts every 16-bit field at once
// (the high half of the product for right shifts, the low half for left shifts).
// Returns how many input bytes it consumed (a multiple of 24); the caller encodes the rest.
__attribute__((target("avx2"))) std::size_t encode_avx2(const unsigned char* src, std::size_t n,
                                                        char* dst) {
  const __m256i group_bytes = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10, 1,
                                               0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  const __m256i right_mask = _mm256_set1_epi32(0x0FC0FC00);   // s0 in x, s2 in y
  const __m256i right_shift = _mm256_set1_epi32(0x04000040);  // x * 2^6 >> 16, y * 2^10 >> 16
  const __m256i left_mask = _mm256_set1_epi32(0x003F03F0);    // s1 in x, s3 in y
  const __m256i left_shift = _mm256_set1_epi32(0x01000010);   // x * 2^4, y * 2^8
  // Value to character, as an offset added to each value, looked up by a small index: 13 for
  // A..Z (0-25), 0 for a..z (26-51), and 1-12 for the values above 51 (digits, '+', '/'), which
  // a saturating subtraction of 51 gives.
  const __m256i above_lowercase = _mm256_set1_epi8(51);
  const __m256i uppercase_limit = _mm256_set1_epi8(26);
  const __m256i uppercase_index = _mm256_set1_epi8(13);
  const __m256i offsets =
      _mm256_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                       '0' - 52, '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0,
                       'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                       '0' - 52, '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
  std::size_t consumed = 0;
  // Each lane loads 16 bytes and uses 12, so the second lane reads 4 bytes past the group.
  while (consumed + 28 <= n) {
    const __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + consumed));
    const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + consumed + 12));
    __m256i words = _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
    words = _mm256_shuffle_epi8(words, group_bytes);
    const __m256i shifted_right =
        _mm256_mulhi_epu16(_mm256_and_si256(words, right_mask), right_shift);
    const __m256i shifted_left = _mm256_mullo_epi16(_mm256_and_si256(words, left_mask), left_shift);
    const __m256i sextets = _mm256_or_si256(shifted_right, shifted_left);
    const __m256i is_uppercase = _mm256_cmpgt_epi8(uppercase_limit, sextets);
    const __m256i index = _mm256_or_si256(_mm256_subs_epu8(sextets, above_lowercase),
                                          _mm256_and_si256(is_uppercase, uppercase_index));
    const __m256i characters = _mm256_add_epi8(sextets, _mm256_shuffle_epi8(offsets, index));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), characters);
    consumed += 24;
    dst += 32;
  }
  return consumed;
}

// AVX-512 VBMI: 48 input bytes become 64 characters in three instructions (the same authors'
// method): a byte permutation gives each 64-bit word two 3-byte groups laid out so that a
// multishift can pick out every 6-bit value at its own bit offset into a byte; a second
// permutation, which reads only the low 6 bits of each byte, looks those up in the alphabet.
// Returns how many input bytes it consumed (a multiple of 48).
// GCC 12's own intrinsics pass an undefined vector as the unused merge operand, which its
// -Wmaybe-uninitialized then reports in them.
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) std::size_t encode_avx512vbmi(
    const unsigned char* src, std::size_t n, char* dst) {
  const __m512i group_bytes =
      _mm512_setr_epi32(0x01020001, 0x04050304, 0x07080607, 0x0a0b090a, 0x0d0e0c0d, 0x10110f10,
                        0x13141213, 0x16171516, 0x191a1819, 0x1c1d1b1c, 0x1f201e1f, 0x22232122,
                        0x25262425, 0x28292728, 0x2b2c2a2b, 0x2e2f2d2e);
  const __m512i bit_offsets = _mm512_set1_epi64(0x3036242a1016040a);
  const __m512i alphabet = _mm512_loadu_si512(kAlphabet);
  std::size_t consumed = 0;
  // Each step loads 64 bytes and uses 48.
  while (consumed + 64 <= n) {
    const __m512i input = _mm512_loadu_si512(src + consumed);
    const __m512i groups = _mm512_permutexvar_epi8(group_bytes, input);
    const __m512i sextets = _mm512_multishift_epi64_epi8(bit_offsets, groups);
    _mm512_storeu_si512(dst, _mm512_permutexvar_epi8(sextets, alphabet));
    consumed += 48;
    dst += 64;
  }
  return consumed;
}
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2") != 0;
  return has;
}

bool cpu_has_avx512vbmi() {
  static const bool has =
      __builtin_cpu_supports("avx512vbmi") != 0 && __builtin_cpu_supports("avx512bw") != 0;
  return has;
}
#endif

}  // namespace

namespace {

// Encodes n bytes into dst, which has room for (n + 2) / 3 * 4 characters.
void encode(const unsigned char* src, std::size_t n, char* dst) {
  std::size_t i = 0;
#if defined(__x86_64__)
  if (cpu_has_avx512vbmi()) {
    i = encode_avx512vbmi(src, n, dst);
    dst += i / 3 * 4;
  }
  if (cpu_has_avx2()) {
    const std::size_t more = encode_avx2(src + i, n - i, dst);
    i += more;
    dst += more / 3 * 4;
  }
#endif
  // Six input bytes become eight output bytes; eight are loaded, so stop two early. Writing
  // through memcpy of a local word keeps the compiler from assuming the output aliases the
  // input (char stores alias everything, which otherwise forces a reload per byte).
  for (; i + 8 <= n; i += 6) {
    const std::uint64_t w = load_big_endian_64(src + i);
    const std::uint64_t encoded = std::uint64_t{kPairs[(w >> 52) & 0xfff]} |
                                  (std::uint64_t{kPairs[(w >> 40) & 0xfff]} << 16) |
                                  (std::uint64_t{kPairs[(w >> 28) & 0xfff]} << 32) |
                                  (std::uint64_t{kPairs[(w >> 16) & 0xfff]} << 48);
    std::memcpy(dst, &encoded, sizeof(encoded));
    dst += 8;
  }
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{src[i]} << 16) | (std::uint32_t{src[i + 1]} << 8) |
                            std::uint32_t{src[i + 2]};
    const std::uint32_t encoded =
        std::uint32_t{kPairs[v >> 12]} | (std::uint32_t{kPairs[v & 0xfff]} << 16);
    std::memcpy(dst, &encoded, sizeof(encoded));
    dst += 4;
  }
  const std::size_t rest = n - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{src[i]} << 16;
    dst[0] = kAlphabet[(v >> 18) & 63];
    dst[1] = kAlphabet[(v >> 12) & 63];
    dst[2] = '=';
    dst[3] = '=';
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{src[i]} << 16) | (std::uint32_t{src[i + 1]} << 8);
    dst[0] = kAlphabet[(v >> 18) & 63];
    dst[1] = kAlphabet[(v >> 12) & 63];
    dst[2] = kAlphabet[(v >> 6) & 63];
    dst[3] = '=';
  }
}

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table(std::string_view alphabet) {
  std::array<std::uint8_t, 256> table{};
  table.fill(kInvalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto kDecodeStandard = make_decode_table(kAlphabet);
constexpr auto kDecodeUrl =
    make_decode_table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

bool decode(std::string_view text, const std::array<std::uint8_t, 256>& table, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  // Written in place, four characters to three bytes at a time: the load generator runs this
  // for every answer and must spend far less on it than the server spends producing it.
  out.resize(text.size() / 4 * 3 - padding);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* write = reinterpret_cast<unsigned char*>(out.data());
  const std::size_t full_groups = padding > 0 ? text.size() / 4 - 1 : text.size() / 4;
  for (std::size_t group = 0; group < full_groups; ++group, in += 4, write += 3) {
    const std::uint32_t a = table[in[0]], b = table[in[1]], c = table[in[2]], d = table[in[3]];
    if (((a | b | c | d) & 0xc0) != 0) return false;  // kInvalid has the top bits set
    const std::uint32_t bits = (a << 18) | (b << 12) | (c << 6) | d;
    write[0] = static_cast<unsigned char>(bits >> 16);
    write[1] = static_cast<unsigned char>(bits >> 8);
    write[2] = static_cast<unsigned char>(bits);
  }
  if (padding > 0) {
    // The last group: "xx==" holds one byte, "xxx=" two; padding only there.
    const std::uint32_t a = table[in[0]], b = table[in[1]];
    const std::uint32_t c = padding == 2 ? 0 : table[in[2]];
    if (((a | b | c) & 0xc0) != 0) return false;
    const std::uint32_t bits = (a << 18) | (b << 12) | (c << 6);
    write[0] = static_cast<unsigned char>(bits >> 16);
    if (padding == 1) write[1] = static_cast<unsigned char>(bits >> 8);
  }
  return true;
}

}  // namespace

void append_base64(std::string& out, std::string_view bytes) {
  // Encoded where it ends up. Growing the string first costs a fill of the new bytes; encoding
  // into a stack buffer instead costs a copy, which memcpy does with `rep movs` for a whole
  // patch and with many short calls for chunks of one, both slower (a typical review: 3.19-3.30
  // us this way, 3.39 us through one 4 KiB buffer, 3.57-3.60 us through 1 KiB chunks). The
  // encoder writes exactly the characters it is asked for, no further.
  const std::size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data() + start);
}

}  // namespace irsa::core::detail

namespace irsa::core {

bool decode_base64(std::string_view text, std::string& out) {
  return detail::decode(text, detail::kDecodeStandard, out);
}

bool decode_base64url(std::string_view text, std::string& out) {
  if (text.size() % 4 == 1) return false;  // no length leaves a single character over
  std::string padded(text);
  padded.append((4 - text.size() % 4) % 4, '=');
  return detail::decode(padded, detail::kDecodeUrl, out);
}

}  // namespace irsa::core
