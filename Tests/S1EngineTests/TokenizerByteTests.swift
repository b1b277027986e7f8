import Foundation
import S1Engine
import XCTest

final class TokenizerByteTests: XCTestCase {
    let tokenizer = ByteTokenizer()

    func testBytesAndSpecialTokensAreSingleIDs() {
        // Hand-computed: 'h' = 0x68, 'i' = 0x69, '\n' = 0x0A; specials follow the 256 bytes in order.
        XCTAssertEqual(tokenizer.vocabularySize, 259)
        XCTAssertEqual(tokenizer.specialTokenID("<|im_start|>"), 257)
        XCTAssertEqual(tokenizer.specialTokenID("<|im_end|>"), 258)
        XCTAssertNil(tokenizer.specialTokenID("<|nope|>"))
        XCTAssertEqual(tokenizer.encode("<|im_start|>hi\n<|im_end|>"), [257, 0x68, 0x69, 0x0A, 258])
        XCTAssertEqual(tokenizer.encode("é"), [0xC3, 0xA9])
        // A broken special token is plain bytes.
        XCTAssertEqual(tokenizer.encode("<|im_end"), Array("<|im_end".utf8).map { Int32($0) })
    }

    func testLongestSpecialTokenWins() {
        let t = ByteTokenizer(specialTokens: ["<a>", "<a>b", "<a>"])
        XCTAssertEqual(t.specialTokens, ["<a>", "<a>b"])
        XCTAssertEqual(t.encode("<a>b<a>c"), [257, 256, Int32(UInt8(ascii: "c"))])
    }

    func testRoundTripsValidText() {
        for text in ["", "plain", "Ünïcödé 中文 😀🇫🇷", "<|im_start|>think\n12+34=46<|im_end|><|endoftext|>", "a\u{0}b\r\n\t"] {
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(text)), text)
        }
    }

    func testTruncatedAndInvalidUTF8DecodeToReplacementCharacters() {
        let ids = tokenizer.encode("😀")  // F0 9F 98 80
        XCTAssertEqual(ids.count, 4)
        for cut in 1..<4 { XCTAssertEqual(tokenizer.decode(Array(ids.prefix(cut))), "\u{FFFD}") }
        XCTAssertEqual(tokenizer.decode([0x61, 0xFF, 0x62]), "a\u{FFFD}b")
        XCTAssertEqual(tokenizer.decode([0x61, 9999, -1, 0x62]), "ab")  // unknown ids are skipped, as in `tokenizers`
    }

    func testPieces() {
        XCTAssertEqual(tokenizer.piece(for: 0x41), "A")
        XCTAssertEqual(tokenizer.piece(for: 0x0A), "<0x0A>")
        XCTAssertEqual(tokenizer.piece(for: 0xE9), "<0xE9>")
        XCTAssertEqual(tokenizer.piece(for: 258), "<|im_end|>")
        XCTAssertNil(tokenizer.piece(for: 259))
        XCTAssertEqual(tokenizer.bytes(of: 257), Array("<|im_start|>".utf8))
    }
}
