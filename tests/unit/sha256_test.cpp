#include <clnrm/sha256.h>
#include <gtest/gtest.h>

#include <string>

// Test vectors from NIST FIPS 180-4 examples (SHA256.pdf) and the NIST CAVP
// "SHA256ShortMsg"/"SHA256LongMsg" byte-oriented sets.

TEST(Sha256, NistEmptyMessage) {
  EXPECT_EQ(clnrm::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, NistOneBlockAbc) {
  EXPECT_EQ(clnrm::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, NistTwoBlock448Bits) {
  EXPECT_EQ(clnrm::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, NistTwoBlock896Bits) {
  EXPECT_EQ(clnrm::sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijkl"
                              "mnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, NistMillionA) {
  clnrm::Sha256 h;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(chunk);
  EXPECT_EQ(clnrm::Sha256::to_hex(h.finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, CavpShortMessageOneByte) {
  // CAVP SHA256ShortMsg, Len = 8, Msg = d3
  EXPECT_EQ(clnrm::sha256_hex(std::string(1, '\xd3')),
            "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1");
}

TEST(Sha256, SplitUpdatesEqualOneUpdateAtEveryBoundary) {
  std::string msg;
  for (int i = 0; i < 200; ++i) msg.push_back(static_cast<char>(i * 7 + 3));
  const std::string whole = clnrm::sha256_hex(msg);
  for (std::size_t cut = 0; cut <= msg.size(); ++cut) {
    clnrm::Sha256 h;
    h.update(std::string_view(msg).substr(0, cut));
    h.update(std::string_view(msg).substr(cut));
    ASSERT_EQ(clnrm::Sha256::to_hex(h.finish()), whole) << "cut at " << cut;
  }
}

TEST(Sha256, PaddingEdgeLengthsDiffer) {
  // 55, 56 and 64 bytes cross the one/two padding block boundary.
  EXPECT_EQ(clnrm::sha256_hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(clnrm::sha256_hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(clnrm::sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
